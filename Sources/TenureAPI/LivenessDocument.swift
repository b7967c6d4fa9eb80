import TenureJSON

/// `GET /healthz`: `{"status":"ok"}` while the process runs.
///
/// The node's own liveness for a supervisor, never the application's health (that is
/// `HealthDocument`).
public struct LivenessDocument: JSONDocument, Equatable {
    public var status: String

    public init(status: String = "ok") { self.status = status }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("status", status)
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        status = try JSONFields(json).required("status")
    }
}
