import TenureCommandLine
import TenureCore
import TenurePOSIX
import TenureWire

/// `tenure-lab peer-traffic`: hostile bytes to a node's peer port, as an attacker on the same host
/// would send them (tests only), built on TenureWire's encoder, decoder and handshake so that the
/// fuzzing of cluster/e2e, cluster/e2e-security and cluster/e2e-fuzz follows the real codec.
enum PeerTrafficCommand {
    static let usage = """
    usage: tenure-lab peer-traffic MODE [options]
    One connection, printing what the node answered (a refusal's reason and text, or how it closed):
      garbage      300 random bytes                         --from HOST --to HOST:PORT
      v1-frame     a TimeoutNow of wire version 1 (what an old Tenure sends)
                   --from HOST --to HOST:PORT [--cluster HEX] [--sender ID] [--recipient ID] [--term N]
      forged       a TimeoutNow of the current version "from --sender (n2) to --recipient (n3)" for
                   --term (99), with no handshake and no tag (same options)
    Floods, printing their counts on one line (SIGTERM ends one early):
      idle         connections that send nothing           --from HOST --to HOST:PORT[,HOST:PORT...]
      hello-flood  connections that each send a valid-looking hello ("from --sender (n1) to
                   --recipient (n2)", naming key --key-id, zeros by default) and never prove a key
                   [--count N] [--for SECONDS] [--hold SECONDS] [--keep N] [--reopen] [--cluster HEX]
                   With several targets connections go round-robin. --for keeps opening new ones as
                   fast as possible for that long (up to --count, unlimited then by default); --keep
                   holds at most that many (the oldest is closed first); --reopen replaces each one
                   the node closes while held, so that --count stay open; --hold counts from the start.
    Fuzz runs for cluster/e2e-fuzz, printing "  ok"/"  FAIL" check lines (exit 0 once they all ran):
      junk         junk before any handshake to every node (leader --leader-count, each follower
                   --follower-count), from the peers' addresses and from --strangers
                   --nodes ID=HOST,... --peer-port P --api-port P --leader ID --term N --cluster HEX
                   --key-file PATH --wrong-key-file PATH [--strangers HOST,...] [--seed N]
      session-fuzz bad input after a valid handshake made as --as (from its address) to --leader:
                   the handshake checks, then --count connections (300)
                   --nodes ID=HOST,... --as ID --peer-port P --api-port P --leader ID --term N
                   --cluster HEX --key-file PATH --wrong-key-file PATH [--count N] [--seed N]
    """

    static let specification = ParsedArguments.Specification(
        values: ["--from", "--to", "--cluster", "--count", "--hold", "--for", "--keep", "--sender", "--recipient", "--term",
                 "--key-id", "--nodes", "--peer-port", "--api-port", "--leader", "--as", "--key-file", "--wrong-key-file",
                 "--strangers", "--seed", "--leader-count", "--follower-count"],
        switches: ["--reopen"], positionals: true)

    static func run(_ arguments: [String]) -> Int32 {
        let command = Command("tenure-lab peer-traffic", usage: usage)
        return command.run(arguments, specification) { flags throws(UsageError) in
            guard flags.positionals.count == 1, let mode = flags.positionals.first else { throw UsageError("give one MODE") }
            switch mode {
            case "garbage", "v1-frame", "forged": return try oneConnection(mode, flags)
            case "idle", "hello-flood": return try flood(mode, flags)
            case "junk": return try junk(flags)
            case "session-fuzz": return try sessionFuzz(flags)
            default: throw UsageError("unknown mode '\(mode)'")
            }
        }
    }

    /// garbage, v1-frame, forged: one connection; prints the answer.
    static func oneConnection(_ mode: String, _ flags: ParsedArguments) throws(UsageError) -> Int32 {
        let source = try flags.required("--from")
        let target = try targets(flags)[0]
        let cluster = try clusterID(flags)
        let term = UInt64(try flags.integer("--term", in: 0...Int.max) ?? 99)
        let sender = try nodeID(flags, "--sender") ?? "n2", recipient = try nodeID(flags, "--recipient") ?? "n3"
        let bytes: [UInt8]
        switch mode {
        case "garbage": bytes = (try? ProcessEnvironment.randomBytes(300)) ?? [UInt8](repeating: 0xA5, count: 300)
        case "v1-frame":
            bytes = HostileFrames.withVersion(HostileFrames.oldVersion,
                                              HostileFrames.message(.timeoutNow(TimeoutNow(term: term)), from: sender, to: recipient, cluster: cluster))
        default: bytes = HostileFrames.message(.timeoutNow(TimeoutNow(term: term)), from: sender, to: recipient, cluster: cluster)
        }
        let connection: PeerConnection
        do {
            connection = try PeerConnection.open(from: source, to: target)
        } catch {
            ProcessEnvironment.printError("tenure-lab peer-traffic: \(error)")
            return 1
        }
        defer { connection.close() }
        connection.send(bytes)
        print(connection.answer())
        return 0
    }

    /// idle, hello-flood.
    static func flood(_ mode: String, _ flags: ParsedArguments) throws(UsageError) -> Int32 {
        let source = try flags.required("--from")
        let cluster = try clusterID(flags)
        let sender = try nodeID(flags, "--sender") ?? "n1", recipient = try nodeID(flags, "--recipient") ?? "n2"
        var keyID = [UInt8](repeating: 0, count: Handshake.keyIDByteCount)
        if let text = flags.string("--key-id") {
            guard let bytes = bytes(hex: text), bytes.count == Handshake.keyIDByteCount else { throw UsageError("--key-id needs 16 hex digits") }
            keyID = bytes
        }
        var flood = PeerFlood(
            kind: mode, source: source, targets: try targets(flags), count: try flags.integer("--count", in: 0...10_000_000) ?? 0,
            duration: try seconds(flags, "--for"), hold: try seconds(flags, "--hold") ?? .zero,
            keep: try flags.integer("--keep", in: 0...10_000_000) ?? 0, reopen: flags.has("--reopen")
        ) {
            guard mode == "hello-flood", let nonce = try? ProcessEnvironment.randomBytes(Handshake.nonceByteCount) else { return [] }
            return HostileFrames.handshake(.hello(Hello(from: sender, to: recipient, insecure: false, keyID: keyID, nonce: nonce)), cluster: cluster)
        }
        flood.run()
        return 0
    }

