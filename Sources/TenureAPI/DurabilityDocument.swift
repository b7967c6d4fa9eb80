import TenureJSON

/// `/v1/status` `durable`: whether the term and vote in memory are the ones on disk.
///
/// While writing fails (a full disk) clients see only the durable term; this says so, and for
/// how long (docs/operations.md, "A full disk").
public struct DurabilityDocument: JSONDocument, Equatable {
    public var ok: Bool
    /// The durable term.
    public var term: UInt64
    /// The last write error while writing fails.
    public var error: String?
    /// How long writing has been failing; present only while it fails.
    public var failingForMilliseconds: Int64?

    public init(ok: Bool, term: UInt64, error: String?, failingForMilliseconds: Int64? = nil) {
        self.ok = ok
        self.term = term
        self.error = error
        self.failingForMilliseconds = failingForMilliseconds
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("ok", ok)
        object.add("term", term)
        object.add("error", error)
        if let failingForMilliseconds { object.add("failing_for_ms", failingForMilliseconds) }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) { try self.init(fields: JSONFields(json)) }

    init(fields: JSONFields) throws(JSONDecodeError) {
        ok = try fields.required("ok")
        term = try fields.required("term")
        error = try fields.nullable("error")
        failingForMilliseconds = try fields.optional("failing_for_ms")
    }
}
