import TenureCore
import TenurePOSIX

/// A shell command line run to completion or to its time limit, whichever comes first: what the
/// health check and the hooks share, so that neither can hang on a script that never ends.
///
/// The command runs as `/bin/sh -c CMD` in a process group of its own (so the limit kills
/// everything it started, not just the shell) and dies with the node (`PR_SET_PDEATHSIG`).
/// Callers run it on a thread of their own: it blocks until the command ends.
struct ShellCommand: Sendable {
    /// How one run ended.
    struct Outcome: Sendable, Equatable {
        /// The exit status (128 + N when signal N ended it); nil when it could not start or timed out.
        var status: Int32?
        var timedOut: Bool
        var duration: Interval
        /// Why it could not start, if it could not.
        var startError: String?

        var succeeded: Bool { status == 0 }

        /// One phrase for logs: "exit status 0", "timed out after 500 ms", "cannot start: ...".
        var summary: String {
            if let startError { return "cannot start: \(startError)" }
            if timedOut { return "timed out after \(duration.nanoseconds / 1_000_000) ms" }
            return "exit status \(status ?? -1)"
        }

        /// The label value metrics count it under.
        var result: String { startError != nil ? "error" : timedOut ? "timeout" : succeeded ? "ok" : "failed" }
    }

    let command: String
    let timeout: Interval

    func run(environment: [String: String]) -> Outcome {
        let started = MonotonicClock.now()
        let pid: Int32
        do {
            pid = try ChildProcess.spawn(["/bin/sh", "-c", command], environment: environment, dieWithParent: true)
        } catch {
            return Outcome(status: nil, timedOut: false, duration: MonotonicClock.now() - started, startError: "\(error)")
        }
        let deadline = started + timeout
        while MonotonicClock.now() < deadline {
            if let status = ChildProcess.exitStatus(of: pid) {
                return Outcome(status: status, timedOut: false, duration: MonotonicClock.now() - started)
            }
            MonotonicClock.sleep(for: .milliseconds(2))
        }
        try? ChildProcess.send(.kill, toGroup: pid)
        _ = ChildProcess.wait(for: pid)
        return Outcome(status: nil, timedOut: true, duration: MonotonicClock.now() - started)
    }
}
