import TenureCore
import TenureWire

/// One connection a peer opened to this node, carrying frames from that peer only.
///
/// This node accepted it, so it is the handshake's responder: it waits for `hello`, answers
/// `challenge`, and binds the connection to the peer once its `proof` checks out. Until then
/// no election message is accepted; afterwards every one must carry the session's tag and name
/// that peer as its sender. Anything else closes it. The decoder bounds memory.
struct InboundConnection {
    enum Stage {
        case awaitingHello
        case awaitingProof(hello: Hello, responderNonce: [UInt8], key: PeerKeyring.Key?)
        case authenticated
    }

    let fd: Int32
    let remoteHost: String
    var decoder: FrameDecoder
    var stage: Stage = .awaitingHello
    /// The peer this connection carries frames from, once the handshake proved who it is.
    var boundPeer: NodeID?
    var openedAt: Instant
    /// No byte has arrived yet: the first to go when one address holds too many unfinished handshakes.
    var silent = true

    var isAuthenticated: Bool { if case .authenticated = stage { true } else { false } }
}

/// Why peer input was refused; each reason is a metric label and an event-log field.
enum PeerInputRejection: CustomStringConvertible {
    case wire(WireError)
    case unknownNode(NodeID)
    case wrongRecipient(NodeID)
    case senderChanged(from: NodeID, to: NodeID)
    case addressMismatch(peer: NodeID, host: String)

    /// Every `reason`, so that metrics expose each one at zero before it happens.
    static let allReasons = WireError.counterNames + ["unknown_node", "wrong_recipient", "sender_changed", "address_mismatch"]

    var reason: String {
        switch self {
        case .wire(let error): error.counterName
        case .unknownNode: "unknown_node"
        case .wrongRecipient: "wrong_recipient"
        case .senderChanged: "sender_changed"
        case .addressMismatch: "address_mismatch"
        }
    }

    var description: String {
        switch self {
        case .wire(let error): "\(error)"
        case .unknownNode(let node): "frame from unknown node '\(node)'"
        case .wrongRecipient(let node): "frame addressed to '\(node)', not this node"
        case .senderChanged(let from, let to): "connection bound to \(from) carried a frame from \(to)"
        case .addressMismatch(let peer, let host): "frame from \(peer) arrived from \(host), not its configured address"
        }
    }
}
