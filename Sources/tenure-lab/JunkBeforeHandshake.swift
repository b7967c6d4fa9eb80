import TenureCore
import TenurePOSIX
import TenureWire

/// `peer-traffic junk`: connections that send junk before any handshake to every node's peer
/// port (cluster/e2e-fuzz part 3a), mostly from the peers' own addresses (which pass the address
/// check and reach the decoder), some from addresses that are no peer's. Every one must be closed
/// within 2 s and counted as refused; then a few silent or short (< 16 bytes) connections per
/// peer address must be closed at the handshake deadline (within 3 s).
struct JunkBeforeHandshake {
    var nodes: [(id: NodeID, host: String)]
    var peerPort: UInt16
    var apiPort: UInt16
    var leader: NodeID
    var term: UInt64
    var cluster: UInt64
    var key: PeerKeyring.Key
    var wrongKey: PeerKeyring.Key
    var leaderConnections: Int
    var followerConnections: Int
    var strangers: [String]
    var choices: SeededChoices

    /// One connection's junk: its kind (for the tally) and bytes.
    mutating func junk(to target: NodeID, claiming claimed: NodeID) -> (String, [UInt8]) {
        let c = cluster
        let kind = choices.pick(["random", "random", "random", "random", "header", "old_version", "unauthenticated", "hello_bad",
                                 "hello_then_junk", "hello_twice", "version", "too_large", "proof_first"])
        let others = nodes.map(\.id).filter { $0 != target }
        switch kind {
        case "random":
            return (kind, choices.bytes(in: 16...2048))
        case "header":
            let kindByte = choices.pick([0, 6, 15, 20, 255, UInt8(choices.int(in: 0...255))])
            return (kind, HostileFrames.raw(kind: kindByte, payload: choices.bytes(in: 0...100), cluster: choices.pick([c, c ^ 1, 0]),
                                            goodChecksum: choices.chance(0.5)))
        case "old_version":
            let frame = HostileFrames.message(pickElectionMessage(term: term + 1), from: claimed, to: target, cluster: c)
            return (kind, HostileFrames.withVersion(HostileFrames.oldVersion, frame))
        case "unauthenticated":
            // Well-formed election messages with a higher term, but no handshake and no tag.
            let higher = term + UInt64(choices.int(in: 1...100))
            return (kind, HostileFrames.message(pickElectionMessage(term: higher), from: claimed, to: target, cluster: c))
        case "version":
            let bad = choices.pick([0, FrameCodec.wireVersion &+ 1, 255])
            return (kind, HostileFrames.raw(kind: 16, payload: choices.bytes(50), cluster: c, version: bad))
        case "too_large":
            let length = choices.pick([UInt32.max, HostileFrames.tooLargePayload, 1 << 31])
            return (kind, HostileFrames.headerOnly(kind: 3, length: length, cluster: c))
        case "proof_first":
            return (kind, HostileFrames.handshake(.proof(Proof(proof: choices.bytes(Handshake.proofByteCount))), cluster: c))
        default:
            return hello(kind, to: target, claiming: claimed, others: others)
        }
    }

    /// A request vote, heartbeat or TimeoutNow for `term`, as a node would send it.
    private mutating func pickElectionMessage(term: UInt64) -> Message {
        choices.pick([.requestVote(RequestVote(term: term, preVote: false)), .heartbeat(Heartbeat(term: term, round: 1)),
                      .timeoutNow(TimeoutNow(term: term))])
    }

