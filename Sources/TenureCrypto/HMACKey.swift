/// A secret key made ready for HMAC-SHA256 once, so that tagging each frame costs only the
/// hashing of the frame itself.
///
/// HMAC (RFC 2104) begins every code by hashing the key padded with 0x36 and, at the end, the
/// key padded with 0x5C: two whole blocks that depend only on the key. A session tags every
/// frame under the same key, so this type absorbs both padded blocks once and keeps the two
/// resulting hasher states; each code then starts from copies of them. The states are plain
/// values held inline, so a copy allocates nothing.
///
/// Like every Swift type, it cannot promise to erase the key from memory afterwards: the
/// standard library offers no store that the optimizer is forbidden to remove, and arrays are
/// copied freely. Keep the process itself trustworthy instead.
public struct HMACKey: Sendable {
    /// The hasher after absorbing the key combined with the inner padding (0x36 bytes).
    let innerStart: SHA256

    /// The hasher after absorbing the key combined with the outer padding (0x5C bytes).
    let outerStart: SHA256

    /// Prepares `key`. Keys longer than a SHA-256 block (64 bytes) are first replaced by their
    /// digest and shorter keys are padded with zeros, as RFC 2104 section 2 specifies. Keys of
    /// any length are accepted; RFC 2104 advises at least 32 bytes of real randomness.
    public init(_ key: [UInt8]) {
        let blockKey = key.count > SHA256.blockByteCount ? SHA256.hash(key) : key
        var inner = SHA256()
        var outer = SHA256()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SHA256.blockByteCount) { padded in
            for index in 0..<SHA256.blockByteCount {
                padded[index] = (index < blockKey.count ? blockKey[index] : 0) ^ 0x36
            }
            inner.update(UnsafeRawBufferPointer(padded))
            for index in 0..<SHA256.blockByteCount {
                padded[index] = (index < blockKey.count ? blockKey[index] : 0) ^ 0x5C
            }
            outer.update(UnsafeRawBufferPointer(padded))
        }
        innerStart = inner
        outerStart = outer
    }

    /// The 32-byte HMAC-SHA256 code of `message` under this key, for a message held in one piece.
    public func authenticationCode(for message: some Sequence<UInt8>) -> [UInt8] {
        var authenticator = HMACSHA256(key: self)
        authenticator.update(message)
        return authenticator.finalize()
    }

    /// Whether `code` is the full 32-byte code of `message` under this key. The comparison takes
    /// the same time wherever the codes differ, so a peer that sends forged codes learns nothing
    /// from how quickly each is refused. Use this rather than `==` to check received frames.
    public func isValidAuthenticationCode(_ code: [UInt8], for message: some Sequence<UInt8>) -> Bool {
        ConstantTime.equals(authenticationCode(for: message), code)
    }
}
