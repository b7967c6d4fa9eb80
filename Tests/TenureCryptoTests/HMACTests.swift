import Testing
import TenureCrypto

@Suite("HMAC-SHA256")
struct HMACTests {
    @Test("RFC 4231 test case 1: a 20-byte key")
    func rfc4231Case1() {
        let code = HMACSHA256.authenticationCode(for: bytes("Hi There"), key: [UInt8](repeating: 0x0B, count: 20))
        #expect(Hex.encode(code) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test("RFC 4231 test case 2: a key shorter than the code")
    func rfc4231Case2() {
        let code = HMACSHA256.authenticationCode(for: bytes("what do ya want for nothing?"), key: bytes("Jefe"))
        #expect(Hex.encode(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("RFC 4231 test case 3: key and data of repeated bytes")
    func rfc4231Case3() {
        let code = HMACSHA256.authenticationCode(for: [UInt8](repeating: 0xDD, count: 50), key: [UInt8](repeating: 0xAA, count: 20))
        #expect(Hex.encode(code) == "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
    }

    @Test("RFC 4231 test case 4: a 25-byte counting key")
    func rfc4231Case4() {
        let key = (1...25).map { UInt8($0) }
        let code = HMACSHA256.authenticationCode(for: [UInt8](repeating: 0xCD, count: 50), key: key)
        #expect(Hex.encode(code) == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
    }

    @Test("RFC 4231 test case 5: the code truncated to 128 bits")
    func rfc4231Case5() {
        let code = HMACSHA256.authenticationCode(for: bytes("Test With Truncation"), key: [UInt8](repeating: 0x0C, count: 20))
        #expect(Hex.encode(Array(code.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test("RFC 4231 test case 6: a key longer than a block is hashed first")
    func rfc4231Case6() {
        let code = HMACSHA256.authenticationCode(
            for: bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
            key: [UInt8](repeating: 0xAA, count: 131))
        #expect(Hex.encode(code) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("RFC 4231 test case 7: a long key and data longer than a block")
    func rfc4231Case7() {
        let message = bytes(
            "This is a test using a larger than block-size key and a larger than block-size data. "
                + "The key needs to be hashed before being used by the HMAC algorithm.")
        let code = HMACSHA256.authenticationCode(for: message, key: [UInt8](repeating: 0xAA, count: 131))
        #expect(Hex.encode(code) == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    @Test("a prepared key gives the same code for every message it tags")
    func preparedKeyIsReusable() {
        let key = HMACKey(bytes("Jefe"))
        let first = key.authenticationCode(for: bytes("what do ya want for nothing?"))
        _ = key.authenticationCode(for: bytes("an unrelated frame in between"))
        let second = key.authenticationCode(for: bytes("what do ya want for nothing?"))
        #expect(first == second)
        #expect(Hex.encode(first) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("a message fed in pieces gets the same code as in one piece")
    func incrementalUpdates() {
        let key = [UInt8](repeating: 0xAA, count: 131)
        let message = countingBytes(150)
        var authenticator = HMACSHA256(key: key)
        authenticator.update(message[..<10])
        authenticator.update(message[10..<100])
        message[100...].withUnsafeBytes { authenticator.update($0) }
        #expect(authenticator.finalize() == HMACSHA256.authenticationCode(for: message, key: key))
    }

    @Test("a correct code is accepted and a code with one flipped bit is refused")
    func verification() {
        let key = HMACKey(countingBytes(32))
        let frame = bytes("heartbeat term 7")
        var code = key.authenticationCode(for: frame)
        #expect(key.isValidAuthenticationCode(code, for: frame))
        code[31] ^= 0x01
        #expect(!key.isValidAuthenticationCode(code, for: frame))
    }

    @Test("a code under one key is refused under another")
    func wrongKeyIsRefused() {
        let frame = bytes("vote request term 3")
        let code = HMACKey(countingBytes(32)).authenticationCode(for: frame)
        #expect(!HMACKey(countingBytes(33)).isValidAuthenticationCode(code, for: frame))
    }
}