    /// Hellos that are wrong in one way, or right and followed by junk.
    private mutating func hello(_ kind: String, to target: NodeID, claiming claimed: NodeID, others: [NodeID]) -> (String, [UInt8]) {
        let c = cluster
        let nonce = choices.bytes(Handshake.nonceByteCount)
        func helloFrame(from: NodeID = claimed, to: NodeID = target, insecure: Bool = false, keyID: [UInt8] = key.id) -> [UInt8] {
            HostileFrames.handshake(.hello(Hello(from: from, to: to, insecure: insecure, keyID: keyID, nonce: nonce)), cluster: c)
        }
        let good = helloFrame()
        if kind == "hello_then_junk" {
            return (kind, good + choices.pick([choices.bytes(in: 16...500), HostileFrames.raw(kind: 18, payload: [5] + Array("abcde".utf8), cluster: c),
                                               HostileFrames.handshake(.proof(Proof(proof: choices.bytes(32))), cluster: c),
                                               HostileFrames.raw(kind: 3, payload: [0], cluster: c)]))
        }
        if kind == "hello_twice" { return (kind, good + good) }
        let variant = choices.pick(["wrong_to", "wrong_from", "insecure", "unknown_key", "flags", "short", "long", "bad_id", "self"])
        let strangerID = NodeID("zz")
        var payload = HostileFrames.payload(of: good)
        let flagsOffset = 2 + claimed.rawValue.utf8.count + target.rawValue.utf8.count
        let frame: [UInt8]
        switch variant {
        case "wrong_to": frame = helloFrame(to: choices.pick(others + [strangerID]))
        case "wrong_from": frame = helloFrame(from: choices.pick(others.filter { $0 != claimed } + [strangerID]))
        case "insecure": frame = helloFrame(insecure: true)
        case "unknown_key": frame = helloFrame(keyID: wrongKey.id)
        case "self": frame = helloFrame(from: target)
        case "flags":
            payload[flagsOffset] = 0xFE
            frame = HostileFrames.raw(kind: 16, payload: payload, cluster: c)
        case "short":
            frame = HostileFrames.raw(kind: 16, payload: Array(payload.dropLast(choices.int(in: 1...32))), cluster: c)
        case "long":
            frame = HostileFrames.raw(kind: 16, payload: payload + choices.bytes(in: 1...40), cluster: c)
        default: // bad_id: a sender id the format refuses (empty, too long, bad bytes, cut short)
            let badID = choices.pick([[0], HostileFrames.rawID(String(repeating: "a", count: 65)), HostileFrames.rawID("!!"), [5] + Array("ab".utf8)])
            frame = HostileFrames.raw(kind: 16, payload: badID + payload.dropFirst(1 + claimed.rawValue.utf8.count), cluster: c)
        }
        return ("hello_" + variant, frame)
    }

    /// Sends every connection and prints the checks; returns 0 (the verdicts are in the lines).
    mutating func run() -> Int32 {
        let apis = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, "\($0.host):\(apiPort)") })
        let hosts = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.host) })
        let before = apis.mapValues { RefusalCounts.read(api: $0) }
        var kinds: [String: Int] = [:]
        var connections: [NodeID: Int] = [:]
        var stuck: [String] = []
        let plan = [(leader, leaderConnections)] + nodes.map(\.id).filter { $0 != leader }.sorted().map { ($0, followerConnections) }
        for (target, count) in plan {
            let targetAddress = SocketAddress(host: hosts[target]!, port: peerPort)
            let sources = nodes.map(\.id).filter { $0 != target }
            for _ in 0..<count {
                var source: String
                var kind: String
                var bytes: [UInt8]
                if choices.chance(0.08) {
                    (source, kind, bytes) = (choices.pick(strangers + [hosts[target]!]), "not_a_peer", choices.bytes(in: 0...64))
                } else {
                    let claimed = choices.pick(sources)
                    source = hosts[claimed]!
                    (kind, bytes) = junk(to: target, claiming: claimed)
                }
                kinds[kind, default: 0] += 1
                guard let connection = try? PeerConnection.open(from: source, to: targetAddress) else {
                    stuck.append("\(source) -> \(target): connect failed")
                    continue
                }
                connections[target, default: 0] += 1
                connection.send(bytes)
                if !connection.waitClosed(milliseconds: 2000) {
                    stuck.append("\(kind) from \(source) to \(target) stayed open 2 s: \(hex(bytes.prefix(80)))")
                }
                connection.close()
            }
            // Silent and short connections, at most 3 per address at a time (so none is evicted to
            // make room): closed at the handshake deadline.
            var batch: [(NodeID, PeerConnection)] = []
            let hello = HostileFrames.raw(kind: 16, payload: [], cluster: cluster)
            for source in sources {
                for index in 0..<3 {
                    guard let connection = try? PeerConnection.open(from: hosts[source]!, to: targetAddress) else {
                        stuck.append("\(source) -> \(target): connect failed")
                        continue
                    }
                    connections[target, default: 0] += 1
                    if index > 0 { connection.send(Array(hello.prefix(choices.int(in: 1...15)))) }
                    batch.append((source, connection))
                }
            }
            kinds["silent_or_short", default: 0] += batch.count
            for (source, connection) in batch {
                if !connection.waitClosed(milliseconds: 3000) { stuck.append("a silent/short connection from \(source) to \(target) stayed open 3 s") }
                connection.close()
            }
        }
        MonotonicClock.sleep(for: .milliseconds(300))
        let total = connections.values.reduce(0, +)
        CheckLines.note("3a: \(total) connections before any handshake (\(CheckLines.tally(kinds)))")
        CheckLines.result(stuck.isEmpty, "every connection with junk before the handshake was closed (\(stuck.count) of \(total) stayed open)\(CheckLines.evidence(stuck))")
        for (id, _) in nodes {
            let after = RefusalCounts.read(api: apis[id]!)
            let delta = Int(after.total - before[id]!.total)
            CheckLines.result(delta >= connections[id, default: 0], "\(id) counted \(delta) refusals for \(connections[id, default: 0]) junk connections")
        }
        return 0
    }
}

/// Lowercase hexadecimal of some bytes, for evidence in a failed check.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
