#!/usr/bin/env python3
"""Part 1 of cluster/e2e-fuzz: `tenure node` and every subcommand get random and extreme flag
values (huge, negative, zero, NaN, inf, empty, non-ASCII, '=' and spaces, missing, repeated,
unknown), deterministic (--seed), each under a 5 s timeout; no crash (trap or "Fatal error"), and
each status is 0, 2, a documented 1 (a file, port or node that is not there), or a timeout of a
command that really started (a node that answered, a watch, a run, a simulation).

  cluster/fuzz/flag_fuzz.py --bin TENURE --dir DIR --key KEYFILE --out FAILURES [--seed 1234] [--jobs 10]

Python rather than bash: thousands of argument vectors with invalid UTF-8, process groups and a
thread pool are what its subprocess module is for.
"""
import argparse, concurrent.futures, hashlib, os, random, shlex, signal, subprocess, threading, time
from collections import Counter

from checks import http_request, note, result, run

SIG_CRASH = {signal.SIGILL, signal.SIGTRAP, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGSEGV}

GENERIC = [
    "99999999999999999999", "18446744073709551616", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "4294967296", "2147483648", "4000000000s", "99999999999999999999ms",
    "9223372036854775807ns", "9223372036854775808ns", "1e308", "1e308s", "1.8e308", "1.8e308ms", "1e19ns",
    "2562048h", "153722868m", "106751d", "86401s", "86400s", "1e-320", "5e-324s", "-1", "-1s", "-0", "-0.0",
    "-100ms", "-inf", "-infs", "0", "0s", "0ms", "0ns", "0.0", "0.", ".", ".s", "nan", "NaN", "nans", "nanms",
    "-nan", "inf", "infs", "Infinity", "+1", "+1s", "", " ", "１ms", "１００", "é", "ü1s", "😀", "1😀s",
    "١٠٠ms", "1µs", "1μs", "٣", "\u00a0100ms", "100ms\u200b", "\udcff\udcfe", "1\udcffs", "a=b", "=", "==1",
    "1 s", " 100ms", "100ms ", "x y z", "--", "-", "--help", "100", "100MS", "1.5s", "1e3ms", "0x10",
    "1_000ms", "1.s", "1..5s", "100msms", "5-", "-5", "1000ms-1100ms", "1100ms-1000ms", "1ns-2ns",
    "86400s-86400s", "1s-1s", "500ms-600ms-700ms", "--1s", "1s-", "a" * 5000, "9" * 400,
    "\t", "\n", "%s%n", "'", "\"", "\\", "n1=127.0.0.64:1",
]
DURATIONS = ["100ms", "50ms", "1s", "1ns", "1us", "1µs", "10m", "24h", "86400s", "1.5s", "0.5ms", "999999999ns", "1h"]
RANGES = ["500ms-600ms", "1000ms-1100ms", "1ns-2ns", "1s-86400s", "600ms-500ms", "500ms-500ms", "0ms-1ms",
          "86400s-86401s", "1e308s-1e308s", "nans-infs", "-1s-1s", "500ms", "500ms-", "-600ms", "１ms-２ms",
          "500ms - 600ms", "4000000000s-4000000001s", "1ns-86400s", "100ms-200ms"]
INTEGERS = ["0", "1", "2", "3", "5", "100", "101", "1000", "1001", "256", "257", "100000000", "100000001",
            "1000000", "1000001", "-1", "2147483648", "18446744073709551615", "18446744073709551616",
            "1.0", "1e3", "0x5", "٣", "+3", " 3", "3 "]
FRACTIONS = ["0", "0.01", "0.5", "0.51", "1", "-0.01", "1e-320", "5e-324", "nan", "inf", "-inf", "1e308",
             "0x1p-3", " 0.1", "0.1 ", "1,5", "0.25"]
LEVELS = ["debug", "info", "warn", "warning", "error", "trace", "DEBUG", "", "é"]
MUTATIONS = ["disable-vote-stickiness", "disable-restart-embargo", "lease-from-acknowledgement-time",
             "send-before-persist", "disable-pre-vote", "", "nope", "disable-pre-vote,disable-vote-stickiness"]
UNKNOWN = ["--bogus", "--bogus=1", "-x", "---id", "--ID", "--heartbeat_interval", "--héartbeat", "--peers2",
           "-", "--=", "--=x", "-e", "-h", "--json=yes", "--", "--" + "a" * 3000, "--\udcff", "--😀", "-:", "--id="]
