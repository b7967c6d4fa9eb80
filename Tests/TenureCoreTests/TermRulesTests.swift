import Testing
@testable import TenureCore

/// The term rules applied to every message before dispatch, and what is ignored outright
/// (paper 5.1, thesis 3.3).
@Suite("Term rules")
struct TermRulesTests {
    let afterEmbargo = Instant.zero + electionTimeoutMin

    @Test("A heartbeat of a newer term makes the node a follower in that term with that leader, persisted (paper 5.1, thesis 3.3)")
    func higherTermHeartbeat() {
        var core = makeCore(n2, hardState: HardState(term: 1, votedFor: n2))
        let at = Instant.milliseconds(300)
        let step = core.deliver(heartbeat(term: 3, round: 8), from: n1, at: at)
        #expect(core.role == .follower)
        #expect(core.term == 3)
        #expect(core.votedFor == nil)
        #expect(core.leader == n1)
        #expect(core.lastHeartbeatAt == at)
        #expect(step.persisted == [HardState(term: 3, votedFor: nil)])
        #expect(step.messages == [Envelope(from: n2, to: n1, message: heartbeatResponse(term: 3, round: 8, accepted: true))])
        #expect(step.events.contains(.termChanged(from: 1, to: 3, cause: .message, peer: n1)))
        #expect(step.events.contains(.leaderChanged(leader: n1, term: 3)))
        #expect(core.knownLeader(at: at) == n1)
    }

    @Test("A heartbeat resets the follower's election deadline to [electionTimeoutMin, electionTimeoutMax) from now (paper 5.2)")
    func heartbeatResetsDeadline() {
        let at = Instant.milliseconds(1_150)
        let core = follower(n2, heardAt: at)
        #expect(core.nextDeadline >= at + electionTimeoutMin)
        #expect(core.nextDeadline < at + electionTimeoutMax)
    }

    @Test("A follower names its leader only for electionTimeoutMin after the last heartbeat (thesis 6.4)")
    func knownLeaderExpires() {
        let at = Instant.milliseconds(2_000)
        let core = follower(n2, heardAt: at)
        #expect(core.knownLeader(at: at + electionTimeoutMin - Interval(nanoseconds: 1)) == n1)
        #expect(core.knownLeader(at: at + electionTimeoutMin) == nil)
        #expect(!core.isLeader(at: at))
    }

    @Test("A candidate that hears a heartbeat of its own term becomes that leader's follower (paper 5.2)")
    func candidateDiscoversLeader() {
        var core = makeCore(n3)
        let t = core.nextDeadline
        _ = core.advance(to: t)
        _ = core.deliver(voteResponse(term: 1, preVote: true), from: n1, at: t)
        #expect(core.role == .candidate)
        let step = core.deliver(heartbeat(term: 1, round: 1), from: n2, at: t + .milliseconds(1))
        #expect(core.role == .follower)
        #expect(core.leader == n2)
        #expect(core.term == 1)
        #expect(core.votedFor == n3) // the vote of term 1 stays cast
        #expect(step.roleChanges == [RoleChange(from: .candidate, to: .follower, reason: .leaderDiscovered)])
        #expect(step.messages == [Envelope(from: n3, to: n2, message: heartbeatResponse(term: 1, round: 1))])
    }

    @Test("A pre-candidate that hears the leader of its term goes back to following it (thesis 9.6)")
    func preCandidateDiscoversLeader() {
        var core = makeCore(n3, hardState: HardState(term: 2, votedFor: nil))
        _ = core.advance(to: core.nextDeadline)
        #expect(core.role == .preCandidate)
        let step = core.deliver(heartbeat(term: 2, round: 40), from: n1, at: core.now)
        #expect(core.role == .follower)
        #expect(core.leader == n1)
        #expect(step.persisted.isEmpty)
    }

    @Test("A stale leader's heartbeat is answered accepted:false with the newer term, changing nothing (paper 5.1, thesis 3.3)")
    func staleHeartbeatRejected() {
        var core = makeCore(n2, hardState: HardState(term: 4, votedFor: n3))
        let step = core.deliver(heartbeat(term: 2, round: 17), from: n1, at: afterEmbargo)
        #expect(step.messages == [Envelope(from: n2, to: n1, message: heartbeatResponse(term: 4, round: 17, accepted: false))])
        #expect(step.persisted.isEmpty)
        #expect(core.term == 4)
        #expect(core.leader == nil)
        #expect(core.lastHeartbeatAt == nil)
    }

