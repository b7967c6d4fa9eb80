import Testing
import TenureCrypto

@Suite("SHA-256")
struct SHA256Tests {
    @Test("\"abc\" hashes to the FIPS 180-4 example digest")
    func threeLetterMessage() {
        #expect(Hex.encode(SHA256.hash(bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the empty message hashes to the known digest")
    func emptyMessage() {
        #expect(Hex.encode(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("the 448-bit NIST message, whose padding needs a second block, hashes to the example digest")
    func twoBlockMessage() {
        let message = bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        #expect(message.count * 8 == 448)
        #expect(Hex.encode(SHA256.hash(message)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("the 896-bit NIST message hashes to the example digest")
    func longNISTMessage() {
        let message = bytes("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
        #expect(message.count * 8 == 896)
        #expect(Hex.encode(SHA256.hash(message)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test("one million 'a' bytes hash to the NIST example digest")
    func oneMillionLetters() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Hex.encode(SHA256.hash(message)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    // Expected digests computed independently with Python's hashlib over bytes 0, 1, 2, ...
    @Test("messages at the padding boundaries hash like Python's hashlib", arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),  // padding fits in one block
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),  // length no longer fits
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),  // exactly one block
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(Hex.encode(SHA256.hash(countingBytes(length))) == expected)
    }

    @Test("a message fed in two parts split at any position hashes like the whole message")
    func everySplitPosition() {
        let message = countingBytes(200)
        let whole = SHA256.hash(message)
        for split in 0...message.count {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == whole, "split at \(split)")
        }
    }

    @Test("a message fed one byte at a time hashes like the whole message")
    func byteAtATime() {
        let message = countingBytes(200)
        var hasher = SHA256()
        for byte in message {
            hasher.update([byte])
        }
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test("a sequence without contiguous storage hashes like the same bytes in an array")
    func nonContiguousSequence() {
        let message = countingBytes(1000)
        let lazyMessage = message.lazy.map { $0 }
        #expect(SHA256.hash(lazyMessage) == SHA256.hash(message))
    }

    @Test("raw memory hashes like the same bytes in an array")
    func rawMemory() {
        let message = countingBytes(300)
        var hasher = SHA256()
        message.withUnsafeBytes { hasher.update($0) }
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test("a hasher copied part-way through continues independently of the original")
    func copiedHasherIsIndependent() {
        var original = SHA256()
        original.update(bytes("abc"))
        var copy = original
        copy.update(bytes("def"))
        #expect(original.finalize() == SHA256.hash(bytes("abc")))
        #expect(copy.finalize() == SHA256.hash(bytes("abcdef")))
    }
}
