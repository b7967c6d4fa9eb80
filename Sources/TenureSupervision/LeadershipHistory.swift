import TenureAPI
import TenureCore

/// The node's recent leadership changes with their causes, for `GET /v1/history`.
///
/// A bounded ring: an operator asking "why did leadership move?" needs the last few changes,
/// not an unbounded log (the event log keeps everything). It keeps the changes as the document's
/// own `HistoryDocument.Change`, oldest first.
public struct LeadershipHistory: Sendable {
    public static let capacity = 100
    public private(set) var changes: [HistoryDocument.Change] = []
    /// Changes ever recorded (the ring keeps the last `capacity`): tells followers of the status
    /// stream that the history changed.
    public private(set) var recordedCount = 0

    public init() {}

    /// `healthy`: the application's health when the core decided; a handover started while
    /// unhealthy is recorded with the cause `unhealthy`.
    public mutating func record(_ event: Event, at instant: Instant, wallSeconds: Double, healthy: Bool = true) {
        let at = instant.nanoseconds
        let change: HistoryDocument.Change
        switch event {
        case .transferStarted(let term, let target) where !healthy:
            change = .init(monotonicNanoseconds: at, unixTime: wallSeconds, event: "handover", term: term, to: target.rawValue,
                           cause: "unhealthy")
        case .roleChanged(let from, let to, let term, let reason):
            change = .init(monotonicNanoseconds: at, unixTime: wallSeconds, event: "role_changed", term: term, from: from.rawValue,
                           to: to.rawValue, cause: reason.rawValue)
        case .leaderChanged(let leader, let term):
            change = .init(monotonicNanoseconds: at, unixTime: wallSeconds, event: HistoryDocument.Change.leaderChanged, term: term,
                           leader: leader?.rawValue, cause: leader == nil ? "leader_lost" : "leader_known")
        case .leaseLost(let term, let reason):
            change = .init(monotonicNanoseconds: at, unixTime: wallSeconds, event: "lease_lost", term: term,
                           cause: reason == .expired ? "lease_expired" : reason.rawValue)
        default:
            return
        }
        append(change)
    }

    /// The application's health changed: cause `unhealthy` or `health_restored`.
    public mutating func recordHealth(healthy: Bool, reason: String?, term: UInt64, at instant: Instant, wallSeconds: Double) {
        append(.init(monotonicNanoseconds: instant.nanoseconds, unixTime: wallSeconds, event: "health_changed", term: term,
                     cause: healthy ? "health_restored" : "unhealthy"))
    }

    private mutating func append(_ change: HistoryDocument.Change) {
        changes.append(change)
        recordedCount += 1
        if changes.count > Self.capacity { changes.removeFirst(changes.count - Self.capacity) }
    }

    /// `GET /v1/history`: newest first.
    public var document: HistoryDocument { HistoryDocument(changes: changes.reversed()) }
}