    @Test("A stale leader steps down on an accepted:false answer carrying a newer term, giving up its lease (paper 5.1, thesis 3.3)")
    func staleLeaderStepsDown() {
        var (core, t) = leaderWithLease()
        let at = t + .milliseconds(20)
        let step = core.deliver(heartbeatResponse(term: 2, round: 1, accepted: false), from: n3, at: at)
        #expect(core.role == .follower)
        #expect(core.term == 2)
        #expect(core.leader == nil)
        #expect(!core.isLeader(at: at))
        #expect(core.leaseExpiresAt == nil)
        #expect(step.persisted == [HardState(term: 2, votedFor: nil)])
        #expect(step.leaseLosses == [.higherTerm])
        #expect(step.roleChanges == [RoleChange(from: .leader, to: .follower, reason: .higherTermSeen)])
    }

    @Test("A leader deposed by a newer term reports the lease of its own term lost, before it adopts the new term (thesis 3.3, 6.4.1)")
    func deposedLeaderReportsItsOwnLease() {
        var (core, t) = leaderWithLease()
        let step = core.deliver(heartbeat(term: 2, round: 1), from: n3, at: t + .milliseconds(20))
        let lost = step.events.firstIndex(of: .leaseLost(term: 1, reason: .higherTerm))
        let termChanged = step.events.firstIndex(of: .termChanged(from: 1, to: 2, cause: .message, peer: n3))
        #expect(lost != nil && termChanged != nil)
        if let lost, let termChanged { #expect(lost < termChanged) }
        #expect(core.leader == n3)
        #expect(core.term == 2)
    }

    @Test("Any message of a newer term deposes a leader, even a vote response (paper 5.1, thesis 3.3)")
    func newerVoteResponseDeposes() {
        var (core, t) = electedLeader()
        _ = core.deliver(voteResponse(term: 3, granted: false), from: n2, at: t)
        #expect(core.role == .follower)
        #expect(core.term == 3)
    }

    @Test("Messages from an unknown node are ignored entirely (thesis 4, fixed membership)")
    func unknownSenderIgnored() {
        var core = makeCore(n2, hardState: HardState(term: 1, votedFor: nil))
        let output = core.receive(Envelope(from: "n9", to: n2, message: heartbeat(term: 5, round: 1)), at: afterEmbargo)
        #expect(output.isEmpty)
        #expect(core.term == 1)
        #expect(core.leader == nil)
        #expect(core.lastContact["n9"] == nil)
        let vote = core.receive(Envelope(from: "n9", to: n2, message: voteRequest(term: 5)), at: afterEmbargo)
        #expect(vote.isEmpty)
        #expect(core.votedFor == nil)
    }

    @Test("Messages addressed to another node or claiming to come from this node are ignored (fixed membership, thesis 4)")
    func misaddressedIgnored() {
        var core = makeCore(n2, hardState: HardState(term: 1, votedFor: nil))
        let wrongRecipient = core.receive(Envelope(from: n1, to: n3, message: heartbeat(term: 5, round: 1)), at: afterEmbargo)
        #expect(wrongRecipient.isEmpty)
        let fromSelf = core.receive(Envelope(from: n2, to: n2, message: heartbeat(term: 5, round: 1)), at: afterEmbargo)
        #expect(fromSelf.isEmpty)
        #expect(core.term == 1)
        #expect(core.lastContact.isEmpty)
    }

    @Test("Any message from a voter is recorded as contact with it, even a stale one (thesis 6.2 status)")
    func contactRecorded() {
        var core = makeCore(n2, hardState: HardState(term: 4, votedFor: nil))
        _ = core.deliver(heartbeat(term: 2, round: 1), from: n1, at: .milliseconds(5))
        #expect(core.lastContact == [n1: .milliseconds(5)])
    }

    @Test("Stale vote and heartbeat answers are dropped without a reply (paper 5.1)")
    func staleAnswersIgnored() {
        var core = makeCore(n2, hardState: HardState(term: 4, votedFor: nil))
        #expect(core.receive(Envelope(from: n1, to: n2, message: voteResponse(term: 3)), at: afterEmbargo).isEmpty)
        #expect(core.receive(Envelope(from: n1, to: n2, message: heartbeatResponse(term: 3, round: 1)), at: afterEmbargo).isEmpty)
        #expect(core.receive(Envelope(from: n1, to: n2, message: timeoutNow(term: 3)), at: afterEmbargo).isEmpty)
        #expect(core.role == .follower && core.term == 4)
    }
}
