import TenureCore
import Testing
@testable import TenureWire

@Suite("Streaming decoder")
struct FrameDecoderTests {
    /// A stream of `count` random frames and the envelopes it carries.
    func stream(count: Int, seed: UInt64) -> (bytes: [UInt8], envelopes: [Envelope]) {
        var rng = SeededRandom(seed: seed)
        var bytes: [UInt8] = []
        var envelopes: [Envelope] = []
        for _ in 0..<count {
            let envelope = randomEnvelope(using: &rng)
            envelopes.append(envelope)
            bytes += FrameCodec.encode(envelope, clusterID: testCluster)
        }
        return (bytes, envelopes)
    }

    /// Every envelope the decoder can give right now.
    func drain(_ decoder: inout FrameDecoder) throws(WireError) -> [Envelope] {
        var envelopes: [Envelope] = []
        while let envelope = try decoder.next() { envelopes.append(envelope) }
        return envelopes
    }

    @Test("frames fed one byte at a time come out whole and in order")
    func oneByteAtATime() throws {
        let (bytes, expected) = stream(count: 40, seed: 1)
        var decoder = FrameDecoder(clusterID: testCluster)
        var received: [Envelope] = []
        for byte in bytes {
            decoder.append(contentsOf: [byte])
            received += try drain(&decoder)
        }
        #expect(received == expected)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("frames fed in random chunk sizes come out whole and in order", arguments: [UInt64(2), 3, 4])
    func randomChunks(seed: UInt64) throws {
        let (bytes, expected) = stream(count: 2000, seed: seed)
        var rng = SeededRandom(seed: seed &* 31)
        var decoder = FrameDecoder(clusterID: testCluster)
        var received: [Envelope] = []
        var offset = 0
        var useRawAppend = false
        while offset < bytes.count {
            let size = min(bytes.count - offset, Int.random(in: 1...700, using: &rng))
            let chunk = Array(bytes[offset..<offset + size])
            if useRawAppend {
                chunk.withUnsafeBytes { decoder.append($0) }
            } else {
                decoder.append(contentsOf: chunk)
            }
            useRawAppend.toggle()
            offset += size
            received += try drain(&decoder)
            #expect(decoder.bufferedByteCount < FrameCodec.defaultMaximumFrameBytes)
        }
        #expect(received == expected)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("a partial frame yields nothing and stays buffered")
    func partialFrame() throws {
        let frame = FrameCodec.encode(
            Envelope(from: "n1", to: "n2", message: .timeoutNow(TimeoutNow(term: 3))), clusterID: testCluster)
        var decoder = FrameDecoder(clusterID: testCluster)
        decoder.append(contentsOf: Array(frame.dropLast()))
        #expect(try decoder.next() == nil)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == frame.count - 1)
        decoder.append(contentsOf: [frame.last!])
        #expect(try decoder.next()?.message == .timeoutNow(TimeoutNow(term: 3)))
        #expect(try decoder.next() == nil)
    }

    @Test("an oversized length is refused as soon as the header is in, before any payload")
    func oversizedHeaderRejectedEarly() throws {
        let header = Array(handmadeFrame(kind: 3, payload: [], payloadLength: 1_000_000).prefix(16))
        var decoder = FrameDecoder(clusterID: testCluster)
        decoder.append(contentsOf: Array(header.prefix(15)))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 15)
        decoder.append(contentsOf: [header[15]])
        #expect(throws: WireError.frameTooLarge(1_000_020)) { try decoder.next() }
    }

    @Test("each header error is raised from the header alone")
    func headerErrorsFromHeaderAlone() {
        let cases: [([UInt8], WireError)] = [
            (handmadeFrame(kind: 3, payload: [], magic: 1, payloadLength: 500), .badMagic(1)),
            (handmadeFrame(kind: 3, payload: [], version: 9, payloadLength: 500), .unsupportedVersion(9)),
            (handmadeFrame(kind: 77, payload: [], payloadLength: 500), .unknownKind(77)),
            (handmadeFrame(kind: 3, payload: [], cluster: 5, payloadLength: 500),
             .clusterMismatch(expected: testCluster, received: 5)),
        ]
        for (frame, error) in cases {
            var decoder = FrameDecoder(clusterID: testCluster)
            decoder.append(contentsOf: Array(frame.prefix(16)))
            #expect(throws: error) { try decoder.next() }
        }
    }

    @Test("after the first error the decoder keeps throwing it and drops further bytes")
    func errorsAreSticky() throws {
        let good = FrameCodec.encode(
            Envelope(from: "n1", to: "n2", message: .heartbeat(Heartbeat(term: 1, round: 1))), clusterID: testCluster)
        var corrupt = good
        corrupt[20] ^= 0x01
        var decoder = FrameDecoder(clusterID: testCluster)
        decoder.append(contentsOf: good + corrupt + good)
        #expect(try decoder.next() != nil)
        #expect(throws: WireError.checksumMismatch) { try decoder.next() }
        #expect(throws: WireError.checksumMismatch) { try decoder.next() }
        decoder.append(contentsOf: good)
        #expect(decoder.bufferedByteCount == 0)
        #expect(throws: WireError.checksumMismatch) { try decoder.next() }
    }

    @Test("a stream of the wrong cluster is refused")
    func streamClusterMismatch() {
        let (bytes, _) = stream(count: 3, seed: 9)
        var decoder = FrameDecoder(clusterID: 42)
        decoder.append(contentsOf: bytes)
        #expect(throws: WireError.clusterMismatch(expected: 42, received: testCluster)) { try decoder.next() }
    }
}
