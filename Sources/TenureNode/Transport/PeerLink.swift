import TenurePOSIX
import TenureCore
import TenureWire

/// The one outbound TCP connection from this node to one peer.
///
/// Each peer has its own link with its own bounded queue, so a slow or dead peer never delays
/// heartbeats to the others. While disconnected, messages are dropped rather than queued: a
/// heartbeat or vote delivered seconds late is worthless, and the core repeats what matters.
///
/// This node dials, so it is the handshake's initiator: `hello` as soon as TCP connects, then
/// the peer's `challenge` must prove it holds the key, and this node's `proof` completes it.
/// Only then are messages queued, each sealed with the session's tag in queue order.
final class PeerLink {
    enum State {
        case idle(retryAt: Instant)
        case connecting(fd: Int32, since: Instant)
        case handshaking(fd: Int32, since: Instant, nonce: [UInt8], key: PeerKeyring.Key?)
        case connected(fd: Int32, since: Instant)
    }

    /// A handshake not finished by then is abandoned (a peer that accepts but never answers).
    static let handshakeTimeout = Interval.seconds(1)

    let peer: NodeID
    let address: SocketAddress
    let selfID: NodeID
    let clusterID: UInt64
    let security: PeerSecurity
    let ledger: PeerAuthLedger
    private(set) var state: State
    /// Seals each queued message while connected with authentication; nil otherwise.
    private var authenticator: FrameAuthenticator?
    /// Reads the peer's handshake frames (it sends nothing after them).
    private var decoder: FrameDecoder
    /// Seals the lease beats this node sends the peer as datagrams, under a key of this link's
    /// latest handshake. It outlives the connection (a beat needs no connection, only a key both
    /// ends hold) and is replaced by the next handshake's; nil until the first one completes.
    private(set) var datagramSealer: DatagramSealer?
    /// Set when a connection attempt was refused (nothing listens on the peer's port): evidence
    /// that its process is gone, which a partition never gives. Taken by the runtime.
    private(set) var refusedAt: Instant?

    /// The refusal seen since the last call, if any.
    func takeRefusal() -> Instant? {
        defer { refusedAt = nil }
        return refusedAt
    }
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var backoff: Interval
    private var random: SeededRandom

    /// How long a connection must have lived for its loss to reset the reconnect backoff.
    static let healthyConnectionAge = Interval.seconds(1)
    /// Queue limit: far above what heartbeats need, small enough to bound memory per peer.
    static let maximumPendingBytes = 64 * 1024
    let initialBackoff = Interval.milliseconds(20)
    let maximumBackoff: Interval
    let connectTimeout: Interval
    let userTimeoutMilliseconds: Int32

    init(peer: NodeID, address: SocketAddress, selfID: NodeID, clusterID: UInt64, security: PeerSecurity, ledger: PeerAuthLedger,
         heartbeatInterval: Interval, electionTimeoutMin: Interval, seed: UInt64) {
        self.peer = peer
        self.address = address
        self.selfID = selfID
        self.clusterID = clusterID
        self.security = security
        self.ledger = ledger
        self.decoder = FrameDecoder(clusterID: clusterID, authentication: .awaitingHandshake)
        self.state = .idle(retryAt: .zero)
        self.backoff = initialBackoff
        // Reconnects are capped at a few heartbeats so a healed link carries heartbeats again
        // well within one election timeout.
        self.maximumBackoff = heartbeatInterval * 5
        self.connectTimeout = Interval(nanoseconds: electionTimeoutMin.nanoseconds / 2)
        self.userTimeoutMilliseconds = Int32(max(200, electionTimeoutMin.nanoseconds / 2_000_000))
        self.random = SeededRandom(seed: seed)
    }

    var descriptor: Int32? {
        switch state {
        case .idle: nil
        case .connecting(let fd, _), .handshaking(let fd, _, _, _), .connected(let fd, _): fd
        }
    }

    var isConnected: Bool { if case .connected = state { true } else { false } }

    /// Poll events this link waits for: connect completion or room to write, and always
    /// readability so a closed connection is noticed at once.
    var pollEvents: PollEvents {
        switch state {
        case .idle: []
        case .connecting: .writable
        case .handshaking, .connected: pendingOffset < pending.count ? [.readable, .writable] : .readable
        }
    }

    /// Enqueues one encoded message frame, sealed with its tag; false when it had to be dropped
    /// (not connected and authenticated, or the queue is full). A dropped frame takes no
    /// sequence number, so the peer's count stays in step.
    func enqueue(_ frame: [UInt8]) -> Bool {
        let sealedCount = frame.count + (authenticator == nil ? 0 : FrameAuthenticator.tagByteCount)
        guard isConnected, pending.count - pendingOffset + sealedCount <= Self.maximumPendingBytes else { return false }
        pending.append(contentsOf: frame)
        let start = pending.count - frame.count
        // Optional chaining tags (and advances the sequence number) only on an authenticated link.
        if let tag = pending.withUnsafeBytes({ authenticator?.tag(UnsafeRawBufferPointer(rebasing: $0[start...])) }) {
            pending.append(contentsOf: tag)
        }
        return true
    }