SHELL_SAFE = ["true", "false", "exit 3", "sleep 0.1", "", "é", "😀", "-1", "1 s", "a=b c", "%s%n", "--"]

def shell_quote(argument):
    """The argument as bash reads it back: plain quoting, or $'...' for control and invalid bytes."""
    raw = argument.encode("utf-8", "surrogateescape")
    try:
        text = raw.decode("utf-8")
        if all(c.isprintable() for c in text):
            return shlex.quote(text)
    except UnicodeDecodeError:
        pass
    return "$'" + "".join(chr(b) if 32 <= b < 127 and chr(b) not in "'\\" else "\\x%02x" % b for b in raw) + "'"

def paths_for(files):
    safe = [v for v in GENERIC if not v.startswith("/") and ".." not in v]
    return safe + [files["dir"], "/dev/null", "sub/dir/file", "é", "a b", "."]

class FlagFuzz:
    COMMANDS = ["node", "leader", "status", "watch", "transfer", "resign", "run", "simulate", "keygen"]
    COUNTS = {"node": 130, "leader": 28, "status": 28, "watch": 30, "transfer": 28, "resign": 28, "run": 38,
              "simulate": 48, "keygen": 20}
    CLIENT = {"leader", "status", "watch", "transfer", "resign"}
    LONG_RUNNING = {"node", "watch", "run", "simulate"}

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.dir = args.dir
        self.sandbox = os.path.join(self.dir, "sandbox")
        os.makedirs(self.sandbox, exist_ok=True)
        self.files = self.make_files()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TENURE_")}
        env.update({"TENURE_ENDPOINTS": "127.0.0.64:1", "TENURE_ENDPOINT": "127.0.0.64:1"})
        self.env = env
        self.running = set()
        self.lock = threading.Lock()
        signal.signal(signal.SIGTERM, self.terminate)
        signal.signal(signal.SIGINT, self.terminate)

    def terminate(self, *_):
        """On SIGTERM or Ctrl-C: kill every command still running, then exit."""
        with self.lock:
            for proc in list(self.running):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
        os._exit(143)

    def make_files(self):
        d = os.path.join(self.dir, "files")
        os.makedirs(d, exist_ok=True)
        key = open(self.args.key).read().split()[0]
        other = hashlib.sha256(b"another key" + key.encode()).hexdigest()
        contents = {"badkey": "not a key\n", "twokeys": key + "\n" + other + "\n", "dupkey": key + "\n" + key + "\n",
                    "empty": "", "big": "a" * 70000, "token": other + "\n", "shorttoken": "abc\n",
                    "comments": "# only a comment\n\n", "binary": "\udcff\udcfe\x01\x02"}
        files = {"dir": d, "key": self.args.key}
        for name, text in contents.items():
            path = os.path.join(d, name)
            with open(path, "wb") as out:
                out.write(text.encode("utf-8", "surrogateescape"))
            files[name] = path
        return files

    # Values by flag: mostly what the flag means, often anything at all.
    def value(self, command, flag, i):
        rng, f = self.rng, self.files
        if rng.random() < 0.35:
            return rng.choice(GENERIC)
        host = "127.0.0.%d" % (64 + i % 8)
        if flag in ("--heartbeat-interval", "--lease", "--health-interval", "--health-timeout", "--hook-timeout",
                    "--timeout", "--grace", "--margin", "--poll", "--duration", "--election-timeout-min",
                    "--election-timeout-max"):
            return rng.choice(DURATIONS + GENERIC[:40])
        if flag == "--election-timeout":
            return rng.choice(RANGES)
        if flag in ("--health-rise", "--health-fall", "--count", "--nodes", "--seeds", "--seed", "--jobs"):
            return rng.choice(INTEGERS)
        if flag in ("--clock-drift", "--clock-drift-bound"):
            return rng.choice(FRACTIONS)
        if flag == "--log-level":
            return rng.choice(LEVELS)
        if flag == "--mutation":
            return rng.choice(MUTATIONS)
        if flag == "--id":
            return rng.choice(["f%d" % i, "n" * 64, "n" * 65, "é", "", "-", "_", "a b", "f%dx" % i, "F%d" % i])
        if flag in ("--peers", "--peer-apis"):
            me = "f%d" % i
            port = 20000 + 2 * i
            return rng.choice([
                "%s=%s:%d" % (me, host, port), "%s=%s:%d,g%d=127.0.0.72:%d" % (me, host, port, i, 40000 + i),
                "%s=%s:%d,%s=%s:%d" % (me, host, port, me, host, port + 1), "%s=" % me, "=%s:%d" % (host, port),
                ",", ",,,", "%s=%s:%d,," % (me, host, port), "%s:%s:%d" % (me, host, port),
                "%s=%s:70000" % (me, host), "%s=%s:0" % (me, host), "%s=[::1]:%d" % (me, port),
                "%s=%s:%d," % (me, host, port) + ",".join("p%d=127.0.0.72:%d" % (k, 30000 + k) for k in range(150)),
                "%s=%s" % (me, host), "%s=é:%d" % (me, port), "%s=%s:%d" % ("n" * 65, host, port)])
        if flag in ("--api", "--endpoint"):
            port = 20001 + 2 * i if flag == "--api" else 1
            return rng.choice(["%s:%d" % (host, port), "%s:0" % host, "%s:65536" % host, "%s:-1" % host,
                               "%s:" % host, ":%d" % port, "127.0.0.256:1", "[::1]:%d" % port, "::1:%d" % port,
                               "localhost:1", host, "%s:1:2" % host, "1.2.3.4.5:6", "%s:000000000000%d" % (host, port),
                               "%s:+%d" % (host, port), "é:1", ""])
        if flag == "--endpoints":
            return rng.choice(["127.0.0.64:1", "127.0.0.64:1,127.0.0.65:1", "", ",", " ", "127.0.0.64",
                               "127.0.0.64:99999", "garbage", "127.0.0.64:1 127.0.0.65:1", "[::1]:1", "é:1",
                               "127.0.0.64:0", ",".join(["127.0.0.64:1"] * 100), "127.0.0.64:-1", "\n\n"])
        if flag == "--to":
            return rng.choice(["n2", "", "é", "n" * 65, "f%d" % i, "-", "a b"])
        if flag == "--cluster":
            return rng.choice(["tenure", "", "é", "a" * 1000, "a b", "😀"])
        if flag in ("--data-dir", "--event-log"):
            return rng.choice(paths_for(f) + ["d%d" % i, "ev%d.jsonl" % i])
        if flag in ("--peer-key-file", "--api-token-file"):
            names = ["key", "badkey", "twokeys", "dupkey", "empty", "big", "token", "shorttoken", "comments", "binary", "dir"]
            return rng.choice([f[n] for n in names] + ["", "missing-file", "/dev/null"])
        if flag in ("--health-cmd", "--on-elected", "--on-demoted"):
            return rng.choice(SHELL_SAFE)
        if flag == "--health-url":
            return rng.choice(["http://127.0.0.64:1/healthz", "http://127.0.0.64:99999/", "https://127.0.0.64:1/",
                               "http://", "http://[::1]:80/", "http://127.0.0.64:1", "http://é:1/", "ftp://x", "",
                               "http://127.0.0.64:1/" + "a" * 4000, "http://127.0.0.64:1/%zz?x=1#y"])
        return rng.choice(GENERIC)

    def baseline(self, command, i):
        host = "127.0.0.%d" % (64 + i % 8)
        if command == "node":
            peers = "f%d=%s:%d" % (i, host, 20000 + 2 * i)
            if i % 3 == 0:
                peers += ",g%d=127.0.0.72:%d" % (i, 40000 + i)
            return [("--id", "f%d" % i), ("--peers", peers), ("--api", "%s:%d" % (host, 20001 + 2 * i)),
                    ("--data-dir", "d%d" % i), ("--peer-key-file", self.files["key"]),
                    ("--heartbeat-interval", "50ms"), ("--election-timeout", "500ms-600ms")], []
        if command in self.CLIENT:
            base = [("--endpoints", "127.0.0.64:1"), ("--timeout", "300ms")]
            if command == "watch":
                base.append(("--count", "1"))
            if command == "transfer":
                base.append(("--to", "n2"))
            return base, []
        if command == "run":
            return [("--endpoint", "127.0.0.64:1"), ("--poll", "50ms")], ["--", "true"]
        if command == "simulate":
            return [("--nodes", "3"), ("--seeds", "1"), ("--duration", "2s"), ("--jobs", "1"), ("--quiet", None)], []
        return [], []

    SPECS = {
        "node": (["--id", "--peers", "--api", "--data-dir", "--heartbeat-interval", "--election-timeout", "--lease",
                  "--clock-drift", "--cluster", "--event-log", "--peer-apis", "--log-level", "--health-cmd",
                  "--health-url", "--health-interval", "--health-timeout", "--health-rise", "--health-fall",
                  "--on-elected", "--on-demoted", "--hook-timeout", "--peer-key-file", "--api-token-file"],
                 ["--insecure-peers"]),
        "leader": (["--endpoints", "--timeout"], ["--json"]),
        "status": (["--endpoints", "--timeout"], ["--json"]),
        "resign": (["--endpoints", "--timeout"], ["--json"]),
        "watch": (["--endpoints", "--timeout", "--count"], ["--json"]),
        "transfer": (["--endpoints", "--timeout", "--to"], ["--json"]),
        "run": (["--endpoint", "--grace", "--margin", "--poll"], ["--once"]),
        "simulate": (["--nodes", "--seeds", "--seed", "--duration", "--heartbeat-interval", "--election-timeout",
                      "--election-timeout-min", "--election-timeout-max", "--clock-drift", "--clock-drift-bound",
                      "--mutation", "--jobs"], ["--trace", "--excess-drift", "--quiet"]),
        "keygen": ([], []),
    }

    def case(self, command, i):
        rng = self.rng
        values, switches = self.SPECS[command]
        base, positionals = self.baseline(command, i)
        items = [[flag, value, "space"] for flag, value in base]
        tail = []
        ops = ["value"] * 6 + ["repeat", "missing", "unknown", "equals", "drop", "positional"]
        if not values:
            ops = ["unknown", "positional", "equals", "help"]
        for op in rng.sample(ops, rng.choice([1, 1, 2])):
            if op == "value":
                for flag in rng.sample(values + switches, min(len(values + switches), rng.randint(1, 3))):
                    if flag in switches:
                        items.append([flag, None if rng.random() < 0.8 else rng.choice(GENERIC), "equals"])
                        continue
                    value = self.value(command, flag, i)
                    existing = [item for item in items if item[0] == flag]
                    if existing:
                        existing[-1][1] = value
                    else:
                        items.append([flag, value, "space"])
            elif op == "repeat":
                flag = rng.choice(values)
                for _ in range(rng.randint(1, 2)):
                    items.append([flag, self.value(command, flag, i), "space"])
            elif op == "missing":
                tail = [rng.choice(values)]
            elif op == "unknown":
                items.insert(rng.randint(0, len(items)), [rng.choice(UNKNOWN), rng.choice([None, "1", "é"]), "raw"])
            elif op == "equals":
                if values:
                    for item in rng.sample(items, min(len(items), 2)):
                        if item[1] is not None:
                            item[2] = "equals"
                            if rng.random() < 0.5:
                                item[1] = rng.choice(["a=b", "=", "x y", item[1] + "=" + item[1], " " + item[1], item[1] + " "])
                else:
                    items.append([rng.choice(["--help", "--bogus", "--count"]), rng.choice(GENERIC), "equals"])
            elif op == "drop" and items:
                items.pop(rng.randrange(len(items)))
            elif op == "positional":
                items.insert(rng.randint(0, len(items)), [rng.choice(GENERIC + ["node", "extra"]), None, "raw"])
            elif op == "help":
                items.append([rng.choice(["--help", "-h"]), None, "raw"])
        argv = []
        for flag, value, style in items:
            if value is None:
                argv.append(flag)
            elif style == "equals":
                argv.append(flag + "=" + value)
            else:
                argv += [flag, value]
        if command == "run" and rng.random() < 0.3:
            positionals = rng.choice([[], ["--"], ["--", "/nonexistent-command"], ["--", "false", "é"], ["true"]])
        argv += tail + positionals
        api = None
        if command == "node":
            for flag, value, _style in items:
                if flag == "--api" and value:
                    api = value
        return command, [command] + argv, api

    def cases(self):
        out = []
        index = 0
        for command in self.COMMANDS:
            out.append((command, [command, "--help"], None))
            for _ in range(self.COUNTS[command]):
                index += 1
                out.append(self.case(command, index))
        out += [("top", [], None), ("top", ["bogus"], None), ("top", ["--version"], None), ("top", ["version"], None),
                ("top", ["help"], None), ("top", [""], None), ("top", ["é"], None), ("top", ["--help", "node"], None),
                ("top", ["\udcff"], None), ("top", ["-h"], None)]
        self.rng.shuffle(out)
        return out

    def answers(self, api):
        try:
            host, port = api.rsplit(":", 1)
            port = int(port)
            if not 0 < port < 65536:
                return False
        except ValueError:
            return False
        code, _ = http_request(host, port, "GET", "/healthz", timeout=0.3)
        return code == 200

    def run_one(self, case):
        command, argv, api = case
        err_path = os.path.join(self.dir, "err-%d.txt" % threading.get_ident())
        started = time.monotonic()
        with open(err_path, "w+b") as err:
            with self.lock:
                proc = subprocess.Popen([self.args.bin] + argv, cwd=self.sandbox, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
                self.running.add(proc)
            outcome, code = None, None
            deadline = started + 5.0
            while True:
                code = proc.poll()
                if code is not None:
                    break
                if time.monotonic() >= deadline:
                    outcome = "timeout"
                    break
                if command == "node" and api and time.monotonic() - started > 0.05 and self.answers(api):
                    outcome = "answered"
                    break
                time.sleep(0.02)
            if code is None:
                # Stop it: SIGTERM to its process group, SIGKILL after 3 s.
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except OSError:
                    pass
                try:
                    code = proc.wait(3)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    code = proc.wait()
                    outcome = (outcome or "timeout") + "+sigterm-ignored"
            with self.lock:
                self.running.discard(proc)
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
        return command, argv, outcome, code, text, time.monotonic() - started

    def classify(self, command, argv, outcome, code, text):
        """(category, problem or None)."""
        crashed = "Fatal error" in text or "Program crashed" in text
        if code is not None and code < 0 and -code in SIG_CRASH:
            crashed = True
        if code in (132, 133, 134, 135, 136, 139):
            crashed = True
        if crashed:
            how = "signal %d %s, shell status %d" % (-code, signal.Signals(-code).name, 128 - code) if code is not None and code < 0 else "status %s" % code
            return "crash", "crash (%s)" % how
        if outcome is None:
            if code in (0, 2):
                return "exit%d" % code, None
            if code == 1:
                mutated = any(a.startswith("--mutation") or a.startswith("--excess-drift") for a in argv)
                if command == "simulate" and not mutated:
                    return "exit1", "simulate exit 1 (an invariant violated) without a mutation"
                if command in self.CLIENT or command in ("node", "simulate", "run"):
                    return "exit1", None
            return "other", "unexpected exit status %s" % code
        if outcome.endswith("+sigterm-ignored"):
            return "hang", "did not stop within 3 s of SIGTERM"
        if outcome == "answered":
            if code in (0, -signal.SIGTERM, 143):
                return "started", None
            return "other", "a started node exited %s on SIGTERM" % code
        # Still running at the 5 s timeout.
        if command not in self.LONG_RUNNING or "usage:" in text:
            return "hang", "still running after 5 s (timeout)"
        if command == "node" and " started:" not in text:
            return "hang", "node still running after 5 s without having started"
        return "timeout", None

    def main(self):
        cases = self.cases()
        started = time.monotonic()
        categories = Counter()
        per_command = Counter()
        problems = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            for command, argv, outcome, code, text, took in pool.map(self.run_one, cases):
                category, problem = self.classify(command, argv, outcome, code, text)
                categories[category] += 1
                per_command[command] += 1
                if problem:
                    line = "tenure " + " ".join(shell_quote(a) for a in argv)
                    first = [l for l in text.strip().splitlines() if l.strip()][:2] or ["(nothing on stderr)"]
                    problems.append("%s: %s\n    %s" % (problem, line, "\n    ".join(first)))
        elapsed = time.monotonic() - started
        with open(self.args.out, "w") as out:
            out.write("\n".join(problems) + ("\n" if problems else ""))
        note("%d invocations in %.1f s (%s)" % (len(cases), elapsed, ", ".join("%s %d" % kv for kv in sorted(per_command.items()))))
        note("outcomes: " + ", ".join("%s %d" % kv for kv in sorted(categories.items())))
        crashes = [p for p in problems if p.startswith("crash")]
        result(not crashes, "no invocation crashed (%d crashes)" % len(crashes))
        others = [p for p in problems if not p.startswith("crash")]
        result(not others, "every status is 0, 2, a documented 1 or the timeout of a real start (%d others)" % len(others))
        for problem in problems[:40]:
            note(problem if len(problem) < 600 else problem[:600] + " ...")
        if problems:
            note("all %d listed in %s" % (len(problems), self.args.out))
        result(elapsed < 60, "the flag fuzz took %.1f s (bound 60 s)" % elapsed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--jobs", type=int, default=10)
    FlagFuzz(parser.parse_args()).main()


if __name__ == "__main__":
    run(main)
