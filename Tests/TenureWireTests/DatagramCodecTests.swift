import Testing
import TenureCore
import TenureCrypto
@testable import TenureWire

/// Lease beats as datagrams: sealed per link, read only after the tag checks out, never replayed.
@Suite struct DatagramCodecTests {
    let key = HMACKey(Array(repeating: 0x42, count: 32))
    let otherKey = HMACKey(Array(repeating: 0x43, count: 32))

    var beat: Envelope {
        Envelope(from: NodeID("n1"), to: NodeID("n2"),
                 message: .heartbeat(Heartbeat(term: 7, round: 1234, membershipTerm: 3, membershipIndex: 5, committedIndex: 5, beat: true)))
    }

    var answer: Envelope {
        Envelope(from: NodeID("n2"), to: NodeID("n1"),
                 message: .heartbeatResponse(HeartbeatResponse(term: 7, round: 1234, accepted: true, healthy: false, membershipTerm: 3,
                                                               membershipIndex: 5, beat: true)))
    }

    @Test("version 1 beat: the golden bytes, unauthenticated (CRC-32C trailer)")
    func goldenBeat() throws {
        let golden: [UInt8] = [
            0x54, 0x44, 0x01, 0x03,                          // "TD", version 1, kind 3 (beat)
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // cluster id
            0, 0, 0, 0, 0, 0, 0, 9,                          // sequence 9
            0x02, 0x6E, 0x31, 0x02, 0x6E, 0x32,              // "n1", "n2"
            0, 0, 0, 0, 0, 0, 0, 7,                          // term 7
            0, 0, 0, 0, 0, 0, 0x04, 0xD2,                    // round 1234
            0, 0, 0, 0, 0, 0, 0, 3,                          // membership term
            0, 0, 0, 0, 0, 0, 0, 5,                          // membership index
            0, 0, 0, 0, 0, 0, 0, 5,                          // committed index
        ]
        let encoded = DatagramCodec.encode(beat, clusterID: testCluster, sequence: 9, key: nil)
        #expect(Array(encoded.dropLast(4)) == golden)
        #expect(encoded.suffix(4).elementsEqual(withUnsafeBytes(of: CRC32C.checksum(golden).bigEndian) { Array($0) }))
        let header = try DatagramCodec.header(encoded, clusterID: testCluster)
        #expect(header == DatagramCodec.Header(sequence: 9, from: NodeID("n1"), to: NodeID("n2")))
        #expect(try DatagramCodec.open(encoded, key: nil) == beat)
    }

    @Test("version 1 beat answer: the golden bytes, unauthenticated (CRC-32C trailer)")
    func goldenAnswer() throws {
        let golden: [UInt8] = [
            0x54, 0x44, 0x01, 0x04,                          // "TD", version 1, kind 4 (beat response)
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // cluster id
            0, 0, 0, 0, 0, 0, 0, 9,                          // sequence 9
            0x02, 0x6E, 0x32, 0x02, 0x6E, 0x31,              // "n2", "n1"
            0, 0, 0, 0, 0, 0, 0, 7,                          // term 7
            0, 0, 0, 0, 0, 0, 0x04, 0xD2,                    // round 1234
            0x03,                                            // flags: accepted, unhealthy
            0, 0, 0, 0, 0, 0, 0, 3,                          // membership term
            0, 0, 0, 0, 0, 0, 0, 5,                          // membership index
            0xA0, 0x27, 0xCA, 0xED,                          // CRC-32C
        ]
        #expect(DatagramCodec.encode(answer, clusterID: testCluster, sequence: 9, key: nil) == golden)
        let header = try DatagramCodec.header(golden, clusterID: testCluster)
        #expect(header == DatagramCodec.Header(sequence: 9, from: NodeID("n2"), to: NodeID("n1")))
        #expect(try DatagramCodec.open(golden, key: nil) == answer)
    }

    @Test("a beat and its answer survive the round trip, sealed with a key")
    func roundTrip() throws {
        for envelope in [beat, answer] {
            let sealed = DatagramCodec.encode(envelope, clusterID: testCluster, sequence: 1, key: key)
            #expect(sealed.count <= DatagramCodec.maximumBytes)
            #expect(try DatagramCodec.open(sealed, key: key) == envelope)
        }
    }

