import TenureCore

/// Answers "may I act as leader now?" from a deadline, never from a flag.
///
/// The guard keeps a kill deadline on this machine's `CLOCK_MONOTONIC`: the lease end that the
/// last answer showing a valid lease implies, minus a safety margin. It is computed from the
/// instant the request was *sent* (the node answered at or after it, so its lease ends no earlier
/// than `sent + remaining`), shortened by the clock-drift bound, so it holds even when the node
/// runs on another machine. Only an answer that shows a renewed lease in the same term moves it
/// forward; an answer that says "not leader" or names another term ends it at once; a missing
/// answer changes nothing, so silence can only run the deadline out (docs/lease.md,
/// "Applications act by deadline").
public struct LeaseGuard: Sendable {
    /// Subtracted from every lease end the guard is shown.
    public let safetyMargin: Interval
    /// The assumed bound on clock-rate error between this process and the node.
    public let clockDriftBound: Double
    /// The term the deadline belongs to: the fencing token to put on writes.
    public private(set) var term: UInt64?
    public private(set) var deadline: Instant?

    public init(safetyMargin: Interval = .milliseconds(50), clockDriftBound: Double = 0.01) {
        precondition(safetyMargin >= .zero && clockDriftBound >= 0 && clockDriftBound < 1, "margin and drift must be sane")
        self.safetyMargin = safetyMargin
        self.clockDriftBound = clockDriftBound
    }

    /// Takes in an answer that was requested at `sentAt` (this process's monotonic clock).
    public mutating func observe(_ status: NodeStatus, sentAt: Instant) {
        guard status.isLeader, status.leaseRemainingNanoseconds > 0 else {
            revoke()
            return
        }
        let token = status.fencingToken ?? status.term
        let remaining = Double(status.leaseRemainingNanoseconds) * (1 - clockDriftBound)
        let end = sentAt + Interval(nanoseconds: Int64(remaining)) - safetyMargin
        if term != token {
            // A new term starts a new lease: never carry an old deadline into it.
            term = token
            deadline = end
        } else {
            deadline = max(deadline ?? end, end)
        }
    }

    /// Ends the lease now (the node said it is not the leader, or gave up leadership).
    public mutating func revoke() {
        term = nil
        deadline = nil
    }

    /// True while `now` is before the deadline.
    public func mayActAsLeader(at now: Instant) -> Bool {
        guard let deadline else { return false }
        return now < deadline
    }

    /// Time left before the deadline (zero when none).
    public func remaining(at now: Instant) -> Interval {
        guard let deadline, now < deadline else { return .zero }
        return deadline - now
    }
}