    static func junk(_ flags: ParsedArguments) throws(UsageError) -> Int32 {
        let (key, wrongKey) = try keys(flags)
        guard let leader = try nodeID(flags, "--leader") else { throw UsageError("--leader is required") }
        var run = JunkBeforeHandshake(
            nodes: try nodes(flags), peerPort: try port(flags, "--peer-port"), apiPort: try port(flags, "--api-port"),
            leader: leader,
            term: UInt64(try flags.integer("--term", in: 0...Int.max) ?? 0), cluster: try clusterID(flags), key: key, wrongKey: wrongKey,
            leaderConnections: try flags.integer("--leader-count", in: 0...100_000) ?? 240,
            followerConnections: try flags.integer("--follower-count", in: 0...100_000) ?? 40,
            strangers: flags.list("--strangers") ?? ["127.0.0.1"], choices: SeededChoices(seed: UInt64(try flags.integer("--seed", in: 0...Int.max) ?? 777)))
        return run.run()
    }

    static func sessionFuzz(_ flags: ParsedArguments) throws(UsageError) -> Int32 {
        let (key, wrongKey) = try keys(flags)
        let nodes = try nodes(flags)
        let hosts = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.host) })
        guard let me = try nodeID(flags, "--as"), let source = hosts[me] else { throw UsageError("--as must name one of --nodes") }
        guard let leader = try nodeID(flags, "--leader"), let leaderHost = hosts[leader] else { throw UsageError("--leader must name one of --nodes") }
        let peerPort = try port(flags, "--peer-port"), apiPort = try port(flags, "--api-port")
        var run = BadInputAfterHandshake(
            source: source, target: SocketAddress(host: leaderHost, port: peerPort), me: me, leader: leader, everyNode: nodes.map(\.id),
            api: "\(leaderHost):\(apiPort)", term: UInt64(try flags.integer("--term", in: 0...Int.max) ?? 0), cluster: try clusterID(flags),
            key: key, wrongKey: wrongKey, count: try flags.integer("--count", in: 0...100_000) ?? 300,
            choices: SeededChoices(seed: UInt64(try flags.integer("--seed", in: 0...Int.max) ?? 777)))
        return run.run()
    }

    // ---- flag values ----

    static func targets(_ flags: ParsedArguments) throws(UsageError) -> [SocketAddress] {
        let texts = flags.list("--to") ?? []
        let addresses = texts.compactMap { SocketAddress($0) }
        guard !addresses.isEmpty, addresses.count == texts.count else { throw UsageError("--to needs HOST:PORT[,HOST:PORT...]") }
        return addresses
    }

    static func clusterID(_ flags: ParsedArguments) throws(UsageError) -> UInt64 {
        guard let text = flags.string("--cluster") else { return 0 }
        guard let value = UInt64(text, radix: 16) else { throw UsageError("--cluster needs the hex cluster id (/v1/status cluster_id)") }
        return value
    }

    static func nodeID(_ flags: ParsedArguments, _ flag: String) throws(UsageError) -> NodeID? {
        guard let text = flags.string(flag) else { return nil }
        guard NodeID.isValid(text) else { throw UsageError("\(flag) needs a node id, got '\(text)'") }
        return NodeID(text)
    }

    static func nodes(_ flags: ParsedArguments) throws(UsageError) -> [(id: NodeID, host: String)] {
        var nodes: [(id: NodeID, host: String)] = []
        for item in flags.list("--nodes") ?? [] {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, NodeID.isValid(parts[0]), !parts[1].isEmpty else { throw UsageError("--nodes needs ID=HOST,... got '\(item)'") }
            nodes.append((NodeID(parts[0]), parts[1]))
        }
        guard nodes.count >= 2 else { throw UsageError("--nodes needs at least two ID=HOST items") }
        return nodes
    }

    /// The bytes of an even-length hexadecimal text, or nil.
    static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    static func port(_ flags: ParsedArguments, _ flag: String) throws(UsageError) -> UInt16 {
        guard let value = try flags.integer(flag, in: 1...65535) else { throw UsageError("\(flag) is required") }
        return UInt16(value)
    }

    static func seconds(_ flags: ParsedArguments, _ flag: String) throws(UsageError) -> Interval? {
        guard let value = try flags.number(flag, in: 0...86_400) else { return nil }
        return Interval(nanoseconds: Int64(value * 1e9))
    }

    /// The cluster key (first line of --key-file) and a key the cluster does not hold.
    static func keys(_ flags: ParsedArguments) throws(UsageError) -> (PeerKeyring.Key, PeerKeyring.Key) {
        func signing(_ flag: String) throws(UsageError) -> PeerKeyring.Key {
            let path = try flags.required(flag)
            guard let text = Files.readText(path) else { throw UsageError("\(flag) \(path) cannot be read") }
            do {
                return try PeerKeyring(parsing: text).signing
            } catch {
                throw UsageError("\(flag) \(path): \(error)")
            }
        }
        return (try signing("--key-file"), try signing("--wrong-key-file"))
    }
}
