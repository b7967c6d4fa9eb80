import TenureJSON

/// One value of `/v1/status` `nodes`: a member's health and metadata as gossiped on heartbeats.
///
/// For people (`tenure status` HEALTH, the status page); no decision depends on it.
public struct NodeReport: JSONDocument, Equatable {
    /// That node's verdict on its own application.
    public var healthy: Bool
    public var reason: String?
    /// Its one-minute load average.
    public var load1: Double
    public var uptimeSeconds: Int
    /// Its release.
    public var version: String
    /// How old this node's knowledge of it is.
    public var reportAgeMilliseconds: Int64
    /// `self`, `direct`, or `via ID` (relayed by the leader `ID`).
    public var source: String

    public init(healthy: Bool, reason: String?, load1: Double, uptimeSeconds: Int, version: String, reportAgeMilliseconds: Int64,
                source: String) {
        self.healthy = healthy
        self.reason = reason
        self.load1 = load1
        self.uptimeSeconds = uptimeSeconds
        self.version = version
        self.reportAgeMilliseconds = reportAgeMilliseconds
        self.source = source
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("healthy", healthy)
        object.add("reason", reason)
        object.add("load1", load1)
        object.add("uptime_s", uptimeSeconds)
        object.add("version", version)
        object.add("report_age_ms", reportAgeMilliseconds)
        object.add("source", source)
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) { try self.init(fields: JSONFields(json)) }

    init(fields: JSONFields) throws(JSONDecodeError) {
        healthy = try fields.required("healthy")
        reason = try fields.nullable("reason")
        load1 = try fields.required("load1")
        uptimeSeconds = try fields.required("uptime_s")
        version = try fields.required("version")
        reportAgeMilliseconds = try fields.required("report_age_ms")
        source = try fields.required("source")
    }
}
