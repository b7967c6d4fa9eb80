import TenureCore
import TenurePOSIX
import TenureWire

/// What the runtime needs from the peer network: send frames and datagrams, hand over what
/// arrived, follow the configuration, and tell when a peer's process is gone.
///
/// Two implementations: `PeerTransport` (TCP connections and UDP beats, authenticated, driven by
/// the runtime's poll loop) and `InMemoryPeerNetwork` (a process-local hub, so runtime tests
/// build whole clusters without sockets or loopback addresses).
protocol PeerNetwork: AnyObject {
    var listenAddress: SocketAddress { get }
    var security: PeerSecurity { get }
    var ledger: PeerAuthLedger { get }
    /// Every other member's peer address (and this node's own).
    var peerAddresses: [NodeID: SocketAddress] { get }

    func start() throws(SystemError)
    func shutdown()
    /// Follows a configuration change: talk to exactly these peers.
    func updatePeers(_ addresses: [NodeID: SocketAddress])
    /// Queues one envelope for its peer; false when dropped (no connection, or a full queue).
    func send(_ envelope: Envelope, reports: [PeerReport], now: Instant) -> Bool
    /// Sends a beat or beat answer as a datagram; false when it could not go.
    func sendDatagram(_ envelope: Envelope) -> Bool
    /// Starts due reconnects and closes late handshakes; the next instant it needs attention.
    func maintain(now: Instant) -> Instant?
    /// The refusal seen from `peer` since the last call: evidence its process is gone.
    func takeRefusal(from peer: NodeID) -> Instant?
    /// Whether this node's connection to `peer` is up.
    func isConnected(to peer: NodeID) -> Bool
    /// The descriptors to poll, with what to wait for and a token to hand back.
    func pollRegistrations() -> [(fd: Int32, events: PollEvents, token: PeerPollToken)]
    /// Handles readiness of one registered descriptor; returns what arrived.
    func handle(_ token: PeerPollToken, events: PollEvents, now: Instant, log: Log,
                onReject: (PeerInputRejection, String) -> Void, onDatagramReject: (PeerInputRejection, String) -> Void) -> [PeerDelivery]
    /// What arrived without a descriptor (an in-memory network); empty for sockets.
    func takeDeliveries(now: Instant) -> [PeerDelivery]
    /// True when `takeDeliveries` has something now (the loop then does not sleep).
    var hasDeliveries: Bool { get }
}

/// One of the transport's descriptors, as the poll loop hands it back.
enum PeerPollToken {
    case listener
    case datagrams
    case inbound(Int32)
    case link(NodeID)
}

/// One message that arrived, with the reports its frame carried and how it came.
struct PeerDelivery {
    var envelope: Envelope
    var reports: [PeerReport]
    /// A beat or beat answer (a datagram).
    var datagram: Bool
}
