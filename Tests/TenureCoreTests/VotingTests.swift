import Testing
@testable import TenureCore

/// How a node answers vote and pre-vote requests (paper 5.2, thesis 3.4, 3.6 of terms, 4.2.3, 9.6).
@Suite("Voting")
struct VotingTests {
    /// The first instant at which a core started at zero may vote (end of its restart embargo).
    let afterEmbargo = Instant.zero + electionTimeoutMin

    @Test("A voter grants its vote to the first candidate of a newer term, adopting the term (paper 5.2, thesis 3.4)")
    func grantsFirstRequest() {
        var core = makeCore(n2, hardState: HardState(term: 2, votedFor: n3))
        let step = core.deliver(voteRequest(term: 3), from: n1, at: afterEmbargo)
        #expect(core.term == 3)
        #expect(core.votedFor == n1)
        #expect(core.role == .follower)
        #expect(step.messages == [Envelope(from: n2, to: n1, message: voteResponse(term: 3, granted: true))])
        #expect(step.voteDecisions == [VoteDecision(term: 3, candidate: n1, preVote: false, granted: true, reason: .granted)])
    }

    @Test("A granted vote is persisted before the grant is sent (thesis 3.8)")
    func votePersistedBeforeGrant() {
        var core = makeCore(n2)
        let output = core.receive(Envelope(from: n1, to: n2, message: voteRequest(term: 1)), at: afterEmbargo)
        #expect(output.hardState == HardState(term: 1, votedFor: n1))
        var order: [String] = []
        let messages = output.messages(afterPersisting: { order.append("persist \($0)") })
        order.append(contentsOf: messages.map { "send \($0.message)" })
        #expect(order == ["persist term 1, voted for n1", "send \(voteResponse(term: 1, granted: true))"])
    }

    @Test("At most one vote per term: a second candidate of the same term is denied with alreadyVoted (paper 5.2, thesis 3.4)")
    func oneVotePerTerm() {
        var core = makeCore(n2)
        _ = core.deliver(voteRequest(term: 1), from: n1, at: afterEmbargo)
        let step = core.deliver(voteRequest(term: 1), from: n3, at: afterEmbargo + .milliseconds(1))
        #expect(step.persisted.isEmpty)
        #expect(step.messages == [Envelope(from: n2, to: n3, message: voteResponse(term: 1, granted: false))])
        #expect(step.voteDecisions.map(\.reason) == [.alreadyVoted])
        #expect(core.votedFor == n1)
    }

    @Test("The same candidate asking again in the same term is granted again without a new write (thesis 3.4)")
    func repeatedRequestGranted() {
        var core = makeCore(n2)
        _ = core.deliver(voteRequest(term: 1), from: n1, at: afterEmbargo)
        let output = core.receive(Envelope(from: n1, to: n2, message: voteRequest(term: 1)), at: afterEmbargo + .milliseconds(1))
        #expect(output.hardState == nil)
        let step = CarriedOut(output)
        #expect(step.messages == [Envelope(from: n2, to: n1, message: voteResponse(term: 1, granted: true))])
    }

    @Test("A vote persisted before a restart still binds the restarted node in that term (thesis 3.8)")
    func persistedVoteSurvivesRestart() {
        let start = Instant.milliseconds(60_000)
        var core = makeCore(n2, hardState: HardState(term: 7, votedFor: n1), startedAt: start)
        let step = core.deliver(voteRequest(term: 7), from: n3, at: start + electionTimeoutMin)
        #expect(step.voteDecisions.map(\.reason) == [.alreadyVoted])
        #expect(step.messages == [Envelope(from: n2, to: n3, message: voteResponse(term: 7, granted: false))])
    }

