#!/usr/bin/env python3
"""Part 2 of cluster/e2e-fuzz: a few thousand random, truncated, pipelined and garbage requests
on one node's API (--target HOST:PORT), with a normal GET /v1/status every 100 requests, which
must answer 200 every time; unauthorized writes must all get 401.

  cluster/fuzz/http_fuzz.py --target HOST:PORT [--seconds 15] [--count 3000] [--seed 4321]

Python rather than bash: raw sockets with half-closes, resets and byte-exact requests.
"""
import argparse, random, socket, struct, time
from collections import Counter

from checks import http_request, note, result, run

ROUTES = ["/v1/leader", "/v1/status", "/v1/watch", "/v1/history", "/healthz", "/readyz", "/metrics", "/v1/health",
          "/v1/transfer", "/v1/resign", "/", "*", "/v1", "/v1/", "/V1/STATUS", "/v1/status/", "//v1/status",
          "/v1/../v1/status", "/%00", "/%zz", "/v1/status%20", "http://x/v1/status", "/" + "a" * 3000, "/é", "/\x7f",
          "/v1/status#frag", "/v1/transfer?to=n2", "?", ""]
METHODS = ["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT", "get",
           "G ET", "", "GETT", "X" * 300, "\x00", "ГЕТ", "PRI"]
VERSIONS = ["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.10", "HTTP/9", "HTTP/1", "HTTP/", "http/1.1",
            "HTTP/1.1 extra", "", "HTTP/01.1", "HTTP/1.1\x00"]
HEADER_NAMES = ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Authorization", "Accept", "X-A",
                "Content-Type", "Expect", "Upgrade", "", " Host", "Host ", "Ho st", "\x00", "é", "A" * 1000]
HEADER_VALUES = ["", "x", "close", "keep-alive", "chunked", "100-continue", "Bearer wrong", "Bearer ", "Basic abc",
                 "-1", "99999999999999999999", "0", "1e3", " 5", "5 ", "é", "\x00", "\x7f", "a" * 2000, "1, 2"]
QUERY_KEYS = ["runner", "to", "x", "", "%", "%zz", "a+b", "é", "to%00", "runner[]"]
QUERY_VALUES = ["running", "idle", "n2", "n9", "", "%", "%zz", "%00", "+", "a" * 500, "é", "%C3%A9"]

