import TenureCore
import TenurePOSIX
import TenureWire

/// One TCP connection to a node's port, dialled from a chosen source address as a peer (or an
/// attacker on the same host, who can bind any local address) would, with the few blocking steps
/// the hostile-traffic modes of `tenure-lab peer-traffic` need: send, receive, wait for the close.
struct PeerConnection {
    let fd: Int32

    /// What one bounded read saw.
    enum Received: Equatable {
        case bytes([UInt8])
        case closed
        case timedOut
        case failed(Int32)
    }

    /// Connects from `source` to `target` and waits (at most `timeoutMilliseconds`) until the
    /// connection is up; throws when it was refused or did not come up.
    static func open(from source: String, to target: SocketAddress, timeoutMilliseconds: Int32 = 2000,
                     portPerDestination: Bool = false) throws(SystemError) -> PeerConnection {
        let fd = try Socket.connect(from: source, to: target, userTimeoutMilliseconds: 5000, portPerDestination: portPerDestination)
        let ready = (try? PollSet.wait(for: fd, .writable, timeoutMilliseconds: timeoutMilliseconds)) ?? []
        let pending = Socket.pendingError(fd)
        guard ready.contains(.writable), pending == 0 else {
            Descriptor.close(fd)
            throw SystemError("connect \(target)", errno: pending == 0 ? SystemError.inProgress : pending)
        }
        return PeerConnection(fd: fd)
    }

    func close() { Descriptor.close(fd) }

    /// Sends all of `bytes` within 2 s; false when the node closed the connection or it stalled.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        let deadline = MonotonicClock.now() + .seconds(2)
        while offset < bytes.count {
            guard let written = Socket.write(fd, bytes, from: offset) else { return false }
            offset += written
            if written == 0 {
                guard MonotonicClock.now() < deadline else { return false }
                _ = try? PollSet.wait(for: fd, .writable, timeoutMilliseconds: 50)
            }
        }
        return true
    }

    /// What arrives within `timeoutMilliseconds` (one read's worth).
    func receive(timeoutMilliseconds: Int) -> Received {
        let deadline = MonotonicClock.now() + .milliseconds(Int64(timeoutMilliseconds))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = (deadline - MonotonicClock.now()).nanoseconds / 1_000_000
            guard left > 0 else { return .timedOut }
            _ = try? PollSet.wait(for: fd, .readable, timeoutMilliseconds: Int32(min(left, 1000)))
            switch Descriptor.read(fd, into: &buffer) {
            case .bytes(let count): return .bytes(Array(buffer[0..<count]))
            case .closed: return .closed
            case .failed(let code): return .failed(code)
            case .wouldBlock: continue
            }
        }
    }

    /// True when the node closes the connection (end of stream or reset) within the bound; what
    /// it sends first (a challenge, a refusal) is read and dropped.
    func waitClosed(milliseconds: Int) -> Bool {
        let deadline = MonotonicClock.now() + .milliseconds(Int64(milliseconds))
        while true {
            let left = Int((deadline - MonotonicClock.now()).nanoseconds / 1_000_000)
            guard left > 0 else { return false }
            switch receive(timeoutMilliseconds: left) {
            case .bytes: continue
            case .closed, .failed: return true
            case .timedOut: return false
            }
        }
    }

    /// True when the connection is still open after `milliseconds` (whatever arrives is dropped).
    func staysOpen(milliseconds: Int) -> Bool { !waitClosed(milliseconds: milliseconds) }

    /// The next whole frame the node sends within `timeoutMilliseconds`, read with TenureWire's
    /// stream decoder; nil when the connection closed, timed out or the bytes did not decode.
    func readFrame(cluster: UInt64, timeoutMilliseconds: Int = 2000) -> PeerFrame? {
        var decoder = FrameDecoder(clusterID: cluster, authentication: .awaitingHandshake)
        let deadline = MonotonicClock.now() + .milliseconds(Int64(timeoutMilliseconds))
        while true {
            let left = Int((deadline - MonotonicClock.now()).nanoseconds / 1_000_000)
            guard left > 0, case .bytes(let bytes) = receive(timeoutMilliseconds: left) else { return nil }
            decoder.append(contentsOf: bytes)
            do {
                if let frame = try decoder.nextPeerFrame() { return frame }
            } catch {
                return nil
            }
        }
    }

    /// What the node answered, in one line: a refusal's reason and text, the size of anything
    /// else, or how the connection ended. The refusal is decoded with the cluster id its own
    /// header carries, so an answer is named even when the sender guessed the cluster wrong.
    func answer() -> String {
        switch receive(timeoutMilliseconds: 2000) {
        case .timedOut: return "no answer (timed out)"
        case .failed(let code): return "no answer (\(SystemError.text(of: code)))"
        case .closed: return "closed without a word"
        case .bytes(let bytes):
            if bytes.count >= FrameCodec.headerBytes,
               let frame = try? FrameDecoder.firstFrame(of: bytes, cluster: HostileFrames.cluster(of: bytes)),
               case .handshake(.refusal(let refusal)) = frame {
                return "refusal \(refusal.reason.rawValue): \(refusal.detail)"
            }
            return "\(bytes.count) bytes"
        }
    }
}

extension FrameDecoder {
    /// The first whole frame of `bytes`, or nil when they hold only part of one.
    static func firstFrame(of bytes: [UInt8], cluster: UInt64) throws(WireError) -> PeerFrame? {
        var decoder = FrameDecoder(clusterID: cluster, authentication: .awaitingHandshake)
        decoder.append(contentsOf: bytes)
        return try decoder.nextPeerFrame()
    }
}
