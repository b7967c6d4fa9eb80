import TenureJSON

/// The body of `PUT /v1/health`: the application's own verdict, `{"healthy": false, "reason":
/// "db down", "ttl_ms": 3000}` (`reason` and `ttl_ms` optional).
///
/// Read by the node through this one type, so a malformed report is refused with a message
/// naming the field and changes nothing.
public struct HealthPut: JSONDocument, Equatable {
    public var healthy: Bool
    public var reason: String?
    /// Whole milliseconds from 1 to `maximumTTLMilliseconds`; when it passes without another
    /// report, the node counts as unhealthy.
    public var ttlMilliseconds: Int64?

    public static let maximumTTLMilliseconds: Int64 = 86_400_000

    public init(healthy: Bool, reason: String? = nil, ttlMilliseconds: Int64? = nil) {
        self.healthy = healthy
        self.reason = reason
        self.ttlMilliseconds = ttlMilliseconds
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("healthy", healthy)
        if let reason { object.add("reason", reason) }
        if let ttlMilliseconds { object.add("ttl_ms", ttlMilliseconds) }
        return object
    }

    /// Why a body is refused, in the node's words (the `error` of its 400 answer).
    public static let bodyProblem = JSONDecodeError(
        field: "", problem: "body must be a JSON object such as {\"healthy\": false, \"reason\": \"db down\", \"ttl_ms\": 3000}")
    public static let ttlProblem = JSONDecodeError(
        field: "ttl_ms", problem: "must be a whole number of milliseconds from 1 to \(maximumTTLMilliseconds)")

    /// Reads a request body.
    public init(body: [UInt8]) throws(JSONDecodeError) {
        guard let json = JSONValue.parse(body), json.object != nil else { throw Self.bodyProblem }
        try self.init(json: json)
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        guard let fields = try? JSONFields(json) else { throw Self.bodyProblem }
        guard let healthy = try? fields.required("healthy", as: Bool.self) else {
            throw JSONDecodeError(field: "healthy", problem: "must be \(Bool.expectation)")
        }
        let reason = try fields.optional("reason", as: String.self)
        var ttl: Int64?
        if fields.contains("ttl_ms") {
            guard let milliseconds = try? fields.required("ttl_ms", as: Int64.self), milliseconds > 0,
                  milliseconds <= Self.maximumTTLMilliseconds else { throw Self.ttlProblem }
            ttl = milliseconds
        }
        self.init(healthy: healthy, reason: reason, ttlMilliseconds: ttl)
    }
}
