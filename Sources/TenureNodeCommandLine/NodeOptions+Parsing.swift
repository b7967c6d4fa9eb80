import TenureCommandLine
import TenureCore
import TenureNode
import TenurePOSIX

/// The command line of `tenure node`, parsed and validated before anything starts.
///
/// A module of its own (TenureNodeCommandLine) so that the shared argument parser,
/// TenureCommandLine, needs nothing of the node. Flag names are a contract scripts rely on. Every mistake produces one line naming the flag
/// and the value (exit status 2), never a crash or a silently ignored setting.
extension NodeOptions {
    public static let usage = """
    usage: tenure node --id ID --peers ID=HOST:PORT,... --api HOST:PORT --data-dir PATH [options]
      --id ID                       this node's id (letters, digits, - and _), one of --peers
      --peers n1=127.0.0.11:7100,…  every voter's peer address, this node included
      --api HOST:PORT               HTTP client API address
      --data-dir PATH               where the term and vote are kept (created if missing)
      --peer-key-file PATH          cluster keys, one per line (make one with `tenure keygen`): the first
                                    signs, every line verifies; SIGHUP re-reads it (key rotation)
      --insecure-peers              run without peer authentication (throwaway test clusters only)
      --api-token-file PATH         require `Authorization: Bearer <first line of PATH>` on POST /v1/transfer,
                                    POST /v1/resign and PUT /v1/health (reads stay open); SIGHUP re-reads it
      --heartbeat-interval 100ms    how often the leader sends heartbeats
      --election-timeout 1000ms-1100ms  randomized election timeout range [min, max)
      --lease DURATION              leader lease; default: the longest safe value (derived)
      --clock-drift 0.01            assumed bound on clock-rate error (fraction, 0 to 0.5)
      --beats 4                     lease beats per heartbeat interval, sent as UDP datagrams on the peer
                                    port so one lost TCP segment cannot stall lease renewal (0: off)
      --cluster NAME                cluster name; nodes of different clusters refuse each other
      --event-log FILE              append JSON-lines events (role, term, votes, lease) to FILE
      --peer-apis n1=HOST:PORT,…    other nodes' API addresses (default: peer host, this node's API port)
      --join HOST:PORT              join a running cluster through a member's API (then --peers names only
                                    this node); first add it there: tenure member add n4=HOST:PORT --api HOST:PORT
      --log-level debug|info|warn|error
      --health-cmd 'CMD'            health check: a shell command line (TENURE_NODE_ID set), exit 0 means healthy
      --health-url http://H:P/PATH  health check: any 2xx answer means healthy
      --health-interval 1s  --health-timeout 500ms  --health-rise 2  --health-fall 3
                                    check period, time limit (then killed), passes to become
                                    healthy and failures to become unhealthy (hysteresis)
      --on-elected 'CMD'            run when this node becomes leader   (TENURE_TERM, TENURE_ROLE,
      --on-demoted 'CMD'            run when it stops being leader       TENURE_LEADER, TENURE_CAUSE set)
      --hook-timeout 10s            a hook still running then is killed; hooks run one at a time, in order
    Hooks are notifications, not fences: guard the work itself with `tenure run` or the fencing token.
    The application may also report its health: PUT /v1/health {"healthy": false, "ttl_ms": 3000}.
    An unhealthy node does not campaign, refuses handovers, and as leader hands over to a healthy follower.
    """

    public static let specification = ParsedArguments.Specification(values: [
        "--id", "--peers", "--api", "--data-dir", "--heartbeat-interval", "--election-timeout", "--lease",
        "--clock-drift", "--beats", "--cluster", "--event-log", "--peer-apis", "--log-level",
        "--health-cmd", "--health-url", "--health-interval", "--health-timeout", "--health-rise", "--health-fall",
        "--on-elected", "--on-demoted", "--hook-timeout", "--peer-key-file", "--api-token-file", "--join",
    ], switches: ["--insecure-peers"])

