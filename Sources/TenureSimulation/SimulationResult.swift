import TenureCore

/// Which promise of the design a run broke.
///
/// One case per invariant, so tests and the CLI can say which rule failed without parsing text.
public enum SimulationViolationKind: String, Sendable, Hashable, CaseIterable {
    /// Two nodes became leader in the same term (election safety, thesis 3.4).
    case twoLeadersInTerm = "two_leaders_in_term"
    /// A node granted votes to two candidates in one term, counting its own candidacy, or its
    /// disk held two different votes for one term.
    case doubleVote = "double_vote"
    /// A node's term went down: in memory, on disk, or by restarting below a term it had sent.
    case termRegression = "term_regression"
    /// Leases of different terms were valid at the same real instant (thesis 6.4.1).
    case leaseOverlap = "lease_overlap"
    /// A lease was extended beyond the moment a quorum could vote again, which is what the
    /// overlap check would catch as soon as an election raced it.
    case leaseBeyondQuorumPromise = "lease_beyond_quorum_promise"
    /// A node became leader without a majority of granted votes in its term.
    case leaderWithoutMajority = "leader_without_majority"
    /// A node cut off from every peer raised its term by campaigning (what Pre-Vote prevents, thesis 9.6).
    case isolatedTermIncrease = "isolated_term_increase"
    /// No leader known to every node appeared within the liveness bound after the faults stopped.
    case noLeaderAfterFaults = "no_leader_after_faults"
    /// The leader found after the faults stopped did not stay.
    case leaderNotStable = "leader_not_stable"
    /// The run took more steps than any healthy run can (a livelock in the core or simulator).
    case stepLimitExceeded = "step_limit_exceeded"

    /// Liveness kinds are only meaningful when the run reached its quiet period.
    public var isLiveness: Bool { self == .noLeaderAfterFaults || self == .leaderNotStable }
}

/// One broken invariant, with what is needed to understand and reproduce it.
///
/// The trace is the tail of the run at the moment the violation was found, so the report is
/// readable without rerunning; `reproduce with` in the result reruns it in full.
public struct SimulationViolation: Sendable, Hashable, CustomStringConvertible {
    /// Which rule broke.
    public var kind: SimulationViolationKind
    /// What was seen, with the nodes, terms and times involved.
    public var message: String
    /// Virtual (real, simulated) time of the step that broke the invariant.
    public var time: Interval
    /// The seed of the run, so the violation alone is enough to reproduce it.
    public var seed: UInt64
    /// The last lines of the trace when the violation was found.
    public var trace: [String]

    /// One line: kind, time, seed and message.
    public var description: String { "\(kind.rawValue) at t=\(formatSeconds(time.nanoseconds)) (seed \(seed)): \(message)" }
}

/// The outcome of one run: what broke (if anything), what happened, and the trace.
///
/// `trace` holds the full trace when `recordFullTrace` was set; otherwise, when a violation was
/// found, the last lines before the first one and the reproduce line; otherwise nothing.
public struct SimulationResult: Sendable {
    /// The seed that was run (also in `options`).
    public var seed: UInt64
    /// The options that reproduce this run.
    public var options: SimulationOptions
    /// The first violation of each kind, in the order found; a run stops at the first one
    /// except in excess-drift mode.
    public var violations: [SimulationViolation]
    /// What happened during the run.
    public var statistics: SimulationStatistics
    /// Formatted lines; see the type's documentation for which ones.
    public var trace: [String]

    /// True when no invariant broke.
    public var passed: Bool { violations.isEmpty }

    /// `reproduce with: tenure simulate ...` for this run.
    public var reproduceLine: String { "reproduce with: \(options.reproduceCommand)" }

    /// A human-readable report: the verdict, each violation, the trace and the reproduce line.
    public var report: String {
        var lines: [String] = []
        if violations.isEmpty {
            lines.append("seed \(seed): no violations in \(formatSeconds(statistics.virtualTime.nanoseconds)) of virtual time")
        } else {
            lines.append("seed \(seed): \(violations.count) violation(s)")
            for violation in violations { lines.append("VIOLATION \(violation)") }
        }
        lines.append(contentsOf: trace)
        if !violations.isEmpty && options.recordFullTrace { lines.append(reproduceLine) }
        return lines.joined(separator: "\n")
    }
}

/// The outcome of many seeds: aggregated statistics and the runs that failed.
public struct SimulationBatchResult: Sendable {
    /// Every seed that was run, in order.
    public var seeds: [UInt64]
    /// The statistics of all runs added together.
    public var statistics: SimulationStatistics
    /// Only the runs with violations, in seed order.
    public var failures: [SimulationResult]

    /// True when no run reported a violation.
    public var passed: Bool { failures.isEmpty }
}