    @Test("a datagram sealed with another key, or altered in any byte, is refused as a bad tag")
    func tamperingRefused() {
        let sealed = DatagramCodec.encode(beat, clusterID: testCluster, sequence: 1, key: key)
        #expect(throws: WireError.badTag) { try DatagramCodec.open(sealed, key: otherKey) }
        for index in sealed.indices {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: WireError.self) { try DatagramCodec.open(altered, key: key) }
        }
    }

    @Test("the opener accepts only sequence numbers above the newest: replays and reordered copies are dropped")
    func replayRefused() throws {
        var sealer = DatagramSealer(key: key)
        var opener = DatagramOpener(key: key)
        let first = sealer.seal(beat, clusterID: testCluster)
        let second = sealer.seal(beat, clusterID: testCluster)
        let secondHeader = try DatagramCodec.header(second, clusterID: testCluster)
        #expect(try opener.open(second, header: secondHeader) == beat)
        let firstHeader = try DatagramCodec.header(first, clusterID: testCluster)
        #expect(throws: WireError.replayed(1)) { try opener.open(first, header: firstHeader) }
        #expect(throws: WireError.replayed(2)) { try opener.open(second, header: secondHeader) }
        #expect(opener.newestSequence == 2)
    }

    @Test("a replay with a forged higher sequence number fails the tag, so it cannot advance the window")
    func forgedSequenceRefused() throws {
        var opener = DatagramOpener(key: key)
        var forged = DatagramCodec.encode(beat, clusterID: testCluster, sequence: 5, key: key)
        forged[19] = 99 // the sequence's last byte
        let header = try DatagramCodec.header(forged, clusterID: testCluster)
        #expect(throws: WireError.badTag) { try opener.open(forged, header: header) }
        #expect(opener.newestSequence == 0)
    }

    @Test("the header refuses another cluster, an unknown kind, another version, and oversized input before any tag work")
    func headerChecks() {
        let sealed = DatagramCodec.encode(beat, clusterID: testCluster, sequence: 1, key: key)
        #expect(throws: WireError.clusterMismatch(expected: 1, received: testCluster)) { try DatagramCodec.header(sealed, clusterID: 1) }
        var kind = sealed
        kind[3] = 1
        #expect(throws: WireError.unknownKind(1)) { try DatagramCodec.header(kind, clusterID: testCluster) }
        var version = sealed
        version[2] = 2
        #expect(throws: WireError.unsupportedVersion(2)) { try DatagramCodec.header(version, clusterID: testCluster) }
        #expect(throws: WireError.frameTooLarge(DatagramCodec.maximumBytes + 1)) {
            try DatagramCodec.header(Array(repeating: 0, count: DatagramCodec.maximumBytes + 1), clusterID: testCluster)
        }
    }

    @Test("every truncation of a datagram is refused without trapping")
    func truncations() {
        let sealed = DatagramCodec.encode(answer, clusterID: testCluster, sequence: 3, key: key)
        for length in 0..<sealed.count {
            let prefix = Array(sealed.prefix(length))
            #expect(throws: WireError.self) { _ = try DatagramCodec.header(prefix, clusterID: testCluster); _ = try DatagramCodec.open(prefix, key: key) }
        }
    }

    @Test("random bytes never trap the header parser or the opener")
    func randomBytes() {
        var rng = SeededRandom(seed: 77)
        for _ in 0..<2000 {
            let count = Int.random(in: 0...DatagramCodec.maximumBytes + 4, using: &rng)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if count >= 4, Bool.random(using: &rng) { bytes[0] = 0x54; bytes[1] = 0x44; bytes[2] = 1; bytes[3] = 3 }
            _ = try? DatagramCodec.header(bytes, clusterID: testCluster)
            _ = try? DatagramCodec.open(bytes, key: key)
            _ = try? DatagramCodec.open(bytes, key: nil)
        }
    }

    @Test("only beats and their answers travel as datagrams")
    func carries() {
        #expect(DatagramCodec.carries(beat.message))
        #expect(DatagramCodec.carries(answer.message))
        #expect(!DatagramCodec.carries(.heartbeat(Heartbeat(term: 1, round: 1))))
        #expect(!DatagramCodec.carries(.heartbeatResponse(HeartbeatResponse(term: 1, round: 1, accepted: true))))
        #expect(!DatagramCodec.carries(.timeoutNow(TimeoutNow(term: 1))))
    }

    @Test("the datagram key differs from the session key of the same handshake")
    func keysAreSeparate() {
        let ring = PeerKeyring.Key(secret: Array(repeating: 7, count: 32))
        let nonces = (Array(repeating: UInt8(1), count: Handshake.nonceByteCount), Array(repeating: UInt8(2), count: Handshake.nonceByteCount))
        let session = Handshake.sessionKey(key: ring, cluster: testCluster, initiator: NodeID("n1"), responder: NodeID("n2"),
                                           initiatorNonce: nonces.0, responderNonce: nonces.1)
        let datagram = Handshake.datagramKey(key: ring, cluster: testCluster, initiator: NodeID("n1"), responder: NodeID("n2"),
                                             initiatorNonce: nonces.0, responderNonce: nonces.1)
        #expect(session.authenticationCode(for: [1, 2, 3]) != datagram.authenticationCode(for: [1, 2, 3]))
    }
}
