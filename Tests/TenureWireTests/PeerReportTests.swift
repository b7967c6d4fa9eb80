import TenureCore
import Testing
@testable import TenureWire

@Suite("Health reports on heartbeats")
struct PeerReportTests {
    let report = PeerReport(node: "n2", healthy: false, reason: "db down", loadAverageMilli: 1250, uptimeSeconds: 3600,
                            ageMilliseconds: 40, version: "0.9.0")
    let heartbeat = Envelope(from: "n1", to: "n2", message: .heartbeat(Heartbeat(term: 7, round: 42)))
    let acknowledgement = Envelope(from: "n2", to: "n1", message: .heartbeatResponse(HeartbeatResponse(term: 7, round: 42, accepted: true)))

    func decoded(_ frame: [UInt8]) throws -> DecodedFrame {
        try FrameCodec.decodeFrame(frame, clusterID: testCluster)
    }

    @Test("reports round-trip on heartbeats and acknowledgements, and leave the envelope unchanged")
    func roundTrip() throws {
        let healthy = PeerReport(node: "n3", healthy: true, reason: "", loadAverageMilli: 0, uptimeSeconds: .max,
                                 ageMilliseconds: .max, version: "")
        for envelope in [heartbeat, acknowledgement] {
            let frame = try decoded(FrameCodec.encode(envelope, clusterID: testCluster, reports: [report, healthy]))
            #expect(frame.envelope == envelope)
            #expect(frame.reports == [report, healthy])
        }
    }

    @Test("a frame without reports decodes as before, with none")
    func noReports() throws {
        let plain = FrameCodec.encode(heartbeat, clusterID: testCluster)
        #expect(try decoded(plain) == DecodedFrame(envelope: heartbeat))
        #expect(plain == FrameCodec.encode(heartbeat, clusterID: testCluster, reports: []))
    }

    @Test("a full frame of the longest reports fits the frame limit")
    func largestFrameFits() throws {
        let longID = NodeID(String(repeating: "x", count: NodeID.maximumLength))
        let longest = PeerReport(node: longID, healthy: false, reason: String(repeating: "r", count: 500), loadAverageMilli: .max,
                                 uptimeSeconds: .max, ageMilliseconds: .max, version: String(repeating: "v", count: 99))
        let reports = Array(repeating: longest, count: PeerReport.maximumPerFrame)
        let frame = FrameCodec.encode(Envelope(from: longID, to: longID, message: .heartbeat(Heartbeat(term: .max, round: .max))),
                                      clusterID: testCluster, reports: reports)
        #expect(frame.count <= FrameCodec.defaultMaximumFrameBytes)
        let back = try decoded(frame)
        #expect(back.reports.count == PeerReport.maximumPerFrame)
        #expect(back.reports[0].reason.utf8.count == PeerReport.maximumReasonBytes)
        #expect(back.reports[0].version.utf8.count == PeerReport.maximumVersionBytes)
    }

    @Test("texts are cut at a character boundary, never inside a UTF-8 sequence")
    func cutAtCharacterBoundary() throws {
        var wide = report
        wide.reason = String(repeating: "é", count: 80)  // 160 bytes
        let back = try decoded(FrameCodec.encode(heartbeat, clusterID: testCluster, reports: [wide]))
        #expect(back.reports[0].reason == String(repeating: "é", count: 50))
    }

    /// The heartbeat frame with `edit` applied to its encoded report bytes, resealed.
    func edited(_ edit: (inout [UInt8], Int) -> Void) -> [UInt8] {
        let plain = FrameCodec.encode(heartbeat, clusterID: testCluster)
        var frame = FrameCodec.encode(heartbeat, clusterID: testCluster, reports: [report])
        // The report section starts where the plain frame's payload ended.
        let start = plain.count - 4
        var payloadBytes = Array(frame[FrameCodec.headerBytes..<frame.count - 4])
        edit(&payloadBytes, start - FrameCodec.headerBytes)
        frame = handmadeFrame(kind: 3, payload: payloadBytes)
        return frame
    }

    @Test("a report count of zero or above the limit is refused")
    func badCount() {
        #expect(isMalformed(decodeError(edited { bytes, at in bytes[at] = 0 })))
        #expect(isMalformed(decodeError(edited { bytes, at in bytes[at] = UInt8(PeerReport.maximumPerFrame + 1) })))
    }

    @Test("unknown report flags, an over-long or non-UTF-8 reason and control characters are refused")
    func badFields() {
        // Report layout after the count byte: id length, "n2", flags, reason length, reason...
        let flags = 1 + 3, reasonLength = flags + 1, reasonStart = reasonLength + 1
        #expect(isMalformed(decodeError(edited { bytes, at in bytes[at + flags] = 0x80 })))
        #expect(isMalformed(decodeError(edited { bytes, at in bytes[at + reasonLength] = UInt8(PeerReport.maximumReasonBytes + 1) })))
        #expect(isMalformed(decodeError(edited { bytes, at in bytes[at + reasonStart] = 0xFF })))
        #expect(isMalformed(decodeError(edited { bytes, at in bytes[at + reasonStart] = 0x0A })))
        #expect(isMalformed(decodeError(edited { bytes, _ in bytes.append(0) })))
        #expect(isMalformed(decodeError(edited { bytes, _ in bytes.removeLast() })))
    }

    @Test("reports on other kinds of message are refused: only heartbeats carry them")
    func onlyHeartbeats() {
        let vote = FrameCodec.encode(Envelope(from: "n1", to: "n2", message: .timeoutNow(TimeoutNow(term: 3))), clusterID: testCluster)
        var payloadBytes = Array(vote[FrameCodec.headerBytes..<vote.count - 4])
        payloadBytes.append(1)
        report.append(to: &payloadBytes)
        #expect(isMalformed(decodeError(handmadeFrame(kind: 5, payload: payloadBytes), maximumFrameBytes: 8192)))
    }
}
