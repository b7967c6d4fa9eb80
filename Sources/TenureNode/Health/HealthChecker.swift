import Synchronization
import TenureCore
import TenureHTTP
import TenurePOSIX

/// Runs the node's pulled health check (`--health-cmd` or `--health-url`) on a thread of its own,
/// so a check that hangs can never block the poll loop; each result reaches the loop as one byte
/// on a pipe it polls, with the detail behind a lock.
///
/// A command runs as `/bin/sh -c CMD` in a process group of its own, and the whole group is
/// killed at `--health-timeout`; a URL passes with any 2xx answer within the timeout.
final class HealthChecker: Sendable {
    enum Check: Sendable {
        case command(String)
        case url(endpoint: String, path: String)
    }

    let check: Check
    /// Set for the command: `TENURE_NODE_ID`, so one script can serve every node.
    let environment: [String: String]
    let interval: Interval
    let timeout: Interval
    /// The loop polls this descriptor; each byte is one finished check.
    let readEnd: Int32
    private let writeEnd: Int32
    private let results = Mutex<[(passed: Bool, detail: String)]>([])
    private let stopped = Mutex(false)

    init(check: Check, nodeID: String, interval: Interval, timeout: Interval) throws(SystemError) {
        self.check = check
        self.environment = ["TENURE_NODE_ID": nodeID]
        self.interval = interval
        self.timeout = timeout
        let ends = try Descriptor.pipe()
        readEnd = ends.read
        writeEnd = ends.write
    }

    func start() throws(SystemError) {
        let thread = try JoinableThread.start { [self] in loop() }
        thread.detach()
    }

    func stop() { stopped.withLock { $0 = true } }

    /// The results that arrived since the last call, oldest first.
    func drain() -> [(passed: Bool, detail: String)] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while case .bytes = Descriptor.read(readEnd, into: &buffer) {}
        return results.withLock { list in
            defer { list = [] }
            return list
        }
    }

    private func loop() {
        var next = MonotonicClock.now()
        while !stopped.withLock({ $0 }) {
            let result = runOnce()
            results.withLock { $0.append(result) }
            Descriptor.writeAll(writeEnd, [1])
            next = max(next + interval, MonotonicClock.now())
            MonotonicClock.sleep(until: next)
        }
    }

    private func runOnce() -> (passed: Bool, detail: String) {
        switch check {
        case .command(let command):
            return Self.runCommand(command, timeout: timeout, environment: environment)
        case .url(let endpoint, let path):
            do {
                let response = try HTTPClient.request(endpoint: endpoint, path: path,
                                                      timeoutMilliseconds: Int(max(1, timeout.nanoseconds / 1_000_000)))
                return ((200..<300).contains(response.status), "HTTP \(response.status)")
            } catch {
                return (false, "\(error)")
            }
        }
    }

    /// Runs `/bin/sh -c command`, killing its whole group at `timeout`.
    static func runCommand(_ command: String, timeout: Interval, environment: [String: String] = [:]) -> (passed: Bool, detail: String) {
        let pid: Int32
        do {
            pid = try ChildProcess.spawn(["/bin/sh", "-c", command], environment: environment, dieWithParent: true)
        } catch {
            return (false, "cannot start: \(error)")
        }
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            if let status = ChildProcess.exitStatus(of: pid) {
                return (status == 0, "exit status \(status)")
            }
            MonotonicClock.sleep(for: .milliseconds(2))
        }
        try? ChildProcess.send(.kill, toGroup: pid)
        _ = ChildProcess.wait(for: pid)
        return (false, "timed out after \(Int(timeout.milliseconds)) ms")
    }
}
