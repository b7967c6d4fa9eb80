import TenureCore
import TenureCrypto

/// Lease beats and their answers as single UDP datagrams: what keeps a leader's lease renewed
/// while a lost segment holds everything behind it on the peer's TCP connection.
///
/// A beat is a heartbeat without the membership entry, and its answer a heartbeat response, so
/// each fits in one small datagram. Datagrams are sealed with a key of the sender's outbound
/// peer connection (`Handshake.datagramKey`, derived in its handshake), carry an explicit
/// sequence number that only grows per key (the receiver drops any it has seen, or older), and
/// are authenticated before anything but the framing fields is read. Without peer
/// authentication (`--insecure-peers`) a CRC-32C trailer stands in for the tag.
///
/// ```
/// offset  size  field
///      0     2  magic 0x5444 ("TD")
///      2     1  datagram version (1)
///      3     1  kind (3 beat, 4 beat response: the numbers of their frame kinds)
///      4     8  cluster id
///     12     8  sequence number (per sealing key)
///     20   1+n  sender id (length, bytes)
///      .   1+n  recipient id
///      .     8  term
///      .     8  round
///   beat:       8 membership term, 8 membership index, 8 committed index
///   response:   1 flags (1 accepted, 2 unhealthy), 8 membership term, 8 membership index
///      .    16  tag: HMAC-SHA256 of everything before it, first 16 bytes (4 bytes of CRC-32C
///               when the cluster runs without peer authentication)
/// ```
/// All integers are big-endian. The datagram version is separate from the frame version:
/// a layout change raises it, and a test holds golden datagrams of each version.
public enum DatagramCodec {
    public static let magic: UInt16 = 0x5444
    public static let version: UInt8 = 1
    static let beatKind: UInt8 = 3
    static let responseKind: UInt8 = 4
    /// The longest datagram the format can produce (two 64-byte ids): far below any MTU.
    public static let maximumBytes = 20 + 2 * (1 + NodeID.maximumLength) + 8 + 8 + 24 + FrameAuthenticator.tagByteCount
    static let acceptedFlag: UInt8 = 1
    static let unhealthyFlag: UInt8 = 2

    /// Whether `message` travels as a datagram (a beat or a beat's answer).
    public static func carries(_ message: Message) -> Bool {
        switch message {
        case .heartbeat(let heartbeat): heartbeat.beat
        case .heartbeatResponse(let response): response.beat
        default: false
        }
    }

