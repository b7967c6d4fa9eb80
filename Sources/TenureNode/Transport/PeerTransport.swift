import TenurePOSIX
import TenureCore
import TenureWire

/// Carries envelopes between this node and its peers over TCP.
///
/// One outbound `PeerLink` per peer for sending; inbound connections, accepted on this node's
/// peer address, for receiving. Nothing here blocks: the runtime's poll loop drives it.
///
/// The peer port cannot be starved: a connection from an address that is no configured peer's
/// is closed at once; one that has not finished its handshake within `handshakeTimeout` is
/// closed; each address may hold at most `maximumUnauthenticatedPerAddress` unfinished
/// handshakes (a newcomer evicts that address's oldest silent one, else its oldest); and an
/// authenticated connection replaces its peer's older ones. So however many idle connections a
/// local process opens, a real peer's connection, which sends `hello` at once and finishes in
/// one round trip, gets in.
final class PeerTransport: PeerNetwork {
    let selfID: NodeID
    let listenAddress: SocketAddress
    let clusterID: UInt64
    /// Every other member's peer address (and this node's own); changes with the configuration.
    private(set) var peerAddresses: [NodeID: SocketAddress]
    let security: PeerSecurity
    let ledger: PeerAuthLedger
    private(set) var links: [PeerLink]
    private var linkIndex: [NodeID: Int] = [:]
    private(set) var inbound: [Int32: InboundConnection] = [:]
    private(set) var listener: Int32 = -1
    /// The UDP socket on the peer address that carries lease beats and their answers.
    private(set) var datagramSocket: Int32 = -1
    /// Opens each peer's beats: the key of that peer's latest authenticated connection to this
    /// node, with the newest sequence number accepted. Kept when the connection closes (beats
    /// need no connection), replaced by the next handshake, dropped when the peer leaves.
    private var openers: [NodeID: DatagramOpener] = [:]
    private var datagramBuffer = [UInt8](repeating: 0, count: DatagramCodec.maximumBytes)
    /// Most datagrams read in one turn, so a flood cannot starve the rest of the loop.
    static let maximumDatagramsPerTurn = 256
    private let log: Log
    private var peerHosts: Set<String>
    private let configuration: Configuration
    private let seed: UInt64
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    static let maximumUnauthenticatedPerAddress = 4
    static let handshakeTimeout = PeerLink.handshakeTimeout

    /// `peerAddresses` holds this node's own address and those of the members it talks to.
    init(selfID: NodeID, listenAddress: SocketAddress, peerAddresses: [NodeID: SocketAddress], clusterID: UInt64,
         configuration: Configuration, security: PeerSecurity, seed: UInt64, log: Log) {
        self.selfID = selfID
        self.listenAddress = listenAddress
        self.clusterID = clusterID
        self.peerAddresses = [:]
        self.security = security
        self.log = log
        self.ledger = PeerAuthLedger(log: log)
        self.peerHosts = []
        self.configuration = configuration
        self.seed = seed
        self.links = []
        updatePeers(peerAddresses)
    }

    /// Follows a configuration change: a link to every new member, none to a departed one
    /// (its connection closed), and the handshake accepts exactly the current members.
    func updatePeers(_ addresses: [NodeID: SocketAddress]) {
        var addresses = addresses
        addresses[selfID] = nil
        guard addresses != peerAddresses.filter({ $0.key != selfID }) || links.count != addresses.count else { return }
        var kept: [PeerLink] = []
        for link in links {
            if addresses[link.peer] == link.address {
                kept.append(link)
            } else {
                link.closeForShutdown()
            }
        }
        for (peer, address) in addresses.sorted(by: { $0.key < $1.key }) where !kept.contains(where: { $0.peer == peer }) {
            var hash: UInt64 = 0
            for byte in peer.rawValue.utf8 { hash = hash &* 31 &+ UInt64(byte) }
            kept.append(PeerLink(peer: peer, address: address, selfID: selfID, clusterID: clusterID,
                                 security: security, ledger: ledger, heartbeatInterval: configuration.heartbeatInterval,
                                 electionTimeoutMin: configuration.electionTimeoutMin, seed: seed &+ hash &* 7919))
        }
        links = kept
        linkIndex = [:]
        for (index, link) in links.enumerated() { linkIndex[link.peer] = index }
        peerAddresses = addresses
        peerAddresses[selfID] = listenAddress
        peerHosts = Set(addresses.values.map(\.host))
        openers = openers.filter { addresses[$0.key] != nil }
        // Connections from members that left stay open (a removed leader still hands over on
        // its connection; the core ignores what else a non-member sends), but no new one is
        // accepted from them.
    }

