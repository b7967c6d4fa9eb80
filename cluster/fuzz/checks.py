"""The check lines and the one HTTP helper of cluster/e2e-fuzz's Python fuzzers (flag_fuzz.py,
http_fuzz.py): verdicts print in the cluster/ harness's own format ("  ok   TEXT", "  FAIL TEXT"),
which cluster/lib/counts.sh's run_checker counts."""
import socket, sys, time, traceback


def result(ok, text):
    print(("  ok   " if ok else "  FAIL ") + text, flush=True)


def note(text):
    print("       " + text, flush=True)


def run(main):
    """Runs a fuzzer: exit 0 once every check ran (the verdicts are in the lines), 3 when it
    stopped on an error before its end (run_checker counts that as one more failure)."""
    try:
        main()
    except Exception:  # a crash of the fuzzer itself, not a verdict on the node
        traceback.print_exc()
        sys.exit(3)
    sys.exit(0)


def http_request(host, port, method, path, timeout=2.0, headers=()):
    """(status, body) of one request on its own connection, or (None, error text)."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        return None, str(error)
    try:
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % (method, path, host)
        head += "".join("%s: %s\r\n" % h for h in headers)
        sock.sendall(head.encode() + b"\r\n")
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head_text, body = data.split(b"\r\n\r\n", 1)
                length = [l for l in head_text.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if length and len(body) >= int(length[0].split(b":")[1]):
                    break
        if not data.startswith(b"HTTP/1."):
            return None, "no answer"
        status = int(data.split(b" ", 2)[1])
        return status, data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    except (OSError, ValueError) as error:
        return None, str(error)
    finally:
        sock.close()
