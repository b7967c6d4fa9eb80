import TenureCore
import TenureWire

/// Every node's health and metadata, gossiped on heartbeats: a follower reports itself on each
/// acknowledgement, and the leader relays the newest report it has of every node on each
/// heartbeat, so `/v1/status` on any node shows the whole cluster.
public struct PeerReportTable: Sendable {
    /// The newest report of one other node, and when it was true on this node's clock.
    public struct Known: Sendable {
        public var report: PeerReport
        public var observedAt: Instant
        /// The node that relayed it; nil when it came from the node itself.
        public var via: NodeID?
    }

    public private(set) var known: [NodeID: Known] = [:]

    public init() {}

    /// Keeps the newest report of each configured node that a frame from `sender` carried
    /// (never one about this node).
    public mutating func absorb(_ reports: [PeerReport], from sender: NodeID, selfID: NodeID,
                                membership: MembershipConfiguration, at now: Instant) {
        for report in reports where report.node != selfID && membership.contains(report.node) {
            let observedAt = now - .milliseconds(Int64(report.ageMilliseconds))
            if let existing = known[report.node], existing.observedAt > observedAt { continue }
            known[report.node] = Known(report: report, observedAt: observedAt, via: report.node == sender ? nil : sender)
        }
    }

    /// What a heartbeat round relays: `own` and every other node's report known, with their ages.
    public func relayed(own: PeerReport, at now: Instant) -> [PeerReport] {
        var reports = [own]
        for (_, entry) in known.sorted(by: { $0.key < $1.key }) {
            var relayed = entry.report
            relayed.ageMilliseconds = UInt32(clamping: (now - entry.observedAt).nanoseconds / 1_000_000)
            reports.append(relayed)
        }
        return reports
    }

    /// The reports that ride on `envelope`: a heartbeat carries `relaying` but the recipient's
    /// own (at most `PeerReport.maximumPerFrame`); an acknowledgement carries `own`; nothing else
    /// carries any (beats travel as datagrams and carry none).
    public static func reports(for envelope: Envelope, own: @autoclosure () -> PeerReport,
                               relaying: @autoclosure () -> [PeerReport]) -> [PeerReport] {
        switch envelope.message {
        case .heartbeatResponse(let response) where !response.beat:
            return [own()]
        case .heartbeat(let heartbeat) where !heartbeat.beat:
            return Array(relaying().lazy.filter { $0.node != envelope.to }.prefix(PeerReport.maximumPerFrame))
        default:
            return []
        }
    }
}
