import Testing
import TenureCrypto

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test("identical bytes are equal")
    func identical() {
        #expect(ConstantTime.equals(countingBytes(32), countingBytes(32)))
    }

    @Test("two empty arrays are equal")
    func bothEmpty() {
        #expect(ConstantTime.equals([], []))
    }

    @Test("bytes that differ only in the first byte are not equal")
    func differAtFirstByte() {
        var other = countingBytes(32)
        other[0] ^= 0x80
        #expect(!ConstantTime.equals(countingBytes(32), other))
    }

    @Test("bytes that differ only in the last byte are not equal")
    func differAtLastByte() {
        var other = countingBytes(32)
        other[31] ^= 0x01
        #expect(!ConstantTime.equals(countingBytes(32), other))
    }

    @Test("arrays of different lengths are not equal, even when one is a prefix of the other")
    func differentLengths() {
        #expect(!ConstantTime.equals(countingBytes(32), countingBytes(31)))
        #expect(!ConstantTime.equals([], countingBytes(1)))
    }
}
