import Testing
@testable import TenureCore

/// Membership changes, one server at a time (Raft thesis chapter 4), one behaviour per test.
@Suite("Membership changes")
struct MembershipTests {
    let embargoEnd = Instant.zero + electionTimeoutMin
    func entry(_ index: UInt64, term: UInt64, voters: [NodeID], nonVoters: [NodeID] = []) -> MembershipConfiguration {
        MembershipConfiguration(index: index, term: term, members: voters.map { Member(id: $0, address: "\($0):7100", voter: true) }
                                    + nonVoters.map { Member(id: $0, address: "\($0):7100", voter: false) })
    }

    /// Acknowledges n1's newest round from `peers`, reporting that each stored `stored`.
    func acknowledge(_ core: inout ElectionCore, from peers: [NodeID], stored: MembershipConfiguration, at instant: Instant) {
        let round = core.leadership?.round ?? 0
        for peer in peers {
            _ = core.deliver(.heartbeatResponse(HeartbeatResponse(term: core.term, round: round, accepted: true,
                                                                  membershipTerm: stored.term, membershipIndex: stored.index)),
                             from: peer, at: instant)
        }
    }

    /// A leader n1 of term 1 whose own-term entry (index 1) is committed.
    func readyLeader() -> (core: ElectionCore, at: Instant) {
        var (core, at) = leaderWithLease()
        let (outcome, _) = core.proposeMembershipChange(.remove(n3), at: at)
        precondition(outcome == .preparing("n1 first commits configuration 1 of its term 1; retry shortly"), "\(outcome)")
        acknowledge(&core, from: [n2], stored: core.membership, at: at)
        precondition(core.committedIndex == 1, "set-up failed: \(core.committedIndex)")
        return (core, at)
    }

