/// HKDF with HMAC-SHA256 (RFC 5869): turns the nonces of a handshake into a session key.
///
/// The handshake's nonces and the cluster secret are not themselves a good key: their entropy is
/// unevenly spread and the same secret must never key two sessions. HKDF first concentrates the
/// input into a uniformly random pseudorandom key (extract), then stretches that into as many
/// independent bytes as needed, separated by a context label (expand), so that different uses
/// (one key per direction, say) get unrelated keys from the same handshake.
public enum HKDF {
    /// The most output one pseudorandom key can give: 255 blocks of 32 bytes (RFC 5869 section 2.3).
    public static let maximumOutputByteCount = 255 * SHA256.digestByteCount

    /// HKDF-Extract: the 32-byte pseudorandom key `HMAC(salt, inputKeyMaterial)`. An empty salt
    /// stands for 32 zero bytes, as RFC 5869 specifies (HMAC pads both to the same key).
    public static func extract(salt: [UInt8], inputKeyMaterial: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticationCode(for: inputKeyMaterial, key: salt)
    }

    /// HKDF-Expand: `length` bytes derived from `pseudorandomKey`, bound to the context `info`.
    /// The key should be the output of `extract` (or at least 32 uniformly random bytes).
    /// `length` must lie in `0...maximumOutputByteCount`; anything else is a programming error.
    public static func expand(pseudorandomKey: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length >= 0, "HKDF output length must not be negative")
        precondition(length <= maximumOutputByteCount, "HKDF-SHA256 can derive at most \(maximumOutputByteCount) bytes")
        let key = HMACKey(pseudorandomKey)
        var output: [UInt8] = []
        output.reserveCapacity(length)
        var previousBlock: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            // T(i) = HMAC(PRK, T(i-1) | info | i), with T(0) empty.
            var authenticator = HMACSHA256(key: key)
            authenticator.update(previousBlock)
            authenticator.update(info)
            authenticator.update(CollectionOfOne(counter))
            previousBlock = authenticator.finalize()
            output.append(contentsOf: previousBlock.prefix(length - output.count))
            counter &+= 1
        }
        return output
    }

    /// Extract then expand in one call: `length` bytes of key from `inputKeyMaterial`, `salt` and
    /// the context `info`, which is what a handshake deriving its session key usually wants.
    public static func deriveKey(inputKeyMaterial: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        expand(pseudorandomKey: extract(salt: salt, inputKeyMaterial: inputKeyMaterial), info: info, length: length)
    }
}
