import TenureCore

/// The fixed layout of a frame, shared by the encoder and both decoders.
///
/// ```
/// offset  size  field
///      0     2  magic 0x544E ("TN")
///      2     1  version (3)
///      3     1  kind (1 requestVote ... 5 timeoutNow; 16 hello ... 19 refusal)
///      4     8  cluster id
///     12     4  payload length
///     16     n  payload
///   16+n     4  CRC-32C of bytes 0 ..< 16+n
/// ```
/// On an authenticated connection every election message frame is followed by a 16-byte tag
/// (see `FrameAuthenticator`); handshake frames carry their proofs inside their payload.
/// All integers are big-endian.
///
/// The rule: every change to the layout of any frame (a field, a flag bit, a kind) raises
/// `version`, and Tests/TenureWireTests/GoldenFrameTests.swift holds golden frames of every
/// message kind of each supported version and of each older one, which must be refused with
/// `unsupportedVersion` (the peer then gets a `refusal` naming both versions) and never decoded
/// as malformed. What each version added:
///
/// ```
/// version  layout
///       1  vote request (pre-vote and transfer flags), vote response, heartbeat (round),
///          heartbeat response (round, accepted flag), timeout now; later builds of version 1
///          also sent the unhealthy flag and health reports without raising it
///       2  the handshake (hello, challenge, proof, refusal) and the tag after every election
///          message; health reports on heartbeats and their responses, the unhealthy flag;
///          later builds of version 2 changed the layout without raising it (what 3 records)
///       3  vote request: the leader-gone flag, the candidate's membership term and index;
///          heartbeat: membership term, index and committed index, a flags byte and the whole
///          membership entry when its flag is set; heartbeat response: membership term and index
/// ```
/// Lease beats travel as datagrams with a version of their own (`DatagramCodec.version`).
enum FrameLayout {
    static let magic: UInt16 = 0x544E
    static let version: UInt8 = 3
    static let headerBytes = 16
    static let checksumBytes = 4
    /// Header and checksum: the bytes of a frame that are not payload.
    static let overheadBytes = headerBytes + checksumBytes
}

/// The wire number of each message case. Numbers are part of the format: never reuse one.
enum MessageKind: UInt8 {
    case requestVote = 1
    case voteResponse = 2
    case heartbeat = 3
    case heartbeatResponse = 4
    case timeoutNow = 5
    case hello = 16
    case challenge = 17
    case proof = 18
    case refusal = 19

    /// Handshake frames open a connection; they are never tagged.
    var isHandshake: Bool { rawValue >= MessageKind.hello.rawValue }

    init(of handshake: HandshakeMessage) {
        switch handshake {
        case .hello: self = .hello
        case .challenge: self = .challenge
        case .proof: self = .proof
        case .refusal: self = .refusal
        }
    }

    init(of message: Message) {
        switch message {
        case .requestVote: self = .requestVote
        case .voteResponse: self = .voteResponse
        case .heartbeat: self = .heartbeat
        case .heartbeatResponse: self = .heartbeatResponse
        case .timeoutNow: self = .timeoutNow
        }
    }
}

/// A header that has passed every check that needs no payload: what a streaming decoder learns
/// from the first 16 bytes, before it commits to buffering the rest.
struct FrameHeader: Equatable, Sendable {
    var kind: MessageKind
    var payloadLength: Int
    /// Header, payload and checksum.
    var frameLength: Int

    /// Validates magic, version, kind, size and cluster, in that order.
    /// - Precondition: `bytes` holds at least `FrameLayout.headerBytes` bytes.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, clusterID: UInt64, maximumFrameBytes: Int
    ) throws(WireError) -> FrameHeader {
        var reader = ByteReader(bytes)
        // The caller guarantees 16 bytes, so these reads cannot fail; `malformed` is a backstop.
        let magic = try reader.readUInt16(field: "magic")
        guard magic == FrameLayout.magic else { throw .badMagic(magic) }
        let version = try reader.readUInt8(field: "version")
        guard version == FrameLayout.version else { throw .unsupportedVersion(version) }
        let kindByte = try reader.readUInt8(field: "kind")
        guard let kind = MessageKind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let receivedCluster = try reader.readUInt64(field: "cluster id")
        let length = try reader.readUInt32(field: "payload length")
        // Int(exactly:) and the overflow check keep 32-bit platforms from trapping.
        guard let payloadLength = Int(exactly: length) else { throw .frameTooLarge(Int.max) }
        let (frameLength, overflow) = payloadLength.addingReportingOverflow(FrameLayout.overheadBytes)
        guard !overflow else { throw .frameTooLarge(Int.max) }
        guard frameLength <= maximumFrameBytes else { throw .frameTooLarge(frameLength) }
        guard receivedCluster == clusterID else {
            throw .clusterMismatch(expected: clusterID, received: receivedCluster)
        }
        return FrameHeader(kind: kind, payloadLength: payloadLength, frameLength: frameLength)
    }
}

/// Bounds-checked big-endian reads, so that no input can make decoding trap.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt8(field: String) throws(WireError) -> UInt8 {
        guard remaining >= 1 else { throw .malformed("truncated \(field)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(field: String) throws(WireError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readBigEndian(byteCount: 2, field: field))
    }

    mutating func readUInt32(field: String) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readBigEndian(byteCount: 4, field: field))
    }

    mutating func readUInt64(field: String) throws(WireError) -> UInt64 {
        try readBigEndian(byteCount: 8, field: field)
    }

    /// The next `count` bytes, without copying.
    mutating func readBytes(_ count: Int, field: String) throws(WireError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw .malformed("truncated \(field)") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    private mutating func readBigEndian(byteCount: Int, field: String) throws(WireError) -> UInt64 {
        guard remaining >= byteCount else { throw .malformed("truncated \(field)") }
        var value: UInt64 = 0
        for index in offset..<offset + byteCount {
            value = value << 8 | UInt64(bytes[index])
        }
        offset += byteCount
        return value
    }
}

/// Big-endian appends onto a byte array.
extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }
}
