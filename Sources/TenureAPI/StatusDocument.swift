import TenureJSON

/// `GET /v1/status`: one node's whole view, computed at the moment of the request (and the data
/// of every `status` event of `/v1/status/stream`).
///
/// The one definition of the document: the node fills it, and the client library, `tenure
/// status`, `tenure run` and the lab's probes read its properties, so a field renamed here fails
/// to compile everywhere it is used. The JSON names and their order are the contract of
/// docs/api.md; `peers` and `nodes` are written in the order of their ids.
public struct StatusDocument: JSONDocument, Equatable {
    public var id: String
    /// `follower`, `pre-candidate`, `candidate` or `leader`.
    public var role: String
    /// The durable term.
    public var term: UInt64
    /// The leader this node follows or is, possibly stale; nil while the term is not durable.
    public var leader: String?
    /// The leader only when fresh, by the rule of `/v1/leader`.
    public var knownLeader: String?
    /// The durable vote in the durable term.
    public var votedFor: String?
    /// True only while this node leads with a valid lease in a durable term.
    public var isLeader: Bool
    /// Lease time left, with microsecond resolution; 0 unless `isLeader`.
    public var leaseRemainingMilliseconds: Double
    /// The term, to put on writes downstream; present only when `isLeader`.
    public var fencingToken: UInt64?
    /// The node's CLOCK_MONOTONIC when it answered.
    public var nowMonotonicNanoseconds: Int64
    /// The lease end on that clock; nil unless `isLeader`.
    public var leaseExpiresMonotonicNanoseconds: Int64?
    public var uptimeMilliseconds: Int64
    /// This node's API address.
    public var api: String
    /// Index of the newest configuration entry this node stored.
    public var configIndex: UInt64
    public var configCommitted: Bool
    /// Whether this node votes in that configuration.
    public var voter: Bool
    /// Whether this node is in it at all.
    public var member: Bool
    public var voters: [String]
    public var nonVoters: [String]
    /// `on`, or `off` with `--insecure-peers`.
    public var peerAuth: String
    /// The id every frame carries, in hexadecimal.
    public var clusterID: String
    /// `on` when `--api-token-file` is given, else `off`.
    public var apiAuth: String
    public var wireVersion: Int
    /// Ids of the keys in `--peer-key-file`, the signing key first; absent with `--insecure-peers`.
    public var peerKeyIDs: [String]?
    /// One entry per other member, by id.
    public var peers: [String: PeerStatus]
    public var config: ConfigSettings
    public var health: HealthDocument
    public var durable: DurabilityDocument
    /// Every member's report by id, this node included; nil for a node not heard of yet.
    public var nodes: [String: NodeReport?]
    /// The release of this node's binary.
    public var version: String
    public var runner: RunnerDocument
    /// The commit the binary was built from (40 hex digits, or "unknown"); absent from nodes of
    /// releases before 0.1.0.
    public var commit: String?
    /// The cluster version: the oldest major.minor release among the voters as this node hears
    /// them, "unknown" while some voter has not reported; absent from nodes before 0.1.0. A
    /// feature every node must understand switches on only when this has it
    /// (docs/compatibility.md).
    public var clusterVersion: String?

    public init(id: String, role: String, term: UInt64, leader: String?, knownLeader: String?, votedFor: String?, isLeader: Bool,
                leaseRemainingMilliseconds: Double, fencingToken: UInt64?, nowMonotonicNanoseconds: Int64,
                leaseExpiresMonotonicNanoseconds: Int64?, uptimeMilliseconds: Int64, api: String, configIndex: UInt64,
                configCommitted: Bool, voter: Bool, member: Bool, voters: [String], nonVoters: [String], peerAuth: String,
                clusterID: String, apiAuth: String, wireVersion: Int, peerKeyIDs: [String]?, peers: [String: PeerStatus],
                config: ConfigSettings, health: HealthDocument, durable: DurabilityDocument, nodes: [String: NodeReport?],
                version: String, runner: RunnerDocument, commit: String? = nil, clusterVersion: String? = nil) {
        self.id = id
        self.role = role
        self.term = term
        self.leader = leader
        self.knownLeader = knownLeader
        self.votedFor = votedFor
        self.isLeader = isLeader
        self.leaseRemainingMilliseconds = leaseRemainingMilliseconds
        self.fencingToken = fencingToken
        self.nowMonotonicNanoseconds = nowMonotonicNanoseconds
        self.leaseExpiresMonotonicNanoseconds = leaseExpiresMonotonicNanoseconds
        self.uptimeMilliseconds = uptimeMilliseconds
        self.api = api
        self.configIndex = configIndex
        self.configCommitted = configCommitted
        self.voter = voter
        self.member = member
        self.voters = voters
        self.nonVoters = nonVoters
        self.peerAuth = peerAuth
        self.clusterID = clusterID
        self.apiAuth = apiAuth
        self.wireVersion = wireVersion
        self.peerKeyIDs = peerKeyIDs
        self.peers = peers
        self.config = config
        self.health = health
        self.durable = durable
        self.nodes = nodes
        self.version = version
        self.runner = runner
        self.commit = commit
        self.clusterVersion = clusterVersion
    }

