import Synchronization
import TenureCore
import TenureHTTP
import TenurePOSIX

/// Runs the node's pulled health check (`--health-cmd` or `--health-url`) on a thread of its own,
/// so a check that hangs can never block the poll loop; results reach the loop through a
/// `Mailbox` it polls.
///
/// A command runs as `/bin/sh -c CMD` (a `ShellCommand`, killed with its whole group at
/// `--health-timeout`); a URL passes with any 2xx answer within the timeout.
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
    let results: Mailbox<(passed: Bool, detail: String)>
    private let stopped = Mutex(false)

    init(check: Check, nodeID: String, interval: Interval, timeout: Interval) throws(SystemError) {
        self.check = check
        self.environment = ["TENURE_NODE_ID": nodeID]
        self.interval = interval
        self.timeout = timeout
        results = try Mailbox()
    }

    /// The loop polls this descriptor; it is readable when checks have finished.
    var readEnd: Int32 { results.readEnd }

    func start() throws(SystemError) {
        let thread = try JoinableThread.start { [self] in loop() }
        thread.detach()
    }

    func stop() { stopped.withLock { $0 = true } }

    /// The results that arrived since the last call, oldest first.
    func drain() -> [(passed: Bool, detail: String)] { results.drain() }

    private func loop() {
        var next = MonotonicClock.now()
        while !stopped.withLock({ $0 }) {
            results.post(runOnce())
            next = max(next + interval, MonotonicClock.now())
            MonotonicClock.sleep(until: next)
        }
    }

    private func runOnce() -> (passed: Bool, detail: String) {
        switch check {
        case .command(let command):
            let outcome = ShellCommand(command: command, timeout: timeout).run(environment: environment)
            return (outcome.succeeded, outcome.summary)
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
}
