import Testing
import TenurePOSIX

@testable import TenureCore
@testable import TenureNode

/// Membership changes through real runtimes on loopback (issue 11).
@Suite("Runtime: membership changes") struct RuntimeMembershipTests {
    /// Proposes `change` on `leader` until the core takes it (after its own-term entry commits).
    func propose(_ change: MembershipChange, on leader: Int, in cluster: RuntimeCluster) -> MembershipConfiguration? {
        for _ in 0..<200 {
            let runtime = cluster.runtimes[leader]
            let now = cluster.clocks[leader].now()
            let (outcome, output) = runtime.state.core.proposeMembershipChange(change, at: now)
            runtime.apply(output, now: now)
            switch outcome {
            case .proposed(let entry): return entry
            case .preparing, .inProgress: cluster.step(by: .milliseconds(5))
            case .notLeader, .rejected: Issue.record("\(change) refused: \(outcome)"); return nil
            }
        }
        Issue.record("\(change) never proposed")
        return nil
    }

    @Test("A leader that removes itself keeps leading until the removal commits, then hands over (thesis 4.2.2)")
    func leaderRemovesItself() throws {
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let id = cluster.ids[leader]
        let entry = try #require(propose(.remove(id), on: leader, in: cluster))
        #expect(!entry.contains(id))
        // The removed node does not follow anyone afterwards (no member heartbeats it), so the
        // new leader is the one lease holder, among the remaining members.
        cluster.runUntil("the removal commits and another node leads", maxSteps: 3000) {
            cluster.runtimes[leader].core.committedIndex >= entry.index && cluster.leaseHolders.count == 1 && cluster.leaseHolders[0] != leader
        }
        let old = cluster.runtimes[leader].core
        #expect(old.role == .follower && !old.isVoter)
        let newLeader = try #require(cluster.leaseHolders.first)
        let oldTerm = old.term
        #expect(cluster.runtimes[newLeader].core.membership.voters == entry.voters)
        // The removed node stays quiet: it never campaigns again.
        let termBefore = cluster.runtimes[newLeader].core.term
        for _ in 0..<300 { cluster.step(by: .milliseconds(5)) }
        #expect(cluster.runtimes[newLeader].core.term == termBefore)
        #expect(cluster.runtimes[leader].core.term == oldTerm, "a removed node never campaigns")
        #expect(cluster.leaseHolders == [newLeader])
    }

    @Test("A node added as a non-voter is promoted once it has caught up, and then counts in the quorum (thesis 4.2.1)")
    func addAndPromote() throws {
        // Four runtimes; n4 starts outside the configuration, as `--join` does.
        let cluster = try RuntimeCluster(count: 4, configure: { index, options in
            if index == 3 {
                options.peers = [options.peers[3]]
                options.join = RuntimeCluster.peerAddress(0)
                options.joinMembers = Dictionary(uniqueKeysWithValues: (0..<3).map { (NodeID("n\($0 + 1)"), RuntimeCluster.peerAddress($0)) })
            } else {
                options.peers = Array(options.peers.prefix(3))
            }
        })
        defer { cluster.stop() }
        cluster.runUntil("a leader among the first three", maxSteps: 3000) { cluster.leaseHolders.count == 1 }
        let leader = cluster.leaseHolders[0]
        let newcomer = cluster.runtimes[3]
        #expect(!newcomer.core.isVoter && newcomer.core.membership.voters.isEmpty)
        let member = Member(id: cluster.ids[3], address: cluster.options[3].peers[0].address.description,
                            api: cluster.options[3].api.description, voter: false)
        let added = try #require(propose(.add(member), on: leader, in: cluster))
        #expect(added.nonVoters == [cluster.ids[3]])
        cluster.runUntil("n4 votes in a committed configuration", maxSteps: 3000) {
            let core = cluster.runtimes[leader].core
            return core.membership.isVoter(cluster.ids[3]) && core.committedIndex >= core.membership.index
                && newcomer.core.membership == core.membership
        }
        #expect(cluster.runtimes[leader].core.membership.quorumSize == 3)
        #expect(newcomer.core.leader == cluster.ids[leader])
    }
}
