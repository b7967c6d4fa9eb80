/// HMAC-SHA256 (RFC 2104 with SHA-256, tested against RFC 4231): the keyed code on every frame.
///
/// A plain hash proves nothing about who sent a frame, since anyone can compute it; an HMAC can
/// only be computed by someone who holds the session key. The nested construction (hash of the
/// outer-padded key and of the hash of the inner-padded key and the message) is what keeps it
/// secure even though SHA-256 lets anyone extend a message whose digest they know.
///
/// The authenticator is incremental, so a frame can be tagged piece by piece (header, then
/// payload) without first being copied into one array.
public struct HMACSHA256: Sendable {
    /// The length of a full authentication code in bytes.
    public static let byteCount = SHA256.digestByteCount

    /// Hashes the inner-padded key followed by the message.
    private var inner: SHA256

    /// Has absorbed the outer-padded key; receives the inner digest when the code is finalized.
    private let outer: SHA256

    /// An authenticator under `key`, prepared from scratch. When the same key tags many messages,
    /// prepare an `HMACKey` once and use `init(key: HMACKey)` instead.
    public init(key: [UInt8]) {
        self.init(key: HMACKey(key))
    }

    /// An authenticator under a key prepared earlier; starting one costs no hashing at all.
    public init(key: HMACKey) {
        inner = key.innerStart
        outer = key.outerStart
    }

    /// The 32-byte code of `message` under `key`, in one call.
    public static func authenticationCode(for message: some Sequence<UInt8>, key: [UInt8]) -> [UInt8] {
        HMACKey(key).authenticationCode(for: message)
    }

    /// Absorbs the next bytes of the message.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        inner.update(bytes)
    }

    /// Absorbs the next bytes of the message from raw memory, without copying them first.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    /// The 32-byte code of everything absorbed. A protocol that sends truncated codes (as RFC
    /// 4231 test case 5 does) keeps a prefix of the result; this type never truncates itself.
    public consuming func finalize() -> [UInt8] {
        let innerDigest = inner.finalize()
        var outerHasher = outer
        outerHasher.update(innerDigest)
        return outerHasher.finalize()
    }
}
