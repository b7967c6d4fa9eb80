import TenureJSON

/// The data of one `leader` event of `GET /v1/watch`: a change of leader or term as clients see
/// it (durable terms only).
///
/// `TenureClient.leadershipChanges()` and `tenure watch` read it.
public struct WatchEvent: JSONDocument, Equatable {
    /// This node's announcement number; starts again at 1 when the node restarts.
    public var sequence: UInt64
    /// The leader this node follows or is; nil when it knows none.
    public var leader: String?
    /// The durable term.
    public var term: UInt64
    /// The leader's API address.
    public var api: String?
    /// This node's role when it announced.
    public var role: String
    /// The node's CLOCK_MONOTONIC when it announced.
    public var monotonicNanoseconds: Int64

    public init(sequence: UInt64, leader: String?, term: UInt64, api: String?, role: String, monotonicNanoseconds: Int64) {
        self.sequence = sequence
        self.leader = leader
        self.term = term
        self.api = api
        self.role = role
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("seq", sequence)
        object.add("leader", leader)
        object.add("term", term)
        object.add("api", api)
        object.add("role", role)
        object.add("monotonic_ns", monotonicNanoseconds)
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        sequence = try fields.required("seq")
        leader = try fields.nullable("leader")
        term = try fields.required("term")
        api = try fields.nullable("api")
        role = try fields.required("role")
        monotonicNanoseconds = try fields.required("monotonic_ns")
    }
}
