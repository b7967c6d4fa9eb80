import TenureCore
import TenureCrypto

/// The messages that open every peer connection, before any election message may pass.
///
/// The dialer (initiator) sends `hello` with a fresh nonce and the id of the key it signs with;
/// the acceptor (responder) answers `challenge` with its own nonce and a proof that it holds that
/// key; the initiator answers `proof`. Both proofs are HMACs over the cluster, both node ids, both
/// nonces and the key id, under distinct labels, so neither can be replayed on another connection
/// or reflected back. Either side may send `refusal` with a reason before closing.
public enum HandshakeMessage: Hashable, Sendable {
    case hello(Hello)
    case challenge(Challenge)
    case proof(Proof)
    case refusal(Refusal)

    public var kindName: String {
        switch self {
        case .hello: "hello"
        case .challenge: "challenge"
        case .proof: "proof"
        case .refusal: "refusal"
        }
    }
}

public struct Hello: Hashable, Sendable {
    public var from: NodeID
    public var to: NodeID
    /// The initiator runs with `--insecure-peers`: no key, no proofs, no tags.
    public var insecure: Bool
    public var keyID: [UInt8]
    public var nonce: [UInt8]

    public init(from: NodeID, to: NodeID, insecure: Bool, keyID: [UInt8], nonce: [UInt8]) {
        self.from = from
        self.to = to
        self.insecure = insecure
        self.keyID = keyID
        self.nonce = nonce
    }
}

public struct Challenge: Hashable, Sendable {
    public var from: NodeID
    public var to: NodeID
    public var nonce: [UInt8]
    /// The responder's proof; empty between insecure nodes.
    public var proof: [UInt8]

    public init(from: NodeID, to: NodeID, nonce: [UInt8], proof: [UInt8]) {
        self.from = from
        self.to = to
        self.nonce = nonce
        self.proof = proof
    }
}

public struct Proof: Hashable, Sendable {
    public var proof: [UInt8]
    public init(proof: [UInt8]) { self.proof = proof }
}

/// Why a side gave up on a connection, sent before it closes so the other side can say why.
public struct Refusal: Hashable, Sendable {
    public enum Reason: UInt8, Sendable, CaseIterable {
        case unsupportedVersion = 1
        case unknownKey = 2
        case badProof = 3
        case notAPeer = 4
        case insecureMismatch = 5
        case protocolViolation = 6

        /// The metrics label of an authentication failure for this reason.
        public var label: String {
            switch self {
            case .unsupportedVersion: "unsupported_version"
            case .unknownKey: "unknown_key"
            case .badProof: "bad_proof"
            case .notAPeer: "not_a_peer"
            case .insecureMismatch: "insecure_mismatch"
            case .protocolViolation: "protocol_violation"
            }
        }
    }

    public static let maximumDetailBytes = 200
    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}

/// The keyed computations of the handshake: proofs and the session key.
public enum Handshake {
    public static let nonceByteCount = 32
    public static let keyIDByteCount = 8
    public static let proofByteCount = 32

    /// The responder's proof (sent in `challenge`).
    public static func responderProof(key: PeerKeyring.Key, cluster: UInt64, initiator: NodeID, responder: NodeID,
                                      initiatorNonce: [UInt8], responderNonce: [UInt8]) -> [UInt8] {
        key.prepared.authenticationCode(for: transcript("tenure v2 responder proof", key: key, cluster: cluster, initiator: initiator,
                                                        responder: responder, initiatorNonce: initiatorNonce, responderNonce: responderNonce))
    }

    /// The initiator's proof (sent in `proof`).
    public static func initiatorProof(key: PeerKeyring.Key, cluster: UInt64, initiator: NodeID, responder: NodeID,
                                      initiatorNonce: [UInt8], responderNonce: [UInt8]) -> [UInt8] {
        key.prepared.authenticationCode(for: transcript("tenure v2 initiator proof", key: key, cluster: cluster, initiator: initiator,
                                                        responder: responder, initiatorNonce: initiatorNonce, responderNonce: responderNonce))
    }

