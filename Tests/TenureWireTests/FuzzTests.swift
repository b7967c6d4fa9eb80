import TenureCore
import Testing
@testable import TenureWire

/// Whatever arrives, decoding must neither trap nor accept anything but canonical frames: where a
/// random buffer decodes, it must be exactly the canonical encoding of what it decoded to; otherwise
/// it is refused with a typed `WireError`, and a stream that failed once stays failed.
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

    /// Every kind the format defines (`MessageKind`), so that each payload parser is fuzzed.
    static let everyKind: [UInt8] = [1, 2, 3, 4, 5, 16, 17, 18, 19]

    /// How one buffer ended: decoded, refused by the payload parser, or refused before it.
    enum Outcome: Hashable {
        case decoded
        case refusedByPayloadParser
        case refusedBeforePayload(String)
    }

    /// Decodes `bytes` as one frame of either kind and says how far it got. A decoded frame must
    /// be canonical; the header and checksum errors are the ones thrown before the payload parser.
    func outcome(of bytes: [UInt8]) -> Outcome {
        do throws(WireError) {
            switch try FrameCodec.decodePeerFrame(bytes, clusterID: testCluster) {
            case .message(let frame):
                #expect(FrameCodec.encode(frame.envelope, clusterID: testCluster, reports: frame.reports) == bytes)
            case .handshake(let handshake):
                #expect(FrameCodec.encode(handshake, clusterID: testCluster) == bytes)
            }
            return .decoded
        } catch {
            switch error {
            case .malformed: return .refusedByPayloadParser
            default: return .refusedBeforePayload(error.counterName)
            }
        }
    }

    @Test("random bytes never trap the decoder")
    func randomBuffers() {
        var rng = SeededRandom(seed: 0x7E4E)
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = check(bytes)
            _ = outcome(of: bytes)
        }
    }

    /// Random payloads behind a header of the current wire version, with a correct length and
    /// checksum: every one must reach the payload parser, which the outcome counts prove (a
    /// version byte this build refuses would stop them all at the header).
    @Test("random payloads behind a valid header of the current version all reach the payload parser")
    func randomPayloads() {
        var rng = SeededRandom(seed: 0x7E4F)
        var outcomes: [Outcome: Int] = [:]
        for _ in 0..<15_000 {
            let payload = (0..<Int.random(in: 0...180, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let frame = handmadeFrame(kind: Self.everyKind.randomElement(using: &rng)!, payload: payload)
            #expect(frame[2] == FrameCodec.wireVersion)
            outcomes[outcome(of: frame), default: 0] += 1
        }
        let reached = (outcomes[.decoded] ?? 0) + (outcomes[.refusedByPayloadParser] ?? 0)
        #expect(reached == 15_000, "stopped before the payload parser: \(outcomes.filter { $0.key != .decoded && $0.key != .refusedByPayloadParser })")
    }

    @Test("checksum-correct frames with small random payloads never trap the decoder")
    func structuredPayloads() {
        var rng = SeededRandom(seed: 0xF00D)
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
        var rng = SeededRandom(seed: 0xBEEF)
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

    /// What a streaming decoder made of `stream` fed in `slices`: the envelopes it handed out, the
    /// first error it threw (if any) and the bytes still buffered at the end. After the first error
    /// the rest of the stream is still appended, and every later `next()` must rethrow that error
    /// with the buffer empty: a failed stream stays failed.
    struct StreamOutcome {
        var envelopes: [Envelope] = []
        var error: WireError?
        var bufferedAtEnd = 0
    }

    func decodeStream(_ stream: [UInt8], slices: [Int], maximumFrameBytes: Int) -> StreamOutcome {
        var decoder = FrameDecoder(clusterID: testCluster, maximumFrameBytes: maximumFrameBytes)
        var outcome = StreamOutcome()
        var offset = 0
        for size in slices {
            decoder.append(contentsOf: Array(stream[offset..<offset + size]))
            offset += size
            do throws(WireError) {
                while let envelope = try decoder.next() {
                    #expect(outcome.error == nil, "an envelope came out after the stream failed")
                    outcome.envelopes.append(envelope)
                }
            } catch {
                if let first = outcome.error {
                    #expect(error == first, "a failed decoder must keep throwing its first error")
                } else {
                    outcome.error = error
                }
                #expect(decoder.bufferedByteCount == 0, "a failed decoder must drop and refuse bytes")
            }
        }
        #expect(offset == stream.count)
        if let error = outcome.error {
            #expect(throws: error, "a failed decoder must keep throwing its first error") { try decoder.next() }
        }
        outcome.bufferedAtEnd = decoder.bufferedByteCount
        return outcome
    }

    /// Property: whatever bytes arrive, in whatever slices, the streaming decoder
    /// (a) hands out only envelopes whose canonical encodings, laid end to end, are exactly the
    ///     bytes it consumed (and, without an error, consumed + still buffered = everything sent);
    /// (b) gives the same envelopes and the same typed error as when the stream arrives in one append;
    /// (c) once it has thrown, keeps throwing that error, yields nothing more and buffers nothing
    ///     (checked in `decodeStream`).
    /// Mutations this catches (each tried): not clearing `pendingHeader` after a frame (the second
    /// opening frame is misread), advancing `readIndex` by anything but `header.frameLength` (likewise),
    /// dropping `if let failure { throw failure }` or the `failure == nil` guard in `append` (c).
    @Test("random streams in random slices: only canonical frames come out, as with one append, and errors stick")
    func randomStreams() {
        var rng = SeededRandom(seed: 0x5EED)
        let heartbeat = Envelope(from: "n1", to: "n2", message: .heartbeat(Heartbeat(term: 1, round: 1)))
        let vote = Envelope(
            from: "node-three", to: "n1", message: .requestVote(RequestVote(term: 7, preVote: true, leadershipTransfer: false)))
        // Streams start with zero, one or two valid frames (of different lengths), then random bytes.
        let openings = [[], [heartbeat], [heartbeat, vote]]
        var (streamsWithEnvelopes, streamsWithErrors, streamsStillWaiting) = (0, 0, 0)
        for _ in 0..<2_000 {
            let maximumFrameBytes = Int.random(in: 0...300, using: &rng)
            let opening = openings[Int.random(in: 0..<openings.count, using: &rng)]
            let openingFrames = opening.map { FrameCodec.encode($0, clusterID: testCluster) }
            var stream = openingFrames.flatMap { $0 }
            stream += (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var slices: [Int] = []
            var remaining = stream.count
            while remaining > 0 {
                let size = min(remaining, Int.random(in: 1...64, using: &rng))
                slices.append(size)
                remaining -= size
            }

            let sliced = decodeStream(stream, slices: slices, maximumFrameBytes: maximumFrameBytes)
            let whole = decodeStream(stream, slices: stream.isEmpty ? [] : [stream.count], maximumFrameBytes: maximumFrameBytes)

            // (a) Out came exactly the frames at the front of the stream, byte for byte.
            let reencoded = sliced.envelopes.flatMap { FrameCodec.encode($0, clusterID: testCluster) }
            #expect(Array(stream.prefix(reencoded.count)) == reencoded)
            if sliced.error == nil {
                #expect(reencoded.count + sliced.bufferedAtEnd == stream.count)
            }
            // Valid frames within the size limit at the front are always delivered first, in order.
            if openingFrames.allSatisfy({ $0.count <= maximumFrameBytes }) {
                #expect(Array(sliced.envelopes.prefix(opening.count)) == opening)
            }
            // (b) Slicing changes nothing.
            #expect(sliced.envelopes == whole.envelopes)
            #expect(sliced.error == whole.error)
            #expect(sliced.bufferedAtEnd == whole.bufferedAtEnd)

            if !sliced.envelopes.isEmpty { streamsWithEnvelopes += 1 }
            if sliced.error != nil { streamsWithErrors += 1 } else { streamsStillWaiting += 1 }
        }
        // The seed must exercise every outcome, or the checks above could pass vacuously.
        #expect(streamsWithEnvelopes > 100)
        #expect(streamsWithErrors > 100)
        #expect(streamsStillWaiting > 10)
    }
}
