import TenureJSON

/// `GET /readyz`: whether this node knows a fresh leader (200), else 503.
///
/// For load balancers and orchestrators that only look at the status code; the body says why.
public struct ReadinessDocument: JSONDocument, Equatable {
    public var ready: Bool
    public var leader: String?
    /// The durable term.
    public var term: UInt64

    public init(ready: Bool, leader: String?, term: UInt64) {
        self.ready = ready
        self.leader = leader
        self.term = term
    }

    /// Ready exactly when `/v1/leader` names a leader.
    public init(leader: LeaderDocument) {
        self.init(ready: leader.leader != nil, leader: leader.leader, term: leader.term)
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("ready", ready)
        object.add("leader", leader)
        object.add("term", term)
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        ready = try fields.required("ready")
        leader = try fields.nullable("leader")
        term = try fields.required("term")
    }
}

extension ReadinessDocument {
    /// 200 while ready, else 503.
    public var httpStatus: Int { ready ? 200 : 503 }
}
