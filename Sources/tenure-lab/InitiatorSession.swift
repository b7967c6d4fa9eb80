import TenureCore
import TenurePOSIX
import TenureWire

/// The dialling side of one authenticated peer connection, made as a node's peer link makes it
/// (hello, the responder's challenge and proof, our proof) with TenureWire's handshake, so that a
/// test can then send election frames sealed with the connection's own tags, or break them.
struct InitiatorSession {
    let connection: PeerConnection
    let me: NodeID
    let peer: NodeID
    let cluster: UInt64
    let key: PeerKeyring.Key
    let nonce: [UInt8]
    /// Tags the frames we send, from sequence 0, once the handshake set the session key.
    private(set) var sealer: FrameAuthenticator?
    /// A fresh authenticator of this connection's session key (for a frame tagged out of turn).
    private(set) var sessionKeyAuthenticator: FrameAuthenticator?
    private(set) var refusal: Refusal?

    /// Connects from `source` to the node `peer` at `target`, claiming to be `me`.
    init(from source: String, to target: SocketAddress, me: NodeID, peer: NodeID, cluster: UInt64,
         key: PeerKeyring.Key) throws(SystemError) {
        connection = try PeerConnection.open(from: source, to: target)
        self.me = me
        self.peer = peer
        self.cluster = cluster
        self.key = key
        nonce = try ProcessEnvironment.randomBytes(Handshake.nonceByteCount)
    }

    /// Our hello, as a node sends it.
    func helloFrame() -> [UInt8] {
        HostileFrames.handshake(.hello(Hello(from: me, to: peer, insecure: false, keyID: key.id, nonce: nonce)), cluster: cluster)
    }

    /// Runs the handshake: "ok" once the responder's proof verified and ours is sent (with
    /// `proof` instead of the right one when given), "refused:REASON", or what went wrong.
    mutating func handshake(proof override: [UInt8]? = nil) -> String {
        guard connection.send(helloFrame()) else { return "the node closed before the hello" }
        guard let frame = connection.readFrame(cluster: cluster) else { return "no challenge" }
        guard case .handshake(let message) = frame else { return "answered an election frame, not a challenge" }
        switch message {
        case .refusal(let refusal):
            self.refusal = refusal
            return "refused:\(refusal.reason.rawValue)"
        case .challenge(let challenge):
            guard challenge.from == peer, challenge.to == me else { return "challenge from \(challenge.from) to \(challenge.to)" }
            let expected = Handshake.responderProof(key: key, cluster: cluster, initiator: me, responder: peer,
                                                    initiatorNonce: nonce, responderNonce: challenge.nonce)
            guard Handshake.proofMatches(challenge.proof, expected) else { return "the responder's proof does not verify" }
            let mine = Handshake.initiatorProof(key: key, cluster: cluster, initiator: me, responder: peer,
                                                initiatorNonce: nonce, responderNonce: challenge.nonce)
            guard connection.send(HostileFrames.handshake(.proof(Proof(proof: override ?? mine)), cluster: cluster)) else {
                return "the node closed before our proof"
            }
            let sessionKey = Handshake.sessionKey(key: key, cluster: cluster, initiator: me, responder: peer,
                                                  initiatorNonce: nonce, responderNonce: challenge.nonce)
            sealer = FrameAuthenticator(key: sessionKey)
            sessionKeyAuthenticator = FrameAuthenticator(key: sessionKey)
            return "ok"
        default:
            return "answered \(message.kindName), not a challenge"
        }
    }

    /// A heartbeat frame (untagged) from this session's node, or from `sender` to `recipient`.
    func heartbeat(term: UInt64, round: UInt64, sender: NodeID? = nil, recipient: NodeID? = nil) -> [UInt8] {
        HostileFrames.message(.heartbeat(Heartbeat(term: term, round: round)), from: sender ?? me, to: recipient ?? peer, cluster: cluster)
    }

    /// `frame` followed by the tag of the next sequence number.
    mutating func seal(_ frame: [UInt8]) -> [UInt8] {
        var sealed = frame
        sealer?.seal(&sealed)
        return sealed
    }

    /// `frame` tagged as this connection's first frame (sequence 0), whatever has been sent.
    func sealedAsFirst(_ frame: [UInt8]) -> [UInt8] {
        var sealed = frame
        var first = sessionKeyAuthenticator
        first?.seal(&sealed)
        return sealed
    }
}
