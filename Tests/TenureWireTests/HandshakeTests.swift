import TenureCore
import TenureCrypto
import Testing
@testable import TenureWire

@Suite("Peer authentication: keyring, handshake, frame tags")
struct HandshakeTests {
    let keyA = String(repeating: "a1", count: 32)
    let keyB = String(repeating: "b2", count: 32)
    let nonceI = [UInt8](repeating: 0x11, count: 32)
    let nonceR = [UInt8](repeating: 0x22, count: 32)

    func keyring(_ text: String) throws -> PeerKeyring { try PeerKeyring(parsing: text) }

    @Test("a key file: first line signs, every line verifies; comments and blank lines are skipped")
    func keyringParsing() throws {
        let ring = try keyring("# cluster keys\n\(keyB)\n\n  \(keyA.uppercased())  \n")
        #expect(ring.keys.count == 2)
        #expect(ring.signing.secret == Hex.decode(keyB))
        #expect(ring.key(id: try keyring(keyA).signing.id)?.secret == Hex.decode(keyA))
        #expect(ring.key(id: [UInt8](repeating: 0, count: 8)) == nil)
        #expect(ring.signing.id.count == 8 && ring.signing.idText.count == 16)
    }

    @Test("a key file with no key, a short or non-hex line, or a repeated key is refused, naming the line")
    func badKeyrings() {
        for (text, expected) in [("", "holds no key"), ("# only a comment\n", "holds no key"), ("abcd\n", "line 1"),
                                 ("\(keyA)\n\(String(keyA.dropLast()))g\n", "line 2"), ("\(keyA)\n\(keyA)\n", "line 2 repeats")] {
            #expect { try PeerKeyring(parsing: text) } throws: { ($0 as? KeyringError)?.description.contains(expected) == true }
        }
        // The error never shows the key itself.
        do {
            _ = try PeerKeyring(parsing: "\(keyA)x\n")
        } catch {
            #expect(!error.description.contains(keyA))
        }
    }