    @Test("A request of an older term is denied with the voter's current term (paper 5.1, thesis 3.3)")
    func staleTermDenied() {
        var core = makeCore(n2, hardState: HardState(term: 5, votedFor: nil))
        let step = core.deliver(voteRequest(term: 3), from: n1, at: afterEmbargo)
        #expect(step.messages == [Envelope(from: n2, to: n1, message: voteResponse(term: 5, granted: false))])
        #expect(step.voteDecisions.map(\.reason) == [.staleTerm])
        #expect(step.persisted.isEmpty)
        #expect(core.term == 5)
        #expect(core.votedFor == nil)
    }

    @Test("A pre-vote request of an older term is denied with the voter's current term (thesis 9.6)")
    func stalePreVoteDenied() {
        var core = makeCore(n2, hardState: HardState(term: 5, votedFor: nil))
        let step = core.deliver(voteRequest(term: 4, preVote: true), from: n1, at: afterEmbargo)
        #expect(step.messages == [Envelope(from: n2, to: n1, message: voteResponse(term: 5, preVote: true, granted: false))])
        #expect(step.voteDecisions.map(\.reason) == [.staleTerm])
    }

    @Test("A pre-candidate that learns of a newer term from a denied pre-vote follows in that term (thesis 9.6)")
    func deniedPreVoteWithNewerTerm() {
        var core = makeCore()
        let t = core.nextDeadline
        _ = core.advance(to: t)
        let step = core.deliver(voteResponse(term: 5, preVote: true, granted: false), from: n2, at: t)
        #expect(core.role == .follower)
        #expect(core.term == 5)
        #expect(step.persisted == [HardState(term: 5, votedFor: nil)])
    }

    @Test("A granted pre-vote changes neither the voter's term nor its vote (thesis 9.6)")
    func preVoteChangesNothing() {
        var core = makeCore(n2, hardState: HardState(term: 2, votedFor: n3))
        let step = core.deliver(voteRequest(term: 3, preVote: true), from: n1, at: afterEmbargo)
        #expect(step.persisted.isEmpty)
        #expect(core.term == 2)
        #expect(core.votedFor == n3)
        #expect(step.messages == [Envelope(from: n2, to: n1, message: voteResponse(term: 3, preVote: true, granted: true))])
        #expect(step.voteDecisions == [VoteDecision(term: 3, candidate: n1, preVote: true, granted: true, reason: .granted)])
    }

    // MARK: Stickiness (thesis 4.2.3)

