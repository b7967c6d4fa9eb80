import TenureCore
import TenurePOSIX
import TenureWire

/// `peer-traffic session-fuzz`: bad input on connections that completed a valid handshake
/// (cluster/e2e-fuzz part 3b), dialled to the leader as one of its followers would (from its
/// address, with the real key; the calling script pauses that follower, or its own reconnect
/// would replace the test's connection). First the handshake itself is checked (the right key is
/// accepted and a correctly sealed lower-term heartbeat passes, a replay does not, a wrong key
/// and a wrong proof are refused), then `count` connections each send one kind of bad input and
/// must be closed within 2 s, with the leader counting every refusal under the right family.
struct BadInputAfterHandshake {
    var source: String
    var target: SocketAddress
    var me: NodeID
    var leader: NodeID
    var everyNode: [NodeID]
    var api: String
    var term: UInt64
    var cluster: UInt64
    var key: PeerKeyring.Key
    var wrongKey: PeerKeyring.Key
    var count: Int
    var choices: SeededChoices

    /// The family of counters a bad input must move on the leader.
    enum Family: String { case malformed, badTag = "bad_tag", auth, any }

    private var lowerTerm: UInt64 { term > 0 ? term - 1 : 0 }

    func session(key: PeerKeyring.Key? = nil) throws(SystemError) -> InitiatorSession {
        try InitiatorSession(from: source, to: target, me: me, peer: leader, cluster: cluster, key: key ?? self.key)
    }

    /// A payload of a message kind that the payload parser must refuse.
    private mutating func garbagePayload() -> (UInt8, [UInt8]) {
        let mine = HostileFrames.rawID(me.rawValue), peer = HostileFrames.rawID(leader.rawValue)
        let zero = HostileFrames.bigEndian(0)
        let tooLong = [UInt8(65)] + [UInt8](repeating: UInt8(ascii: "n"), count: 65)
        let randomTail = choices.bytes(in: 0...60)
        let anyKind = UInt8(choices.int(in: 1...5))
        let tails: [(UInt8, [UInt8])] = [
            (3, []), (3, [0] + choices.bytes(20)), (3, tooLong + peer + zero + zero),
            (3, [2] + Array("n!".utf8) + peer + zero + zero),
        ]
        let shaped: [(UInt8, [UInt8])] = [
            (3, mine + peer + zero + [0, 0]), (3, mine + peer + zero + zero + [0]),
            (3, mine + peer + zero + zero + [0xC8]), (3, mine + peer + zero + zero + [1, 0]),
            (1, mine + peer + zero + [0xFC]), (2, mine + peer + zero + [0x80]), (4, mine + peer + zero + zero + [0xF0]),
            (5, mine + peer + zero + [0]), (5, mine + peer), (1, mine + peer + zero), (4, mine + peer + zero + zero),
            (anyKind, [0] + randomTail),
        ]
        return choices.pick(tails + shaped)
    }

