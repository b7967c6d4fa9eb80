import TenureJSON

/// The application's health as one node sees it: the answer of `GET /v1/health` and
/// `PUT /v1/health`, and `/v1/status` `health`.
///
/// One type for the three places, so the verdict an application pushes and the verdict
/// `tenure status` shows are the same fields.
public struct HealthDocument: JSONDocument, Equatable {
    /// The application's last pushed report (`PUT /v1/health`), as the node holds it.
    public struct Push: Sendable, Equatable {
        public var healthy: Bool
        public var reason: String?
        /// Time left before the report expires; nil when it had no TTL.
        public var ttlRemainingMilliseconds: Int64?

        public init(healthy: Bool, reason: String?, ttlRemainingMilliseconds: Int64?) {
            self.healthy = healthy
            self.reason = reason
            self.ttlRemainingMilliseconds = ttlRemainingMilliseconds
        }
    }

    /// The verdict: false when the pulled check fails, the latest push says so, or its TTL passed.
    public var healthy: Bool
    public var reason: String?
    /// The pulled check (`cmd: CMD` or `url: http://HOST:PORT/PATH`); nil without one.
    public var check: String?
    public var checksPassed: Int
    public var checksFailed: Int
    public var push: Push?
    /// Leader only: unhealthy, but no healthy, caught-up follower to hand over to.
    public var stayingWithoutHealthySuccessor: Bool?

    public init(healthy: Bool, reason: String?, check: String?, checksPassed: Int, checksFailed: Int, push: Push?,
                stayingWithoutHealthySuccessor: Bool? = nil) {
        self.healthy = healthy
        self.reason = reason
        self.check = check
        self.checksPassed = checksPassed
        self.checksFailed = checksFailed
        self.push = push
        self.stayingWithoutHealthySuccessor = stayingWithoutHealthySuccessor
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("healthy", healthy)
        object.add("reason", reason)
        object.add("check", check)
        object.add("checks_passed", checksPassed)
        object.add("checks_failed", checksFailed)
        object.add("push", push.map { push -> JSONObject in
            var pushed = JSONObject()
            pushed.add("healthy", push.healthy)
            pushed.add("reason", push.reason)
            pushed.add("ttl_remaining_ms", push.ttlRemainingMilliseconds)
            return pushed
        })
        if let stayingWithoutHealthySuccessor { object.add("staying_without_healthy_successor", stayingWithoutHealthySuccessor) }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) { try self.init(fields: JSONFields(json)) }

    init(fields: JSONFields) throws(JSONDecodeError) {
        healthy = try fields.required("healthy")
        reason = try fields.nullable("reason")
        check = try fields.nullable("check")
        checksPassed = try fields.required("checks_passed")
        checksFailed = try fields.required("checks_failed")
        if let pushed = try fields.nullableObject("push") {
            push = Push(healthy: try pushed.required("healthy"), reason: try pushed.nullable("reason"),
                        ttlRemainingMilliseconds: try pushed.nullable("ttl_remaining_ms"))
        } else {
            push = nil
        }
        stayingWithoutHealthySuccessor = try fields.optional("staying_without_healthy_successor")
    }
}
