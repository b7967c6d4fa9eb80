import TenureCore
import Testing
@testable import TenureWire

@Suite("Frame rejection")
struct FrameErrorTests {
    let heartbeat = FrameCodec.encode(
        Envelope(from: "n1", to: "n2", message: .heartbeat(Heartbeat(term: 7, round: 42))), clusterID: testCluster)

    /// Common to every kind: sender "n1", recipient "n2", term 7.
    let commonPayload: [UInt8] = [2, 0x6E, 0x31, 2, 0x6E, 0x32, 0, 0, 0, 0, 0, 0, 0, 7]

    @Test("a frame that does not start with the magic is refused")
    func badMagic() {
        var frame = heartbeat
        frame[0] = 0x55
        #expect(decodeError(frame) == .badMagic(0x554E))
        #expect(decodeError(handmadeFrame(kind: 3, payload: [], magic: 0x4854)) == .badMagic(0x4854))
    }

    @Test("a frame of another format version is refused")
    func unsupportedVersion() {
        for version: UInt8 in [0, FrameLayout.version - 1, FrameLayout.version + 1, 0xFF] {
            let frame = handmadeFrame(kind: 3, payload: payload(of: heartbeat), version: version)
            #expect(decodeError(frame) == .unsupportedVersion(version))
        }
    }

    @Test("a frame of an unknown message kind is refused", arguments: [UInt8(0), 6, 0x80, 0xFF])
    func unknownKind(kind: UInt8) {
        #expect(decodeError(handmadeFrame(kind: kind, payload: payload(of: heartbeat))) == .unknownKind(kind))
    }

    @Test("an oversized length is refused from the 16 header bytes alone")
    func oversizedFromHeader() {
        let header = Array(handmadeFrame(kind: 3, payload: [], payloadLength: 5000).prefix(FrameCodec.headerBytes))
        #expect(decodeError(header) == .frameTooLarge(5020))
        let huge = Array(handmadeFrame(kind: 3, payload: [], payloadLength: .max).prefix(FrameCodec.headerBytes))
        #expect(decodeError(huge) == .frameTooLarge(Int(UInt32.max) + 20))
        // A limit below a valid frame's size refuses it too.
        #expect(decodeError(heartbeat, maximumFrameBytes: heartbeat.count - 1) == .frameTooLarge(heartbeat.count))
        #expect(decodeError(heartbeat, maximumFrameBytes: heartbeat.count) == nil)
    }

    @Test("a frame of another cluster is refused")
    func clusterMismatch() {
        let other = ClusterID.derive(from: "other")
        #expect(decodeError(heartbeat, cluster: other) == .clusterMismatch(expected: other, received: testCluster))
    }

    @Test("any flipped bit in the header, payload or checksum is caught by the checksum")
    func checksumFlip() {
        // Header bytes whose change is caught by an earlier check are left out: magic, version, kind,
        // cluster id and payload length.
        for index in 16..<heartbeat.count {
            for bit in 0..<8 {
                var frame = heartbeat
                frame[index] ^= 1 << bit
                #expect(decodeError(frame) == .checksumMismatch, "byte \(index) bit \(bit)")
            }
        }
        var kindChanged = heartbeat
        kindChanged[3] = 5  // timeoutNow: a valid kind, so only the checksum can catch it.
        #expect(decodeError(kindChanged) == .checksumMismatch)
    }

    @Test("a whole frame that is cut short or followed by extra bytes is malformed")
    func wrongFrameLength() {
        for length in 0..<heartbeat.count {
            #expect(isMalformed(decodeError(Array(heartbeat.prefix(length)))), "length \(length)")
        }
        #expect(isMalformed(decodeError(heartbeat + [0])))
    }

    @Test("a payload cut short inside any field is malformed", arguments: everyMessage)
    func truncatedPayloadFields(message: Message) {
        let frame = FrameCodec.encode(Envelope(from: "n1", to: "n2", message: message), clusterID: testCluster)
        let full = payload(of: frame)
        for length in 0..<full.count {
            let cut = handmadeFrame(kind: frame[3], payload: Array(full.prefix(length)))
            #expect(isMalformed(decodeError(cut)), "payload length \(length)")
        }
    }