    /// Starts a connection attempt when one is due; returns the next instant this link needs attention.
    func maintain(now: Instant, source: String, log: Log) -> Instant? {
        switch state {
        case .idle(let retryAt):
            guard now >= retryAt else { return retryAt }
            do {
                let fd = try Socket.connect(from: source, to: address, userTimeoutMilliseconds: userTimeoutMilliseconds)
                state = .connecting(fd: fd, since: now)
                return now + connectTimeout
            } catch {
                log.debug("connect to \(peer) at \(address) failed: \(error)")
                if error.errno == SystemError.connectionRefused { refusedAt = now }
                scheduleRetry(now: now)
                return nil
            }
        case .connecting(_, let since):
            if now >= since + connectTimeout {
                log.debug("connect to \(peer) at \(address) timed out")
                disconnect(now: now)
                return nil
            }
            return since + connectTimeout
        case .handshaking(_, let since, _, _):
            if now >= since + Self.handshakeTimeout {
                ledger.failed(peer.rawValue, reason: "handshake_timeout", detail: "\(peer) at \(address) did not answer the handshake within \(Self.handshakeTimeout)", now: now)
                disconnect(now: now)
                return nil
            }
            return since + Self.handshakeTimeout
        case .connected:
            return nil
        }
    }

    /// Handles poll results for this link.
    func handle(events: PollEvents, now: Instant, log: Log) {
        switch state {
        case .idle:
            return
        case .connecting(let fd, _):
            let error = Socket.pendingError(fd)
            if error == 0 && events.contains(.writable) {
                startHandshake(fd: fd, now: now, log: log)
            } else if error != 0 || !events.isDisjoint(with: [.error, .hangUp]) {
                log.debug("connect to \(peer) at \(address) failed: \(SystemError.text(of: error))")
                if error == SystemError.connectionRefused { refusedAt = now }
                disconnect(now: now)
            }
        case .handshaking(let fd, _, _, _):
            if events.contains(.readable) {
                var scratch = [UInt8](repeating: 0, count: 1024)
                switch scratch.withUnsafeMutableBytes({ Socket.read(fd, into: $0) }) {
                case .bytes(let count):
                    scratch.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    continueHandshake(now: now, log: log)
                    if case .idle = state { return }
                case .wouldBlock:
                    break
                case .closed, .failed:
                    ledger.failed(peer.rawValue, reason: "refused_by_peer",
                                  detail: "\(peer) at \(address) closed the connection during the handshake (an older Tenure, another --cluster, or it refuses this node)", now: now)
                    disconnect(now: now)
                    return
                }
            }
            if !events.isDisjoint(with: [.error, .hangUp]) {
                disconnect(now: now)
                return
            }
            if events.contains(.writable) { flush(now: now, log: log) }
        case .connected(let fd, _):
            if events.contains(.readable) {
                // Peers write nothing after the handshake; readable means closed or reset.
                var scratch = [UInt8](repeating: 0, count: 256)
                let result = scratch.withUnsafeMutableBytes { Socket.read(fd, into: $0) }
                switch result {
                case .bytes, .wouldBlock: break
                case .closed, .failed:
                    log.info("connection to \(peer) closed")
                    disconnect(now: now)
                    return
                }
            }
            if !events.isDisjoint(with: [.error, .hangUp]) {
                log.info("connection to \(peer) failed")
                disconnect(now: now)
                return
            }
            if events.contains(.writable) { flush(now: now, log: log) }
        }
    }

    /// TCP is up: send `hello` with a fresh nonce and the id of the key this node signs with.
    private func startHandshake(fd: Int32, now: Instant, log: Log) {
        guard let nonce = PeerSecurity.nonce() else {
            log.error("no random bytes for a handshake nonce (getrandom failed); retrying the connection to \(peer) later")
            disconnect(now: now)
            return
        }
        let key = security.keyring?.signing
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        decoder = FrameDecoder(clusterID: clusterID, authentication: .awaitingHandshake)
        authenticator = nil
        let hello = Hello(from: selfID, to: peer, insecure: key == nil, keyID: key?.id ?? [UInt8](repeating: 0, count: Handshake.keyIDByteCount), nonce: nonce)
        pending = FrameCodec.encode(.hello(hello), clusterID: clusterID)
        state = .handshaking(fd: fd, since: now, nonce: nonce, key: key)
        flush(now: now, log: log)
    }