    /// Parses `tenure node` arguments (without the subcommand) and validates the configuration.
    public static func parse(_ arguments: [String]) throws(UsageError) -> NodeOptions {
        let flags = try ParsedArguments(arguments, specification)
        let idText = try flags.required("--id")
        guard NodeID.isValid(idText) else { throw UsageError("--id '\(idText)' must be 1-64 letters, digits, '-' or '_'") }
        let peersText = try flags.required("--peers")
        let peers = try parseAddressList("--peers", peersText)
        let apiText = try flags.required("--api")
        guard let api = SocketAddress(apiText) else { throw UsageError("--api '\(apiText)' is not an IPv4 HOST:PORT") }
        var options = NodeOptions(id: NodeID(idText), peers: peers, api: api, dataDirectory: try flags.required("--data-dir"))
        guard peers.contains(where: { $0.id == options.id }) else {
            throw UsageError("--peers '\(peersText)' does not include this node's id '\(idText)'")
        }
        if let interval = try flags.duration("--heartbeat-interval") { options.heartbeatInterval = interval }
        if let range = try flags.durationRange("--election-timeout") {
            options.electionTimeoutMin = range.minimum
            options.electionTimeoutMax = range.maximum
        }
        options.lease = try flags.duration("--lease")
        if let drift = try flags.number("--clock-drift", in: 0...0.5) { options.clockDriftBound = drift }
        if let beats = try flags.integer("--beats", in: 0...Configuration.maximumBeatsPerHeartbeat) { options.beatsPerHeartbeat = beats }
        if let name = flags.string("--cluster") {
            guard !name.isEmpty else { throw UsageError("--cluster must not be empty") }
            options.clusterName = name
        }
        options.eventLogPath = flags.string("--event-log")
        if let text = flags.string("--peer-apis") {
            for entry in try parseAddressList("--peer-apis", text) { options.peerAPIs[entry.id] = entry.address }
        }
        if let text = flags.string("--log-level") {
            let levels: [String: Log.Level] = ["debug": .debug, "info": .info, "warn": .warning, "warning": .warning, "error": .error]
            guard let level = levels[text] else { throw UsageError("--log-level '\(text)' must be debug, info, warn or error") }
            options.logLevel = level
        }
        if let text = flags.string("--join") {
            guard let address = SocketAddress(text) else { throw UsageError("--join '\(text)' is not an IPv4 HOST:PORT (a member's API address)") }
            guard peers.count == 1 else { throw UsageError("with --join, --peers names only this node (it learns the others from the cluster)") }
            options.join = address
        }
        options.apiTokenFile = flags.string("--api-token-file")
        if options.apiTokenFile?.isEmpty == true { throw UsageError("--api-token-file must not be empty") }
        options.peerKeyFile = flags.string("--peer-key-file")
        options.insecurePeers = flags.has("--insecure-peers")
        if options.peerKeyFile?.isEmpty == true { throw UsageError("--peer-key-file must not be empty") }
        guard !(options.insecurePeers && options.peerKeyFile != nil) else {
            throw UsageError("give --peer-key-file or --insecure-peers, not both")
        }
        options.healthCommand = flags.string("--health-cmd")
        if let url = flags.string("--health-url") {
            guard url.hasPrefix("http://"), let parsed = parseURL(String(url.dropFirst("http://".count))) else {
                throw UsageError("--health-url '\(url)' must look like http://127.0.0.1:8080/healthz (IPv4, http)")
            }
            options.healthURL = parsed
        }
        guard options.healthCommand == nil || options.healthURL == nil else {
            throw UsageError("give --health-cmd or --health-url, not both")
        }
        if let command = options.healthCommand, command.isEmpty { throw UsageError("--health-cmd must not be empty") }
        options.healthInterval = try flags.duration("--health-interval", minimum: .milliseconds(10), maximum: .seconds(3600)) ?? options.healthInterval
        options.healthTimeout = try flags.duration("--health-timeout", minimum: .milliseconds(1), maximum: .seconds(3600)) ?? options.healthTimeout
        options.healthRise = try flags.integer("--health-rise", in: 1...100) ?? options.healthRise
        options.healthFall = try flags.integer("--health-fall", in: 1...100) ?? options.healthFall
        for flag in ["--on-elected", "--on-demoted"] {
            if let command = flags.string(flag), command.isEmpty { throw UsageError("\(flag) must not be empty") }
        }
        options.onElected = flags.string("--on-elected")
        options.onDemoted = flags.string("--on-demoted")
        options.hookTimeout = try flags.duration("--hook-timeout", minimum: .milliseconds(1), maximum: .seconds(3600)) ?? options.hookTimeout
        do {
            try options.configuration.validate()
        } catch {
            throw UsageError("invalid configuration: \(error)")
        }
        guard options.insecurePeers || options.peerKeyFile != nil else {
            throw UsageError("no --peer-key-file: make a cluster key with `tenure keygen > peer.key`, copy it to every node and pass --peer-key-file peer.key (or --insecure-peers for a throwaway test cluster)")
        }
        return options
    }

    /// `host:port/path` of an http URL; nil when it is not an IPv4 address and port.
    static func parseURL(_ rest: String) -> (endpoint: String, path: String)? {
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let endpoint = String(rest[..<slash])
        guard SocketAddress(endpoint) != nil else { return nil }
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        return (endpoint, path)
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
}