    @Test("bytes after the last payload field are malformed", arguments: everyMessage)
    func trailingPayloadBytes(message: Message) {
        let frame = FrameCodec.encode(Envelope(from: "n1", to: "n2", message: message), clusterID: testCluster)
        let padded = handmadeFrame(kind: frame[3], payload: payload(of: frame) + [0])
        #expect(isMalformed(decodeError(padded)))
    }

    @Test("node ids that are empty, too long or hold forbidden bytes are malformed")
    func invalidNodeIDs() {
        let rest: [UInt8] = [2, 0x6E, 0x32, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1]
        let badSenders: [[UInt8]] = [
            [0],
            [65] + [UInt8](repeating: 0x61, count: 65),
            [2, 0x6E, 0x2E],  // "n."
            [2, 0x6E, 0x20],  // "n "
            [2, 0x6E, 0x00],
            [2, 0xC3, 0xA9],  // "é": valid UTF-8, not allowed
            [2, 0xFF, 0xFE],  // not UTF-8
            [1, 0x2F],  // "/"
        ]
        for sender in badSenders {
            #expect(isMalformed(decodeError(handmadeFrame(kind: 3, payload: sender + rest))), "\(sender)")
        }
        // The same bytes in the recipient.
        let sender: [UInt8] = [2, 0x6E, 0x31]
        let tail: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 25)
        #expect(isMalformed(decodeError(handmadeFrame(kind: 3, payload: sender + [2, 0x6E, 0x3A] + tail))))
        #expect(isMalformed(decodeError(handmadeFrame(kind: 3, payload: sender + [0] + tail))))
        // And a valid one, so that the cases above fail for the node id and nothing else.
        #expect(decodeError(handmadeFrame(kind: 3, payload: sender + [2, 0x6E, 0x32] + tail)) == nil)
    }

    @Test("unknown flag bits are malformed")
    func unknownFlagBits() {
        let round: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]
        let membership = [UInt8](repeating: 0, count: 16)  // term and index of the sender's configuration
        for flags: UInt8 in [0x04, 0x08, 0x80, 0xFF] {
            #expect(isMalformed(decodeError(handmadeFrame(kind: 2, payload: commonPayload + [flags]))))
        }
        for flags: UInt8 in [0x08, 0x80, 0xFF] {
            #expect(isMalformed(decodeError(handmadeFrame(kind: 1, payload: commonPayload + [flags] + membership))))
        }
        for flags: UInt8 in [0x04, 0x80, 0xFF] {
            #expect(isMalformed(decodeError(handmadeFrame(kind: 4, payload: commonPayload + round + [flags] + membership))))
        }
        // A heartbeat's flags byte knows only "an entry follows".
        let heartbeatFields = round + membership + [UInt8](repeating: 0, count: 8)
        #expect(isMalformed(decodeError(handmadeFrame(kind: 3, payload: commonPayload + heartbeatFields + [0x02]))))
        // The known bits alone decode.
        #expect(decodeError(handmadeFrame(kind: 1, payload: commonPayload + [0x07] + membership)) == nil)
        #expect(decodeError(handmadeFrame(kind: 2, payload: commonPayload + [0x03])) == nil)
        #expect(decodeError(handmadeFrame(kind: 4, payload: commonPayload + round + [0x01] + membership)) == nil)
        // 0x02 on a heartbeat response: the follower's application is unhealthy.
        #expect(decodeError(handmadeFrame(kind: 4, payload: commonPayload + round + [0x03] + membership)) == nil)
        #expect(decodeError(handmadeFrame(kind: 3, payload: commonPayload + heartbeatFields + [0x00])) == nil)
    }

    @Test("header checks run in a fixed order: magic, version, kind, size, cluster")
    func checkOrder() {
        func frame(magic: UInt16 = 0x544E, version: UInt8 = FrameLayout.version, kind: UInt8 = 3, length: UInt32 = 9999) -> [UInt8] {
            handmadeFrame(kind: kind, payload: [], cluster: 1, version: version, magic: magic, payloadLength: length)
        }
        #expect(decodeError(frame(magic: 0, version: 7, kind: 9)) == .badMagic(0))
        #expect(decodeError(frame(version: 7, kind: 9)) == .unsupportedVersion(7))
        #expect(decodeError(frame(kind: 9)) == .unknownKind(9))
        #expect(decodeError(frame()) == .frameTooLarge(10019))
        #expect(decodeError(frame(length: 0)) == .clusterMismatch(expected: testCluster, received: 1))
    }
}
