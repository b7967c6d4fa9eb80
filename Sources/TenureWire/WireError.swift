/// Why a peer's bytes were refused.
///
/// Typed and `Equatable` so that the shell can count rejections by reason and tests can name the
/// exact failure; any of these means the connection it came from can no longer be trusted to be
/// in step, so the shell closes it.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first two bytes were not "TN": not a Tenure peer, or the stream lost its framing.
    case badMagic(UInt16)
    /// A peer speaking a format version this build does not know.
    case unsupportedVersion(UInt8)
    /// A message kind this build does not know.
    case unknownKind(UInt8)
    /// The header announced a frame of this many bytes, more than the limit.
    case frameTooLarge(Int)
    /// A node of another cluster (a misconfigured peer list) reached this one.
    case clusterMismatch(expected: UInt64, received: UInt64)
    /// The bytes were damaged in flight or in a buffer.
    case checksumMismatch
    /// The frame was intact but its payload does not follow the format.
    case malformed(String)
    /// An election message's tag did not match: forged, altered, replayed or reordered.
    case badTag
    /// An election message arrived before the handshake authenticated the connection.
    case unauthenticated
    /// A datagram whose sequence number was not above the newest accepted for its key: replayed,
    /// or overtaken by a newer one.
    case replayed(UInt64)

    /// Every `counterName`, so that metrics can expose each reason at zero before it happens.
    public static let counterNames = ["bad_magic", "unsupported_version", "unknown_kind", "frame_too_large",
                                      "cluster_mismatch", "checksum_mismatch", "malformed", "bad_tag", "unauthenticated", "replayed"]

    /// A short snake_case reason, stable for metrics labels and log fields.
    public var counterName: String {
        switch self {
        case .badMagic: "bad_magic"
        case .unsupportedVersion: "unsupported_version"
        case .unknownKind: "unknown_kind"
        case .frameTooLarge: "frame_too_large"
        case .clusterMismatch: "cluster_mismatch"
        case .checksumMismatch: "checksum_mismatch"
        case .malformed: "malformed"
        case .badTag: "bad_tag"
        case .unauthenticated: "unauthenticated"
        case .replayed: "replayed"
        }
    }

    public var description: String {
        switch self {
        case .badMagic(let magic): "bad magic 0x\(hex(UInt64(magic), digits: 4))"
        case .unsupportedVersion(let version): "unsupported version \(version)"
        case .unknownKind(let kind): "unknown message kind \(kind)"
        case .frameTooLarge(let bytes): "frame of \(bytes) bytes is too large"
        case .clusterMismatch(let expected, let received):
            "cluster mismatch: expected 0x\(hex(expected, digits: 16)), received 0x\(hex(received, digits: 16))"
        case .checksumMismatch: "checksum mismatch"
        case .malformed(let reason): "malformed frame: \(reason)"
        case .badTag: "frame tag does not match (forged, altered, replayed or reordered)"
        case .unauthenticated: "election message before the handshake authenticated the connection"
        case .replayed(let sequence): "datagram sequence number \(sequence) was already seen or overtaken (replayed or reordered)"
        }
    }
}

private func hex(_ value: UInt64, digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}
