import TenurePOSIX
import TenureCore
import TenureWire

/// Carries envelopes between this node and its peers over TCP.
///
/// One outbound `PeerLink` per peer for sending; inbound connections, accepted on this node's
/// peer address, for receiving. Nothing here blocks: the runtime's poll loop drives it.
final class PeerTransport {
    let selfID: NodeID
    let listenAddress: SocketAddress
    let clusterID: UInt64
    let peerAddresses: [NodeID: SocketAddress]
    private(set) var links: [PeerLink]
    private var linkIndex: [NodeID: Int] = [:]
    private(set) var inbound: [Int32: InboundConnection] = [:]
    private(set) var listener: Int32 = -1
    private let log: Log
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// More inbound connections than this means something other than peers is connecting.
    static let maximumInboundConnections = 64

    init(selfID: NodeID, peerAddresses: [NodeID: SocketAddress], clusterID: UInt64, configuration: Configuration,
         seed: UInt64, log: Log) {
        self.selfID = selfID
        self.listenAddress = peerAddresses[selfID]!
        self.clusterID = clusterID
        self.peerAddresses = peerAddresses
        self.log = log
        var links: [PeerLink] = []
        for (offset, peer) in configuration.peers.enumerated() {
            linkIndex[peer] = links.count
            links.append(PeerLink(peer: peer, address: peerAddresses[peer]!, heartbeatInterval: configuration.heartbeatInterval,
                                  electionTimeoutMin: configuration.electionTimeoutMin, seed: seed &+ UInt64(offset) &* 7919))
        }
        self.links = links
    }

    func start() throws(SystemError) {
        listener = try Socket.listen(on: listenAddress)
    }

    /// Encodes and queues one envelope on its peer's link; false when dropped (link down or full).
    @discardableResult
    func send(_ envelope: Envelope, reports: [PeerReport] = [], now: Instant) -> Bool {
        guard let index = linkIndex[envelope.to] else { return false }
        let link = links[index]
        guard link.enqueue(FrameCodec.encode(envelope, clusterID: clusterID, reports: reports)) else { return false }
        link.flush(now: now, log: log)
        return true
    }

    /// Starts due reconnects; returns the earliest instant a link needs attention.
    func maintain(now: Instant) -> Instant? {
        var earliest: Instant?
        for link in links {
            if let due = link.maintain(now: now, source: listenAddress.host, log: log) {
                earliest = min(earliest ?? due, due)
            }
        }
        return earliest
    }

    /// Accepts waiting peer connections.
    func acceptConnections(now: Instant, onReject: (PeerInputRejection, String) -> Void) {
        while let (fd, host) = Socket.accept(listener) {
            guard inbound.count < Self.maximumInboundConnections else {
                Descriptor.close(fd)
                onReject(.tooManyConnections, host)
                continue
            }
            inbound[fd] = InboundConnection(fd: fd, remoteHost: host, decoder: FrameDecoder(clusterID: clusterID), openedAt: now)
        }
    }

    /// Reads from one inbound connection and returns the frames it carried. Bad input closes
    /// the connection; frames decoded before the bad one are still returned.
    func readInbound(fd: Int32, now: Instant, onReject: (PeerInputRejection, String) -> Void) -> [DecodedFrame] {
        guard var connection = inbound[fd] else { return [] }
        var frames: [DecodedFrame] = []
        var open = true
        readLoop: while open {
            let result = readBuffer.withUnsafeMutableBytes { Socket.read(fd, into: $0) }
            switch result {
            case .bytes(let count):
                readBuffer.withUnsafeBytes { connection.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                do {
                    while let frame = try connection.decoder.nextFrame() {
                        if let rejection = validate(frame.envelope, on: &connection) {
                            onReject(rejection, connection.remoteHost)
                            open = false
                            break readLoop
                        }
                        frames.append(frame)
                    }
                } catch {
                    onReject(.wire(error), connection.remoteHost)
                    open = false
                }
                if count < readBuffer.count { break readLoop }
            case .wouldBlock:
                break readLoop
            case .closed, .failed:
                open = false
            }
        }
        if open {
            inbound[fd] = connection
        } else {
            closeInbound(fd)
        }
        return frames
    }

    /// Checks the sender and recipient of a decoded frame, binding the connection to its sender.
    private func validate(_ envelope: Envelope, on connection: inout InboundConnection) -> PeerInputRejection? {
        guard envelope.to == selfID else { return .wrongRecipient(envelope.to) }
        guard envelope.from != selfID, let address = peerAddresses[envelope.from] else { return .unknownNode(envelope.from) }
        guard address.host == connection.remoteHost else { return .addressMismatch(peer: envelope.from, host: connection.remoteHost) }
        if let bound = connection.boundPeer {
            guard bound == envelope.from else { return .senderChanged(from: bound, to: envelope.from) }
        } else {
            connection.boundPeer = envelope.from
            // A peer keeps one connection to us; older ones are left over from before a
            // reconnect (possibly behind a partition that swallowed the FIN), so reap them.
            for (otherFD, other) in inbound where otherFD != connection.fd && other.boundPeer == envelope.from {
                closeInbound(otherFD)
            }
        }
        return nil
    }

    func closeInbound(_ fd: Int32) {
        guard inbound.removeValue(forKey: fd) != nil else { return }
        Descriptor.close(fd)
    }

    func shutdown() {
        for link in links { link.closeForShutdown() }
        for fd in inbound.keys { Descriptor.close(fd) }
        inbound.removeAll()
        if listener >= 0 { Descriptor.close(listener) }
        listener = -1
    }

    func link(for peer: NodeID) -> PeerLink? { linkIndex[peer].map { links[$0] } }
}
