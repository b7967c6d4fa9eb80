/// The eight 32-bit words of SHA-256's intermediate hash value, and the compression function
/// that folds message blocks into them (FIPS 180-4 sections 5.3.3 and 6.2.2).
///
/// Kept apart from `SHA256` so the arithmetic of one block can be read on its own, away from
/// the buffering and padding of arbitrary-length messages.
struct SHA256State: Sendable {
    var word0: UInt32 = 0x6A09_E667
    var word1: UInt32 = 0xBB67_AE85
    var word2: UInt32 = 0x3C6E_F372
    var word3: UInt32 = 0xA54F_F53A
    var word4: UInt32 = 0x510E_527F
    var word5: UInt32 = 0x9B05_688C
    var word6: UInt32 = 0x1F83_D9AB
    var word7: UInt32 = 0x5BE0_CD19

    /// Folds `count` consecutive 64-byte blocks starting at `blocks` into the state. The message
    /// schedule lives in one stack allocation reused for every block, so hashing never allocates.
    mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            sha256RoundConstants.withUnsafeBufferPointer { constants in
                for blockIndex in 0..<count {
                    let block = blocks + blockIndex * 64
                    for index in 0..<16 {
                        schedule[index] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                    }
                    for index in 16..<64 {
                        let older = schedule[index - 15]
                        let recent = schedule[index - 2]
                        let smallSigma0 = rotateRight(older, by: 7) ^ rotateRight(older, by: 18) ^ (older >> 3)
                        let smallSigma1 = rotateRight(recent, by: 17) ^ rotateRight(recent, by: 19) ^ (recent >> 10)
                        schedule[index] = smallSigma1 &+ schedule[index - 7] &+ smallSigma0 &+ schedule[index - 16]
                    }

                    var a = word0, b = word1, c = word2, d = word3
                    var e = word4, f = word5, g = word6, h = word7
                    // Eight rounds per pass with the roles of the variables rotated by hand, which
                    // spares the eight register moves per round of shifting a...h along.
                    for index in stride(from: 0, to: 64, by: 8) {
                        sha256Round(a, b, c, &d, e, f, g, &h, constants[index] &+ schedule[index])
                        sha256Round(h, a, b, &c, d, e, f, &g, constants[index + 1] &+ schedule[index + 1])
                        sha256Round(g, h, a, &b, c, d, e, &f, constants[index + 2] &+ schedule[index + 2])
                        sha256Round(f, g, h, &a, b, c, d, &e, constants[index + 3] &+ schedule[index + 3])
                        sha256Round(e, f, g, &h, a, b, c, &d, constants[index + 4] &+ schedule[index + 4])
                        sha256Round(d, e, f, &g, h, a, b, &c, constants[index + 5] &+ schedule[index + 5])
                        sha256Round(c, d, e, &f, g, h, a, &b, constants[index + 6] &+ schedule[index + 6])
                        sha256Round(b, c, d, &e, f, g, h, &a, constants[index + 7] &+ schedule[index + 7])
                    }
                    word0 &+= a
                    word1 &+= b
                    word2 &+= c
                    word3 &+= d
                    word4 &+= e
                    word5 &+= f
                    word6 &+= g
                    word7 &+= h
                }
            }
        }
    }

    /// Writes the eight words, most significant byte first, into the 32 bytes at `digest`.
    func writeBigEndian(to digest: UnsafeMutableBufferPointer<UInt8>) {
        let raw = UnsafeMutableRawBufferPointer(digest)
        raw.storeBytes(of: word0.bigEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: word1.bigEndian, toByteOffset: 4, as: UInt32.self)
        raw.storeBytes(of: word2.bigEndian, toByteOffset: 8, as: UInt32.self)
        raw.storeBytes(of: word3.bigEndian, toByteOffset: 12, as: UInt32.self)
        raw.storeBytes(of: word4.bigEndian, toByteOffset: 16, as: UInt32.self)
        raw.storeBytes(of: word5.bigEndian, toByteOffset: 20, as: UInt32.self)
        raw.storeBytes(of: word6.bigEndian, toByteOffset: 24, as: UInt32.self)
        raw.storeBytes(of: word7.bigEndian, toByteOffset: 28, as: UInt32.self)
    }
}

/// One SHA-256 round (FIPS 180-4 section 6.2.2, step 3) written for in-place use: where the
/// specification shifts every working variable along by one, this adds the first temporary value
/// into `d` (which becomes the new e) and overwrites `h` with the new a. The caller passes the
/// variables in rotated order from round to round, which amounts to the same shift.
@inline(__always)
private func sha256Round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
    _ constantPlusWord: UInt32
) {
    let bigSigma1 = rotateRight(e, by: 6) ^ rotateRight(e, by: 11) ^ rotateRight(e, by: 25)
    let choice = g ^ (e & (f ^ g))
    let temporary1 = h &+ bigSigma1 &+ choice &+ constantPlusWord
    let bigSigma0 = rotateRight(a, by: 2) ^ rotateRight(a, by: 13) ^ rotateRight(a, by: 22)
    let majority = (a & b) | (c & (a | b))
    d &+= temporary1
    h = temporary1 &+ bigSigma0 &+ majority
}

/// A 32-bit rotation to the right, the basic mixing step of SHA-256 (compiles to one instruction).
@inline(__always)
private func rotateRight(_ value: UInt32, by amount: UInt32) -> UInt32 {
    (value &>> amount) | (value &<< (32 &- amount))
}

/// The first 32 bits of the fractional parts of the cube roots of the first 64 primes
/// (FIPS 180-4 section 4.2.2), one per round.
private let sha256RoundConstants: [UInt32] = [
    0x428A_2F98, 0x7137_4491, 0xB5C0_FBCF, 0xE9B5_DBA5, 0x3956_C25B, 0x59F1_11F1, 0x923F_82A4, 0xAB1C_5ED5,
    0xD807_AA98, 0x1283_5B01, 0x2431_85BE, 0x550C_7DC3, 0x72BE_5D74, 0x80DE_B1FE, 0x9BDC_06A7, 0xC19B_F174,
    0xE49B_69C1, 0xEFBE_4786, 0x0FC1_9DC6, 0x240C_A1CC, 0x2DE9_2C6F, 0x4A74_84AA, 0x5CB0_A9DC, 0x76F9_88DA,
    0x983E_5152, 0xA831_C66D, 0xB003_27C8, 0xBF59_7FC7, 0xC6E0_0BF3, 0xD5A7_9147, 0x06CA_6351, 0x1429_2967,
    0x27B7_0A85, 0x2E1B_2138, 0x4D2C_6DFC, 0x5338_0D13, 0x650A_7354, 0x766A_0ABB, 0x81C2_C92E, 0x9272_2C85,
    0xA2BF_E8A1, 0xA81A_664B, 0xC24B_8B70, 0xC76C_51A3, 0xD192_E819, 0xD699_0624, 0xF40E_3585, 0x106A_A070,
    0x19A4_C116, 0x1E37_6C08, 0x2748_774C, 0x34B0_BCB5, 0x391C_0CB3, 0x4ED8_AA4A, 0x5B9C_CA4F, 0x682E_6FF3,
    0x748F_82EE, 0x78A5_636F, 0x84C8_7814, 0x8CC7_0208, 0x90BE_FFFA, 0xA450_6CEB, 0xBEF9_A3F7, 0xC671_78F2,
]
