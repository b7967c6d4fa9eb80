import TenureCore

/// What happens while the term and vote cannot be made durable (a full disk, a failing device).
///
/// The core may move to a new term or vote in memory, but nothing that depends on it leaves the
/// node (persist before send), and clients see only the durable state. The write is retried on a
/// timer, not only when a message is due (a single voter sends none), and the node says why until
/// it succeeds. This type decides when to retry and what to say; the shell writes.
public struct DurabilityWatch: Sendable {
    public static let retryInterval = Interval.milliseconds(100)

    /// Since when writing fails, and the last error.
    public private(set) var outage: (since: Instant, error: String)?
    public private(set) var nextRetryAt = Instant.zero

    public init() {}

    /// A write failed; true when this starts an outage (log it once).
    public mutating func failed(_ error: String, at now: Instant) -> Bool {
        if outage != nil {
            outage?.error = error
            return false
        }
        outage = (now, error)
        nextRetryAt = now + Self.retryInterval
        return true
    }

    /// Whether a retry is due (the shell then writes the core's state); reschedules the next one.
    public mutating func retryDue(stateIsDurable: Bool, at now: Instant) -> Bool {
        guard !stateIsDurable, now >= nextRetryAt else { return false }
        nextRetryAt = now + Self.retryInterval
        return true
    }

    /// A write succeeded: how long the outage lasted, when there was one (log it).
    public mutating func succeeded(at now: Instant) -> Interval? {
        guard let current = outage else { return nil }
        outage = nil
        return now - current.since
    }

    /// The next retry while the state is not durable.
    public func nextDeadline(stateIsDurable: Bool) -> Instant? { stateIsDurable ? nil : nextRetryAt }
}