    /// One connection's bad input after the handshake: its kind, bytes and counter family.
    mutating func badInput(_ s: inout InitiatorSession, previous: [UInt8]?) -> (String, [UInt8], Family) {
        let c = cluster
        let pad = choices.bytes(8400)
        let kind = choices.pick(["random", "truncated", "wrong_tag", "missing_tag", "bit_flip", "cross_replay", "reorder",
                                 "garbage_payload", "garbage_payload", "bad_crc", "wrong_recipient", "sender_changed",
                                 "handshake_frame", "too_large", "wrong_cluster", "old_version", "good_then_junk"])
        let hb = s.heartbeat(term: lowerTerm, round: UInt64(choices.int(in: 1...(1 << 40))))
        switch kind {
        case "random":
            return (kind, choices.bytes(in: 64...1024), .malformed)
        case "truncated":
            let sealed = s.seal(hb)
            let cut = choices.int(in: 1...sealed.count - 1)
            let next = s.seal(s.heartbeat(term: lowerTerm, round: 2))
            return (kind, Array(sealed.prefix(cut)) + next + choices.bytes(256), .any)
        case "wrong_tag":
            return (kind, choices.flippingOneBit(s.seal(hb), within: FrameAuthenticator.tagByteCount), .badTag)
        case "missing_tag":
            return (kind, hb + s.heartbeat(term: lowerTerm, round: 7) + choices.bytes(64), .badTag)
        case "bit_flip":
            return (kind, choices.flippingOneBit(s.seal(hb)) + pad, .any)
        case "cross_replay" where previous != nil:
            return (kind, previous!, .badTag)
        case "reorder", "cross_replay":
            let first = s.seal(hb), second = s.seal(s.heartbeat(term: lowerTerm, round: 9))
            return ("reorder", second + first, .badTag)
        case "garbage_payload":
            let (kindByte, payload) = garbagePayload()
            return (kind, s.seal(HostileFrames.raw(kind: kindByte, payload: payload, cluster: c)), .malformed)
        case "bad_crc":
            return (kind, s.seal(HostileFrames.withBadChecksum(hb)), .malformed)
        case "wrong_recipient":
            let to = choices.pick(everyNode.filter { $0 != leader })
            return (kind, s.seal(s.heartbeat(term: lowerTerm, round: 3, recipient: to)), .malformed)
        case "sender_changed":
            let sender = everyNode.first { $0 != leader && $0 != me } ?? NodeID("zz")
            return (kind, s.seal(s.heartbeat(term: lowerTerm, round: 3, sender: sender)), .malformed)
        case "handshake_frame":
            let frames = [s.helloFrame(), HostileFrames.handshake(.proof(Proof(proof: choices.bytes(32))), cluster: c),
                          HostileFrames.handshake(.challenge(Challenge(from: me, to: leader, nonce: choices.bytes(32), proof: [])), cluster: c),
                          HostileFrames.handshake(.refusal(Refusal(.unsupportedVersion, "x")), cluster: c)]
            return (kind, choices.pick(frames), .auth)
        case "too_large":
            let length = choices.pick([UInt32.max, HostileFrames.tooLargePayload, 100_000])
            return (kind, HostileFrames.headerOnly(kind: 3, length: length, cluster: c) + pad, .malformed)
        case "wrong_cluster":
            let other = c ^ (UInt64(1) << UInt64(choices.int(in: 0...63)))
            return (kind, s.seal(HostileFrames.withCluster(other, hb)), .malformed)
        case "old_version":
            return (kind, HostileFrames.withVersion(HostileFrames.oldVersion, hb), .auth)
        default: // good_then_junk
            return (kind, s.seal(hb) + choices.bytes(in: 20...300), .any)
        }
    }

    /// The handshake itself: right key accepted, a lower-term heartbeat passes once and not twice,
    /// a wrong key and a wrong proof are refused with their reasons.
    func handshakeChecks() {
        guard var s = try? session() else {
            CheckLines.result(false, "a handshake made here with the right key completes (cannot connect to \(target))")
            return
        }
        let outcome = s.handshake()
        CheckLines.result(outcome == "ok", "a handshake made here with the right key completes, and the node's proof verifies (\(outcome))")
        if outcome == "ok" {
            CheckLines.result(s.connection.staysOpen(milliseconds: 1000), "the authenticated connection stays open 1 s after the proof")
            let before = RefusalCounts.read(api: api)
            let sealed = s.seal(s.heartbeat(term: lowerTerm, round: 1))
            s.connection.send(sealed)
            let accepted = s.connection.staysOpen(milliseconds: 1000)
            CheckLines.result(accepted, "a correctly sealed heartbeat from term \(lowerTerm) (< \(term)) is accepted: the connection stays open 1 s")
            if accepted {
                let after = RefusalCounts.read(api: api)
                CheckLines.result(after == before, "and nothing is counted as refused")
                s.connection.send(sealed)
                CheckLines.result(s.connection.waitClosed(milliseconds: 2000), "replaying that sealed heartbeat on the same connection closes it")
                CheckLines.result(RefusalCounts.read(api: api).badTag > after.badTag, "and the replay is counted as bad_tag")
            }
        }
        s.connection.close()
        if var wrong = try? session(key: wrongKey) {
            let outcome = wrong.handshake()
            CheckLines.result(outcome == "refused:2", "a hello with a wrong key gets refusal 2 (unknown_key): \(outcome) \(wrong.refusal?.detail ?? "")")
            CheckLines.result(wrong.connection.waitClosed(milliseconds: 2000), "and the connection is closed")
            wrong.connection.close()
        } else {
            CheckLines.result(false, "a hello with a wrong key gets refusal 2 (cannot connect)")
        }
        if var badProof = try? session(), let randomProof = try? ProcessEnvironment.randomBytes(Handshake.proofByteCount) {
            let outcome = badProof.handshake(proof: randomProof)
            var refusedAsBadProof = false
            if outcome == "ok", case .handshake(.refusal(let refusal)) = badProof.connection.readFrame(cluster: cluster) {
                refusedAsBadProof = refusal.reason == .badProof
            }
            CheckLines.result(refusedAsBadProof, "a wrong proof gets refusal 3 (bad_proof)")
            CheckLines.result(badProof.connection.waitClosed(milliseconds: 2000), "and the connection is closed")
            badProof.connection.close()
        } else {
            CheckLines.result(false, "a wrong proof gets refusal 3 (cannot connect)")
        }
    }