    /// Acts on the peer's answer: a valid `challenge` is answered with `proof` and the link is
    /// connected; anything else ends the connection, counted and logged by reason.
    private func continueHandshake(now: Instant, log: Log) {
        guard case .handshaking(let fd, let since, let nonce, let key) = state else { return }
        let frame: PeerFrame?
        do {
            frame = try decoder.nextPeerFrame()
        } catch {
            fail("protocol_violation", "\(peer) answered the handshake with bad bytes: \(error)", now: now)
            return
        }
        switch frame {
        case nil:
            return
        case .handshake(.challenge(let challenge)):
            guard challenge.from == peer, challenge.to == selfID else {
                fail("protocol_violation", "the node at \(address) answered as \(challenge.from), not \(peer)", now: now)
                return
            }
            var answer: [UInt8] = []
            if let key {
                let expected = Handshake.responderProof(key: key, cluster: clusterID, initiator: selfID, responder: peer,
                                                        initiatorNonce: nonce, responderNonce: challenge.nonce)
                guard Handshake.proofMatches(challenge.proof, expected) else {
                    fail("bad_proof", "\(peer) could not prove it holds key \(key.idText)", now: now)
                    return
                }
                answer = Handshake.initiatorProof(key: key, cluster: clusterID, initiator: selfID, responder: peer,
                                                  initiatorNonce: nonce, responderNonce: challenge.nonce)
                authenticator = FrameAuthenticator(key: Handshake.sessionKey(key: key, cluster: clusterID, initiator: selfID, responder: peer,
                                                                             initiatorNonce: nonce, responderNonce: challenge.nonce))
            }
            datagramSealer = DatagramSealer(key: key.map {
                Handshake.datagramKey(key: $0, cluster: clusterID, initiator: selfID, responder: peer, initiatorNonce: nonce, responderNonce: challenge.nonce)
            })
            pending.append(contentsOf: FrameCodec.encode(.proof(Proof(proof: answer)), clusterID: clusterID))
            state = .connected(fd: fd, since: since)
            ledger.succeeded(peer.rawValue, now: now)
            log.info("connected to \(peer) at \(address)\(key.map { " (authenticated, key \($0.idText))" } ?? " (unauthenticated: --insecure-peers)")")
            flush(now: now, log: log)
        case .handshake(.refusal(let refusal)):
            fail(refusal.reason.label, "\(peer) refused this node: \(refusal.detail)", now: now)
        case .handshake, .message:
            fail("protocol_violation", "\(peer) sent something other than a challenge during the handshake", now: now)
        }
    }

    private func fail(_ reason: String, _ detail: String, now: Instant) {
        ledger.failed(peer.rawValue, reason: reason, detail: detail, now: now)
        disconnect(now: now)
    }

    /// Seals one beat or beat answer for the peer; nil before the first handshake completed.
    func sealDatagram(_ envelope: Envelope) -> [UInt8]? {
        datagramSealer?.seal(envelope, clusterID: clusterID)
    }

    /// Writes what the socket takes now.
    func flush(now: Instant, log: Log) {
        let fd: Int32
        switch state {
        case .handshaking(let handshakeFD, _, _, _), .connected(let handshakeFD, _): fd = handshakeFD
        case .idle, .connecting: return
        }
        guard pendingOffset < pending.count else { return }
        guard let written = Socket.write(fd, pending, from: pendingOffset) else {
            log.info("write to \(peer) failed: \(SystemError.text(of: Socket.pendingError(fd)))")
            disconnect(now: now)
            return
        }
        pendingOffset += written
        if pendingOffset == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingOffset = 0
        } else if pendingOffset > 16 * 1024 {
            pending.removeFirst(pendingOffset)
            pendingOffset = 0
        }
    }

    func disconnect(now: Instant) {
        // A connection that lived a while was healthy: start the next backoff from the bottom. One
        // the peer closed at once (it refuses our frames, or is restarting) keeps backing off.
        if case .connected(_, let since) = state, now - since >= Self.healthyConnectionAge { backoff = initialBackoff }
        if let fd = descriptor { Descriptor.close(fd) }
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        authenticator = nil
        scheduleRetry(now: now)
    }

    /// Capped exponential backoff with jitter, so restarted clusters do not reconnect in lockstep.
    private func scheduleRetry(now: Instant) {
        let jitter = random.interval(from: .zero, upTo: Interval(nanoseconds: max(1, backoff.nanoseconds / 2)))
        state = .idle(retryAt: now + backoff + jitter)
        backoff = min(maximumBackoff, backoff * 2)
    }

    func closeForShutdown() {
        if let fd = descriptor { Descriptor.close(fd) }
        state = .idle(retryAt: .zero)
    }
}