    @Test("tenure keygen's text is 64 lowercase hex characters that parse back to the same bytes")
    func keyText() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let text = PeerKeyring.keyText(from: bytes)
        #expect(text.count == 64 && text == text.lowercased())
        #expect(try keyring(text).signing.secret == bytes)
    }

    @Test("every handshake message round-trips through a frame")
    func handshakeFramesRoundTrip() throws {
        let messages: [HandshakeMessage] = [
            .hello(Hello(from: "n1", to: "n2", insecure: false, keyID: Array(repeating: 7, count: 8), nonce: nonceI)),
            .hello(Hello(from: "n1", to: "n2", insecure: true, keyID: Array(repeating: 0, count: 8), nonce: nonceI)),
            .challenge(Challenge(from: "n2", to: "n1", nonce: nonceR, proof: Array(repeating: 9, count: 32))),
            .challenge(Challenge(from: "n2", to: "n1", nonce: nonceR, proof: [])),
            .proof(Proof(proof: Array(repeating: 3, count: 32))),
            .refusal(Refusal(.unknownKey, "key 0102 is not in n2's --peer-key-file")),
        ]
        for message in messages {
            let frame = FrameCodec.encode(message, clusterID: testCluster)
            #expect(try FrameCodec.decodePeerFrame(frame, clusterID: testCluster) == .handshake(message))
            // A handshake frame is not an election message.
            #expect(isMalformed(decodeError(frame)))
        }
    }

    @Test("a proof of the wrong length, an unknown refusal reason or a truncated hello is malformed")
    func malformedHandshakes() {
        func error(kind: UInt8, _ payload: [UInt8]) -> WireError? {
            do {
                _ = try FrameCodec.decodePeerFrame(handmadeFrame(kind: kind, payload: payload), clusterID: testCluster)
                return nil
            } catch {
                return error
            }
        }
        #expect(isMalformed(error(kind: 18, [5, 1, 2, 3, 4, 5])))
        #expect(isMalformed(error(kind: 19, [99, 0])))
        #expect(isMalformed(error(kind: 16, [2, 0x6E, 0x31, 2, 0x6E, 0x32, 0] + [UInt8](repeating: 0, count: 20))))
        #expect(isMalformed(error(kind: 16, [2, 0x6E, 0x31, 2, 0x6E, 0x32, 0x80] + [UInt8](repeating: 0, count: 40))))
    }

    @Test("proofs depend on the key, the cluster, both ids, both nonces and the role")
    func proofsBindEverything() throws {
        let key = try keyring(keyA).signing
        let other = try keyring(keyB).signing
        func responder(_ key: PeerKeyring.Key = try! PeerKeyring(parsing: String(repeating: "a1", count: 32)).signing,
                       cluster: UInt64 = testCluster, i: NodeID = "n1", r: NodeID = "n2",
                       ni: [UInt8]? = nil, nr: [UInt8]? = nil) -> [UInt8] {
            Handshake.responderProof(key: key, cluster: cluster, initiator: i, responder: r, initiatorNonce: ni ?? nonceI, responderNonce: nr ?? nonceR)
        }
        let base = responder(key)
        #expect(base.count == 32)
        #expect(base == responder(key))
        #expect(base != responder(other))
        #expect(base != responder(cluster: testCluster + 1))
        #expect(base != responder(i: "n3"))
        #expect(base != responder(r: "n3"))
        #expect(base != responder(i: "n2", r: "n1"))
        #expect(base != responder(ni: nonceR))
        #expect(base != responder(nr: nonceI))
        // The initiator's proof is a different code: a responder's proof cannot be reflected back.
        #expect(base != Handshake.initiatorProof(key: key, cluster: testCluster, initiator: "n1", responder: "n2", initiatorNonce: nonceI, responderNonce: nonceR))
        // The proof is an HMAC a second implementation can recompute from the documented transcript.
        var transcript = Array("tenure v2 responder proof".utf8) + [0]
        transcript.appendBigEndian(testCluster)
        transcript += [2] + Array("n1".utf8) + [2] + Array("n2".utf8) + nonceI + nonceR + key.id
        #expect(base == HMACSHA256.authenticationCode(for: transcript, key: Hex.decode(keyA)!))
    }

    /// Sender and receiver of one session's frames.
    func session(_ nonce: [UInt8]? = nil) throws -> FrameAuthenticator {
        let key = try keyring(keyA).signing
        return FrameAuthenticator(key: Handshake.sessionKey(key: key, cluster: testCluster, initiator: "n1", responder: "n2",
                                                            initiatorNonce: nonce ?? nonceI, responderNonce: nonceR))
    }

    func heartbeatFrame(round: UInt64) -> [UInt8] {
        FrameCodec.encode(Envelope(from: "n1", to: "n2", message: .heartbeat(Heartbeat(term: 3, round: round))), clusterID: testCluster)
    }

    /// What a receiver makes of `stream`: the rounds it accepted, and the error it stopped at.
    func receive(_ stream: [UInt8], verifier: FrameAuthenticator) -> (rounds: [UInt64], error: WireError?) {
        var decoder = FrameDecoder(clusterID: testCluster, authentication: .session(verifier))
        decoder.append(contentsOf: stream)
        var rounds: [UInt64] = []
        do {
            while let envelope = try decoder.next() {
                if case .heartbeat(let heartbeat) = envelope.message { rounds.append(heartbeat.round) }
            }
            return (rounds, nil)
        } catch {
            return (rounds, error)
        }
    }

    @Test("sealed frames pass in order; an altered, replayed, reordered, dropped or foreign frame fails its tag")
    func tagsCatchTampering() throws {
        var signer = try session()
        var sealed: [[UInt8]] = []
        for round in 1...3 {
            var frame = heartbeatFrame(round: UInt64(round))
            signer.seal(&frame)
            sealed.append(frame)
        }
        let verifier = try session()
        #expect(receive(sealed.flatMap { $0 }, verifier: verifier) == ([1, 2, 3], nil))
        var altered = sealed[0]
        altered[altered.count - 20] ^= 1  // a CRC byte: the tag covers the whole frame
        #expect(receive(altered, verifier: verifier) == ([], .badTag))
        #expect(receive(sealed[0] + sealed[0], verifier: verifier) == ([1], .badTag))
        #expect(receive(sealed[1] + sealed[0], verifier: verifier) == ([], .badTag))
        #expect(receive(sealed[0] + sealed[2], verifier: verifier) == ([1], .badTag))
        // The same frames on another connection (other nonces, so another session key).
        #expect(receive(sealed[0], verifier: try session(Array(repeating: 0x33, count: 32))) == ([], .badTag))
        // An unsealed frame where a session is set: its bytes are read as far as a tag would end.
        #expect(receive(heartbeatFrame(round: 1) + [UInt8](repeating: 0, count: 16), verifier: verifier) == ([], .badTag))
    }

    @Test("an election message before the handshake is refused from its header alone")
    func messageBeforeHandshake() throws {
        var decoder = FrameDecoder(clusterID: testCluster, authentication: .awaitingHandshake)
        decoder.append(contentsOf: Array(heartbeatFrame(round: 1).prefix(FrameCodec.headerBytes)))
        #expect(throws: WireError.unauthenticated) { try decoder.nextPeerFrame() }
        var open = FrameDecoder(clusterID: testCluster, authentication: .awaitingHandshake)
        open.append(contentsOf: FrameCodec.encode(.proof(Proof(proof: [])), clusterID: testCluster))
        #expect(try open.nextPeerFrame() == .handshake(.proof(Proof(proof: []))))
    }
}
