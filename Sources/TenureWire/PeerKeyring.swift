import TenureCrypto

/// The cluster keys a node holds: the first line's key signs, every line's key verifies.
///
/// Holding several keys is what lets keys rotate on a running cluster: add the new key as a
/// second line everywhere, move it to the first line everywhere, then remove the old one. At
/// every step each pair of nodes shares the key one of them signs with.
public struct PeerKeyring: Sendable {
    /// One key, prepared for HMAC, with the public id peers name it by.
    public struct Key: Sendable {
        /// The first 8 bytes of SHA-256 over a label and the key: names the key without revealing it.
        public let id: [UInt8]
        public let secret: [UInt8]
        let prepared: HMACKey

        init(secret: [UInt8]) {
            self.secret = secret
            id = Array(SHA256.hash(Array("tenure key id v1".utf8) + secret).prefix(8))
            prepared = HMACKey(secret)
        }

        /// The key id as 16 hexadecimal characters, for logs and `/v1/status`.
        public var idText: String { Hex.encode(id) }

        /// Any key id as text, for one a peer named.
        public static func idText(_ id: [UInt8]) -> String { Hex.encode(id) }
    }

    public static let keyByteCount = 32
    public let keys: [Key]

    public var signing: Key { keys[0] }

    /// Parses a key file: one key per line as 64 hexadecimal characters; blank lines and lines
    /// starting with `#` are skipped. Errors name the line, never the key.
    public init(parsing text: String) throws(KeyringError) {
        var keys: [Key] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard line.count == 2 * Self.keyByteCount, let bytes = Hex.decode(String(line)) else {
                throw KeyringError("line \(index + 1) is not a key: expected 64 hexadecimal characters (make one with `tenure keygen`)")
            }
            let key = Key(secret: bytes)
            guard !keys.contains(where: { $0.id == key.id }) else { throw KeyringError("line \(index + 1) repeats an earlier key") }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw KeyringError("it holds no key (make one with `tenure keygen`)") }
        self.keys = keys
    }

    /// The key a peer named, if this node holds it.
    public func key(id: [UInt8]) -> Key? { keys.first { $0.id == id } }

    /// A new key as `tenure keygen` prints it, from `randomBytes` (32 bytes from getrandom).
    public static func keyText(from randomBytes: [UInt8]) -> String {
        precondition(randomBytes.count == keyByteCount, "a key is \(keyByteCount) random bytes")
        return Hex.encode(randomBytes)
    }
}

/// Why a key file cannot be used; printed after the file's path.
public struct KeyringError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}
