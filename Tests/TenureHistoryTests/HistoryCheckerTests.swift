import Testing

@testable import TenureHistory
import TenureEvents

/// Each invariant of the partition suite's checker catches a hand-made violation, and a clean
/// history passes every check.
@Suite struct HistoryCheckerTests {
    typealias H = SyntheticHistory

    @Test("a clean history with a cut-off leader, an election and a heal passes every check")
    func cleanHistoryPasses() {
        let report = H.clean().check()
        #expect(report.passed, "\(report.violations.map(\.summary))")
        let skipped = report.outcomes.filter { $0.status == .skipped }.map(\.check)
        #expect(skipped == ["no-leader-change"])
        #expect(report.figures.electionMilliseconds == 602)
        #expect(report.figures.stopClaimingMilliseconds == 392)
        #expect(report.figures.handoverGapMilliseconds == 210)
        #expect(report.figures.dualLeaderMilliseconds == 0)
        #expect(report.figures.convergenceMilliseconds == 20)
        #expect(report.figures.leaderChanges == 1)
    }

    @Test("two nodes that both won term 2 break election safety")
    func twoLeadersInOneTerm() {
        var history = H.clean()
        history.event(2700, "n2", "role", term: 2, roleFrom: "candidate", roleTo: "leader", reason: "election_won")
        #expect(history.check().failedChecks.contains("one-leader-per-term"))
    }

    @Test("two answers naming different leaders for one term break election safety")
    func twoLeadersInAnswers() {
        var history = H.clean()
        history.probes.append(Probe(node: "n2", invoke: H.t(4000), complete: H.t(4001), role: "follower", term: 2, leader: "n1"))
        // n2's answer also disagrees with the final state, so convergence fails too.
        #expect(history.check().failedChecks.contains("one-leader-per-term"))
    }

    @Test("a lease of term 2 that begins before term 1's lease ends is a dual-leader window")
    func overlappingLeases() {
        var history = H.clean()
        history.event(2300, "n3", "lease", term: 2, basis: 2299, until: 2739, acquired: true)
        let report = history.check()
        #expect(report.failedChecks.contains("lease-disjoint"))
        #expect(report.figures.dualLeaderMilliseconds == 92)
    }

    @Test("an is_leader answer of term 1 invoked after term 2's leader was already seen is stale")
    func staleAuthoritativeAnswer() {
        var history = H.clean()
        // n2 showed n3 leading term 2 in a probe completed at 2611; n1 claims term 1 at 2700.
        history.probes.append(Probe(node: "n1", invoke: H.t(2700), complete: H.t(2701), role: "leader", term: 1, leader: "n1", isLeader: true))
        let report = history.check()
        #expect(report.failedChecks.contains("authoritative-order"))
        let violation = report.violations.first { $0.check == "authoritative-order" }
        #expect(violation?.probes.count == 2)
    }

    @Test("answers that overlap in time are not ordered, so a concurrent old-term claim is fine")
    func concurrentAnswersAreNotStale() {
        var history = H.clean()
        // Invoked before n3's first answer completed: concurrent, allowed by linearizability.
        history.probes.append(Probe(node: "n1", invoke: H.t(2380), complete: H.t(2615), role: "leader", term: 1, leader: "n1", isLeader: true))
        #expect(!history.check().failedChecks.contains("authoritative-order"))
    }

    @Test("a cut-off leader that still claims leadership after cut + lease fails minority self-demotion")
    func minorityLeaderKeepsClaiming() {
        var history = H.clean()
        history.probes.append(Probe(node: "n1", invoke: H.t(2445), complete: H.t(2446), role: "leader", term: 1, leader: "n1", isLeader: true))
        #expect(history.check().failedChecks.contains("minority-leader-stops"))
    }

    @Test("a cut-off leader renewing its lease from a round sent after the cut fails minority self-demotion")
    func minorityLeaderRenewsFromLateRound() {
        var history = H.clean()
        history.event(2100, "n1", "lease", term: 1, basis: 2050, until: 2490)
        #expect(history.check().failedChecks.contains("minority-leader-stops"))
    }

    @Test("a cut-off node whose term grows breaks Pre-Vote")
    func isolatedTermGrows() {
        var history = H.clean()
        history.event(2550, "n1", "term", termFrom: 1, termTo: 2, cause: "campaign")
        history.event(2550, "n1", "candidate", term: 2)
        #expect(history.check().failedChecks.contains("isolated-term-frozen"))
    }

