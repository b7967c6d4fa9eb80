import TenureJSON

/// `GET /v1/history` (and every `history` event of `/v1/status/stream`): the node's last
/// leadership changes with their causes, newest first.
///
/// Answers "why did leadership move?" for an operator; the event log keeps everything.
public struct HistoryDocument: JSONDocument, Equatable {
    /// One leadership change.
    public struct Change: Sendable, Equatable {
        /// When, on the node's CLOCK_MONOTONIC.
        public var monotonicNanoseconds: Int64
        /// When, in seconds since the Unix epoch (wall clock, for people).
        public var unixTime: Double
        /// `role_changed`, `leader_changed`, `lease_lost`, `handover` or `health_changed`.
        public var event: String
        public var term: UInt64
        /// `role_changed` only: the old role.
        public var from: String?
        /// `role_changed`: the new role; `handover`: the node handed to.
        public var to: String?
        /// `leader_changed` only (written there even when nil): the new leader.
        public var leader: String?
        public var cause: String

        public init(monotonicNanoseconds: Int64, unixTime: Double, event: String, term: UInt64, from: String? = nil,
                    to: String? = nil, leader: String? = nil, cause: String) {
            self.monotonicNanoseconds = monotonicNanoseconds
            self.unixTime = unixTime
            self.event = event
            self.term = term
            self.from = from
            self.to = to
            self.leader = leader
            self.cause = cause
        }

        /// The event whose `leader` member is always written, null when the leader was lost.
        public static let leaderChanged = "leader_changed"

        var jsonObject: JSONObject {
            var object = JSONObject()
            object.add("monotonic_ns", monotonicNanoseconds)
            object.add("unix_time", unixTime)
            object.add("event", event)
            object.add("term", term)
            if let from { object.add("from", from) }
            if let to { object.add("to", to) }
            if event == Self.leaderChanged { object.add("leader", leader) }
            object.add("cause", cause)
            return object
        }

        init(fields: JSONFields) throws(JSONDecodeError) {
            monotonicNanoseconds = try fields.required("monotonic_ns")
            unixTime = try fields.required("unix_time")
            event = try fields.required("event")
            term = try fields.required("term")
            from = try fields.optional("from")
            to = try fields.optional("to")
            leader = event == Self.leaderChanged ? try fields.nullable("leader") : nil
            cause = try fields.required("cause")
        }
    }

    /// Newest first.
    public var changes: [Change]

    public init(changes: [Change]) { self.changes = changes }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("changes", changes.map(\.jsonObject))
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        changes = try JSONFields(json).array("changes") { entry throws(JSONDecodeError) in try Change(fields: entry) }
    }
}
