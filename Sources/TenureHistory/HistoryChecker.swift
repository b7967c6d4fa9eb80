import TenureEvents

/// Settings the checker needs beyond the history itself.
public struct CheckOptions: Sendable {
    public var scenario: String
    /// Election timeout bounds in nanoseconds; taken from the harness's `config` record when nil.
    public var electionTimeoutMinNanoseconds: Int64?
    public var electionTimeoutMaxNanoseconds: Int64?
    /// The lease length in nanoseconds; learned from the `lease` events (`until_ts - basis_ts`) when nil.
    public var leaseNanoseconds: Int64?
    /// Time added to every liveness bound (never to a safety check) so a loaded machine does not
    /// flake: scheduling delays, process start-up, probe intervals.
    public var livenessAllowanceNanoseconds: Int64 = 1_000_000_000
    /// How many maximum election timeouts convergence after a heal may take (the issue says three).
    public var convergenceElectionTimeouts: Int64 = 3
    /// How long all nodes must keep agreeing after convergence, at the least.
    public var minimumStableNanoseconds: Int64 = 1_000_000_000
    /// Elections tolerated in a window that expects no leader change (0: exact).
    public var toleratedLeaderChanges = 0
    /// Nodes removed from the configuration during the scenario: they follow nobody afterwards,
    /// so the convergence check leaves them out (every safety check still covers them).
    public var removedNodes: Set<String> = []

    public init(scenario: String) { self.scenario = scenario }
}

/// Checks a recorded partition-test history for split brain and for recovery.
///
/// Safety checks are exact: they compare instants on the one monotonic clock all processes share,
/// or order probe answers by their invoke and complete times, and allow no slack. Liveness checks
/// (a new leader is elected, the cluster converges after a heal) use the documented bounds in
/// `CheckOptions`, each with `livenessAllowanceNanoseconds` on top.
public struct HistoryChecker {
    public let history: History
    public let options: CheckOptions
    /// Election timeout bounds and lease in force, resolved from the options, the harness and the logs.
    public let electionTimeoutMin: Int64
    public let electionTimeoutMax: Int64
    public let lease: Int64
    let leases: [LeaseInterval]

    public init(history: History, options: CheckOptions) {
        self.history = history
        self.options = options
        let config = history.harness.first { $0.kind == .config }
        electionTimeoutMin = options.electionTimeoutMinNanoseconds
            ?? config?.electionTimeoutMinMilliseconds.map { Int64($0 * 1e6) } ?? 1_000_000_000
        electionTimeoutMax = options.electionTimeoutMaxNanoseconds
            ?? config?.electionTimeoutMaxMilliseconds.map { Int64($0 * 1e6) } ?? 1_200_000_000
        let learned = history.events.compactMap { event -> Int64? in
            guard event.kind == .lease, let basis = event.basisTs, let until = event.untilTs else { return nil }
            return until - basis
        }.max()
        lease = options.leaseNanoseconds ?? learned ?? electionTimeoutMin
        leases = LeaseInterval.build(from: history.events)
    }

    /// Runs every check and measures the scenario's figures.
    public func run() -> CheckReport {
        var report = CheckReport(scenario: options.scenario)
        let checks: [(String, (inout [Violation]) -> String?)] = [
            ("one-leader-per-term", checkOneLeaderPerTerm),
            ("term-monotonic", checkTermMonotonic),
            ("one-vote-per-term", checkOneVotePerTerm),
            ("leader-has-quorum", checkLeaderHasQuorum),
            ("lease-disjoint", checkLeaseDisjoint),
            ("authoritative-order", checkAuthoritativeOrder),
            ("minority-leader-stops", checkMinorityLeaderStops),
            ("isolated-term-frozen", checkIsolatedTermFrozen),
            ("majority-elects", checkMajorityElects),
            ("no-leader-change", checkNoLeaderChange),
            ("converges-after-heal", checkConvergence),
            ("no-crash", checkNoCrash),
        ]
        for (name, check) in checks {
            var found: [Violation] = []
            let detail = check(&found)
            if !found.isEmpty {
                report.outcomes.append(CheckOutcome(check: name, status: .fail, detail: found[0].summary))
                report.violations.append(contentsOf: found)
            } else if let detail {
                report.outcomes.append(CheckOutcome(check: name, status: .pass, detail: detail))
            } else {
                report.outcomes.append(CheckOutcome(check: name, status: .skipped, detail: "not applicable to this history"))
            }
        }
        report.figures = measureFigures()
        return report
    }

    // MARK: - Shared helpers

    /// Formats a duration in nanoseconds as milliseconds.
    static func ms(_ nanoseconds: Int64) -> String { HistoryFormat.milliseconds(nanoseconds) }
    func at(_ ts: Int64) -> String { Counterexample.clock(ts, history.origin) }

    /// A fault from its `fault_start` record to the `fault_stop` with the same id, the first `heal`
    /// after it, or the end of the history.
    struct FaultWindow {
        var start: PhaseRecord
        /// When the fault was certainly in force (after it was applied).
        var from: Int64 { start.ts }
        /// When it was certainly still in force (before it was removed).
        var to: Int64
        var isolated: [String] { start.isolated }
        var expect: PhaseRecord.Expectation { start.expect ?? .any }
        var fault: String { start.fault ?? "?" }
    }

    var faultWindows: [FaultWindow] {
        let records = history.harness
        return records.enumerated().compactMap { index, record in
            guard record.kind == .faultStart else { return nil }
            let ending = records[(index + 1)...].first { later in
                later.kind == .heal || later.kind == .end || (later.kind == .faultStop && later.id != nil && later.id == record.id)
            }
            let to = ending.map { $0.requestedTs ?? $0.ts } ?? (history.events.last?.ts ?? record.ts)
            return FaultWindow(start: record, to: to)
        }
    }

    /// The end of the observation window: the harness's `end` record, else the last record.
    var observationEnd: Int64 {
        if let end = history.harness.last(where: { $0.kind == .end }) { return end.ts }
        return max(history.events.last?.ts ?? 0, history.probes.last?.complete ?? 0)
    }

    /// The lease interval in force at `instant`, else the last one that began before it.
    func leaseHolder(at instant: Int64) -> LeaseInterval? {
        if let current = leases.last(where: { $0.start <= instant && instant < $0.end }) { return current }
        return leases.last { $0.start <= instant }
    }

    var electionsWon: [EventRecord] { history.events.filter(\.becameLeader) }
}
