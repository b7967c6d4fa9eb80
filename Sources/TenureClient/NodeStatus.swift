import TenureJSON

/// One node's answer to `GET /v1/status`, typed.
///
/// The fields an application acts on are typed; `json` keeps the whole answer for anything else
/// (peers, configuration), so a newer node's extra fields are never lost on the way.
public struct NodeStatus: Sendable {
    public var id: String
    public var role: String
    public var term: UInt64
    /// The leader this node follows or is (may be stale); `knownLeader` only when fresh.
    public var leader: String?
    public var knownLeader: String?
    /// True only while this node leads with a valid lease, computed at the moment of the answer.
    public var isLeader: Bool
    /// Lease time left when the node answered (zero unless `isLeader`), in nanoseconds.
    public var leaseRemainingNanoseconds: Int64
    /// The term, when `isLeader`: what writes downstream must carry.
    public var fencingToken: UInt64?
    /// The node's CLOCK_MONOTONIC when it answered, and its lease end on that clock.
    public var nowMonotonicNanoseconds: Int64?
    public var leaseExpiresMonotonicNanoseconds: Int64?
    public var api: String?
    public var json: JSONValue
    /// The answer as the node wrote it.
    public var text: String

    /// Decodes an answer; nil when required fields are missing.
    public init?(json: JSONValue, text: String = "") {
        self.text = text
        guard let id = json["id"]?.string, let role = json["role"]?.string, let term = json["term"]?.uint64 else { return nil }
        self.id = id
        self.role = role
        self.term = term
        self.leader = json["leader"]?.string
        self.knownLeader = json["known_leader"]?.string
        self.isLeader = json["is_leader"]?.bool ?? false
        // The node prints milliseconds with microsecond resolution; keep whole microseconds.
        let remainingMicroseconds = ((json["lease_remaining_ms"]?.double ?? 0) * 1000).rounded(.down)
        self.leaseRemainingNanoseconds = isLeader ? Int64(max(0, min(remainingMicroseconds, 1e12))) * 1000 : 0
        self.fencingToken = json["fencing_token"]?.uint64
        self.nowMonotonicNanoseconds = json["now_monotonic_ns"]?.int64
        self.leaseExpiresMonotonicNanoseconds = json["lease_expires_monotonic_ns"]?.int64
        self.api = json["api"]?.string
        self.json = json
    }
}

/// Who leads, in which term, and where its API is.
public struct LeaderInfo: Sendable, Equatable {
    public var id: String
    public var term: UInt64
    public var api: String?
}

/// One announcement on a node's `/v1/watch` stream.
public struct LeadershipChange: Sendable, Equatable {
    /// The node's sequence number of the announcement (per node; restarts at its restart).
    public var sequence: UInt64
    public var leader: String?
    public var term: UInt64
    public var api: String?
    /// The endpoint that announced it.
    public var endpoint: String
}

/// A node's answer to a command (transfer, resign, health): its JSON, and the text as written.
public struct CommandAnswer: Sendable {
    public var json: JSONValue
    public var text: String
}