    func start() throws(SystemError) {
        listener = try Socket.listen(on: listenAddress)
        do {
            datagramSocket = try Socket.bindDatagram(on: listenAddress)
        } catch {
            Descriptor.close(listener)
            listener = -1
            throw error
        }
    }

    /// Sends a beat or a beat's answer as one datagram to its peer's address; false when it
    /// could not go (no handshake with that peer yet, or the kernel refused it).
    @discardableResult
    func sendDatagram(_ envelope: Envelope) -> Bool {
        guard datagramSocket >= 0, let index = linkIndex[envelope.to], let datagram = links[index].sealDatagram(envelope) else { return false }
        return Socket.sendDatagram(datagramSocket, datagram, to: links[index].address)
    }

    /// Reads the datagrams waiting (at most `maximumDatagramsPerTurn`): each must come from a
    /// configured peer's address, name this node, and pass its sender's key before it is decoded.
    /// Bad ones are dropped and reported; nothing else is affected (there is no connection to close).
    func readDatagrams(now: Instant, onReject: (PeerInputRejection, String) -> Void) -> [Envelope] {
        var envelopes: [Envelope] = []
        for _ in 0..<Self.maximumDatagramsPerTurn {
            guard let (count, source) = datagramBuffer.withUnsafeMutableBytes({ Socket.receiveDatagram(datagramSocket, into: $0) }) else { break }
            guard peerHosts.contains(source.host) else {
                ledger.failed("host \(source.host)", reason: "not_a_peer", detail: "a datagram from \(source), which is no configured peer's address, was dropped", now: now)
                continue
            }
            guard count <= datagramBuffer.count else {
                onReject(.wire(.frameTooLarge(count)), source.host)
                continue
            }
            let datagram = Array(datagramBuffer[0..<count])
            do throws(WireError) {
                let header = try DatagramCodec.header(datagram, clusterID: clusterID)
                guard header.to == selfID else {
                    onReject(.wrongRecipient(header.to), source.host)
                    continue
                }
                guard let address = peerAddresses[header.from], header.from != selfID, address == source else {
                    onReject(.addressMismatch(peer: header.from, host: source.description), source.host)
                    continue
                }
                guard openers[header.from] != nil else {
                    // No connection from that peer has been authenticated yet: nothing to check a tag with.
                    onReject(.wire(.unauthenticated), source.host)
                    continue
                }
                envelopes.append(try openers[header.from]!.open(datagram, header: header))
            } catch {
                // A bad tag is not charged to the peer's handshake ledger: right after a peer
                // reconnects, its first beats may carry the new key before its proof, on the TCP
                // connection, has installed it here. Counted and logged, like any refused input.
                onReject(.wire(error), source.host)
            }
        }
        return envelopes
    }

    // MARK: - PeerNetwork

    func takeRefusal(from peer: NodeID) -> Instant? { link(for: peer)?.takeRefusal() }

    func isConnected(to peer: NodeID) -> Bool { link(for: peer)?.isConnected ?? false }

