import TenureCommandLine
import TenureCore
import TenureJSON
import TenurePOSIX
import TenureWire

/// `tenure-lab bench-handshake`: how long a peer connection takes to become authenticated, from
/// the first SYN to the initiator's proof on the wire (TCP connect, hello, the responder's
/// challenge with its proof, checking it, and sending ours), measured `--count` times against a
/// live node, as a node of the cluster would connect (bound to that node's address, with its key).
///
/// Connect as a follower to another follower: followers exchange nothing regular, so replacing
/// that idle connection disturbs no heartbeat.
enum BenchHandshakeCommand {
    static let usage = """
    usage: tenure-lab bench-handshake --to HOST:PORT --to-id ID --as ID --from HOST --key-file PATH --cluster-id HEX [--count 100]
      --to, --to-id  the node to connect to (its peer address) and its id
      --as, --from   the configured node this connection claims to be, and its address
      --key-file     the cluster's key file (the first line signs)
      --cluster-id   the cluster id in hex (/v1/status has it as cluster_id)
    Prints one JSON line: {"count", "median_us", "p99_us", "max_us", "failures"}.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let command = Command("tenure-lab bench-handshake", usage: usage)
        let flags = command.parse(arguments, .init(values: ["--to", "--to-id", "--as", "--from", "--key-file", "--cluster-id", "--count"]))
        guard let toText = flags.string("--to"), let target = SocketAddress(toText) else { command.fail("--to needs HOST:PORT") }
        guard let toID = flags.string("--to-id"), NodeID.isValid(toID), let asID = flags.string("--as"), NodeID.isValid(asID) else {
            command.fail("--to-id and --as need node ids")
        }
        guard let source = flags.string("--from") else { command.fail("--from needs this node's address") }
        guard let clusterText = flags.string("--cluster-id"), let cluster = UInt64(clusterText, radix: 16) else {
            command.fail("--cluster-id needs the hex cluster id")
        }
        let count: Int
        do {
            count = try flags.integer("--count", in: 1...10_000) ?? 100
        } catch {
            command.fail(error)
        }
        guard let keyPath = flags.string("--key-file"), let text = Files.readText(keyPath) else { command.fail("--key-file cannot be read") }
        let keyring: PeerKeyring
        do {
            keyring = try PeerKeyring(parsing: text)
        } catch {
            command.fail("\(keyPath): \(error)")
        }
        var samples: [Int64] = []
        var failures = 0
        for _ in 0..<count {
            if let nanoseconds = handshake(to: target, toID: NodeID(toID), as: NodeID(asID), from: source, cluster: cluster, key: keyring.signing) {
                samples.append(nanoseconds)
            } else {
                failures += 1
            }
            MonotonicClock.sleep(for: .milliseconds(5))
        }
        samples.sort()
        func quantile(_ q: Double) -> Int64 { samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * q))] / 1000 }
        var result = JSONObject()
        result.add("count", samples.count)
        result.add("median_us", quantile(0.5))
        result.add("p99_us", quantile(0.99))
        result.add("max_us", (samples.last ?? 0) / 1000)
        result.add("failures", failures)
        print(result.rendered)
        return samples.isEmpty ? 1 : 0
    }

    /// One handshake; its duration in nanoseconds, or nil when it failed.
    static func handshake(to target: SocketAddress, toID: NodeID, as selfID: NodeID, from source: String,
                          cluster: UInt64, key: PeerKeyring.Key) -> Int64? {
        let started = MonotonicClock.now()
        guard let fd = try? Socket.connect(from: source, to: target, userTimeoutMilliseconds: 1000) else { return nil }
        defer { Descriptor.close(fd) }
        guard let writable = try? PollSet.wait(for: fd, .writable, timeoutMilliseconds: 1000), writable.contains(.writable),
              Socket.pendingError(fd) == 0, let nonce = try? ProcessEnvironment.randomBytes(Handshake.nonceByteCount) else { return nil }
        let hello = FrameCodec.encode(.hello(Hello(from: selfID, to: toID, insecure: false, keyID: key.id, nonce: nonce)), clusterID: cluster)
        guard Socket.write(fd, hello, from: 0) == hello.count else { return nil }
        var decoder = FrameDecoder(clusterID: cluster, authentication: .awaitingHandshake)
        var buffer = [UInt8](repeating: 0, count: 1024)
        let deadline = MonotonicClock.now() + .seconds(1)
        while MonotonicClock.now() < deadline {
            guard let ready = try? PollSet.wait(for: fd, .readable, timeoutMilliseconds: 100), ready.contains(.readable) else { continue }
            guard case .bytes(let count) = buffer.withUnsafeMutableBytes({ Socket.read(fd, into: $0) }) else { return nil }
            buffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            guard let frame = try? decoder.nextPeerFrame() else { continue }
            guard case .handshake(.challenge(let challenge)) = frame else { return nil }
            let expected = Handshake.responderProof(key: key, cluster: cluster, initiator: selfID, responder: toID,
                                                    initiatorNonce: nonce, responderNonce: challenge.nonce)
            guard Handshake.proofMatches(challenge.proof, expected) else { return nil }
            let proof = FrameCodec.encode(.proof(Proof(proof: Handshake.initiatorProof(key: key, cluster: cluster, initiator: selfID, responder: toID,
                                                                                        initiatorNonce: nonce, responderNonce: challenge.nonce))),
                                          clusterID: cluster)
            guard Socket.write(fd, proof, from: 0) == proof.count else { return nil }
            return (MonotonicClock.now() - started).nanoseconds
        }
        return nil
    }
}
