import TenureCore
import Testing
@testable import TenureWire

/// Decoding must never trap, whatever arrives. A trap would crash the test process, so reaching
/// the end is the main assertion; typed throws guarantee any error is a `WireError`. Where a random
/// buffer does decode, it must be exactly the canonical encoding of what it decoded to.
@Suite("Fuzzing")
struct FuzzTests {
    /// A valid frame's bytes are the only bytes that decode to its envelope.
    func expectCanonical(_ bytes: [UInt8], decoded: Envelope) {
        #expect(FrameCodec.encode(decoded, clusterID: testCluster) == bytes)
    }

    func check(_ bytes: [UInt8]) -> Bool {
        do throws(WireError) {
            let envelope = try FrameCodec.decode(bytes, clusterID: testCluster)
            expectCanonical(bytes, decoded: envelope)
            return true
        } catch {
            #expect(!error.counterName.isEmpty)
            return false
        }
    }

    @Test("random buffers never trap the decoder")
    func randomBuffers() {
        var rng = SplitMix64(seed: 0x7E4E)
        for iteration in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Most purely random buffers fail at the magic; give later ones a plausible header, and
            // some a correct length and checksum, so that the payload parser is reached too.
            if iteration % 4 != 0, bytes.count >= 20 {
                bytes[0] = 0x54
                bytes[1] = 0x4E
                bytes[2] = 1
                bytes[3] = UInt8.random(in: 0...6, using: &rng)
                for index in 0..<8 { bytes[4 + index] = UInt8(truncatingIfNeeded: testCluster >> (56 - 8 * index)) }
                if iteration % 2 == 1 {
                    bytes = handmadeFrame(kind: bytes[3], payload: Array(bytes[16..<bytes.count - 4]))
                }
            }
            _ = check(bytes)
        }
    }

    @Test("checksum-correct frames with small random payloads never trap the decoder")
    func structuredPayloads() {
        var rng = SplitMix64(seed: 0xF00D)
        var decodedCount = 0
        for _ in 0..<5_000 {
            // Payloads shaped like the real thing, with random lengths, id bytes and flags.
            var payload: [UInt8] = []
            for _ in 0..<2 {
                let length = Int.random(in: 0...3, using: &rng)
                payload.append(UInt8(length))
                for _ in 0..<length {
                    payload.append([0x61, 0x5F, 0x2D, 0x2E, 0x00, 0xFF].randomElement(using: &rng)!)
                }
            }
            payload += (0..<Int.random(in: 0...18, using: &rng)).map { _ in
                [0, 1, 2, 3, 4, 0xFF].randomElement(using: &rng)!
            }
            if check(handmadeFrame(kind: UInt8.random(in: 1...5, using: &rng), payload: payload)) {
                decodedCount += 1
            }
        }
        #expect(decodedCount > 0)
    }

    @Test("no single-byte change to a valid frame decodes")
    func singleByteMutations() {
        var rng = SplitMix64(seed: 0xBEEF)
        for _ in 0..<5_000 {
            let frame = FrameCodec.encode(randomEnvelope(using: &rng), clusterID: testCluster)
            var mutated = frame
            let index = Int.random(in: 0..<frame.count, using: &rng)
            mutated[index] ^= UInt8.random(in: 1...255, using: &rng)
            #expect(!check(mutated), "byte \(index)")

            // A stream either refuses it or, if the length grew, waits for bytes that never come.
            var decoder = FrameDecoder(clusterID: testCluster)
            decoder.append(contentsOf: mutated)
            #expect((try? decoder.next()) == nil, "byte \(index)")
        }
    }

    @Test("random bytes never trap the streaming decoder")
    func randomStreams() {
        var rng = SplitMix64(seed: 0x5EED)
        let valid = FrameCodec.encode(
            Envelope(from: "n1", to: "n2", message: .heartbeat(Heartbeat(term: 1, round: 1))), clusterID: testCluster)
        for _ in 0..<2_000 {
            var decoder = FrameDecoder(clusterID: testCluster, maximumFrameBytes: Int.random(in: 0...300, using: &rng))
            var stream = Bool.random(using: &rng) ? valid : []
            stream += (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var offset = 0
            streaming: while offset < stream.count {
                let size = min(stream.count - offset, Int.random(in: 1...64, using: &rng))
                decoder.append(contentsOf: Array(stream[offset..<offset + size]))
                offset += size
                do throws(WireError) {
                    while try decoder.next() != nil {}
                } catch {
                    break streaming
                }
            }
        }
    }
}
