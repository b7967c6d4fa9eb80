import TenureJSON

/// `GET /v1/leader`: the leader this node knows to be current (200), or none (503).
///
/// What `TenureClient.leader()` and `tenure leader` ask every endpoint; `api` is where to send
/// the commands only a leader takes.
public struct LeaderDocument: JSONDocument, Equatable {
    /// The leader's id; nil (and status 503) when no fresh leader is known.
    public var leader: String?
    /// This node's durable term.
    public var term: UInt64
    /// The leader's API address; written only with a leader (and null when unknown).
    public var api: String?

    public init(leader: String?, term: UInt64, api: String? = nil) {
        self.leader = leader
        self.term = term
        self.api = api
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("leader", leader)
        object.add("term", term)
        if leader != nil { object.add("api", api) }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        leader = try fields.nullable("leader")
        term = try fields.required("term")
        api = leader == nil ? nil : try fields.nullable("api")
    }
}

extension LeaderDocument {
    /// 200 with a leader, 503 without.
    public var httpStatus: Int { leader != nil ? 200 : 503 }
}
