import TenurePOSIX
import TenureCore

/// The one outbound TCP connection from this node to one peer.
///
/// Each peer has its own link with its own bounded queue, so a slow or dead peer never delays
/// heartbeats to the others. While disconnected, messages are dropped rather than queued: a
/// heartbeat or vote delivered seconds late is worthless, and the core repeats what matters.
final class PeerLink {
    enum State {
        case idle(retryAt: Instant)
        case connecting(fd: Int32, since: Instant)
        case connected(fd: Int32, since: Instant)
    }

    let peer: NodeID
    let address: SocketAddress
    private(set) var state: State
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

    init(peer: NodeID, address: SocketAddress, heartbeatInterval: Interval, electionTimeoutMin: Interval, seed: UInt64) {
        self.peer = peer
        self.address = address
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
        case .connecting(let fd, _), .connected(let fd, _): fd
        }
    }

    var isConnected: Bool { if case .connected = state { true } else { false } }

    /// Poll events this link waits for: connect completion or room to write, and always
    /// readability so a closed connection is noticed at once.
    var pollEvents: PollEvents {
        switch state {
        case .idle: []
        case .connecting: .writable
        case .connected: pendingOffset < pending.count ? [.readable, .writable] : .readable
        }
    }

    /// Enqueues one encoded frame; false when it had to be dropped.
    func enqueue(_ frame: [UInt8]) -> Bool {
        guard isConnected, pending.count - pendingOffset + frame.count <= Self.maximumPendingBytes else { return false }
        pending.append(contentsOf: frame)
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
                state = .connected(fd: fd, since: now)
                pending.removeAll(keepingCapacity: true)
                pendingOffset = 0
                log.info("connected to \(peer) at \(address)")
            } else if error != 0 || !events.isDisjoint(with: [.error, .hangUp]) {
                log.debug("connect to \(peer) at \(address) failed: \(SystemError.text(of: error))")
                disconnect(now: now)
            }
        case .connected(let fd, _):
            if events.contains(.readable) {
                // Peers never write on this connection; readable means closed or reset.
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

    /// Writes what the socket takes now.
    func flush(now: Instant, log: Log) {
        guard case .connected(let fd, _) = state, pendingOffset < pending.count else { return }
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
