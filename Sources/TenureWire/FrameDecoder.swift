import TenureCore

/// Cuts one TCP connection's byte stream back into envelopes.
///
/// TCP delivers bytes, not messages: a read may hold half a frame or several. This decoder keeps
/// what has arrived, judges each header the moment its 16 bytes are in (so a hostile or corrupt
/// length is refused before any payload is waited for or buffered), and hands out whole envelopes.
/// A stream that has gone wrong once has lost its framing for good, so after the first error the
/// decoder drops its buffer and keeps throwing that error: the connection is to be closed.
public struct FrameDecoder: Sendable {
    private let clusterID: UInt64
    private let maximumFrameBytes: Int
    private var buffer: [UInt8] = []
    /// Where the next undecoded byte is; consumed bytes before it are dropped in bulk by `compact`.
    private var readIndex = 0
    /// The validated header of the frame being waited for, once its 16 bytes have arrived.
    private var pendingHeader: FrameHeader?
    private var failure: WireError?

    /// Whether election messages need a tag, and the verifier once the handshake set one.
    public enum Authentication: Sendable {
        /// Between `--insecure-peers` nodes, and in codec tests: messages carry no tag.
        case notRequired
        /// Only handshake frames may arrive until `session` is set.
        case awaitingHandshake
        case session(FrameAuthenticator)
    }

    public var authentication: Authentication

    /// Consumed bytes are reclaimed only past this many (and past half the buffer), so the cost of
    /// moving the unread tail is amortised over at least as many consumed bytes.
    private static let compactionThreshold = 4096

    public init(clusterID: UInt64, maximumFrameBytes: Int = FrameCodec.defaultMaximumFrameBytes,
                authentication: Authentication = .notRequired) {
        self.clusterID = clusterID
        self.maximumFrameBytes = maximumFrameBytes
        self.authentication = authentication
    }

    /// Bytes received but not yet handed out as envelopes.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !bytes.isEmpty else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(contentsOf bytes: [UInt8]) {
        guard failure == nil, !bytes.isEmpty else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next whole envelope, or nil when more bytes are needed.
    public mutating func next() throws(WireError) -> Envelope? { try nextFrame()?.envelope }

    /// The next whole election message frame, or nil when more bytes are needed; a handshake
    /// frame here is an error (use `nextPeerFrame` on a connection that still handshakes).
    public mutating func nextFrame() throws(WireError) -> DecodedFrame? {
        switch try nextPeerFrame() {
        case nil: return nil
        case .message(let frame): return frame
        case .handshake: throw fail(.malformed("a handshake frame after the handshake"))
        }
    }

    /// The next whole frame of either kind, or nil when more bytes are needed. Election
    /// messages are checked against their tag when a session is set, and refused while the
    /// handshake is awaited.
    public mutating func nextPeerFrame() throws(WireError) -> PeerFrame? {
        if let failure { throw failure }
        let header: FrameHeader
        if let pendingHeader {
            header = pendingHeader
        } else {
            guard bufferedByteCount >= FrameLayout.headerBytes else { return nil }
            let start = readIndex
            let (clusterID, maximumFrameBytes) = (self.clusterID, self.maximumFrameBytes)
            let parsed = buffer.withUnsafeBytes { bytes in
                Result { () throws(WireError) -> FrameHeader in
                    try FrameHeader.parse(
                        UnsafeRawBufferPointer(rebasing: bytes[start..<start + FrameLayout.headerBytes]),
                        clusterID: clusterID, maximumFrameBytes: maximumFrameBytes)
                }
            }
            switch parsed {
            case .success(let parsedHeader): header = parsedHeader
            case .failure(let error): throw fail(error)
            }
            pendingHeader = header
        }

        var tagBytes = 0
        if !header.kind.isHandshake {
            switch authentication {
            case .notRequired: break
            case .awaitingHandshake: throw fail(.unauthenticated)
            case .session: tagBytes = FrameAuthenticator.tagByteCount
            }
        }
        guard bufferedByteCount >= header.frameLength + tagBytes else { return nil }
        let start = readIndex
        if tagBytes > 0, case .session(var verifier) = authentication {
            let valid = buffer.withUnsafeBytes { bytes in
                verifier.verify(UnsafeRawBufferPointer(rebasing: bytes[start..<start + header.frameLength]),
                                tag: UnsafeRawBufferPointer(rebasing: bytes[start + header.frameLength..<start + header.frameLength + tagBytes]))
            }
            authentication = .session(verifier)
            guard valid else { throw fail(.badTag) }
        }
        let decoded = buffer.withUnsafeBytes { bytes in
            Result { () throws(WireError) -> PeerFrame in
                try FrameCodec.decodeBody(
                    UnsafeRawBufferPointer(rebasing: bytes[start..<start + header.frameLength]), header: header)
            }
        }
        switch decoded {
        case .success(let frame):
            readIndex += header.frameLength + tagBytes
            pendingHeader = nil
            return frame
        case .failure(let error):
            throw fail(error)
        }
    }

    private mutating func fail(_ error: WireError) -> WireError {
        failure = error
        buffer = []
        readIndex = 0
        pendingHeader = nil
        return error
    }

    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= Self.compactionThreshold, readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
