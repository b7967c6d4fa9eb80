import TenureCore
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

extension SeededRandom {
    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
