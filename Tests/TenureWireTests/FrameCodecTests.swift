import TenureCore
import Testing
@testable import TenureWire

@Suite("Frame codec")
struct FrameCodecTests {
    @Test("every message kind and flag combination survives a round trip", arguments: everyMessage)
    func roundTrip(message: Message) throws {
        let envelope = Envelope(from: "n1", to: "node_2-B", message: message)
        let frame = FrameCodec.encode(envelope, clusterID: testCluster)
        #expect(try FrameCodec.decode(frame, clusterID: testCluster) == envelope)
    }

    @Test("node ids of the maximum length survive a round trip")
    func longestNodeIDs() throws {
        let from = NodeID(String(repeating: "a", count: NodeID.maximumLength))
        let to = NodeID(String(repeating: "Z", count: NodeID.maximumLength))
        let envelope = Envelope(from: from, to: to, message: .heartbeat(Heartbeat(term: 1, round: 2)))
        let frame = FrameCodec.encode(envelope, clusterID: testCluster)
        #expect(frame.count <= FrameCodec.defaultMaximumFrameBytes)
        #expect(try FrameCodec.decode(frame, clusterID: testCluster) == envelope)
    }

    @Test("CRC-32C matches the standard check value")
    func crcKnownVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum("123456789".utf8) == 0xE306_9283)
        Array("123456789".utf8).withUnsafeBytes { bytes in
            #expect(CRC32C.checksum(bytes) == 0xE306_9283)
        }
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test("cluster ids are FNV-1a 64 of the name")
    func clusterIDs() {
        #expect(ClusterID.derive(from: "") == 0xCBF2_9CE4_8422_2325)
        #expect(ClusterID.derive(from: "a") == 0xAF63_DC4C_8601_EC8C)
        #expect(ClusterID.derive(from: "foobar") == 0x8594_4171_F739_67E8)
        #expect(ClusterID.derive(from: "tenure") != ClusterID.derive(from: "tenure2"))
    }

    @Test("every error has a distinct snake_case counter name")
    func counterNames() {
        let errors: [WireError] = [
            .badMagic(0), .unsupportedVersion(0), .unknownKind(0), .frameTooLarge(0),
            .clusterMismatch(expected: 0, received: 1), .checksumMismatch, .malformed("x"),
        ]
        let names = errors.map(\.counterName)
        #expect(
            names == [
                "bad_magic", "unsupported_version", "unknown_kind", "frame_too_large", "cluster_mismatch",
                "checksum_mismatch", "malformed",
            ])
        #expect(Set(names).count == errors.count)
    }
}
