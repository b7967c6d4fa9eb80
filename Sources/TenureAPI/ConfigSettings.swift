import TenureJSON

/// `/v1/status` `config`: the node's timing settings as it runs with them.
///
/// `tenure run` reads the lease from here to warn when `--margin` and `--grace` leave no time to
/// run its command; the milliseconds are written as numbers with a fraction (`50.0`).
public struct ConfigSettings: JSONDocument, Equatable {
    public var heartbeatIntervalMilliseconds: Double
    public var electionTimeoutMinMilliseconds: Double
    /// The upper bound of the election timeout (exclusive).
    public var electionTimeoutMaxMilliseconds: Double
    /// The lease in force (the `--lease` given, or the default).
    public var leaseMilliseconds: Double
    public var clockDriftBound: Double
    /// Lease beats per heartbeat interval (0: none).
    public var beatsPerHeartbeat: Int
    /// How often the leader starts a round: the heartbeat interval / beats.
    public var roundIntervalMilliseconds: Double

    public init(heartbeatIntervalMilliseconds: Double, electionTimeoutMinMilliseconds: Double, electionTimeoutMaxMilliseconds: Double,
                leaseMilliseconds: Double, clockDriftBound: Double, beatsPerHeartbeat: Int, roundIntervalMilliseconds: Double) {
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.electionTimeoutMinMilliseconds = electionTimeoutMinMilliseconds
        self.electionTimeoutMaxMilliseconds = electionTimeoutMaxMilliseconds
        self.leaseMilliseconds = leaseMilliseconds
        self.clockDriftBound = clockDriftBound
        self.beatsPerHeartbeat = beatsPerHeartbeat
        self.roundIntervalMilliseconds = roundIntervalMilliseconds
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("heartbeat_interval_ms", heartbeatIntervalMilliseconds)
        object.add("election_timeout_min_ms", electionTimeoutMinMilliseconds)
        object.add("election_timeout_max_ms", electionTimeoutMaxMilliseconds)
        object.add("lease_ms", leaseMilliseconds)
        object.add("clock_drift_bound", clockDriftBound)
        object.add("beats_per_heartbeat", beatsPerHeartbeat)
        object.add("round_interval_ms", roundIntervalMilliseconds)
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) { try self.init(fields: JSONFields(json)) }

    init(fields: JSONFields) throws(JSONDecodeError) {
        heartbeatIntervalMilliseconds = try fields.required("heartbeat_interval_ms")
        electionTimeoutMinMilliseconds = try fields.required("election_timeout_min_ms")
        electionTimeoutMaxMilliseconds = try fields.required("election_timeout_max_ms")
        leaseMilliseconds = try fields.required("lease_ms")
        clockDriftBound = try fields.required("clock_drift_bound")
        beatsPerHeartbeat = try fields.required("beats_per_heartbeat")
        roundIntervalMilliseconds = try fields.required("round_interval_ms")
    }
}
