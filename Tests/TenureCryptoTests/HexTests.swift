import Testing
import TenureCrypto

@Suite("Hexadecimal")
struct HexTests {
    @Test("every byte value survives encoding and decoding")
    func roundTrip() {
        let everyByte = countingBytes(256)
        #expect(Hex.decode(Hex.encode(everyByte)) == everyByte)
    }

    @Test("encoding uses two lowercase digits per byte")
    func lowercaseEncoding() {
        #expect(Hex.encode([0x00, 0x0F, 0xAB, 0xFF]) == "000fabff")
        #expect(Hex.encode([]) == "")
    }

    @Test("uppercase and mixed-case digits decode")
    func acceptsUppercase() {
        #expect(Hex.decode("DEADbeef") == [0xDE, 0xAD, 0xBE, 0xEF])
    }

    @Test("empty text decodes to no bytes")
    func emptyText() {
        #expect(Hex.decode("") == [])
    }

    @Test("text with an odd number of digits is refused")
    func rejectsOddLength() {
        #expect(Hex.decode("abc") == nil)
    }

    @Test("text with a character that is not a hexadecimal digit is refused", arguments: ["0g", "zz", "0x12", "12 34", "é", "1\n"])
    func rejectsNonHexCharacters(text: String) {
        #expect(Hex.decode(text) == nil)
    }
}
