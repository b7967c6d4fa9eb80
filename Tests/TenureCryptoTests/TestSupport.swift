import TenureCrypto

/// The UTF-8 bytes of `text`, for the many test vectors that are ASCII sentences.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// The bytes spelled by hexadecimal `text`; traps on malformed text because test vectors are fixed.
func bytes(hex text: String) -> [UInt8] {
    guard let decoded = Hex.decode(text) else {
        fatalError("malformed hexadecimal test vector: \(text)")
    }
    return decoded
}

/// The bytes 0, 1, 2, ... wrapping at 256, `count` of them: a message whose every position differs
/// from its neighbours, so a buffering mistake that shifts or repeats bytes changes the digest.
func countingBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0) }
}

/// SplitMix64: a tiny seeded generator, so random tests draw the same inputs on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
