import TenureJSON

/// What `tenure status --json` prints for a node that did not answer, in place of its status
/// document: `{"id":...,"api":...,"down":true,"error":...}`.
///
/// The CLI's own output, read by scripts (nothing in Swift reads it back); the id comes from the
/// other nodes' `peers`, null when none of them names the endpoint.
struct DownNode {
    var id: String?
    var api: String
    var error: String

    var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("id", id)
        object.add("api", api)
        object.add("down", true)
        object.add("error", error)
        return object
    }
}
