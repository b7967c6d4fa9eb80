import TenureAPI
import TenureCore

/// The `tenure run` beside this node, and the handover it must finish before the next leader.
///
/// A transfer or resign gives up the lease and sends TimeoutNow, after which the target is
/// elected within milliseconds. If a runner still runs the application's work here, that would
/// leave two machines working. So while an attached runner reports its command running, the
/// TimeoutNow is held back until the runner reports it stopped, or until the lease this node last
/// held has ended (a runner that cannot be reached has killed its command by then, since its
/// deadline is earlier), capped well inside the core's transfer deadline.
public struct HandoverHold: Sendable {
    /// A runner that has not asked for this long is treated as gone.
    public static let attachmentWindow = Interval.seconds(1)

    /// What the runner last said, and when.
    public private(set) var runner: (lastSeen: Instant, report: RunnerReport)?
    /// The TimeoutNow waiting for the runner, the term it belongs to, and the latest instant it may wait.
    public private(set) var held: (envelope: Envelope, term: UInt64, until: Instant)?

    public init() {}

    /// A change in what the runner reports, for the node's log.
    public struct RunnerChange: Equatable, Sendable {
        public var change: String
        public var cause: String
        public var token: UInt64?
        public var pid: Int32?
    }

    /// Records a runner's poll; returns its newest start or stop when it is news.
    public mutating func runnerReported(_ report: RunnerReport, at now: Instant) -> RunnerChange? {
        let previous = runner?.report
        runner = (now, report)
        guard let change = report.lastChange, let cause = report.lastCause else { return nil }
        guard previous == nil || previous?.lastChange != change || previous?.lastCause != cause
                || previous?.starts != report.starts || previous?.stops != report.stops else { return nil }
        return RunnerChange(change: change, cause: cause, token: report.token, pid: report.pid)
    }

    /// The runner's report while it is attached (asked within the attachment window).
    public func attachedRunner(at now: Instant) -> RunnerReport? {
        guard let runner, now - runner.lastSeen < Self.attachmentWindow else { return nil }
        return runner.report
    }

    /// True while an attached runner says its command may be running.
    public func runnerIsRunning(at now: Instant) -> Bool { attachedRunner(at: now)?.commandMayRun ?? false }

    /// Holds `envelope` when it is a TimeoutNow and the runner's command runs: until the end of
    /// the last lease (`lastLeaseExpiry`), at most `cap`. True when it was held.
    public mutating func hold(_ envelope: Envelope, term: UInt64, lastLeaseExpiry: Instant?, cap: Instant, at now: Instant) -> Bool {
        guard case .timeoutNow = envelope.message, runnerIsRunning(at: now) else { return false }
        let until = min(max(now, lastLeaseExpiry ?? now), cap)
        held = (envelope, term, until)
        return true
    }

    /// What becomes of a held TimeoutNow.
    public enum Release: Equatable, Sendable {
        /// Send it: the runner reported its command stopped (`runnerStopped`) or the hold ran out.
        case send(Envelope, runnerStopped: Bool)
        /// Drop it: this node moved to another term (a resign steps down at once, but its term stays).
        case drop
    }

    /// Releases the held TimeoutNow when the runner is idle or the hold ran out.
    public mutating func release(term: UInt64, at now: Instant) -> Release? {
        guard let current = held else { return nil }
        guard term == current.term else {
            held = nil
            return .drop
        }
        let running = runnerIsRunning(at: now)
        guard !running || now >= current.until else { return nil }
        held = nil
        return .send(current.envelope, runnerStopped: !running)
    }

    /// When a held TimeoutNow goes at the latest.
    public var nextDeadline: Instant? { held?.until }
}