    /// The sealed datagram for `envelope` (a beat or a beat's answer).
    /// - Precondition: `carries(envelope.message)`.
    public static func encode(_ envelope: Envelope, clusterID: UInt64, sequence: UInt64, key: HMACKey?) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(maximumBytes)
        bytes.appendBigEndian(magic)
        bytes.append(version)
        switch envelope.message {
        case .heartbeat(let beat) where beat.beat:
            bytes.append(beatKind)
            appendHeader(envelope, clusterID: clusterID, sequence: sequence, term: beat.term, round: beat.round, to: &bytes)
            bytes.appendBigEndian(beat.membershipTerm)
            bytes.appendBigEndian(beat.membershipIndex)
            bytes.appendBigEndian(beat.committedIndex)
        case .heartbeatResponse(let response) where response.beat:
            bytes.append(responseKind)
            appendHeader(envelope, clusterID: clusterID, sequence: sequence, term: response.term, round: response.round, to: &bytes)
            bytes.append((response.accepted ? acceptedFlag : 0) | (response.healthy ? 0 : unhealthyFlag))
            bytes.appendBigEndian(response.membershipTerm)
            bytes.appendBigEndian(response.membershipIndex)
        default:
            preconditionFailure("only beats and their answers travel as datagrams, not \(envelope.message.kindName)")
        }
        if let key {
            bytes += key.authenticationCode(for: bytes).prefix(FrameAuthenticator.tagByteCount)
        } else {
            bytes.appendBigEndian(CRC32C.checksum(bytes))
        }
        return bytes
    }

    private static func appendHeader(_ envelope: Envelope, clusterID: UInt64, sequence: UInt64, term: UInt64, round: UInt64,
                                     to bytes: inout [UInt8]) {
        bytes.appendBigEndian(clusterID)
        bytes.appendBigEndian(sequence)
        FrameCodec.appendNodeID(envelope.from, to: &bytes)
        FrameCodec.appendNodeID(envelope.to, to: &bytes)
        bytes.appendBigEndian(term)
        bytes.appendBigEndian(round)
    }

    /// What the receiver reads before it can choose the key: the framing fields only.
    public struct Header: Equatable, Sendable {
        public var sequence: UInt64
        public var from: NodeID
        public var to: NodeID
    }

    /// Checks magic, version, kind and cluster, and reads the sequence number and both ids.
    /// Nothing else is read until the tag is verified (`open`).
    public static func header(_ datagram: [UInt8], clusterID: UInt64) throws(WireError) -> Header {
        let result = datagram.withUnsafeBytes { bytes in
            Result { () throws(WireError) -> Header in
                guard bytes.count <= maximumBytes else { throw .frameTooLarge(bytes.count) }
                var reader = ByteReader(bytes)
                let magic = try reader.readUInt16(field: "magic")
                guard magic == Self.magic else { throw .badMagic(magic) }
                let version = try reader.readUInt8(field: "version")
                guard version == Self.version else { throw .unsupportedVersion(version) }
                let kind = try reader.readUInt8(field: "kind")
                guard kind == beatKind || kind == responseKind else { throw .unknownKind(kind) }
                let cluster = try reader.readUInt64(field: "cluster id")
                guard cluster == clusterID else { throw .clusterMismatch(expected: clusterID, received: cluster) }
                let sequence = try reader.readUInt64(field: "sequence")
                let from = try FrameCodec.readNodeID(&reader, field: "sender")
                let to = try FrameCodec.readNodeID(&reader, field: "recipient")
                return Header(sequence: sequence, from: from, to: to)
            }
        }
        return try result.get()
    }

    /// Verifies the tag (or checksum) with `key` and decodes the message.
    public static func open(_ datagram: [UInt8], key: HMACKey?) throws(WireError) -> Envelope {
        let trailerBytes = key == nil ? 4 : FrameAuthenticator.tagByteCount
        guard datagram.count > trailerBytes + 20 else { throw .malformed("truncated datagram") }
        let body = datagram[..<(datagram.count - trailerBytes)]
        if let key {
            let expected = key.authenticationCode(for: body).prefix(FrameAuthenticator.tagByteCount)
            guard ConstantTime.equals(Array(expected), Array(datagram[body.endIndex...])) else { throw .badTag }
        } else {
            var stored: UInt32 = 0
            for byte in datagram[body.endIndex...] { stored = stored << 8 | UInt32(byte) }
            guard CRC32C.checksum(Array(body)) == stored else { throw .checksumMismatch }
        }
        let result = Array(body).withUnsafeBytes { bytes in
            Result { () throws(WireError) -> Envelope in
                var reader = ByteReader(bytes)
                _ = try reader.readBytes(3, field: "magic and version")
                let kind = try reader.readUInt8(field: "kind")
                _ = try reader.readBytes(16, field: "cluster id and sequence")
                let from = try FrameCodec.readNodeID(&reader, field: "sender")
                let to = try FrameCodec.readNodeID(&reader, field: "recipient")
                let term = try reader.readUInt64(field: "term")
                let round = try reader.readUInt64(field: "round")
                let message: Message
                if kind == beatKind {
                    let membershipTerm = try reader.readUInt64(field: "membership term")
                    let membershipIndex = try reader.readUInt64(field: "membership index")
                    let committedIndex = try reader.readUInt64(field: "committed index")
                    message = .heartbeat(Heartbeat(term: term, round: round, membershipTerm: membershipTerm, membershipIndex: membershipIndex,
                                                   committedIndex: committedIndex, beat: true))
                } else {
                    let flags = try reader.readUInt8(field: "flags")
                    guard flags & ~(acceptedFlag | unhealthyFlag) == 0 else { throw .malformed("unknown flag bits 0x\(String(flags, radix: 16))") }
                    let membershipTerm = try reader.readUInt64(field: "membership term")
                    let membershipIndex = try reader.readUInt64(field: "membership index")
                    message = .heartbeatResponse(HeartbeatResponse(term: term, round: round, accepted: flags & acceptedFlag != 0,
                                                                   healthy: flags & unhealthyFlag == 0, membershipTerm: membershipTerm,
                                                                   membershipIndex: membershipIndex, beat: true))
                }
                guard reader.remaining == 0 else { throw .malformed("\(reader.remaining) trailing bytes") }
                return Envelope(from: from, to: to, message: message)
            }
        }
        return try result.get()
    }
}

/// The sending side of one sealing key: the key and the next sequence number.
public struct DatagramSealer: Sendable {
    public let key: HMACKey?
    public private(set) var nextSequence: UInt64 = 1

    public init(key: HMACKey?) { self.key = key }

    /// The sealed datagram for `envelope`; advances the sequence number.
    public mutating func seal(_ envelope: Envelope, clusterID: UInt64) -> [UInt8] {
        defer { nextSequence &+= 1 }
        return DatagramCodec.encode(envelope, clusterID: clusterID, sequence: nextSequence, key: key)
    }
}

/// The receiving side of one sealing key: the key and the newest sequence number accepted.
///
/// Only a sequence number above the newest is accepted: a replayed or reordered datagram is
/// dropped. Beats supersede each other, so dropping a reordered one loses nothing.
public struct DatagramOpener: Sendable {
    public let key: HMACKey?
    public private(set) var newestSequence: UInt64 = 0

    public init(key: HMACKey?) { self.key = key }

    /// Verifies and decodes `datagram`; throws `badTag` for a replayed or reordered one.
    public mutating func open(_ datagram: [UInt8], header: DatagramCodec.Header) throws(WireError) -> Envelope {
        let envelope = try DatagramCodec.open(datagram, key: key)
        guard header.sequence > newestSequence else { throw .replayed(header.sequence) }
        newestSequence = header.sequence
        return envelope
    }
}
