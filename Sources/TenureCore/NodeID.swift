/// The name of one node of the cluster (`n1`, `n2`, ...).
///
/// A distinct type rather than a bare `String` so that a node id can never be confused with an
/// address or a reason string, and so that the wire codec can bound its length.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Longest id the wire format carries, in UTF-8 bytes.
    public static let maximumLength = 64

    public let rawValue: String

    public init(_ rawValue: String) {
        precondition(NodeID.isValid(rawValue), "invalid node id '\(rawValue)'")
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// Letters, digits, `-` and `_`, 1 to 64 bytes: safe in file names, JSON and log lines.
    public static func isValid(_ candidate: String) -> Bool {
        let bytes = Array(candidate.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}
