import TenureCore
import TenurePOSIX
import TenureWire

/// The settings of one node: who it is, who its peers are, where it keeps its state, and its timing.
///
/// Built by `tenure node`'s flag parser (TenureCommandLine), or directly by tests.
public struct NodeOptions: Sendable {
    public var id: NodeID
    /// Every voter's peer address, this node included, in the order given.
    public var peers: [(id: NodeID, address: SocketAddress)]
    public var api: SocketAddress
    public var dataDirectory: String
    public var heartbeatInterval = Configuration.defaultHeartbeatInterval
    public var electionTimeoutMin = Configuration.defaultElectionTimeoutMin
    public var electionTimeoutMax = Configuration.defaultElectionTimeoutMax
    public var lease: Interval?
    public var clockDriftBound = Configuration.defaultClockDriftBound
    /// Lease beats per heartbeat interval (0: none); see `Configuration.beatsPerHeartbeat`.
    public var beatsPerHeartbeat = Configuration.defaultBeatsPerHeartbeat
    public var clusterName = "tenure"
    public var eventLogPath: String?
    /// API addresses of other nodes, for redirecting clients; derived when not given.
    public var peerAPIs: [NodeID: SocketAddress] = [:]
    public var logLevel = Log.Level.info
    /// The pulled health check, if any: a shell command (exit 0 is healthy) or an HTTP URL (2xx).
    public var healthCommand: String?
    public var healthURL: (endpoint: String, path: String)?
    public var healthInterval = Interval.seconds(1)
    public var healthTimeout = Interval.milliseconds(500)
    public var healthRise = 2
    public var healthFall = 3
    /// The cluster keys (`--peer-key-file`); nil only with `insecurePeers`.
    public var peerKeyFile: String?
    /// `--insecure-peers`: accept peers without authentication (test clusters only).
    public var insecurePeers = false
    /// `--join HOST:PORT`: a member's API. The node then starts as nobody's voter, learns the
    /// cluster's members from there, and waits for a leader to add it (`tenure member add`).
    public var join: SocketAddress?
    /// The members `--join` learned (filled in before the runtime starts, so the runtime itself
    /// never blocks on the network): the peers a joining node accepts before a leader adds it.
    public var joinMembers: [NodeID: SocketAddress] = [:]
    /// `--api-token-file`: when set, requests that change leadership, health or membership need
    /// `Authorization: Bearer <token>` (reads stay open).
    public var apiTokenFile: String?
    /// Shell command lines run when this node becomes leader or stops being leader.
    public var onElected: String?
    public var onDemoted: String?
    /// A hook still running after this is killed with its whole process group.
    public var hookTimeout = Interval.seconds(10)

    public init(id: NodeID, peers: [(id: NodeID, address: SocketAddress)], api: SocketAddress, dataDirectory: String) {
        self.id = id
        self.peers = peers
        self.api = api
        self.dataDirectory = dataDirectory
    }

    public var configuration: Configuration {
        Configuration(id: id, voters: peers.map(\.id), heartbeatInterval: heartbeatInterval, electionTimeoutMin: electionTimeoutMin,
                      electionTimeoutMax: electionTimeoutMax, leaseDuration: lease, clockDriftBound: clockDriftBound,
                      beatsPerHeartbeat: beatsPerHeartbeat)
    }

    /// The id every frame carries. It covers the settings the lease's safety depends on across
    /// nodes (a follower's stickiness window must outlast every leader's lease), so nodes that
    /// disagree on them refuse each other's frames instead of risking two leaders.
    public var clusterID: UInt64 {
        let configuration = configuration
        return ClusterID.derive(from: "\(clusterName)|election-timeout-min=\(configuration.electionTimeoutMin.nanoseconds)|lease=\(configuration.leaseDuration.nanoseconds)")
    }

    /// The API address clients should use for `node`.
    public func apiAddress(of node: NodeID) -> SocketAddress? {
        if node == id { return api }
        if let explicit = peerAPIs[node] { return explicit }
        guard let peer = peers.first(where: { $0.id == node }) else { return nil }
        return SocketAddress(host: peer.address.host, port: api.port)
    }
}
