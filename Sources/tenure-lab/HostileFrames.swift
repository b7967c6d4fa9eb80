import TenureCore
import TenureWire

/// Frames as a hostile peer would send them, built from TenureWire's own encoder: valid frames come
/// straight from `FrameCodec.encode`, and broken ones are an encoded frame with one thing changed
/// (version, kind, cluster, length, payload or checksum), so that the hostile traffic of
/// cluster/e2e-fuzz and cluster/e2e-security follows the real format when it changes.
enum HostileFrames {
    /// Bytes of a frame after its payload (the CRC-32C), the only layout fact not public in TenureWire.
    static let checksumBytes = 4

    /// The version a build of the previous format sends (cluster/e2e-security's "old wire version").
    static let oldVersion: UInt8 = 1

    /// The smallest payload length whose frame the node refuses as too large.
    static let tooLargePayload = UInt32(FrameCodec.defaultMaximumFrameBytes - FrameCodec.headerBytes - checksumBytes + 1)

    /// A message frame, as the encoder makes it.
    static func message(_ message: Message, from: NodeID, to: NodeID, cluster: UInt64) -> [UInt8] {
        FrameCodec.encode(Envelope(from: from, to: to, message: message), clusterID: cluster)
    }

    /// A handshake frame, as the encoder makes it.
    static func handshake(_ handshake: HandshakeMessage, cluster: UInt64) -> [UInt8] {
        FrameCodec.encode(handshake, clusterID: cluster)
    }

    /// The payload of an encoded frame.
    static func payload(of frame: [UInt8]) -> [UInt8] {
        Array(frame[FrameCodec.headerBytes..<frame.count - checksumBytes])
    }

    /// A frame of any kind byte around any payload: the header of a real encoded frame (so magic
    /// and version are the codec's) with kind, cluster, version and length replaced as asked, and
    /// a checksum that is right unless `goodChecksum` is false.
    static func raw(kind: UInt8, payload: [UInt8], cluster: UInt64, version: UInt8? = nil, length: UInt32? = nil,
                    goodChecksum: Bool = true) -> [UInt8] {
        var frame = Array(handshake(.proof(Proof(proof: [])), cluster: cluster).prefix(FrameCodec.headerBytes))
        if let version { frame[2] = version }
        frame[3] = kind
        put(cluster, at: 4, in: &frame)
        put(length ?? UInt32(payload.count), at: 12, in: &frame)
        frame += payload
        let checksum = CRC32C.checksum(frame)
        var trailer: [UInt8] = []
        put(goodChecksum ? checksum : checksum ^ 0x5A5A_5A5A, at: 0, in: &trailer)
        return frame + trailer
    }

    /// `frame` with its version byte replaced and its checksum made right again.
    static func withVersion(_ version: UInt8, _ frame: [UInt8]) -> [UInt8] {
        raw(kind: frame[3], payload: payload(of: frame), cluster: cluster(of: frame), version: version)
    }

    /// `frame` with its cluster id replaced and its checksum made right again.
    static func withCluster(_ cluster: UInt64, _ frame: [UInt8]) -> [UInt8] {
        raw(kind: frame[3], payload: payload(of: frame), cluster: cluster)
    }

    /// `frame` with a checksum that does not match.
    static func withBadChecksum(_ frame: [UInt8]) -> [UInt8] {
        raw(kind: frame[3], payload: payload(of: frame), cluster: cluster(of: frame), goodChecksum: false)
    }

    /// The first 16 bytes of a frame that announces a payload of `length` bytes and never sends it.
    static func headerOnly(kind: UInt8, length: UInt32, cluster: UInt64) -> [UInt8] {
        Array(raw(kind: kind, payload: [], cluster: cluster, length: length).prefix(FrameCodec.headerBytes))
    }

    /// The cluster id in a frame's header.
    static func cluster(of frame: [UInt8]) -> UInt64 {
        frame[4..<12].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A node id as the format writes it (length byte, then the bytes), for payloads that must
    /// hold ids `NodeID` refuses.
    static func rawID(_ text: String) -> [UInt8] {
        [UInt8(truncatingIfNeeded: text.utf8.count)] + Array(text.utf8)
    }

    /// Writes `value` big-endian at `offset`, growing `bytes` when needed.
    static func put<T: FixedWidthInteger & UnsignedInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        let count = T.bitWidth / 8
        if bytes.count < offset + count { bytes += [UInt8](repeating: 0, count: offset + count - bytes.count) }
        for index in 0..<count {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (T.bitWidth - 8 * (index + 1)))
        }
    }

    /// Eight big-endian bytes.
    static func bigEndian(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        put(value, at: 0, in: &bytes)
        return bytes
    }
}