    /// The handshake checks, then `count` connections with bad input; returns 0 (the verdicts are
    /// in the lines).
    mutating func run() -> Int32 {
        handshakeChecks()
        let before = RefusalCounts.read(api: api)
        var stuck: [String] = [], failedHandshakes: [String] = []
        var kinds: [String: Int] = [:], expected: [Family: Int] = [:]
        var previous: [UInt8]?
        for _ in 0..<count {
            var s: InitiatorSession
            do {
                s = try session()
            } catch {
                failedHandshakes.append("\(error)")
                continue
            }
            let outcome = s.handshake()
            guard outcome == "ok" else {
                failedHandshakes.append("handshake failed: \(outcome)")
                s.connection.close()
                continue
            }
            let (kind, bytes, family) = badInput(&s, previous: previous)
            kinds[kind, default: 0] += 1
            expected[family, default: 0] += 1
            if previous == nil || choices.chance(0.3) {
                // A frame sealed for this connection's first sequence number, replayed on a later one.
                previous = s.sealedAsFirst(s.heartbeat(term: lowerTerm, round: 77))
            }
            s.connection.send(bytes)
            if !s.connection.waitClosed(milliseconds: 2000) { stuck.append("\(kind): \(hex(bytes.prefix(100)))") }
            s.connection.close()
        }
        MonotonicClock.sleep(for: .milliseconds(200))
        let after = RefusalCounts.read(api: api)
        let total = kinds.values.reduce(0, +)
        CheckLines.note("3b: \(total) connections with bad input after a valid handshake (\(CheckLines.tally(kinds)))")
        CheckLines.result(failedHandshakes.isEmpty, "every handshake made here was accepted (\(failedHandshakes.count) failed)\(CheckLines.evidence(failedHandshakes, first: 3))")
        CheckLines.result(stuck.isEmpty, "every authenticated connection that sent bad input was closed within 2 s (\(stuck.count) stayed open)\(CheckLines.evidence(stuck))")
        let deltaTotal = Int(after.total - before.total), deltaTag = Int(after.badTag - before.badTag)
        let deltaMalformed = Int(after.malformed - before.malformed)
        CheckLines.result(deltaTotal >= total, "the leader counted \(deltaTotal) refusals for \(total) bad connections")
        CheckLines.result(deltaTag >= expected[.badTag, default: 0],
                          "bad_tag counted \(deltaTag) for \(expected[.badTag, default: 0]) wrongly tagged, replayed or reordered frames")
        CheckLines.result(deltaMalformed >= expected[.malformed, default: 0],
                          "malformed frames counted \(deltaMalformed) for \(expected[.malformed, default: 0]) garbage frames")
        return 0
    }
}