    @Test("a node that never agrees after the heal fails convergence")
    func noConvergence() {
        var history = H.clean()
        history.probes.removeAll { $0.node == "n1" && $0.invoke >= H.t(3020) }
        history.probe("n1", from: 3020, to: 5000, term: 1, leader: nil)
        #expect(history.check().failedChecks == ["converges-after-heal"])
    }

    @Test("agreement reached later than 3 x max election timeout + allowance fails convergence")
    func lateConvergence() {
        var history = H.clean()
        history.probes.removeAll { $0.node == "n1" && $0.invoke >= H.t(3020) }
        history.probe("n1", from: 3020, to: 4850, term: 1, leader: nil)
        history.probe("n1", from: 4850, to: 5000, term: 2, leader: "n3")
        let report = history.check { $0.livenessAllowanceNanoseconds = 0; $0.minimumStableNanoseconds = 100 * H.ms }
        #expect(report.failedChecks == ["converges-after-heal"])
    }

    @Test("an election after convergence is instability")
    func electionAfterConvergence() {
        var history = H.clean()
        history.event(4500, "n2", "role", term: 3, roleFrom: "candidate", roleTo: "leader", reason: "election_won")
        #expect(history.check().failedChecks.contains("converges-after-heal"))
    }

    @Test("a process that exits non-zero, or vanishes without stop and without a harness kill, crashed")
    func crashes() {
        var history = H.clean()
        history.harness.removeAll { $0.kind == .exit && $0.node == "n2" }
        history.mark(5011, .exit, node: "n2", status: 134, expected: false)
        #expect(history.check().failedChecks == ["no-crash"])

        var vanished = H.clean()
        vanished.events.removeAll { $0.kind == .stop && $0.node == "n3" }
        #expect(vanished.check().failedChecks == ["no-crash"])

        var killed = vanished
        killed.mark(4000, .kill, node: "n3")
        #expect(killed.check().passed)
    }

    @Test("a restart that loads an older term than the node made durable breaks term monotonicity")
    func termGoesBack() {
        var history = H.clean()
        history.mark(4000, .kill, node: "n2")
        history.event(4100, "n2", "start", boot: "b2", loadedTerm: 1)
        history.event(4990, "n2", "stop", boot: "b2")
        #expect(history.check().failedChecks.contains("term-monotonic"))
    }

    @Test("two granted votes in one term by one node break one-vote-per-term")
    func doubleVote() {
        var history = H.clean()
        history.event(2601, "n2", "vote", term: 2, candidate: "n1", granted: true, reason: "granted")
        #expect(history.check().failedChecks.contains("one-vote-per-term"))
    }

    @Test("a leader without a quorum of votes is illegitimate")
    func leaderWithoutQuorum() {
        var history = H.clean()
        history.events.removeAll { $0.kind == .vote && $0.term == 2 }
        #expect(history.check().failedChecks == ["leader-has-quorum"])
    }

    @Test("an election during a fault that leaves the leader its quorum is a false election")
    func unexpectedLeaderChange() {
        var history = H.clean()
        history.harness = history.harness.map { record in
            var record = record
            if record.kind == .faultStart { record.expect = .noLeaderChange; record.isolated = [] }
            return record
        }
        #expect(history.check().failedChecks == ["no-leader-change"])
        #expect(history.check { $0.toleratedLeaderChanges = 1 }.passed)
    }

    @Test("no new leader after the leader was cut off fails majority-elects; an election with no quorum anywhere fails too")
    func majorityElects() {
        var history = H.clean()
        history.events.removeAll { $0.becameLeader && $0.term == 2 }
        #expect(history.check().failedChecks.contains("majority-elects"))

        var noQuorum = H.clean()
        noQuorum.harness = noQuorum.harness.map { record in
            var record = record
            if record.kind == .faultStart { record.expect = .noLeader }
            return record
        }
        #expect(noQuorum.check().failedChecks.contains("majority-elects"))
    }

    @Test("the counterexample names the check and prints the records around it")
    func counterexampleRendering() {
        var history = H.clean()
        history.event(2700, "n2", "role", term: 2, roleFrom: "candidate", roleTo: "leader", reason: "election_won")
        let report = history.check()
        let text = report.render(history.history)
        #expect(text.contains("COUNTEREXAMPLE [one-leader-per-term]"))
        #expect(text.contains("term 2 has two leaders"))
        #expect(text.contains("> +2.700000s n2"))
    }
}