    @Test("A leader's first change waits for an entry of its own term to commit (thesis 4.2.3, the single-server bug fix)")
    func ownTermEntryFirst() {
        var (core, at) = leaderWithLease()
        let (outcome, output) = core.proposeMembershipChange(.add(Member(id: n4, address: "n4:7100", voter: false)), at: at)
        guard case .preparing = outcome else { Issue.record("\(outcome)"); return }
        let step = CarriedOut(output)
        // The restating entry is stored before anything that carries it leaves.
        #expect(step.persisted == [HardState(term: 1, votedFor: n1, membership: MembershipConfiguration(
            index: 1, term: 1, members: MembershipConfiguration.initial(voters: threeVoters).members))])
        #expect(core.membership.voters == threeVoters && core.membership.index == 1)
    }

    @Test("A change adds one member at a time, as a non-voter first (thesis 4.2, 4.2.1)")
    func addAsNonVoter() {
        var (core, at) = readyLeader()
        let (outcome, _) = core.proposeMembershipChange(.add(Member(id: n4, address: "n4:7100", voter: true)), at: at)
        guard case .proposed(let proposed) = outcome else { Issue.record("\(outcome)"); return }
        #expect(proposed.index == 2 && proposed.voters == threeVoters && proposed.nonVoters == [n4])
        // A second change before the first commits is refused (thesis 4.2: one at a time).
        let (second, _) = core.proposeMembershipChange(.remove(n3), at: at)
        guard case .inProgress = second else { Issue.record("\(second)"); return }
    }

    @Test("The leader sends its entry on heartbeats until the follower says it stored it")
    func entryRidesOnHeartbeats() {
        var (core, at) = readyLeader()
        _ = core.proposeMembershipChange(.add(Member(id: n4, address: "n4:7100", voter: false)), at: at)
        let beat = core.tick(to: at + heartbeatInterval)
        let toN4 = beat.messages(to: n4)
        guard case .heartbeat(let heartbeat)? = toN4.first else { Issue.record("no heartbeat to the non-voter n4: \(beat.messages)"); return }
        #expect(heartbeat.membership == core.membership)
        acknowledge(&core, from: [n2], stored: core.membership, at: at + heartbeatInterval)
        let next = core.tick(to: at + heartbeatInterval * 2)
        guard case .heartbeat(let toN2)? = next.messages(to: n2).first else { Issue.record("no heartbeat to n2"); return }
        #expect(toN2.membership == nil && toN2.membershipIndex == core.membership.index)
    }

    @Test("A follower stores the leader's entry durably before acknowledging it, and names it in the acknowledgement (thesis 4.1)")
    func followerStoresEntry() {
        var core = follower(heardAt: embargoEnd)
        let newer = entry(2, term: 1, voters: threeVoters, nonVoters: [n4])
        let step = core.deliver(.heartbeat(Heartbeat(term: 1, round: 2, membership: newer, committedIndex: 1)), from: n1, at: embargoEnd + heartbeatInterval)
        #expect(step.persisted == [HardState(term: 1, votedFor: nil, membership: newer)])
        #expect(step.messages.map(\.message) == [.heartbeatResponse(HeartbeatResponse(term: 1, round: 2, accepted: true,
                                                                                        membershipTerm: 1, membershipIndex: 2))])
        #expect(core.membership == newer)
    }

    @Test("An entry commits when a majority of its own voters stored it (thesis 4.1)")
    func commitInNewConfiguration() {
        var (core, at) = readyLeader()
        _ = core.proposeMembershipChange(.remove(n3), at: at)
        let removal = core.membership
        #expect(removal.voters == [n1, n2] && removal.quorumSize == 2)
        // n3 is gone from the entry: its acknowledgement does not count.
        acknowledge(&core, from: [n3], stored: removal, at: at)
        #expect(core.committedIndex == 1)
        acknowledge(&core, from: [n2], stored: removal, at: at)
        #expect(core.committedIndex == removal.index)
    }

    @Test("The lease is renewed by a majority of the newest configuration, committed or not (thesis 4.1, 6.4.1)")
    func leaseCountsNewestConfiguration() {
        var (core, at) = readyLeader()
        // Promote a fourth voter (added, caught up, promoted): the quorum becomes 3 of 4.
        _ = core.proposeMembershipChange(.add(Member(id: n4, address: "n4:7100", voter: false)), at: at)
        acknowledge(&core, from: [n2, n4], stored: core.membership, at: at)
        #expect(core.membership.isVoter(n4), "a caught-up non-voter is promoted")
        #expect(core.membership.quorumSize == 3)
        let later = at + heartbeatInterval
        _ = core.tick(to: later)
        let leaseBefore = core.leaseExpiresAt
        // One acknowledgement (n2) plus the leader is no longer a majority.
        acknowledge(&core, from: [n2], stored: core.membership, at: later)
        #expect(core.leaseExpiresAt == leaseBefore)
        acknowledge(&core, from: [n4], stored: core.membership, at: later)
        #expect(core.leaseExpiresAt == later + defaultLeaseDuration)
    }

    @Test("A voter refuses a candidate whose configuration is older than its own (thesis 4.2 with 3.6.1)")
    func staleConfigurationRefused() {
        var core = follower(heardAt: embargoEnd)
        _ = core.deliver(.heartbeat(Heartbeat(term: 1, round: 2, membership: entry(3, term: 1, voters: threeVoters))), from: n1, at: embargoEnd)
        let later = embargoEnd + electionTimeoutMin * 2
        for preVote in [true, false] {
            let step = core.deliver(.requestVote(RequestVote(term: 2, preVote: preVote, membershipTerm: 1, membershipIndex: 2)), from: n3, at: later)
            #expect(step.voteDecisions.map(\.reason) == [.staleMembership], "preVote \(preVote)")
        }
        let fresh = core.deliver(.requestVote(RequestVote(term: 2, preVote: false, membershipTerm: 1, membershipIndex: 3)), from: n3, at: later)
        #expect(fresh.voteDecisions.map(\.granted) == [true])
    }

    @Test("A voter refuses a candidate outside its configuration unless the candidate's is newer (a removed node, thesis 4.2.3)")
    func removedCandidateRefused() {
        var core = follower(heardAt: embargoEnd)
        _ = core.deliver(.heartbeat(Heartbeat(term: 1, round: 2, membership: entry(3, term: 1, voters: [n1, n2]))), from: n1, at: embargoEnd)
        let later = embargoEnd + electionTimeoutMin * 2
        let removed = core.deliver(.requestVote(RequestVote(term: 2, preVote: true, membershipTerm: 1, membershipIndex: 3)), from: n3, at: later)
        #expect(removed.messages.isEmpty, "n3 is no member: its messages are not handled at all")
        let unknown = core.deliver(.requestVote(RequestVote(term: 2, preVote: true, membershipTerm: 1, membershipIndex: 3)), from: n1, at: later)
        #expect(unknown.voteDecisions.map(\.granted) == [true], "a voter of the configuration is heard")
    }

    @Test("A non-voter never campaigns (thesis 4.2.1)")
    func nonVoterNeverCampaigns() {
        let joining = MembershipConfiguration(index: 0, term: 0, members: [Member(id: n4, address: "n4:7100", voter: false)])
        var core = ElectionCore(configuration: configuration(n4, voters: [n4]), hardState: .initial, now: .zero, randomSeed: 1, initialMembership: joining)
        var instant = Instant.zero
        for _ in 0..<10 {
            instant = core.nextDeadline
            #expect(core.tick(to: instant).messages.isEmpty)
        }
        #expect(core.role == .follower && core.term == 0)
        // A leader whose entry names it is heard, and its entry stored.
        let cluster = entry(2, term: 1, voters: threeVoters, nonVoters: [n4])
        let step = core.deliver(.heartbeat(Heartbeat(term: 1, round: 1, membership: cluster, committedIndex: 2)), from: n1, at: instant)
        #expect(core.membership == cluster && core.leader == n1 && core.committedIndex == 2)
        #expect(step.messages.count == 1)
    }

    @Test("A leader removed from the configuration hands over and steps down once the removal commits (thesis 4.2.2)")
    func removedLeaderSteppsDown() {
        var (core, at) = readyLeader()
        let (outcome, _) = core.proposeMembershipChange(.remove(n1), at: at)
        guard case .proposed(let removal) = outcome else { Issue.record("\(outcome)"); return }
        #expect(core.role == .leader, "it leads until the removal commits")
        let later = at + heartbeatInterval
        _ = core.tick(to: later)
        var steps: [CarriedOut] = []
        for peer in [n2, n3] {
            steps.append(core.deliver(.heartbeatResponse(HeartbeatResponse(term: 1, round: core.leadership?.round ?? 0, accepted: true,
                                                                            membershipTerm: removal.term, membershipIndex: removal.index)),
                                      from: peer, at: later))
        }
        #expect(core.role == .follower && !core.isVoter)
        let handover = steps.flatMap(\.messages).filter { if case .timeoutNow = $0.message { true } else { false } }
        #expect(handover.count == 1 && [n2, n3].contains(handover[0].to))
        #expect(steps.flatMap(\.roleChanges).contains(RoleChange(from: .leader, to: .follower, reason: .removed)))
    }

    @Test("The last voter cannot be removed, nor a member added twice")
    func invalidChanges() {
        let single = entry(1, term: 1, voters: [n1])
        #expect(single.applying(.remove(n1)) == .failure(MembershipChangeRejection("n1 is the only voter; a cluster needs one")))
        #expect(single.applying(.add(Member(id: n1, address: "x:1", voter: false))) == .failure(MembershipChangeRejection("n1 is already a member")))
    }
}
