import TenureJSON

/// The body of every error answer without an outcome: `{"error":"..."}` (an unknown path, a
/// wrong method, a malformed request, a missing token).
///
/// Clients print `error` as the node's own words.
public struct ErrorDocument: JSONDocument, Equatable {
    public var error: String

    public init(error: String) { self.error = error }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("error", error)
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        error = try JSONFields(json).required("error")
    }
}
