import TenureJSON

/// One line of a probe file: one `GET /v1/status` answer (or failure) recorded by `tenure-lab
/// probe`, written and read through this one type.
///
/// `invoke` is taken just before connecting and `complete` just after the whole answer was read,
/// both on `CLOCK_MONOTONIC`, so an answer is known to have been computed inside `[invoke, complete]`.
/// `answer` holds what the node said (from its `StatusDocument`); it is absent when the probe got
/// no status document (no connection, a timeout, another HTTP status, a malformed answer).
public struct Probe: JSONDocument, Hashable {
    /// The fields of a status answer the checker needs.
    public struct Answer: Sendable, Hashable {
        public var role: String
        public var term: UInt64
        public var leader: String?
        /// The authoritative "I am the leader, with a valid lease" answer.
        public var isLeader: Bool
        public var leaseExpires: Int64?
        /// The node's CLOCK_MONOTONIC when it answered.
        public var now: Int64

        public init(role: String, term: UInt64, leader: String?, isLeader: Bool, leaseExpires: Int64?, now: Int64) {
            self.role = role
            self.term = term
            self.leader = leader
            self.isLeader = isLeader
            self.leaseExpires = leaseExpires
            self.now = now
        }
    }

    public var endpoint: String
    /// The node id; from the answer itself, or from an earlier answer of the same endpoint.
    public var node: String?
    public var invoke: Int64
    public var complete: Int64
    /// True when the answer was a status document (HTTP 200).
    public var ok: Bool
    /// The HTTP status, when an answer arrived.
    public var httpStatus: Int?
    public var answer: Answer?
    public var error: String?

    public init(endpoint: String, node: String?, invoke: Int64, complete: Int64, ok: Bool, httpStatus: Int?, answer: Answer?,
                error: String?) {
        self.endpoint = endpoint
        self.node = node
        self.invoke = invoke
        self.complete = complete
        self.ok = ok
        self.httpStatus = httpStatus
        self.answer = answer
        self.error = error
    }

    /// A probe built by hand (tests): an `ok` probe answered with these fields at `complete`.
    public init(endpoint: String = "", node: String?, invoke: Int64, complete: Int64, ok: Bool = true, role: String? = nil,
                term: UInt64? = nil, leader: String? = nil, isLeader: Bool = false, leaseExpires: Int64? = nil, error: String? = nil) {
        let answer = ok ? Answer(role: role ?? (isLeader ? "leader" : "follower"), term: term ?? 0, leader: leader, isLeader: isLeader,
                                 leaseExpires: leaseExpires, now: complete) : nil
        self.init(endpoint: endpoint.isEmpty ? (node ?? "?") : endpoint, node: node, invoke: invoke, complete: complete, ok: ok,
                  httpStatus: ok ? 200 : nil, answer: answer, error: error)
    }

    public var role: String? { answer?.role }
    public var term: UInt64? { answer?.term }
    public var leader: String? { answer?.leader }
    public var isLeader: Bool { answer?.isLeader ?? false }
    public var leaseExpires: Int64? { answer?.leaseExpires }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("endpoint", endpoint)
        object.add("node", node)
        object.add("invoke_ns", invoke)
        object.add("complete_ns", complete)
        object.add("ok", ok)
        if let httpStatus { object.add("http_status", httpStatus) }
        if let answer {
            object.add("role", answer.role)
            object.add("term", answer.term)
            object.add("leader", answer.leader)
            object.add("is_leader", answer.isLeader)
            object.add("lease_expires_monotonic_ns", answer.leaseExpires)
            object.add("now_monotonic_ns", answer.now)
        }
        if let error { object.add("error", error) }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        endpoint = try fields.required("endpoint")
        node = try fields.nullable("node")
        invoke = try fields.required("invoke_ns")
        complete = try fields.required("complete_ns")
        ok = try fields.required("ok")
        httpStatus = try fields.optional("http_status")
        if fields.contains("role") {
            answer = Answer(role: try fields.required("role"), term: try fields.required("term"), leader: try fields.nullable("leader"),
                            isLeader: try fields.required("is_leader"), leaseExpires: try fields.nullable("lease_expires_monotonic_ns"),
                            now: try fields.required("now_monotonic_ns"))
        } else {
            answer = nil
        }
        error = try fields.optional("error")
    }
}
