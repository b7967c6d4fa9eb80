import TenureAPI
import TenureJSON

/// One node's answer to `GET /v1/status`: the typed document (`StatusDocument`), with the few
/// fields an application acts on at hand and the answer's text as the node wrote it.
///
/// Every field of the answer is a property of `document` (peers, configuration, health,
/// runner), read from the same type the node writes, so nothing is read by string key.
public struct NodeStatus: Sendable {
    /// The whole answer, typed.
    public var document: StatusDocument
    /// The answer as the node wrote it.
    public var text: String

    public init(document: StatusDocument, text: String? = nil) {
        self.document = document
        self.text = text ?? document.json
    }

    /// Decodes an answer; nil when it is not a complete status document (`StatusDocument(json:)`
    /// says which field is wrong).
    public init?(json: JSONValue, text: String = "") {
        guard let document = try? StatusDocument(json: json) else { return nil }
        self.init(document: document, text: text.isEmpty ? nil : text)
    }

    public var id: String { document.id }
    public var role: String { document.role }
    public var term: UInt64 { document.term }
    /// The leader this node follows or is (may be stale); `knownLeader` only when fresh.
    public var leader: String? { document.leader }
    public var knownLeader: String? { document.knownLeader }
    /// True only while this node leads with a valid lease, computed at the moment of the answer.
    public var isLeader: Bool { document.isLeader }
    /// Lease time left when the node answered (zero unless `isLeader`), in nanoseconds.
    public var leaseRemainingNanoseconds: Int64 {
        guard document.isLeader else { return 0 }
        // The node prints milliseconds with microsecond resolution; keep whole microseconds.
        let microseconds = (document.leaseRemainingMilliseconds * 1000).rounded(.down)
        return Int64(max(0, min(microseconds, 1e12))) * 1000
    }
    /// The term, when `isLeader`: what writes downstream must carry.
    public var fencingToken: UInt64? { document.fencingToken }
    /// The node's CLOCK_MONOTONIC when it answered, and its lease end on that clock.
    public var nowMonotonicNanoseconds: Int64? { document.nowMonotonicNanoseconds }
    public var leaseExpiresMonotonicNanoseconds: Int64? { document.leaseExpiresMonotonicNanoseconds }
    /// This node's API address.
    public var api: String? { document.api }

    /// The answer as untyped JSON, for code written before `document` existed.
    @available(*, deprecated, message: "read the typed fields of `document` instead")
    public var json: JSONValue { JSONValue.parse(text) ?? .null }
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

/// A node's answer to a command (transfer, resign, a membership change): the typed outcome, and
/// the text as written.
public struct CommandAnswer: Sendable {
    public var outcome: CommandOutcome
    public var text: String

    /// The answer as untyped JSON, for code written before `outcome` existed.
    @available(*, deprecated, message: "read the typed `outcome` instead")
    public var json: JSONValue { JSONValue.parse(text) ?? .null }
}

/// A node's configuration (`GET /v1/members`): the typed document, and the text as written.
public struct MembersAnswer: Sendable {
    public var document: MembersDocument
    public var text: String

    /// The answer as untyped JSON, for code written before `document` existed.
    @available(*, deprecated, message: "read the typed `document` instead")
    public var json: JSONValue { JSONValue.parse(text) ?? .null }
}