    /// The key that tags this connection's frames: HKDF over the cluster key, salted with both
    /// nonces, so every connection has a key of its own.
    public static func sessionKey(key: PeerKeyring.Key, cluster: UInt64, initiator: NodeID, responder: NodeID,
                                  initiatorNonce: [UInt8], responderNonce: [UInt8]) -> HMACKey {
        let info = transcript("tenure v2 session", key: key, cluster: cluster, initiator: initiator, responder: responder,
                              initiatorNonce: [], responderNonce: [])
        return HMACKey(HKDF.deriveKey(inputKeyMaterial: key.secret, salt: initiatorNonce + responderNonce, info: info, length: 32))
    }

    /// The key that seals the lease beats the connection's initiator sends as datagrams (and the
    /// answers it receives): HKDF over the cluster key and both nonces, like `sessionKey`, under
    /// a label of its own, so datagram tags can never be replayed as frame tags or the reverse.
    public static func datagramKey(key: PeerKeyring.Key, cluster: UInt64, initiator: NodeID, responder: NodeID,
                                   initiatorNonce: [UInt8], responderNonce: [UInt8]) -> HMACKey {
        let info = transcript("tenure v2 datagram", key: key, cluster: cluster, initiator: initiator, responder: responder,
                              initiatorNonce: [], responderNonce: [])
        return HMACKey(HKDF.deriveKey(inputKeyMaterial: key.secret, salt: initiatorNonce + responderNonce, info: info, length: 32))
    }

    /// Compares a received proof with the expected one in constant time.
    public static func proofMatches(_ received: [UInt8], _ expected: [UInt8]) -> Bool {
        ConstantTime.equals(received, expected)
    }

    private static func transcript(_ label: String, key: PeerKeyring.Key, cluster: UInt64, initiator: NodeID, responder: NodeID,
                                   initiatorNonce: [UInt8], responderNonce: [UInt8]) -> [UInt8] {
        var bytes = Array(label.utf8)
        bytes.append(0)
        bytes.appendBigEndian(cluster)
        for id in [initiator, responder] {
            bytes.append(UInt8(id.rawValue.utf8.count))
            bytes.append(contentsOf: id.rawValue.utf8)
        }
        bytes += initiatorNonce
        bytes += responderNonce
        bytes += key.id
        return bytes
    }
}

/// Tags and checks the frames of one authenticated connection, in one direction.
///
/// The tag is the first 16 bytes of HMAC-SHA256 under the session key over the direction, the
/// frame's sequence number on this connection and the whole frame, so a frame cannot be forged,
/// altered, reordered, replayed on this connection or moved to another one. The sequence
/// number is implicit (both sides count), so a dropped or repeated frame fails its tag.
public struct FrameAuthenticator: Sendable {
    public static let tagByteCount = 16
    /// Frames from the connection's initiator to its responder (the only direction that carries
    /// election messages; the responder sends only handshake frames).
    public static let initiatorToResponder: UInt8 = 1

    private let key: HMACKey
    private let direction: UInt8
    public private(set) var sequence: UInt64 = 0

    public init(key: HMACKey, direction: UInt8 = initiatorToResponder) {
        self.key = key
        self.direction = direction
    }

    /// The tag of the next frame; advances the sequence number.
    public mutating func tag(_ frame: UnsafeRawBufferPointer) -> [UInt8] {
        var authenticator = HMACSHA256(key: key)
        var prefix: [UInt8] = [direction]
        prefix.appendBigEndian(sequence)
        authenticator.update(prefix)
        authenticator.update(frame)
        sequence &+= 1
        return Array(authenticator.finalize().prefix(Self.tagByteCount))
    }

    /// Appends the next frame's tag to `frame`.
    public mutating func seal(_ frame: inout [UInt8]) {
        let tag = frame.withUnsafeBytes { self.tag($0) }
        frame += tag
    }

    /// Whether `tag` is the next frame's tag (compared in constant time); advances either way,
    /// but a failed check closes the connection, so the count never matters after one.
    public mutating func verify(_ frame: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer) -> Bool {
        ConstantTime.equals(self.tag(frame), Array(tag))
    }
}