    func pollRegistrations() -> [(fd: Int32, events: PollEvents, token: PeerPollToken)] {
        var registrations: [(fd: Int32, events: PollEvents, token: PeerPollToken)] = []
        if listener >= 0 { registrations.append((listener, .readable, .listener)) }
        if datagramSocket >= 0 { registrations.append((datagramSocket, .readable, .datagrams)) }
        for fd in inbound.keys { registrations.append((fd, .readable, .inbound(fd))) }
        for link in links {
            if let fd = link.descriptor, !link.pollEvents.isEmpty { registrations.append((fd, link.pollEvents, .link(link.peer))) }
        }
        return registrations
    }

    func handle(_ token: PeerPollToken, events: PollEvents, now: Instant, log: Log,
                onReject: (PeerInputRejection, String) -> Void, onDatagramReject: (PeerInputRejection, String) -> Void) -> [PeerDelivery] {
        switch token {
        case .listener:
            acceptConnections(now: now, onReject: onReject)
            return []
        case .datagrams:
            return readDatagrams(now: now, onReject: onDatagramReject).map { PeerDelivery(envelope: $0, reports: [], datagram: true) }
        case .inbound(let fd):
            return readInbound(fd: fd, now: now, onReject: onReject).map { PeerDelivery(envelope: $0.envelope, reports: $0.reports, datagram: false) }
        case .link(let peer):
            link(for: peer)?.handle(events: events, now: now, log: log)
            return []
        }
    }

    func takeDeliveries(now: Instant) -> [PeerDelivery] { [] }

    var hasDeliveries: Bool { false }

    /// Encodes and queues one envelope on its peer's link; false when dropped (link down or full).
    @discardableResult
    func send(_ envelope: Envelope, reports: [PeerReport] = [], now: Instant) -> Bool {
        guard let index = linkIndex[envelope.to] else { return false }
        let link = links[index]
        guard link.enqueue(FrameCodec.encode(envelope, clusterID: clusterID, reports: reports)) else { return false }
        link.flush(now: now, log: log)
        return true
    }

    /// Starts due reconnects and closes handshakes past their deadline; returns the earliest
    /// instant a link or connection needs attention.
    func maintain(now: Instant) -> Instant? {
        var earliest: Instant?
        for link in links {
            if let due = link.maintain(now: now, source: listenAddress.host, log: log) {
                earliest = min(earliest ?? due, due)
            }
        }
        for (fd, connection) in inbound where !connection.isAuthenticated {
            let deadline = connection.openedAt + Self.handshakeTimeout
            if now >= deadline {
                ledger.failed(subject(of: connection), reason: "handshake_timeout",
                              detail: "a connection from \(connection.remoteHost) did not finish its handshake within \(Self.handshakeTimeout)", now: now)
                closeInbound(fd)
            } else {
                earliest = min(earliest ?? deadline, deadline)
            }
        }
        return earliest
    }

    /// Accepts waiting peer connections, and reads the `hello` each may already have sent.
    func acceptConnections(now: Instant, onReject: (PeerInputRejection, String) -> Void) {
        var accepted: [Int32] = []
        while let (fd, host) = Socket.accept(listener) {
            guard peerHosts.contains(host) else {
                Descriptor.close(fd)
                ledger.failed("host \(host)", reason: "not_a_peer", detail: "a connection from \(host), which is no configured peer's address, was closed", now: now)
                continue
            }
            makeRoom(forAnotherFrom: host)
            inbound[fd] = InboundConnection(fd: fd, remoteHost: host,
                                            decoder: FrameDecoder(clusterID: clusterID, authentication: .awaitingHandshake), openedAt: now)
            accepted.append(fd)
        }
        for fd in accepted where inbound[fd] != nil {
            let frames = readInbound(fd: fd, now: now, onReject: onReject)
            assert(frames.isEmpty, "no election message can arrive before the handshake")
        }
    }

