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

    /// Consumed bytes are reclaimed only past this many (and past half the buffer), so the cost of
    /// moving the unread tail is amortised over at least as many consumed bytes.
    private static let compactionThreshold = 4096

    public init(clusterID: UInt64, maximumFrameBytes: Int = FrameCodec.defaultMaximumFrameBytes) {
        self.clusterID = clusterID
        self.maximumFrameBytes = maximumFrameBytes
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

    /// The next whole frame with the reports it carries, or nil when more bytes are needed.
    public mutating func nextFrame() throws(WireError) -> DecodedFrame? {
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

        guard bufferedByteCount >= header.frameLength else { return nil }
        let start = readIndex
        let decoded = buffer.withUnsafeBytes { bytes in
            Result { () throws(WireError) -> DecodedFrame in
                try FrameCodec.decodeBody(
                    UnsafeRawBufferPointer(rebasing: bytes[start..<start + header.frameLength]), header: header)
            }
        }
        switch decoded {
        case .success(let frame):
            readIndex += header.frameLength
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