    /// The report of `node` in `nodes`; nil when it is not a member or not heard of yet.
    public func report(of node: String) -> NodeReport? { nodes[node] ?? nil }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("id", id)
        object.add("role", role)
        object.add("term", term)
        object.add("leader", leader)
        object.add("known_leader", knownLeader)
        object.add("voted_for", votedFor)
        object.add("is_leader", isLeader)
        object.add("lease_remaining_ms", leaseRemainingMilliseconds)
        if let fencingToken { object.add("fencing_token", fencingToken) }
        object.add("now_monotonic_ns", nowMonotonicNanoseconds)
        object.add("lease_expires_monotonic_ns", leaseExpiresMonotonicNanoseconds)
        object.add("uptime_ms", uptimeMilliseconds)
        object.add("api", api)
        object.add("config_index", configIndex)
        object.add("config_committed", configCommitted)
        object.add("voter", voter)
        object.add("member", member)
        object.add("voters", voters)
        object.add("non_voters", nonVoters)
        object.add("peer_auth", peerAuth)
        object.add("cluster_id", clusterID)
        object.add("api_auth", apiAuth)
        object.add("wire_version", wireVersion)
        if let peerKeyIDs { object.add("peer_key_ids", peerKeyIDs) }
        var peerObjects = JSONObject()
        for (peer, entry) in peers.sorted(by: { $0.key < $1.key }) { peerObjects.add(peer, entry.jsonObject) }
        object.add("peers", peerObjects)
        object.add("config", config.jsonObject)
        object.add("health", health.jsonObject)
        object.add("durable", durable.jsonObject)
        var nodeObjects = JSONObject()
        for (node, report) in nodes.sorted(by: { $0.key < $1.key }) { nodeObjects.add(node, report?.jsonObject) }
        object.add("nodes", nodeObjects)
        object.add("version", version)
        object.add("runner", runner.jsonObject)
        if let commit { object.add("commit", commit) }
        if let clusterVersion { object.add("cluster_version", clusterVersion) }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        id = try fields.required("id")
        role = try fields.required("role")
        term = try fields.required("term")
        leader = try fields.nullable("leader")
        knownLeader = try fields.nullable("known_leader")
        votedFor = try fields.nullable("voted_for")
        isLeader = try fields.required("is_leader")
        leaseRemainingMilliseconds = try fields.required("lease_remaining_ms")
        fencingToken = try fields.optional("fencing_token")
        nowMonotonicNanoseconds = try fields.required("now_monotonic_ns")
        leaseExpiresMonotonicNanoseconds = try fields.nullable("lease_expires_monotonic_ns")
        uptimeMilliseconds = try fields.required("uptime_ms")
        api = try fields.required("api")
        configIndex = try fields.required("config_index")
        configCommitted = try fields.required("config_committed")
        voter = try fields.required("voter")
        member = try fields.required("member")
        voters = try fields.required("voters")
        nonVoters = try fields.required("non_voters")
        peerAuth = try fields.required("peer_auth")
        clusterID = try fields.required("cluster_id")
        apiAuth = try fields.required("api_auth")
        wireVersion = try fields.required("wire_version")
        peerKeyIDs = try fields.optional("peer_key_ids")
        peers = try fields.dictionary("peers") { entry throws(JSONDecodeError) in try PeerStatus(fields: entry) }
        config = try ConfigSettings(fields: fields.object("config"))
        health = try HealthDocument(fields: fields.object("health"))
        durable = try DurabilityDocument(fields: fields.object("durable"))
        nodes = try fields.nullableDictionary("nodes") { entry throws(JSONDecodeError) in try NodeReport(fields: entry) }
        version = try fields.required("version")
        runner = try RunnerDocument(fields: fields.object("runner"))
        commit = try fields.optional("commit")
        clusterVersion = try fields.optional("cluster_version")
    }
}
