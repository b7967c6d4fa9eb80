import TenureCore
import TenureJSON
import TenurePOSIX
import TenureSupervision
import TenureWire

/// Every node's health and metadata, gossiped on heartbeats (`PeerReportTable`): this node's own
/// report, and the `nodes` object of `/v1/status`.
extension NodeRuntime {
    /// This node's own report, with the load average sampled at most once a second.
    func ownReport(now: Instant) -> PeerReport {
        if now - state.loadSample.at >= .seconds(1) || state.loadSample.milli == nil {
            state.loadSample = (ProcessEnvironment.loadAverage().map { UInt32(clamping: Int(($0 * 1000).rounded())) }, now)
        }
        let reason = state.health.reason(at: now)
        return PeerReport(node: state.core.id, healthy: reason == nil, reason: reason ?? "", loadAverageMilli: state.loadSample.milli ?? 0,
                          uptimeSeconds: UInt32(clamping: (now - startedAt).nanoseconds / 1_000_000_000), ageMilliseconds: 0,
                          version: TenureVersion.current)
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
        for node in state.core.membership.ids {
            if node == state.core.id {
                nodes.add(node.rawValue, raw: entry(ownReport(now: now), age: .zero, via: nil, isSelf: true))
            } else if let known = state.reports.known[node] {
                nodes.add(node.rawValue, raw: entry(known.report, age: now - known.observedAt, via: known.via, isSelf: false))
            } else {
                nodes.add(node.rawValue, raw: "null")
            }
        }
        return nodes.rendered
    }
}
