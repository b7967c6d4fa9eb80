import Testing
@testable import TenureCore

/// Health-bound leadership: a node whose application is unhealthy must not lead it. Health is a
/// hint that makes a node step aside or not try; it never changes a voter's own rules
/// (docs/lease.md, "Safety never depends on a hint"; thesis 3.10 for the handover itself).
@Suite("Health")
struct HealthTests {
    /// Runs until a leader exists and has been in office past the handover delay.
    func settledCluster(seed: UInt64 = 1) -> (Cluster, NodeID) {
        var cluster = Cluster(voters: threeVoters, seed: seed)
        let leader = cluster.runUntilLeader()!
        cluster.run(for: cluster[leader].healthHandoverDelay + .milliseconds(10))
        return (cluster, leader)
    }

    @Test("An unhealthy follower does not campaign when the leader dies, but still votes for a healthy one", arguments: UInt64(1)...5)
    func unhealthyFollowerDoesNotCampaign(seed: UInt64) {
        var (cluster, leader) = settledCluster(seed: seed)
        let followers = cluster.ids.filter { $0 != leader }
        let sick = followers[0], well = followers[1]
        cluster.updateHealth(sick, healthy: false)
        cluster.isolated = [leader]
        let successor = cluster.runUntilLeader(other: leader, limit: .seconds(20))
        #expect(successor == well)
        let sickCampaigned = cluster.events[sick]!.contains { if case .electionStarted = $0 { true } else { false } }
        #expect(!sickCampaigned)
        let sickVoted = cluster.events[sick]!.contains {
            if case .voteDecided(let decision) = $0 { decision.granted && decision.candidate == well && !decision.preVote } else { false }
        }
        #expect(sickVoted)
    }

    @Test("An unhealthy leader hands over to a healthy, caught-up follower at its next heartbeat")
    func unhealthyLeaderHandsOver() {
        var (cluster, leader) = settledCluster()
        let term = cluster[leader].term
        cluster.updateHealth(leader, healthy: false)
        let successor = cluster.runUntilLeader(other: leader, limit: .seconds(2))
        #expect(successor != nil && successor != leader)
        #expect(cluster[successor!].term == term + 1)
        // It took the handover path (TimeoutNow), not an election on silence.
        #expect(cluster.now < cluster[leader].lastContact.values.max()! + .milliseconds(200))
    }

    @Test("The handover skips an unhealthy follower, and with no healthy follower the leader stays")
    func handoverSkipsUnhealthyFollowers() {
        var (cluster, leader) = settledCluster()
        let followers = cluster.ids.filter { $0 != leader }
        cluster.updateHealth(followers[0], healthy: false)
        cluster.run(for: .milliseconds(250)) // its acknowledgements now say so
        cluster.updateHealth(leader, healthy: false)
        #expect(cluster.runUntilLeader(other: leader, limit: .seconds(2)) == followers[1])

        var (lonely, lonelyLeader) = settledCluster(seed: 2)
        for id in lonely.ids where id != lonelyLeader { lonely.updateHealth(id, healthy: false) }
        lonely.run(for: .milliseconds(250))
        lonely.updateHealth(lonelyLeader, healthy: false)
        lonely.run(for: .seconds(5))
        #expect(lonely.leaders == [lonelyLeader])
        #expect(lonely[lonelyLeader].unhealthyWithoutSuccessor)
    }

    @Test("A new leader does not hand over before its minimum time in office")
    func minimumTimeInOffice() {
        var cluster = Cluster(voters: threeVoters, seed: 3)
        let leader = cluster.runUntilLeader()!
        let electedAt = cluster.now
        cluster.updateHealth(leader, healthy: false)
        cluster.run(for: cluster[leader].healthHandoverDelay - .milliseconds(150))
        #expect(cluster.leaders == [leader])
        let successor = cluster.runUntilLeader(other: leader, limit: .seconds(2))
        #expect(successor != nil)
        #expect(cluster.now >= electedAt + cluster[leader].healthHandoverDelay)
    }

    @Test("A leader refuses to transfer to a follower that reports itself unhealthy")
    func explicitTransferToUnhealthyRefused() {
        var (cluster, leader) = settledCluster()
        let sick = cluster.ids.first { $0 != leader }!
        cluster.updateHealth(sick, healthy: false)
        cluster.run(for: .milliseconds(250))
        let outcome = cluster.transferLeadership(from: leader, to: sick)
        #expect(outcome == .rejected("\(sick) reports its application unhealthy"))
        #expect(cluster.leaders == [leader])
    }

    @Test("An unhealthy node ignores TimeoutNow")
    func unhealthyIgnoresTimeoutNow() {
        var (cluster, leader) = settledCluster()
        let follower = cluster.ids.first { $0 != leader }!
        cluster.updateHealth(follower, healthy: false)
        var core = cluster[follower]
        let output = core.receive(Envelope(from: leader, to: follower, message: .timeoutNow(TimeoutNow(term: core.term))), at: cluster.now)
        #expect(core.role == .follower)
        #expect(output.messageCount == 0)
    }

    @Test("Health restored is not a failback: the new leader keeps leading")
    func noFailback() {
        var (cluster, leader) = settledCluster()
        cluster.updateHealth(leader, healthy: false)
        let successor = cluster.runUntilLeader(other: leader, limit: .seconds(2))!
        cluster.updateHealth(leader, healthy: true)
        cluster.run(for: .seconds(10))
        #expect(cluster.leaders == [successor])
    }
}
