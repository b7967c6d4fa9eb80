import TenureAPI
import TenureCore
import TenureRelease
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
                          version: TenureRelease.release)
    }

    /// `nodes` in `/v1/status`: every node's health, reason, load, uptime, version and the age
    /// of what this node knows of it (nil for a node never heard of).
    func nodeReports(now: Instant) -> [String: NodeReport?] {
        func entry(_ report: PeerReport, age: Interval, via: NodeID?, isSelf: Bool) -> NodeReport {
            NodeReport(healthy: report.healthy, reason: report.reason.isEmpty ? nil : report.reason,
                       load1: Double(report.loadAverageMilli) / 1000, uptimeSeconds: Int(report.uptimeSeconds),
                       version: report.version, reportAgeMilliseconds: max(0, age.nanoseconds / 1_000_000),
                       source: isSelf ? "self" : via.map { "via \($0.rawValue)" } ?? "direct")
        }
        var nodes: [String: NodeReport?] = [:]
        for node in state.core.membership.ids {
            let report: NodeReport?
            if node == state.core.id {
                report = entry(ownReport(now: now), age: .zero, via: nil, isSelf: true)
            } else if let known = state.reports.known[node] {
                report = entry(known.report, age: now - known.observedAt, via: known.via, isSelf: false)
            } else {
                report = nil
            }
            nodes.updateValue(report, forKey: node.rawValue)
        }
        return nodes
    }

    /// The cluster version: the oldest major.minor among the voters, as this node and the reports
    /// it holds say (docs/compatibility.md). Unknown while a voter has not been heard from.
    var clusterVersion: ClusterVersionState {
        var reported = [state.core.id.rawValue: TenureRelease.release]
        for (id, known) in state.reports.known { reported[id.rawValue] = known.report.version }
        return ClusterVersion.negotiate(voters: state.core.membership.voters.map(\.rawValue), reported: reported)
    }
}
