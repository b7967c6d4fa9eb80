import TenureAPI
import TenureCore

/// Counters and gauges for `GET /metrics`, in the Prometheus text format.
///
/// Plain integers owned by the runtime's single thread: no locks, no allocation on the
/// heartbeat path. Names follow Prometheus conventions (`_total` for counters, units last).
final class Metrics {
    var leaderChanges = 0
    var electionsStarted = 0
    var preVotesStarted = 0
    var votesGranted = 0
    var votesDenied = 0
    var preVotesGranted = 0
    var preVotesDenied = 0
    var heartbeatsSent = 0
    var heartbeatsReceived = 0
    var messagesSent = 0
    var messagesReceived = 0
    var messagesDropped = 0
    var rejectedPeerInput: [String: Int] = [:]
    /// Lease beats sent and received, datagrams that could not be sent, datagrams dropped by reason.
    var beatsSent = 0
    var beatsReceived = 0
    var datagramsDropped = 0
    var rejectedDatagrams: [String: Int] = [:]
    var persistFailures = 0
    var leasesAcquired = 0
    var leasesLost: [String: Int] = [:]
    /// Pulled health checks by result, health verdict changes by new state, pushed reports.
    var healthChecks: [String: Int] = [:]
    var healthChanges: [String: Int] = [:]
    var healthReports = 0
    /// Hook runs by "hook|result", their total seconds by hook, and runs skipped for a full queue.
    var hookRuns: [String: Int] = [:]
    var hookSeconds: [String: Double] = [:]
    var hooksDropped = 0
    var httpRequests = 0
    var httpBadRequests = 0
    var httpUnauthorized = 0
    var httpConnectionsEvicted = 0
    var persistLatency = LatencySummary()

    /// Counts and sums persist latencies, with fixed buckets for a histogram.
    struct LatencySummary {
        static let bucketBoundsSeconds: [Double] = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
        var buckets = [Int](repeating: 0, count: bucketBoundsSeconds.count)
        var count = 0
        var sumSeconds = 0.0

        mutating func observe(_ interval: Interval) {
            let seconds = Double(interval.nanoseconds) / 1e9
            count += 1
            sumSeconds += seconds
            for (index, bound) in Self.bucketBoundsSeconds.enumerated() where seconds <= bound { buckets[index] += 1 }
        }
    }

    /// Counts what the core decided.
    func record(_ event: Event) {
        switch event {
        case .leaderChanged(let leader, _): if leader != nil { leaderChanges += 1 }
        case .electionStarted(_, let preVote, _): if preVote { preVotesStarted += 1 } else { electionsStarted += 1 }
        case .voteDecided(let decision):
            switch (decision.preVote, decision.granted) {
            case (false, true): votesGranted += 1
            case (false, false): votesDenied += 1
            case (true, true): preVotesGranted += 1
            case (true, false): preVotesDenied += 1
            }
        case .leaseExtended(_, _, _, _, let acquired): if acquired { leasesAcquired += 1 }
        case .leaseLost(_, let reason): leasesLost[reason.rawValue, default: 0] += 1
        default: break
        }
    }

