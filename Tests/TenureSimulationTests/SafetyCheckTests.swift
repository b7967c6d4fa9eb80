import Testing
import TenureCore
@testable import TenureSimulation

/// Each safety rule, switched off on its own, must be caught within a bounded number of seeds:
/// proof that the invariant checks look at the right things (mutation testing).
@Suite("The simulator notices a missing safety rule")
struct SafetyCheckTests {
    /// Seeds tried per mutation before giving up (issue 4 allows 200 runs of 30 s).
    static let seedBound: UInt64 = 200

    /// The first run in `seeds` that reports a violation, if any.
    private func firstViolation(_ options: SimulationOptions, seeds: ClosedRange<UInt64>) -> SimulationResult? {
        for seed in seeds {
            var seeded = options
            seeded.seed = seed
            let result = Simulator.run(seeded)
            if !result.passed { return result }
        }
        return nil
    }

    /// The violations each mutation is expected to cause.
    private static func expectedKinds(_ mutation: SimulationMutation) -> Set<SimulationViolationKind> {
        switch mutation {
        case .disableVoteStickiness: [.leaseOverlap]
        case .disableRestartEmbargo: [.leaseOverlap]
        case .leaseFromAcknowledgementTime: [.leaseBeyondQuorumPromise, .leaseOverlap]
        case .sendBeforePersist: [.termRegression, .doubleVote, .twoLeadersInTerm, .leaderWithoutMajority]
        case .disablePreVote: [.isolatedTermIncrease]
        // Two changes at once can leave two configurations whose majorities do not meet.
        case .allowConcurrentMembershipChanges: [.leaseOverlap, .twoLeadersInTerm, .leaderWithoutMajority, .leaseBeyondQuorumPromise, .noLeaderAfterFaults]
        // Counting in `--peers` after changes: with 5 nodes the lease check sees it; with 3 (whose
        // configurations are all subsets of the initial one) the cluster loses liveness instead.
        case .quorumInOldMembership: [.leaseBeyondQuorumPromise, .leaseOverlap, .leaderWithoutMajority, .noLeaderAfterFaults]
        case .honourCandidateEvidence: [.leaseOverlap, .leaseBeyondQuorumPromise]
        }
    }

    /// Voters that believe a candidate's evidence of a dead leader need a short lease to matter
    /// and a shape three nodes rarely make (a candidate cut off from the new leader while its
    /// voters follow it), so that mutation has a test of its own, below.
    static let generalMutations = SimulationMutation.allCases.filter { $0 != .honourCandidateEvidence }

    @Test("A voter that honours a candidate's evidence instead of its own clock is caught (5 nodes, 300 ms lease)")
    func evidenceMutationIsFound() throws {
        var options = SimulationOptions(nodes: 5, duration: .seconds(30))
        options.lease = .milliseconds(300)
        options.enable(.honourCandidateEvidence)
        let result = try #require(firstViolation(options, seeds: 1...Self.seedBound),
                                  "honour-candidate-evidence went unnoticed in \(Self.seedBound) seeds")
        let violation = try #require(result.violations.first)
        #expect(Self.expectedKinds(.honourCandidateEvidence).contains(violation.kind), "\(violation)")
        #expect(violation.trace.last == "reproduce with: tenure-lab simulate --nodes 5 --seed \(result.seed) --duration 30s --trace --lease 300ms --mutation honour-candidate-evidence")
    }

    @Test("A mutation is found within the seed bound", arguments: SafetyCheckTests.generalMutations, [3, 5])
    func mutationIsFound(mutation: SimulationMutation, nodes: Int) throws {
        var options = SimulationOptions(nodes: nodes, duration: .seconds(30))
        options.enable(mutation)
        let result = try #require(firstViolation(options, seeds: 1...Self.seedBound),
                                  "\(mutation.rawValue) went unnoticed in \(Self.seedBound) seeds of \(nodes) nodes")
        let violation = try #require(result.violations.first)
        #expect(Self.expectedKinds(mutation).contains(violation.kind), "\(violation)")
        #expect(violation.seed == result.seed)
        #expect(violation.trace.count > 10)
        let membership = mutation.needsMembershipChanges ? " --membership-changes" : ""
        #expect(violation.trace.last == "reproduce with: tenure-lab simulate --nodes \(nodes) --seed \(result.seed) --duration 30s --trace\(membership) --mutation \(mutation.rawValue)")
        #expect(result.trace == violation.trace)
        #expect(result.report.contains("VIOLATION \(violation.kind.rawValue)"))
    }

    @Test("Clocks drifting far beyond the configured bound make leases overlap in real time, and the check reports it")
    func excessDriftIsReported() throws {
        // The longest safe lease leaves the least room: at the default lease (300 ms, a third of
        // the election timeout) even 30% drift cannot stretch a lease past a campaign on silence.
        var options = SimulationOptions(nodes: 5, duration: .seconds(30))
        options.lease = .milliseconds(930)
        options.excessDrift = true
        var found: SimulationResult?
        for seed in UInt64(1)...40 {
            options.seed = seed
            let result = Simulator.run(options)
            if result.violations.contains(where: { $0.kind == .leaseOverlap }) {
                found = result
                break
            }
        }
        let result = try #require(found, "no lease overlap in 40 seeds with excess drift")
        let overlap = try #require(result.violations.first { $0.kind == .leaseOverlap })
        #expect(overlap.message.contains("of real time"))
        #expect(overlap.trace.last?.hasSuffix("--excess-drift") == true)
    }

    @Test("The same clocks within the bound, with the same fault shapes, give no overlap")
    func driftWithinBoundIsSafe() {
        let batch = Simulator.run(SimulationOptions(nodes: 5, duration: .seconds(30)), seeds: 1...20)
        #expect(batch.passed, "\(batch.failures.map(\.report).joined(separator: "\n\n"))")
    }
}
