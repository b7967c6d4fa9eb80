import TenureCore
import TenureWire

/// The command line of `tenure node`, parsed and validated before anything starts.
///
/// Flag names are a contract scripts rely on. Every mistake produces one line naming the flag
/// and the value (exit status 2), never a crash or a silently ignored setting.
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
    public var clusterName = "tenure"
    public var eventLogPath: String?
    /// API addresses of other nodes, for redirecting clients; derived when not given.
    public var peerAPIs: [NodeID: SocketAddress] = [:]
    public var logLevel = Log.Level.info

    public static let usage = """
    usage: tenure node --id ID --peers ID=HOST:PORT,... --api HOST:PORT --data-dir PATH [options]
      --id ID                       this node's id (letters, digits, - and _), one of --peers
      --peers n1=127.0.0.11:7100,…  every voter's peer address, this node included
      --api HOST:PORT               HTTP client API address
      --data-dir PATH               where the term and vote are kept (created if missing)
      --heartbeat-interval 100ms    how often the leader sends heartbeats
      --election-timeout 1000ms-1100ms  randomized election timeout range [min, max)
      --lease DURATION              leader lease; default: the longest safe value (derived)
      --clock-drift 0.01            assumed bound on clock-rate error (fraction)
      --cluster NAME                cluster name; nodes of different clusters refuse each other
      --event-log FILE              append JSON-lines events (role, term, votes, lease) to FILE
      --peer-apis n1=HOST:PORT,…    other nodes' API addresses (default: peer host, this node's API port)
      --log-level debug|info|warn|error
    """

    /// Parses `tenure node` arguments (without the subcommand) and validates the configuration.
    public static func parse(_ arguments: [String]) throws(UsageError) -> NodeOptions {
        var values: [String: String] = [:]
        var index = 0
        let known: Set<String> = ["--id", "--peers", "--api", "--data-dir", "--heartbeat-interval", "--election-timeout", "--lease",
                                  "--clock-drift", "--cluster", "--event-log", "--peer-apis", "--log-level"]
        while index < arguments.count {
            var flag = arguments[index]
            var value: String?
            if let equals = flag.firstIndex(of: "="), flag.hasPrefix("--") {
                value = String(flag[flag.index(after: equals)...])
                flag = String(flag[..<equals])
            }
            guard known.contains(flag) else { throw UsageError("unknown flag '\(flag)'") }
            if value == nil {
                index += 1
                guard index < arguments.count else { throw UsageError("\(flag) needs a value") }
                value = arguments[index]
            }
            values[flag] = value
            index += 1
        }
        func required(_ flag: String) throws(UsageError) -> String {
            guard let value = values[flag], !value.isEmpty else { throw UsageError("\(flag) is required") }
            return value
        }
        func duration(_ flag: String, _ text: String) throws(UsageError) -> Interval {
            guard let interval = DurationText.parse(text), interval > .zero else {
                throw UsageError("\(flag) '\(text)' is not a positive duration such as 100ms or 1.5s")
            }
            return interval
        }

        let idText = try required("--id")
        guard NodeID.isValid(idText) else { throw UsageError("--id '\(idText)' must be 1-64 letters, digits, '-' or '_'") }
        let peers = try parseAddressList("--peers", try required("--peers"))
        guard let api = SocketAddress(try required("--api")) else {
            throw UsageError("--api '\(values["--api"]!)' is not an IPv4 HOST:PORT")
        }
        var options = NodeOptions(id: NodeID(idText), peers: peers, api: api, dataDirectory: try required("--data-dir"))
        guard peers.contains(where: { $0.id == options.id }) else {
            throw UsageError("--peers '\(values["--peers"]!)' does not include this node's id '\(idText)'")
        }
        if let text = values["--heartbeat-interval"] { options.heartbeatInterval = try duration("--heartbeat-interval", text) }
        if let text = values["--election-timeout"] {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw UsageError("--election-timeout '\(text)' must be a range MIN-MAX such as 1000ms-1100ms") }
            options.electionTimeoutMin = try duration("--election-timeout", parts[0])
            options.electionTimeoutMax = try duration("--election-timeout", parts[1])
        }
        if let text = values["--lease"] { options.lease = try duration("--lease", text) }
        if let text = values["--clock-drift"] {
            guard let drift = Double(text), drift.isFinite else { throw UsageError("--clock-drift '\(text)' is not a number such as 0.01") }
            options.clockDriftBound = drift
        }
        if let name = values["--cluster"] {
            guard !name.isEmpty else { throw UsageError("--cluster must not be empty") }
            options.clusterName = name
        }
        options.eventLogPath = values["--event-log"]
        if let text = values["--peer-apis"] {
            for entry in try parseAddressList("--peer-apis", text) { options.peerAPIs[entry.id] = entry.address }
        }
        if let text = values["--log-level"] {
            let levels: [String: Log.Level] = ["debug": .debug, "info": .info, "warn": .warning, "warning": .warning, "error": .error]
            guard let level = levels[text] else { throw UsageError("--log-level '\(text)' must be debug, info, warn or error") }
            options.logLevel = level
        }
        do {
            try options.configuration.validate()
        } catch {
            throw UsageError("invalid configuration: \(error.description)")
        }
        return options
    }

    static func parseAddressList(_ flag: String, _ text: String) throws(UsageError) -> [(id: NodeID, address: SocketAddress)] {
        var result: [(id: NodeID, address: SocketAddress)] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, NodeID.isValid(parts[0]), let address = SocketAddress(parts[1]) else {
                throw UsageError("\(flag) entry '\(entry)' must look like n1=127.0.0.11:7100")
            }
            guard !result.contains(where: { $0.id.rawValue == parts[0] }) else { throw UsageError("\(flag) names '\(parts[0])' twice") }
            result.append((NodeID(parts[0]), address))
        }
        guard !result.isEmpty else { throw UsageError("\(flag) is empty") }
        return result
    }

    public var configuration: Configuration {
        Configuration(id: id, voters: peers.map(\.id), heartbeatInterval: heartbeatInterval, electionTimeoutMin: electionTimeoutMin,
                      electionTimeoutMax: electionTimeoutMax, leaseDuration: lease, clockDriftBound: clockDriftBound)
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

/// A command-line mistake: printed as one line, then the usage, with exit status 2.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