    func render(role: Role, term: UInt64, isLeader: Bool, leaseRemaining: Interval, uptime: Interval, durable: Bool = true,
                peerAuthFailures: [String: Int] = [:], phi: [(String, Double)] = [], runner: RunnerReport? = nil,
                eventLogLatency: LatencySummary? = nil, eventLogSlowest: Interval = .zero) -> String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            text += "# HELP tenure_\(name) \(help)\n# TYPE tenure_\(name) \(type)\n"
            for (labels, value) in samples { text += "tenure_\(name)\(labels) \(value)\n" }
        }
        metric("role", "gauge", "1 for the role this node has now.",
               Role.allCases.map { ("{role=\"\($0.rawValue)\"}", $0 == role ? "1" : "0") })
        metric("term", "gauge", "Current Raft term (the fencing token).", [("", "\(term)")])
        metric("is_leader", "gauge", "1 while this node leads with a valid lease.", [("", isLeader ? "1" : "0")])
        metric("lease_remaining_seconds", "gauge", "Time left on the lease.", [("", "\(Double(leaseRemaining.nanoseconds) / 1e9)")])
        metric("state_durable", "gauge", "1 while the term and vote in memory are on disk; 0 while writing them fails.", [("", durable ? "1" : "0")])
        metric("uptime_seconds", "gauge", "Time since this process started.", [("", "\(Double(uptime.nanoseconds) / 1e9)")])
        metric("leader_changes_total", "counter", "Times this node learned of a new leader.", [("", "\(leaderChanges)")])
        metric("elections_started_total", "counter", "Elections this node started (term increments).", [("", "\(electionsStarted)")])
        metric("pre_votes_started_total", "counter", "Pre-vote rounds this node started.", [("", "\(preVotesStarted)")])
        metric("votes_total", "counter", "Vote requests this node answered.",
               [("{kind=\"vote\",result=\"granted\"}", "\(votesGranted)"), ("{kind=\"vote\",result=\"denied\"}", "\(votesDenied)"),
                ("{kind=\"pre_vote\",result=\"granted\"}", "\(preVotesGranted)"), ("{kind=\"pre_vote\",result=\"denied\"}", "\(preVotesDenied)")])
        metric("heartbeats_sent_total", "counter", "Heartbeats sent to peers.", [("", "\(heartbeatsSent)")])
        metric("heartbeats_received_total", "counter", "Heartbeats received from a leader.", [("", "\(heartbeatsReceived)")])
        metric("peer_messages_sent_total", "counter", "Peer messages handed to the transport.", [("", "\(messagesSent)")])
        metric("peer_messages_received_total", "counter", "Valid peer messages received.", [("", "\(messagesReceived)")])
        metric("peer_messages_dropped_total", "counter", "Peer messages dropped because the link was down or full.", [("", "\(messagesDropped)")])
        metric("beats_sent_total", "counter", "Lease beats (datagrams) sent to peers.", [("", "\(beatsSent)")])
        metric("beats_received_total", "counter", "Lease beats (datagrams) received from a leader.", [("", "\(beatsReceived)")])
        metric("peer_datagrams_unsent_total", "counter", "Beats and beat answers not sent (no handshake with the peer yet, or the kernel refused them).", [("", "\(datagramsDropped)")])
        metric("peer_datagrams_rejected_total", "counter", "Peer datagrams dropped, by reason (no connection is closed for them).",
               Self.byReason(rejectedDatagrams, known: PeerInputRejection.allReasons))
        metric("malformed_frames_total", "counter", "Peer input refused, by reason; the connection was closed.",
               Self.byReason(rejectedPeerInput, known: PeerInputRejection.allReasons))
        metric("peer_auth_failures_total", "counter", "Peer handshakes and frames that failed authentication, by reason; the connection was closed.",
               Self.byReason(peerAuthFailures, known: PeerAuthLedger.reasons))
        metric("peer_phi", "gauge", "φ-accrual suspicion of each peer whose regular messages this node receives (8: suspected).",
               phi.map { ("{peer=\"\($0.0)\"}", "\((($0.1) * 1000).rounded() / 1000)") })
        metric("leases_acquired_total", "counter", "Times this node began holding a lease.", [("", "\(leasesAcquired)")])
        metric("leases_lost_total", "counter", "Times a lease ended before renewal, by reason.",
               Self.byReason(leasesLost, known: LeaseLossReason.allCases.map(\.rawValue)))
        metric("runner_attached", "gauge", "1 while a tenure run beside this node polls it.", [("", runner == nil ? "0" : "1")])
        metric("runner_running", "gauge", "1 while the attached tenure run's command runs.", [("", runner?.state == "running" ? "1" : "0")])
        metric("runner_starts_total", "counter", "Starts of the attached tenure run's command, by cause (as the runner counts them).",
               Self.byReason(Self.counts(runner?.starts), known: ["new_term", "lease_renewed"]).map { ($0.0.replacingReason(with: "cause"), $0.1) })
        metric("runner_stops_total", "counter", "Stops of the attached tenure run's command, by cause (as the runner counts them).",
               Self.byReason(Self.counts(runner?.stops), known: Self.runnerStopCauses).map { ($0.0.replacingReason(with: "cause"), $0.1) })
        metric("runner_restarts_total", "counter", "Starts of the attached tenure run's command that followed a stop, by the cause of that stop.",
               Self.byReason(Self.counts(runner?.restarts), known: Self.runnerStopCauses).map { ($0.0.replacingReason(with: "cause"), $0.1) })
        metric("health_checks_total", "counter", "Pulled health checks, by result.", Self.byReason(healthChecks, known: ["pass", "fail"]).map { ($0.0.replacingReason(), $0.1) })
        metric("health_changes_total", "counter", "Changes of the application's health verdict, by new state.", Self.byReason(healthChanges, known: ["healthy", "unhealthy"]).map { ($0.0.replacingReason(with: "to"), $0.1) })
        metric("health_reports_total", "counter", "Health reports pushed with PUT /v1/health.", [("", "\(healthReports)")])
        let hookNames = ["on_elected", "on_demoted"]
        metric("hook_runs_total", "counter", "Hook runs (--on-elected, --on-demoted), by hook and result (ok, failed, timeout, error).",
               hookNames.flatMap { hook in ["ok", "failed", "timeout", "error"].map { ("{hook=\"\(hook)\",result=\"\($0)\"}", "\(hookRuns["\(hook)|\($0)"] ?? 0)") } })
        metric("hook_seconds_total", "counter", "Time spent running hooks, by hook.",
               hookNames.map { ("{hook=\"\($0)\"}", "\(hookSeconds[$0] ?? 0)") })
        metric("hooks_dropped_total", "counter", "Hook runs skipped because too many were queued.", [("", "\(hooksDropped)")])
        metric("persist_failures_total", "counter", "Hard-state writes that failed; their messages were not sent.", [("", "\(persistFailures)")])
        metric("http_requests_total", "counter", "API requests answered.", [("", "\(httpRequests)")])
        metric("http_bad_requests_total", "counter", "Malformed or oversized API requests.", [("", "\(httpBadRequests)")])
        metric("http_unauthorized_total", "counter", "Requests refused for a missing or wrong API token.", [("", "\(httpUnauthorized)")])
        metric("http_connections_evicted_total", "counter", "Idle API connections closed to make room for a new client at the connection limit.", [("", "\(httpConnectionsEvicted)")])
        text += Self.histogram("persist_latency_seconds", "Time to write and fsync the term and vote.", persistLatency)
        if let eventLogLatency {
            text += Self.histogram("event_log_write_seconds", "Time to encode and write one event-log record, on the loop thread.", eventLogLatency)
            metric("event_log_write_max_seconds", "gauge", "The longest event-log write since the node started.", [("", "\(Double(eventLogSlowest.nanoseconds) / 1e9)")])
        }
        return text
    }

    static let runnerStopCauses = ["lease_deadline", "lease_lost", "command_exited", "signal", "spawn_failed"]

    static func counts(_ counts: [String: UInt64]?) -> [String: Int] {
        (counts ?? [:]).mapValues { Int(clamping: $0) }
    }

    /// A Prometheus histogram of `summary` (its buckets already count every observation at or
    /// below their bound).
    static func histogram(_ name: String, _ help: String, _ summary: LatencySummary) -> String {
        var text = "# HELP tenure_\(name) \(help)\n# TYPE tenure_\(name) histogram\n"
        for (index, bound) in LatencySummary.bucketBoundsSeconds.enumerated() {
            text += "tenure_\(name)_bucket{le=\"\(bound)\"} \(summary.buckets[index])\n"
        }
        text += "tenure_\(name)_bucket{le=\"+Inf\"} \(summary.count)\n"
        text += "tenure_\(name)_sum \(summary.sumSeconds)\ntenure_\(name)_count \(summary.count)\n"
        return text
    }

    /// One series per known reason (zero until it happens, so dashboards and alerts see the
    /// series from the start), plus any other reason that was counted.
    static func byReason(_ counts: [String: Int], known: [String]) -> [(String, String)] {
        let reasons = Set(known).union(counts.keys).sorted()
        return reasons.map { ("{reason=\"\($0)\"}", "\(counts[$0] ?? 0)") }
    }
}

extension String {
    /// `{reason="x"}` as `{result="x"}` (or another label name).
    fileprivate func replacingReason(with label: String = "result") -> String {
        hasPrefix("{reason=") ? "{\(label)=" + dropFirst("{reason=".count) : self
    }
}
