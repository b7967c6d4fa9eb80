import TenureCore
import TenureJSON

/// The node's recent leadership changes with their causes, for `GET /v1/history`.
///
/// A bounded ring: an operator asking "why did leadership move?" needs the last few changes,
/// not an unbounded log (the event log keeps everything).
public struct LeadershipHistory: Sendable {
    public struct Entry: Sendable {
        public var at: Instant
        public var wallSeconds: Double
        public var kind: String
        public var term: UInt64
        public var from: String?
        public var to: String?
        public var leader: String?
        public var cause: String
    }

    public static let capacity = 100
    public private(set) var entries: [Entry] = []
    /// Entries ever recorded (the ring keeps the last `capacity`): tells followers of the status
    /// stream that the history changed.
    public private(set) var recordedCount = 0

    public init() {}

    /// `healthy`: the application's health when the core decided; a handover started while
    /// unhealthy is recorded with the cause `unhealthy`.
    public mutating func record(_ event: Event, at instant: Instant, wallSeconds: Double, healthy: Bool = true) {
        let entry: Entry
        switch event {
        case .transferStarted(let term, let target) where !healthy:
            entry = Entry(at: instant, wallSeconds: wallSeconds, kind: "handover", term: term, from: nil, to: target.rawValue,
                          leader: nil, cause: "unhealthy")
        case .roleChanged(let from, let to, let term, let reason):
            entry = Entry(at: instant, wallSeconds: wallSeconds, kind: "role_changed", term: term, from: from.rawValue,
                          to: to.rawValue, leader: nil, cause: reason.rawValue)
        case .leaderChanged(let leader, let term):
            entry = Entry(at: instant, wallSeconds: wallSeconds, kind: "leader_changed", term: term, from: nil, to: nil,
                          leader: leader?.rawValue, cause: leader == nil ? "leader_lost" : "leader_known")
        case .leaseLost(let term, let reason):
            entry = Entry(at: instant, wallSeconds: wallSeconds, kind: "lease_lost", term: term, from: nil, to: nil,
                          leader: nil, cause: reason == .expired ? "lease_expired" : reason.rawValue)
        default:
            return
        }
        append(entry)
    }

    /// The application's health changed: cause `unhealthy` or `health_restored`.
    public mutating func recordHealth(healthy: Bool, reason: String?, term: UInt64, at instant: Instant, wallSeconds: Double) {
        append(Entry(at: instant, wallSeconds: wallSeconds, kind: "health_changed", term: term, from: nil, to: nil,
                     leader: nil, cause: healthy ? "health_restored" : "unhealthy"))
    }

    private mutating func append(_ entry: Entry) {
        entries.append(entry)
        recordedCount += 1
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
    }

    public var json: String {
        let items = entries.reversed().map { entry -> String in
            var object = JSONObject()
            object.add("monotonic_ns", entry.at.nanoseconds)
            object.add("unix_time", entry.wallSeconds)
            object.add("event", entry.kind)
            object.add("term", entry.term)
            if let from = entry.from { object.add("from", from) }
            if let to = entry.to { object.add("to", to) }
            if entry.kind == "leader_changed" { object.add("leader", entry.leader) }
            object.add("cause", entry.cause)
            return object.rendered
        }
        return "{\"changes\":[" + items.joined(separator: ",") + "]}"
    }
}