class HTTPFuzz:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.host, port = args.target.rsplit(":", 1)
        self.port = int(port)
        self.kinds = Counter()
        self.answers = Counter()

    def rbytes(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def query(self):
        rng = self.rng
        if rng.random() < 0.5:
            return ""
        pairs = ["%s=%s" % (rng.choice(QUERY_KEYS), rng.choice(QUERY_VALUES)) for _ in range(rng.randint(1, 4))]
        return "?" + rng.choice(["&", "&&", ";"]).join(pairs)

    def headers(self, count):
        rng = self.rng
        lines = []
        for _ in range(count):
            if rng.random() < 0.3:
                name = "".join(chr(rng.randint(33, 126)) for _ in range(rng.randint(1, 20)))
            else:
                name = rng.choice(HEADER_NAMES)
            value = rng.choice(HEADER_VALUES) if rng.random() < 0.7 else "".join(chr(rng.randint(0, 255)) for _ in range(rng.randint(0, 40)))
            sep = rng.choice([": ", ":", " : ", ": ", ""])
            lines.append(name + sep + value)
        return lines

    def encode(self, text):
        return text.encode("latin-1", "replace") if all(ord(c) < 256 for c in text) else text.encode("utf-8")

    def valid(self, path=None, close=False):
        path = path or self.rng.choice(["/v1/status", "/healthz", "/metrics", "/v1/leader", "/readyz", "/v1/history"])
        return ("%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (self.rng.choice(["GET", "HEAD"]), path,
                "Connection: close\r\n" if close else "")).encode()

    def build(self):
        """(bytes, complete, kind): complete requests get 0.3 s for their answer, "maybe" ones 0.05 s
        (the server may rightly wait for more), and cut ones are dropped at once."""
        rng = self.rng
        kind = rng.choice(["random", "random", "random", "huge_header", "many_headers", "short_body", "long_body",
                           "bad_length", "chunked", "binary", "pipelined_cut", "half", "line_endings", "valid",
                           "watch", "auth", "slow"])
        self.kinds[kind] += 1
        eol = "\r\n"
        if kind == "random":
            line = "%s %s%s %s" % (rng.choice(METHODS), rng.choice(ROUTES), self.query(), rng.choice(VERSIONS))
            head = eol.join([line] + self.headers(rng.randint(0, 8)))
            body = self.rbytes(rng.randint(0, 64)) if rng.random() < 0.3 else b""
            return self.encode(head + eol + eol) + body, True, kind
        if kind == "huge_header":
            size = rng.choice([8000, 16385, 20000, 65536, 200000])
            return ("GET /v1/status HTTP/1.1\r\nX-Big: " + "a" * size + "\r\n\r\n").encode(), True, kind
        if kind == "many_headers":
            lines = ["X-%d: %d" % (n, n) for n in range(rng.choice([100, 500, 2000]))]
            return ("GET /v1/status HTTP/1.1\r\n" + eol.join(lines) + "\r\n\r\n").encode(), True, kind
        if kind == "short_body":
            body = self.rbytes(rng.randint(0, 50))
            head = "PUT /v1/health HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (len(body) + rng.randint(1, 5000))
            return head.encode() + body, False, kind
        if kind == "long_body":
            body = b'{"healthy": false}' + self.rbytes(rng.randint(1, 200))
            head = "%s %s HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (rng.choice(["PUT", "POST", "GET"]), rng.choice(ROUTES[:10]), rng.randint(0, 10))
            return head.encode() + body, True, kind
        if kind == "bad_length":
            value = rng.choice(["-1", "abc", "1e3", "99999999999999999999", "18446744073709551616", " ", "",
                                "0x10", "10, 20", "+5", "5 5", "2147483648", "1048577"])
            extra = "Content-Length: 3\r\n" if rng.random() < 0.3 else ""
            return ("PUT /v1/health HTTP/1.1\r\nContent-Length: %s\r\n%s\r\nabc" % (value, extra)).encode(), True, kind
        if kind == "chunked":
            chunks = rng.choice(["zz\r\nabc\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFF\r\n", "-1\r\n", "5\r\nab", "0\r\n",
                                 "3\r\nabcde\r\n", "\r\n\r\n", "1;ext=" + "a" * 5000 + "\r\na\r\n0\r\n\r\n"])
            te = rng.choice(["chunked", "gzip, chunked", "chunked, identity", "CHUNKED", "x"])
            cl = "Content-Length: 4\r\n" if rng.random() < 0.3 else ""
            return ("PUT /v1/health HTTP/1.1\r\nTransfer-Encoding: %s\r\n%s\r\n%s" % (te, cl, chunks)).encode(), True, kind
        if kind == "binary":
            data = self.rbytes(rng.randint(1, 4096))
            return data, True if b"\r\n\r\n" in data else "maybe", kind
        if kind == "pipelined_cut":
            data = b"".join(self.valid() for _ in range(rng.randint(2, 10)))
            return data[:rng.randint(1, len(data) - 1)], False, kind
        if kind == "half":
            data = self.valid(close=True)
            return data[:rng.randint(0, len(data) - 1)], False, kind
        if kind == "line_endings":
            variant = rng.choice(["GET /v1/status HTTP/1.1\nHost: x\n\n", "GET /v1/status HTTP/1.1\rHost: x\r\r",
                                  "GET /v1/status HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
                                  "GET /v1/status HTTP/1.1\r\nNoColon\r\n\r\n", "GET /v1/status HTTP/1.1\r\n: empty\r\n\r\n",
                                  "GET  /v1/status  HTTP/1.1\r\n\r\n", " GET /v1/status HTTP/1.1\r\n\r\n",
                                  "GET /v1/status HTTP/1.1\r\nHost: a\x00b\r\n\r\n", "\r\n\r\nGET /v1/status HTTP/1.1\r\n\r\n",
                                  "GET\t/v1/status\tHTTP/1.1\r\n\r\n", "GET /v1/status\r\n\r\n", "GET\r\n\r\n"])
            return variant.encode(), "maybe", kind
        if kind == "valid":
            return self.valid(close=rng.random() < 0.5), True, kind
        if kind == "watch":
            return b"GET /v1/watch HTTP/1.1\r\nHost: x\r\n\r\n", True, kind
        if kind == "auth":
            path = rng.choice(["/v1/resign", "/v1/transfer", "/v1/transfer?to=n2", "/v1/health"])
            method = "PUT" if path == "/v1/health" else "POST"
            auth = rng.choice(["", "Authorization: Bearer wrong\r\n", "Authorization: Bearer \r\n",
                               "Authorization: bearer x\r\n", "Authorization: Bearer " + "a" * 64 + "\r\n",
                               "Authorization: Basic Zm9vOmJhcg==\r\n", "Authorization:\r\n"])
            body = '{"healthy": false, "reason": "fuzz", "ttl_ms": 60000}' if method == "PUT" else ""
            head = "%s %s HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n" % (method, path, auth, len(body))
            self.auth_sent += 1
            return (head + body).encode(), True, "auth"
        # slow: a request in pieces on one connection
        return self.valid(close=True), True, "slow"

    def exchange(self, data, complete, kind):
        rng = self.rng
        sock = socket.socket()
        sock.settimeout(1.0)
        try:
            sock.connect((self.host, self.port))
            if kind == "slow":
                for start in range(0, len(data), 7):
                    sock.sendall(data[start:start + 7])
            else:
                sock.sendall(data)
            if not complete:
                if rng.random() < 0.5:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                elif rng.random() < 0.5:
                    sock.shutdown(socket.SHUT_WR)
                    sock.settimeout(0.2)
                    try:
                        sock.recv(4096)
                    except OSError:
                        pass
                self.answers["dropped"] += 1
                return
            if rng.random() < 0.2:
                sock.shutdown(socket.SHUT_WR)
            sock.settimeout(0.3 if complete is True else 0.05)
            answer = sock.recv(4096)
            if answer.startswith(b"HTTP/1.") and len(answer) > 12:
                code = answer[9:12].decode(errors="replace")
                self.answers[code] += 1
                if kind == "auth" and code != "401":
                    self.auth_not_refused.append(code + " " + data.split(b"\r\n", 1)[0].decode(errors="replace"))
            else:
                self.answers["closed" if not answer else "other"] += 1
        except socket.timeout:
            self.answers["no answer yet"] += 1
        except OSError:
            self.answers["reset"] += 1
        finally:
            sock.close()

    def main(self):
        self.auth_sent = 0
        self.auth_not_refused = []
        started = time.monotonic()
        deadline = started + self.args.seconds
        sent, slowest, unanswered_probes = 0, 0.0, []
        while sent < self.args.count and time.monotonic() < deadline:
            data, complete, kind = self.build()
            self.exchange(data, complete, kind)
            sent += 1
            if sent % 100 == 0:
                probe = time.monotonic()
                code, _ = http_request(self.host, self.port, "GET", "/v1/status", timeout=2.0)
                took = time.monotonic() - probe
                slowest = max(slowest, took)
                if code != 200:
                    unanswered_probes.append("after %d requests: %s" % (sent, code))
        elapsed = time.monotonic() - started
        note("%d requests in %.1f s (%s)" % (sent, elapsed, ", ".join("%s %d" % kv for kv in sorted(self.kinds.items()))))
        note("answers: " + ", ".join("%s %d" % kv for kv in sorted(self.answers.items())))
        result(sent >= 1000, "sent %d fuzz requests (at least 1000)" % sent)
        result(not unanswered_probes, "a normal GET /v1/status between the fuzz answered 200 every time (slowest %.0f ms)%s"
               % (slowest * 1000, "; " + "; ".join(unanswered_probes[:5]) if unanswered_probes else ""))
        result(not self.auth_not_refused, "all %d unauthorized resign/transfer/health writes got 401%s"
               % (self.auth_sent, "; not: " + "; ".join(self.auth_not_refused[:5]) if self.auth_not_refused else ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=4321)
    HTTPFuzz(parser.parse_args()).main()


if __name__ == "__main__":
    run(main)
