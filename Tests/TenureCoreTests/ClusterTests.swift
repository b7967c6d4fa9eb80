import Testing
@testable import TenureCore

/// Whole clusters of cores on a synchronous, lossless network (paper 5.2, thesis 3.4, 3.10,
/// 6.2, 6.4.1, 9.6). The `Cluster` helper checks after every input that no two nodes claim
/// leadership at once and that no term has two lease holders.
@Suite("Clusters")
struct ClusterTests {
    func expectOneLeader(_ cluster: Cluster, _ leader: NodeID?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let leader else {
            Issue.record("no leader elected", sourceLocation: sourceLocation)
            return
        }
        #expect(cluster.leaders == [leader], sourceLocation: sourceLocation)
        let term = cluster[leader].term
        for id in cluster.ids where id != leader {
            #expect(cluster[id].role == .follower, sourceLocation: sourceLocation)
            #expect(cluster[id].term == term, sourceLocation: sourceLocation)
            #expect(cluster[id].leader == leader, sourceLocation: sourceLocation)
            #expect(cluster[id].knownLeader(at: cluster.now) == leader, sourceLocation: sourceLocation)
        }
    }

    @Test("Three nodes elect exactly one leader, known to both followers (paper 5.2)", arguments: UInt64(1)...10)
    func threeNodes(seed: UInt64) {
        var cluster = Cluster(voters: threeVoters, seed: seed)
        let leader = cluster.runUntilLeader()
        expectOneLeader(cluster, leader)
        // The first election needs no retry: term 1, won after the restart embargo ended.
        #expect(cluster[leader!].term == 1)
        #expect(cluster.now >= Instant.zero + electionTimeoutMin)
        #expect(cluster.now < Instant.zero + electionTimeoutMax)
    }

    @Test("Five nodes elect exactly one leader and keep it for a long quiet run (paper 5.2, thesis 6.2)", arguments: UInt64(1)...10)
    func fiveNodes(seed: UInt64) {
        var cluster = Cluster(voters: fiveVoters, seed: seed)
        let leader = cluster.runUntilLeader()
        expectOneLeader(cluster, leader)
        let term = cluster[leader!].term
        cluster.run(for: .seconds(30))
        expectOneLeader(cluster, leader)
        #expect(cluster[leader!].term == term)
        #expect(cluster.ids.allSatisfy { cluster.persisted[$0]!.term == term })
    }

    @Test("When the leader is cut off, it stops claiming leadership before the others elect a successor (thesis 6.2, 6.4.1)")
    func leaderIsolated() {
        var cluster = Cluster(voters: fiveVoters, seed: 7)
        guard let old = cluster.runUntilLeader() else {
            Issue.record("no leader elected")
            return
        }
        let oldTerm = cluster[old].term
        let cutAt = cluster.now
        cluster.isolated = [old]
        let new = cluster.runUntilLeader(other: old)
        #expect(new != nil && new != old)
        #expect(cluster[new!].term == oldTerm + 1) // Pre-Vote: no wasted terms
        // The old leader's lease ran out, on the shared clock, before anyone could vote.
        #expect(cluster.now >= cutAt + electionTimeoutMin)
        #expect(!cluster[old].isLeader(at: cluster.now))
        cluster.run(for: .seconds(2))
        #expect(cluster[old].role != .leader) // CheckQuorum
        #expect(cluster[old].term == oldTerm) // Pre-Vote kept the isolated node's term

        // Healing the partition does not disturb the new leader (thesis 9.6).
        cluster.isolated = []
        cluster.run(for: .seconds(3))
        expectOneLeader(cluster, new)
        #expect(cluster[new!].term == oldTerm + 1)
    }

    @Test("A follower cut off and reconnected does not depose the leader (thesis 9.6)")
    func followerIsolatedAndHealed() {
        var cluster = Cluster(voters: threeVoters, seed: 3)
        let leader = cluster.runUntilLeader()!
        let term = cluster[leader].term
        let cut = cluster.ids.first { $0 != leader }!
        cluster.isolated = [cut]
        cluster.run(for: .seconds(10))
        #expect(cluster[cut].term == term)
        #expect(cluster[cut].role == .preCandidate)
        #expect(cluster.leaders == [leader])
        cluster.isolated = []
        cluster.run(for: .seconds(1))
        expectOneLeader(cluster, leader)
        #expect(cluster[leader].term == term)
    }

    @Test("Transfer: the target campaigns at once, wins despite stickiness, and the old leader follows it (thesis 3.10)")
    func transferInCluster() {
        var cluster = Cluster(voters: threeVoters, seed: 5)
        let old = cluster.runUntilLeader()!
        cluster.run(for: .milliseconds(250)) // both followers acknowledge a few rounds
        let target = cluster.ids.first { $0 != old }!
        let term = cluster[old].term
        let outcome = cluster.transferLeadership(from: old, to: target)
        #expect(outcome == .transferStarted(target: target))
        // Delivery is synchronous: the whole election ran inside the command.
        #expect(cluster[target].role == .leader)
        #expect(cluster[target].term == term + 1)
        #expect(cluster.events[target]!.contains(.electionStarted(term: term + 1, preVote: false, leadershipTransfer: true)))
        #expect(cluster[old].role == .follower)
        #expect(cluster[old].leader == target)
        #expect(cluster.leaders == [target])
        expectOneLeader(cluster, target)
        cluster.run(for: .seconds(5))
        expectOneLeader(cluster, target)
        #expect(cluster[target].term == term + 1)
    }

    @Test("Resign: the most caught-up follower takes over at once in the next term (thesis 3.10)")
    func resignInCluster() {
        var cluster = Cluster(voters: fiveVoters, seed: 11)
        let old = cluster.runUntilLeader()!
        cluster.run(for: .milliseconds(250))
        let term = cluster[old].term
        guard case .resigned(let handedTo?) = cluster.resign(old) else {
            Issue.record("resign did not hand over")
            return
        }
        #expect(handedTo != old)
        #expect(cluster.leaders == [handedTo])
        #expect(cluster[handedTo].term == term + 1)
        expectOneLeader(cluster, handedTo)
    }

    @Test("A single-node cluster leads on its own (paper 5.2)")
    func singleNode() {
        var cluster = Cluster(voters: [n1])
        #expect(cluster.runUntilLeader() == n1)
        cluster.run(for: .seconds(5))
        #expect(cluster.leaders == [n1])
        #expect(cluster[n1].term == 1)
    }
}
