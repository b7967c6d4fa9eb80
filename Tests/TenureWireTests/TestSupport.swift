import TenureCore
@testable import TenureWire

let testCluster: UInt64 = 0x0102_0304_0506_0708

/// One message of every kind and every flag combination, with boundary terms and rounds.
let everyMessage: [Message] = {
    var messages: [Message] = []
    for preVote in [false, true] {
        for transfer in [false, true] {
            messages.append(.requestVote(RequestVote(term: 5, preVote: preVote, leadershipTransfer: transfer)))
        }
        for granted in [false, true] {
            messages.append(.voteResponse(VoteResponse(term: 6, preVote: preVote, granted: granted)))
        }
    }
    messages.append(.heartbeat(Heartbeat(term: 0, round: 1)))
    messages.append(.heartbeat(Heartbeat(term: .max, round: .max)))
    messages.append(.heartbeatResponse(HeartbeatResponse(term: 9, round: 3, accepted: true)))
    messages.append(.heartbeatResponse(HeartbeatResponse(term: 10, round: 0, accepted: false)))
    messages.append(.heartbeatResponse(HeartbeatResponse(term: 11, round: 4, accepted: true, healthy: false)))
    messages.append(.timeoutNow(TimeoutNow(term: 1 << 40)))
    return messages
}()

func randomNodeID(using rng: inout SeededRandom) -> NodeID {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
    let length = Int.random(in: 1...NodeID.maximumLength, using: &rng)
    return NodeID(String((0..<length).map { _ in alphabet.randomElement(using: &rng)! }))
}

func randomEnvelope(using rng: inout SeededRandom) -> Envelope {
    let term = UInt64.random(in: 0...UInt64.max, using: &rng)
    let round = UInt64.random(in: 0...UInt64.max, using: &rng)
    let message: Message
    switch Int.random(in: 0..<5, using: &rng) {
    case 0:
        message = .requestVote(
            RequestVote(term: term, preVote: .random(using: &rng), leadershipTransfer: .random(using: &rng)))
    case 1:
        message = .voteResponse(VoteResponse(term: term, preVote: .random(using: &rng), granted: .random(using: &rng)))
    case 2:
        message = .heartbeat(Heartbeat(term: term, round: round))
    case 3:
        message = .heartbeatResponse(HeartbeatResponse(term: term, round: round, accepted: .random(using: &rng), healthy: .random(using: &rng)))
    default:
        message = .timeoutNow(TimeoutNow(term: term))
    }
    return Envelope(from: randomNodeID(using: &rng), to: randomNodeID(using: &rng), message: message)
}

/// A frame built by hand around `payload`, with a correct length and checksum unless overridden,
/// so that tests can reach the payload checks past the header and checksum checks.
func handmadeFrame(
    kind: UInt8, payload: [UInt8], cluster: UInt64 = testCluster, version: UInt8 = FrameLayout.version,
    magic: UInt16 = 0x544E, payloadLength: UInt32? = nil
) -> [UInt8] {
    var frame: [UInt8] = []
    frame.appendBigEndian(magic)
    frame.append(version)
    frame.append(kind)
    frame.appendBigEndian(cluster)
    frame.appendBigEndian(payloadLength ?? UInt32(payload.count))
    frame.append(contentsOf: payload)
    frame.appendBigEndian(CRC32C.checksum(frame))
    return frame
}

/// Recomputes the trailing checksum after a test has edited a frame.
func resealed(_ frame: [UInt8]) -> [UInt8] {
    var body = Array(frame.dropLast(4))
    body.appendBigEndian(CRC32C.checksum(body))
    return body
}

/// The payload of an encoded frame.
func payload(of frame: [UInt8]) -> [UInt8] {
    Array(frame[FrameCodec.headerBytes..<frame.count - 4])
}

/// The error decoding `frame` throws, or nil if it decodes.
func decodeError(_ frame: [UInt8], cluster: UInt64 = testCluster, maximumFrameBytes: Int = 1024) -> WireError? {
    do throws(WireError) {
        _ = try FrameCodec.decode(frame, clusterID: cluster, maximumFrameBytes: maximumFrameBytes)
        return nil
    } catch {
        return error
    }
}

func isMalformed(_ error: WireError?) -> Bool {
    if case .malformed = error { return true }
    return false
}
