import TenureCore
import TenurePOSIX
import TenureWire

/// A process-local peer network: every node's transport is a mailbox in one hub, so tests run
/// whole clusters of real `NodeRuntime`s with no sockets, no addresses to hand out and no
/// timing of the machine's network stack in the way.
///
/// It keeps what the runtime relies on from the real transport: messages to a node arrive in the
/// order they were sent (per sender, as on one TCP connection), a message to a node whose process
/// is gone is refused (the evidence `PeerTransport` gets from a refused connect), and a cut link
/// drops messages silently (as a partition does). Nothing is authenticated: the wire is tested on
/// its own. Single-threaded, like the runtimes that use it.
final class InMemoryPeerNetwork {
    struct Queued {
        var delivery: PeerDelivery
    }

    fileprivate var mailboxes: [NodeID: [Queued]] = [:]
    /// Nodes whose transport has started and not shut down.
    fileprivate var running: Set<NodeID> = []
    /// Directed links that drop everything: `from -> to`.
    private(set) var cut: Set<Link> = []
    fileprivate var transports: [NodeID: InMemoryPeerTransport] = [:]

    struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    init() {}

    /// A transport for `node`, registered in this hub.
    func transport(for node: NodeID, listenAddress: SocketAddress, security: PeerSecurity, peers: [NodeID: SocketAddress]) -> InMemoryPeerTransport {
        let transport = InMemoryPeerTransport(node: node, network: self, listenAddress: listenAddress, security: security, peers: peers)
        transports[node] = transport
        return transport
    }

    /// Drops everything from `from` to `to` (both ways with `bothWays`) until `heal`.
    func cutLink(from: NodeID, to: NodeID, bothWays: Bool = true) {
        cut.insert(Link(from: from, to: to))
        if bothWays { cut.insert(Link(from: to, to: from)) }
    }

    func heal() { cut.removeAll() }

    /// The messages from `sender` that no node has taken yet, in sending order.
    func unread(from sender: NodeID) -> [Envelope] {
        mailboxes.values.flatMap { $0.lazy.filter { $0.delivery.envelope.from == sender }.map(\.delivery.envelope) }
    }

    fileprivate func deliver(_ delivery: PeerDelivery, now: Instant) -> Bool {
        let link = Link(from: delivery.envelope.from, to: delivery.envelope.to)
        guard running.contains(delivery.envelope.to) else {
            transports[delivery.envelope.from]?.refused(by: delivery.envelope.to, at: now)
            return false
        }
        guard !cut.contains(link) else { return true } // Lost on the way: the sender cannot tell.
        mailboxes[delivery.envelope.to, default: []].append(Queued(delivery: delivery))
        return true
    }
}

/// One node's end of an `InMemoryPeerNetwork`.
final class InMemoryPeerTransport: PeerNetwork {
    let node: NodeID
    unowned let network: InMemoryPeerNetwork
    let listenAddress: SocketAddress
    let security: PeerSecurity
    let ledger: PeerAuthLedger
    private(set) var peerAddresses: [NodeID: SocketAddress]
    private var refusals: [NodeID: Instant] = [:]

    fileprivate init(node: NodeID, network: InMemoryPeerNetwork, listenAddress: SocketAddress, security: PeerSecurity,
                     peers: [NodeID: SocketAddress]) {
        self.node = node
        self.network = network
        self.listenAddress = listenAddress
        self.security = security
        self.ledger = PeerAuthLedger(log: Log(node: node.rawValue, minimumLevel: .error))
        self.peerAddresses = peers
        peerAddresses[node] = listenAddress
    }

    fileprivate func refused(by peer: NodeID, at now: Instant) { refusals[peer] = now }

    func start() throws(SystemError) {
        network.running.insert(node)
        network.mailboxes[node] = []
    }

    func shutdown() {
        network.running.remove(node)
        network.mailboxes[node] = nil
    }

    func updatePeers(_ addresses: [NodeID: SocketAddress]) {
        peerAddresses = addresses
        peerAddresses[node] = listenAddress
    }

    func send(_ envelope: Envelope, reports: [PeerReport], now: Instant) -> Bool {
        guard peerAddresses[envelope.to] != nil, envelope.to != node else { return false }
        return network.deliver(PeerDelivery(envelope: envelope, reports: reports, datagram: false), now: now)
    }

    func sendDatagram(_ envelope: Envelope) -> Bool {
        guard peerAddresses[envelope.to] != nil, envelope.to != node else { return false }
        // A datagram to a node that is gone vanishes; no refusal is learned from it.
        guard network.running.contains(envelope.to) else { return false }
        return network.deliver(PeerDelivery(envelope: envelope, reports: [], datagram: true), now: .zero)
    }

    func maintain(now: Instant) -> Instant? { nil }

    func takeRefusal(from peer: NodeID) -> Instant? { refusals.removeValue(forKey: peer) }

    func isConnected(to peer: NodeID) -> Bool {
        network.running.contains(peer) && !network.cut.contains(InMemoryPeerNetwork.Link(from: node, to: peer))
    }

    func pollRegistrations() -> [(fd: Int32, events: PollEvents, token: PeerPollToken)] { [] }

    func handle(_ token: PeerPollToken, events: PollEvents, now: Instant, log: Log,
                onReject: (PeerInputRejection, String) -> Void, onDatagramReject: (PeerInputRejection, String) -> Void) -> [PeerDelivery] {
        []
    }

    func takeDeliveries(now: Instant) -> [PeerDelivery] {
        guard let queued = network.mailboxes[node], !queued.isEmpty else { return [] }
        network.mailboxes[node] = []
        return queued.map(\.delivery)
    }

    var hasDeliveries: Bool { !(network.mailboxes[node]?.isEmpty ?? true) }
}
