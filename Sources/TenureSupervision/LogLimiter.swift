import TenureCore

/// At most one log line per key a minute: a flood of bad input is counted always but must not
/// flood the log too.
public struct LogLimiter: Sendable {
    public static let period = Interval.seconds(60)
    /// Keys remembered at most (the table is cleared beyond it, so a flood of addresses cannot grow it).
    public static let capacity = 1024
    private var loggedAt: [String: Instant] = [:]

    public init() {}

    /// True when a line for `key` may be logged now (and records that it was).
    public mutating func allows(_ key: String, at now: Instant) -> Bool {
        if let last = loggedAt[key], now - last < Self.period { return false }
        if loggedAt.count >= Self.capacity { loggedAt.removeAll() }
        loggedAt[key] = now
        return true
    }
}
