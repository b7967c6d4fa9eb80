import Testing
import TenureCrypto

@Suite("HKDF-SHA256")
struct HKDFTests {
    @Test("RFC 5869 test case 1: basic salt, info and a 42-byte key")
    func rfc5869Case1() {
        let pseudorandomKey = HKDF.extract(salt: bytes(hex: "000102030405060708090a0b0c"), inputKeyMaterial: [UInt8](repeating: 0x0B, count: 22))
        #expect(Hex.encode(pseudorandomKey) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        let output = HKDF.expand(pseudorandomKey: pseudorandomKey, info: bytes(hex: "f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(Hex.encode(output) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test("RFC 5869 test case 2: 80-byte inputs and an 82-byte key")
    func rfc5869Case2() {
        let pseudorandomKey = HKDF.extract(salt: (0x60...0xAF).map { UInt8($0) }, inputKeyMaterial: (0x00...0x4F).map { UInt8($0) })
        #expect(Hex.encode(pseudorandomKey) == "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244")
        let output = HKDF.expand(pseudorandomKey: pseudorandomKey, info: (0xB0...0xFF).map { UInt8($0) }, length: 82)
        #expect(
            Hex.encode(output)
                == "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"
        )
    }

    @Test("RFC 5869 test case 3: empty salt and info")
    func rfc5869Case3() {
        let pseudorandomKey = HKDF.extract(salt: [], inputKeyMaterial: [UInt8](repeating: 0x0B, count: 22))
        #expect(Hex.encode(pseudorandomKey) == "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
        let output = HKDF.expand(pseudorandomKey: pseudorandomKey, info: [], length: 42)
        #expect(Hex.encode(output) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    @Test("deriving in one call equals extracting then expanding")
    func deriveKeyCombinesBothSteps() {
        let inputKeyMaterial = [UInt8](repeating: 0x0B, count: 22)
        let salt = bytes(hex: "000102030405060708090a0b0c")
        let info = bytes(hex: "f0f1f2f3f4f5f6f7f8f9")
        let derived = HKDF.deriveKey(inputKeyMaterial: inputKeyMaterial, salt: salt, info: info, length: 42)
        #expect(Hex.encode(derived) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test("a shorter output is a prefix of a longer one from the same key and info")
    func outputLengthsArePrefixes() {
        let pseudorandomKey = countingBytes(32)
        let long = HKDF.expand(pseudorandomKey: pseudorandomKey, info: bytes("session"), length: 100)
        for length in [0, 1, 31, 32, 33, 64, 99] {
            #expect(HKDF.expand(pseudorandomKey: pseudorandomKey, info: bytes("session"), length: length) == Array(long.prefix(length)))
        }
    }

    @Test("the maximum output of 255 blocks can be derived")
    func maximumLength() {
        let output = HKDF.expand(pseudorandomKey: countingBytes(32), info: [], length: HKDF.maximumOutputByteCount)
        #expect(output.count == 255 * 32)
    }

    @Test("asking for more than 255 blocks stops the process")
    func beyondMaximumLengthTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = HKDF.expand(pseudorandomKey: [UInt8](repeating: 1, count: 32), info: [], length: HKDF.maximumOutputByteCount + 1)
        }
    }
}