    /// At most `maximumUnauthenticatedPerAddress` unfinished handshakes per address: evict that
    /// address's oldest silent connection, else its oldest unfinished one.
    private func makeRoom(forAnotherFrom host: String) {
        let pending = inbound.values.filter { $0.remoteHost == host && !$0.isAuthenticated }
        guard pending.count >= Self.maximumUnauthenticatedPerAddress else { return }
        let victim = pending.filter(\.silent).min { $0.openedAt < $1.openedAt } ?? pending.min { $0.openedAt < $1.openedAt }
        if let victim { closeInbound(victim.fd) }
    }

    /// Reads from one inbound connection: handshake frames are answered here, and the election
    /// messages of an authenticated connection are returned. Bad input closes the connection;
    /// messages decoded before the bad frame are still returned.
    func readInbound(fd: Int32, now: Instant, onReject: (PeerInputRejection, String) -> Void) -> [DecodedFrame] {
        guard var connection = inbound[fd] else { return [] }
        var frames: [DecodedFrame] = []
        var open = true
        readLoop: while open {
            let result = readBuffer.withUnsafeMutableBytes { Socket.read(fd, into: $0) }
            switch result {
            case .bytes(let count):
                connection.silent = false
                readBuffer.withUnsafeBytes { connection.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                do {
                    while open, let frame = try connection.decoder.nextPeerFrame() {
                        switch frame {
                        case .handshake(let message):
                            open = respond(to: message, on: &connection, now: now)
                        case .message(let decoded):
                            if let rejection = validate(decoded.envelope, on: connection) {
                                onReject(rejection, connection.remoteHost)
                                open = false
                            } else {
                                frames.append(decoded)
                            }
                        }
                    }
                } catch {
                    refuseAfter(error, on: connection, now: now, onReject: onReject)
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

    /// The responder's side of the handshake; false when the connection is to be closed.
    private func respond(to message: HandshakeMessage, on connection: inout InboundConnection, now: Instant) -> Bool {
        switch (connection.stage, message) {
        case (.awaitingHello, .hello(let hello)):
            guard hello.to == selfID else {
                return refuse(.protocolViolation, "this node is \(selfID), not \(hello.to)", peer: nil, on: connection, now: now)
            }
            guard hello.from != selfID, let address = peerAddresses[hello.from], address.host == connection.remoteHost else {
                return refuse(.notAPeer, "\(hello.from) from \(connection.remoteHost) is not a configured peer at that address", peer: nil, on: connection, now: now)
            }
            guard hello.insecure == security.insecure else {
                let detail = security.insecure
                    ? "\(selfID) runs with --insecure-peers, but \(hello.from) uses a peer key"
                    : "\(selfID) requires a peer key, but \(hello.from) runs with --insecure-peers"
                return refuse(.insecureMismatch, detail, peer: nil, on: connection, now: now)
            }
            var key: PeerKeyring.Key?
            if let keyring = security.keyring {
                guard let found = keyring.key(id: hello.keyID) else {
                    // Charged to the address, not the peer: nothing is proven yet, and a forged
                    // hello must not mark a healthy peer as failing.
                    return refuse(.unknownKey, "\(hello.from) signs with key \(PeerKeyring.Key.idText(hello.keyID)), which is not in \(selfID)'s --peer-key-file",
                                  peer: nil, on: connection, now: now)
                }
                key = found
            }
            guard let nonce = PeerSecurity.nonce() else {
                log.error("no random bytes for a handshake nonce (getrandom failed); closing the connection from \(hello.from)")
                return false
            }
            let proof = key.map {
                Handshake.responderProof(key: $0, cluster: clusterID, initiator: hello.from, responder: selfID,
                                         initiatorNonce: hello.nonce, responderNonce: nonce)
            } ?? []
            let challenge = FrameCodec.encode(.challenge(Challenge(from: selfID, to: hello.from, nonce: nonce, proof: proof)), clusterID: clusterID)
            // A fresh socket takes a few hundred bytes at once; one that does not is not worth waiting for.
            guard Socket.write(connection.fd, challenge, from: 0) == challenge.count else { return false }
            connection.stage = .awaitingProof(hello: hello, responderNonce: nonce, key: key)
            return true
        case (.awaitingProof(let hello, let nonce, let key), .proof(let proof)):
            if let key {
                let expected = Handshake.initiatorProof(key: key, cluster: clusterID, initiator: hello.from, responder: selfID,
                                                        initiatorNonce: hello.nonce, responderNonce: nonce)
                guard Handshake.proofMatches(proof.proof, expected) else {
                    return refuse(.badProof, "\(hello.from) could not prove it holds key \(key.idText)", peer: hello.from, on: connection, now: now)
                }
                connection.decoder.authentication = .session(FrameAuthenticator(key: Handshake.sessionKey(
                    key: key, cluster: clusterID, initiator: hello.from, responder: selfID, initiatorNonce: hello.nonce, responderNonce: nonce)))
            } else {
                connection.decoder.authentication = .notRequired
            }
            connection.stage = .authenticated
            connection.boundPeer = hello.from
            openers[hello.from] = DatagramOpener(key: key.map {
                Handshake.datagramKey(key: $0, cluster: clusterID, initiator: hello.from, responder: selfID,
                                      initiatorNonce: hello.nonce, responderNonce: nonce)
            })
            ledger.succeeded(hello.from.rawValue, now: now)
            // A peer keeps one connection to us; older ones are left over from before a
            // reconnect (possibly behind a partition that swallowed the FIN), so reap them.
            for (otherFD, other) in inbound where otherFD != connection.fd && other.boundPeer == hello.from {
                closeInbound(otherFD)
            }
            return true
        default:
            return refuse(.protocolViolation, "unexpected \(message.kindName) from \(connection.remoteHost) during the handshake",
                          peer: connection.boundPeer, on: connection, now: now)
        }
    }

    /// Sends a refusal (best effort), counts and logs it; always false (close the connection).
    private func refuse(_ reason: Refusal.Reason, _ detail: String, peer: NodeID?, on connection: InboundConnection, now: Instant) -> Bool {
        let frame = FrameCodec.encode(.refusal(Refusal(reason, detail)), clusterID: clusterID)
        _ = Socket.write(connection.fd, frame, from: 0)
        ledger.failed(peer?.rawValue ?? subject(of: connection), reason: reason.label, detail: detail, now: now)
        return false
    }

    /// Bad bytes: an old wire version gets a refusal that says so; a bad tag or an election
    /// message before the handshake is an authentication failure; the rest is malformed input.
    private func refuseAfter(_ error: WireError, on connection: InboundConnection, now: Instant, onReject: (PeerInputRejection, String) -> Void) {
        switch error {
        case .unsupportedVersion(let version):
            _ = refuse(.unsupportedVersion, "\(selfID) speaks peer wire version \(FrameCodec.wireVersion), not \(version): upgrade every node to the same release",
                       peer: connection.boundPeer, on: connection, now: now)
        case .badTag, .unauthenticated:
            ledger.failed(connection.boundPeer?.rawValue ?? subject(of: connection), reason: error.counterName, detail: "\(error)", now: now)
        default:
            onReject(.wire(error), connection.remoteHost)
        }
    }

    private func subject(of connection: InboundConnection) -> String {
        connection.boundPeer?.rawValue ?? "host \(connection.remoteHost)"
    }

    /// Checks the sender and recipient of a message on an authenticated connection.
    private func validate(_ envelope: Envelope, on connection: InboundConnection) -> PeerInputRejection? {
        guard envelope.to == selfID else { return .wrongRecipient(envelope.to) }
        guard let bound = connection.boundPeer else { return .unknownNode(envelope.from) }
        guard bound == envelope.from else { return .senderChanged(from: bound, to: envelope.from) }
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
        if datagramSocket >= 0 { Descriptor.close(datagramSocket) }
        datagramSocket = -1
    }

    func link(for peer: NodeID) -> PeerLink? { linkIndex[peer].map { links[$0] } }
}