    @Test("A follower that heard a live leader refuses to vote and keeps its term, for the stickiness window (thesis 4.2.3)")
    func stickinessRefusesVote() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let at = heardAt + configuration(n2).stickinessWindow - Interval(nanoseconds: 1)
        let step = core.deliver(voteRequest(term: 2), from: n3, at: at)
        #expect(step.voteDecisions.map(\.reason) == [.leaderIsLive])
        #expect(step.messages == [Envelope(from: n2, to: n3, message: voteResponse(term: 1, granted: false))])
        #expect(step.persisted.isEmpty)
        #expect(core.term == 1)
        #expect(core.votedFor == nil)
        #expect(core.leader == n1)
    }

    @Test("A follower that heard a live leader refuses a pre-vote too (thesis 4.2.3, 9.6)")
    func stickinessRefusesPreVote() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let step = core.deliver(voteRequest(term: 2, preVote: true), from: n3, at: heardAt + defaultStickinessWindow - Interval(nanoseconds: 1))
        #expect(step.voteDecisions.map(\.reason) == [.leaderIsLive])
        #expect(step.messages == [Envelope(from: n2, to: n3, message: voteResponse(term: 1, preVote: true, granted: false))])
        #expect(core.term == 1)
    }

    @Test("Once the stickiness window since the last heartbeat has passed, the follower grants again (thesis 4.2.3)")
    func stickinessEnds() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let at = heardAt + defaultStickinessWindow
        let preVote = core.deliver(voteRequest(term: 2, preVote: true), from: n3, at: at)
        #expect(preVote.voteDecisions.map(\.reason) == [.granted])
        let vote = core.deliver(voteRequest(term: 2), from: n3, at: at)
        #expect(vote.voteDecisions.map(\.reason) == [.granted])
        #expect(vote.persisted.last == HardState(term: 2, votedFor: n3))
        #expect(core.term == 2)
        #expect(core.leader == nil)
    }

    @Test("A follower that knows the leader of its term denies a same-term candidate (paper 5.2)")
    func leaderKnownDenied() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let step = core.deliver(voteRequest(term: 1), from: n3, at: heardAt + electionTimeoutMin * 3)
        #expect(step.voteDecisions.map(\.reason) == [.leaderKnown])
        #expect(core.votedFor == nil)
    }

    @Test("A leader refuses votes and pre-votes of a newer term while it leads and keeps its term (thesis 4.2.3, 6.2)")
    func leaderRefusesVotes() {
        var (core, t) = leaderWithLease()
        let vote = core.deliver(voteRequest(term: 2), from: n3, at: t + .milliseconds(10))
        #expect(vote.voteDecisions.map(\.reason) == [.isLeader])
        #expect(vote.messages == [Envelope(from: n1, to: n3, message: voteResponse(term: 1, granted: false))])
        let preVote = core.deliver(voteRequest(term: 2, preVote: true), from: n3, at: t + .milliseconds(10))
        #expect(preVote.voteDecisions.map(\.reason) == [.isLeader])
        #expect(core.role == .leader)
        #expect(core.term == 1)
        #expect(core.isLeader(at: t + .milliseconds(10)))
    }

    @Test("A candidate denies other candidates of its own term: it voted for itself (paper 5.2)")
    func candidateDeniesSameTerm() {
        var core = makeCore()
        let t = core.nextDeadline
        _ = core.advance(to: t)
        _ = core.deliver(voteResponse(term: 1, preVote: true), from: n2, at: t)
        let step = core.deliver(voteRequest(term: 1), from: n3, at: t)
        #expect(step.voteDecisions.map(\.reason) == [.alreadyVoted])
        #expect(core.role == .candidate)
    }

    @Test("The stickiness window covers the longest lease in real time: lease x (1 + drift) / (1 - drift) + margin, at most electionTimeoutMin")
    func stickinessWindowCoversTheLease() {
        var longest = configuration()
        longest.leaseDurationOverride = longestSafeLease
        #expect(longest.stickinessWindow <= electionTimeoutMin)
        #expect(longest.stickinessWindow > electionTimeoutMin - .milliseconds(2), "the longest safe lease needs all but a millisecond of the election timeout")
        let short = configuration()
        // 300 ms x 1.01 / 0.99 = 306.06 ms, plus the 50 ms margin.
        #expect(short.stickinessWindow == Interval(nanoseconds: 356_060_607))
        let leaseInRealTime = Double(short.leaseDuration.nanoseconds) / (1 - short.clockDriftBound)
        let windowInRealTime = Double(short.stickinessWindow.nanoseconds) / (1 + short.clockDriftBound)
        #expect(leaseInRealTime < windowInRealTime)
    }

    @Test("Evidence that the leader's process is gone starts a pre-vote once the stickiness window has passed, not the election timeout")
    func evidenceCampaignsEarly() {
        let shortLease = configuration(n2)
        var core = ElectionCore(configuration: shortLease, hardState: .initial, now: .zero, randomSeed: 1)
        let heardAt = Instant.zero + electionTimeoutMin
        _ = core.deliver(heartbeat(term: 1, round: 1), from: n1, at: heardAt)
        // Too early: the deadline moves to the end of the window instead.
        let early = CarriedOut(core.peerProcessGone(n1, at: heardAt + .milliseconds(100)))
        #expect(early.messages.isEmpty)
        #expect(core.nextDeadline == heardAt + shortLease.stickinessWindow)
        let step = core.tick(to: core.nextDeadline)
        #expect(step.roleChanges == [RoleChange(from: .follower, to: .preCandidate, reason: .leaderGone)])
        #expect(step.messages.allSatisfy { if case .requestVote(let request) = $0.message { request.preVote && request.leaderGone } else { false } })
        // Evidence about a node that is not the leader changes nothing.
        var other = ElectionCore(configuration: shortLease, hardState: .initial, now: .zero, randomSeed: 1)
        _ = other.deliver(heartbeat(term: 1, round: 1), from: n1, at: heardAt)
        let deadline = other.nextDeadline
        _ = other.peerProcessGone(n3, at: heardAt + .milliseconds(100))
        #expect(other.nextDeadline == deadline)
    }

    @Test("A voter ignores a candidate's evidence: its own clock decides (safety never depends on the hint)")
    func evidenceDoesNotBindVoters() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let request = RequestVote(term: 2, preVote: true, leaderGone: true)
        let step = core.deliver(.requestVote(request), from: n3, at: heardAt + .milliseconds(10))
        #expect(step.voteDecisions.map(\.reason) == [.leaderIsLive])
    }

    // MARK: Restart embargo (docs/lease.md, rule 4, "Restart embargo")

    @Test("A restarted core refuses votes and pre-votes with restartEmbargo for the stickiness window after it started (thesis 4.2.3)")
    func restartEmbargo() {
        let start = Instant.milliseconds(42_000)
        var core = makeCore(n2, hardState: HardState(term: 3, votedFor: nil), startedAt: start)
        let early = start + configuration(n2).stickinessWindow - Interval(nanoseconds: 1)
        let vote = core.deliver(voteRequest(term: 4), from: n1, at: early)
        #expect(vote.voteDecisions.map(\.reason) == [.restartEmbargo])
        #expect(vote.messages == [Envelope(from: n2, to: n1, message: voteResponse(term: 3, granted: false))])
        #expect(vote.persisted.isEmpty)
        #expect(core.term == 3)
        let preVote = core.deliver(voteRequest(term: 4, preVote: true), from: n1, at: early)
        #expect(preVote.voteDecisions.map(\.reason) == [.restartEmbargo])

        let granted = core.deliver(voteRequest(term: 4), from: n1, at: start + configuration(n2).stickinessWindow)
        #expect(granted.voteDecisions.map(\.reason) == [.granted])
        #expect(core.votedFor == n1)
    }

    @Test("A restarted core does not campaign before electionTimeoutMin after it started (thesis 4.2.3)",
          arguments: UInt64(1)...20)
    func restartEmbargoDelaysCampaign(seed: UInt64) {
        let start = Instant.milliseconds(42_000)
        var core = makeCore(hardState: HardState(term: 3, votedFor: n1), startedAt: start, seed: seed)
        #expect(core.nextDeadline >= start + electionTimeoutMin)
        let output = core.advance(to: start + electionTimeoutMin - Interval(nanoseconds: 1))
        #expect(output.isEmpty)
        #expect(core.role == .follower)
    }
}

@Suite("Pre-vote grants")
struct PreVoteGrantTests {
    @Test("A node that grants a pre-vote does not campaign itself for at least one retry interval (avoids split votes, thesis 9.3)")
    func grantingAPreVoteDefersOwnCampaign() {
        var core = ElectionCore(configuration: configuration(n1), hardState: .initial, now: .zero, randomSeed: 7)
        // Past the restart embargo and just before this node's own election deadline.
        let justBefore = core.nextDeadline - .microseconds(100)
        let output = core.receive(Envelope(from: n2, to: n1, message: .requestVote(RequestVote(term: 1, preVote: true))), at: justBefore)
        #expect(output.events.contains(.voteDecided(VoteDecision(term: 1, candidate: n2, preVote: true, granted: true, reason: .granted))))
        #expect(core.nextDeadline >= justBefore + Configuration(id: n1, voters: threeVoters).electionRetryMin)
        #expect(core.term == 0)
        _ = core.advance(to: justBefore + .microseconds(200))
        #expect(core.role == .follower)
    }
}
