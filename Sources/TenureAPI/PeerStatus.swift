import TenureJSON

/// One entry of `/v1/status` `peers`: this node's view of another member's link and
/// authentication, and on a leader what the peer last acknowledged.
///
/// Typed so that `tenure status` (the LAST CONTACT column), the status page's data and scripts
/// read the same fields the node writes.
public struct PeerStatus: JSONDocument, Equatable {
    /// The peer's peer address.
    public var address: String?
    /// The peer's API address.
    public var api: String?
    /// Time since the last message of any kind from the peer; nil when none arrived.
    public var lastContactMilliseconds: Int64?
    /// Whether this node's outbound connection to the peer is up.
    public var connected: Bool
    /// φ-accrual suspicion, two decimals, at most 999; nil before the first regular message.
    public var phi: Double?
    /// `ok`, `failing`, `unknown`, or `off` with `--insecure-peers`.
    public var auth: String
    public var authFailures: Int
    /// The last authentication failure, as `reason: detail`.
    public var lastAuthFailure: String?
    /// Leader only: the health bit the peer sent on its last acknowledgement.
    public var healthy: Bool?
    /// Leader only: the newest heartbeat round the peer acknowledged (0 before any).
    public var acknowledgedRound: UInt64?

    public init(address: String?, api: String?, lastContactMilliseconds: Int64?, connected: Bool, phi: Double?, auth: String,
                authFailures: Int, lastAuthFailure: String?, healthy: Bool? = nil, acknowledgedRound: UInt64? = nil) {
        self.address = address
        self.api = api
        self.lastContactMilliseconds = lastContactMilliseconds
        self.connected = connected
        self.phi = phi
        self.auth = auth
        self.authFailures = authFailures
        self.lastAuthFailure = lastAuthFailure
        self.healthy = healthy
        self.acknowledgedRound = acknowledgedRound
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("address", address)
        object.add("api", api)
        object.add("last_contact_ms", lastContactMilliseconds)
        object.add("connected", connected)
        object.add("phi", phi)
        object.add("auth", auth)
        object.add("auth_failures", authFailures)
        object.add("last_auth_failure", lastAuthFailure)
        if let healthy { object.add("healthy", healthy) }
        if let acknowledgedRound { object.add("acknowledged_round", acknowledgedRound) }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) { try self.init(fields: JSONFields(json)) }

    init(fields: JSONFields) throws(JSONDecodeError) {
        address = try fields.nullable("address")
        api = try fields.nullable("api")
        lastContactMilliseconds = try fields.nullable("last_contact_ms")
        connected = try fields.required("connected")
        phi = try fields.nullable("phi")
        auth = try fields.required("auth")
        authFailures = try fields.required("auth_failures")
        lastAuthFailure = try fields.nullable("last_auth_failure")
        healthy = try fields.optional("healthy")
        acknowledgedRound = try fields.optional("acknowledged_round")
    }
}
