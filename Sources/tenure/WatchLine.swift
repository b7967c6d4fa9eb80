import TenureClient
import TenureJSON

/// One line of `tenure watch --json`: `{"seq":...,"leader":...,"term":...,"api":...}`, the part
/// of a `/v1/watch` event (`WatchEvent`) that `LeadershipChange` carries.
///
/// The CLI's own output, read by scripts (nothing in Swift reads it back).
struct WatchLine {
    var change: LeadershipChange

    init(_ change: LeadershipChange) { self.change = change }

    var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("seq", change.sequence)
        object.add("leader", change.leader)
        object.add("term", change.term)
        object.add("api", change.api)
        return object
    }
}
