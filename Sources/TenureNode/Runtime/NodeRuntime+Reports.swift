import TenureCore
import TenurePOSIX
import TenureJSON
import TenureWire

/// Every node's health and metadata, gossiped on heartbeats: a follower reports itself on each
/// acknowledgement, and the leader relays the newest report it has of every node on each
/// heartbeat, so `/v1/status` on any node shows the whole cluster.
extension NodeRuntime {
    /// The newest report of one other node, and when it was true on this node's clock.
    struct KnownReport {
        var report: PeerReport
        var observedAt: Instant
        /// The node that relayed it; nil when it came from the node itself.
        var via: NodeID?
    }

    /// This node's own report, with the load average sampled at most once a second.
    func ownReport(now: Instant) -> PeerReport {
        if now - loadSample.at >= .seconds(1) || loadSample.milli == nil {
            loadSample = (ProcessEnvironment.loadAverage().map { UInt32(clamping: Int(($0 * 1000).rounded())) }, now)
        }
        let reason = health.reason(at: now)
        return PeerReport(node: core.id, healthy: reason == nil, reason: reason ?? "", loadAverageMilli: loadSample.milli ?? 0,
                          uptimeSeconds: UInt32(clamping: (now - startedAt).nanoseconds / 1_000_000_000), ageMilliseconds: 0,
                          version: TenureVersion.current)
    }

    /// What a heartbeat round relays: this node's report and every other node's it knows, with
    /// their ages. Built once per output and filtered per recipient (`reports(for:relaying:)`),
    /// not rebuilt for every heartbeat of the round.
    func relayedReports(now: Instant) -> [PeerReport] {
        var reports = [ownReport(now: now)]
        for (_, known) in peerReports.sorted(by: { $0.key < $1.key }) {
            var relayed = known.report
            relayed.ageMilliseconds = UInt32(clamping: (now - known.observedAt).nanoseconds / 1_000_000)
            reports.append(relayed)
        }
        return reports
    }

    /// The reports that ride on `envelope`: a heartbeat carries `relaying` but the recipient's
    /// own (at most `PeerReport.maximumPerFrame`); an acknowledgement carries this node's;
    /// nothing else carries any.
    func reports(for envelope: Envelope, relaying: @autoclosure () -> [PeerReport], now: Instant) -> [PeerReport] {
        switch envelope.message {
        case .heartbeatResponse:
            return [ownReport(now: now)]
        case .heartbeat:
            return Array(relaying().lazy.filter { $0.node != envelope.to }.prefix(PeerReport.maximumPerFrame))
        default:
            return []
        }
    }

    /// Keeps the newest report of each configured node a frame carried (never one about this node).
    func absorbReports(_ frame: DecodedFrame, now: Instant) {
        let sender = frame.envelope.from
        for report in frame.reports where report.node != core.id && core.membership.contains(report.node) {
            let observedAt = now - .milliseconds(Int64(report.ageMilliseconds))
            if let existing = peerReports[report.node], existing.observedAt > observedAt { continue }
            peerReports[report.node] = KnownReport(report: report, observedAt: observedAt, via: report.node == sender ? nil : sender)
        }
    }

    /// `"nodes"` in `/v1/status`: every node's health, reason, load, uptime, version and the age
    /// of what this node knows of it (null fields for a node never heard of).
    func nodesJSON(now: Instant) -> String {
        var nodes = JSONObject()
        func entry(_ report: PeerReport, age: Interval, via: NodeID?, isSelf: Bool) -> String {
            var object = JSONObject()
            object.add("healthy", report.healthy)
            object.add("reason", report.reason.isEmpty ? nil : report.reason)
            object.add("load1", Double(report.loadAverageMilli) / 1000)
            object.add("uptime_s", Int(report.uptimeSeconds))
            object.add("version", report.version)
            object.add("report_age_ms", max(0, age.nanoseconds / 1_000_000))
            object.add("source", isSelf ? "self" : via.map { "via \($0.rawValue)" } ?? "direct")
            return object.rendered
        }
        for node in core.membership.ids {
            if node == core.id {
                nodes.add(node.rawValue, raw: entry(ownReport(now: now), age: .zero, via: nil, isSelf: true))
            } else if let known = peerReports[node] {
                nodes.add(node.rawValue, raw: entry(known.report, age: now - known.observedAt, via: known.via, isSelf: false))
            } else {
                nodes.add(node.rawValue, raw: "null")
            }
        }
        return nodes.rendered
    }
}
