import Testing
@testable import TenureCore

/// Leadership transfer with TimeoutNow, and resignation (thesis 3.10).
@Suite("Leadership transfer")
struct TransferTests {
    /// n1 leads term 1 with a lease; n2 and n3 acknowledged round 1 at `t`.
    func caughtUpLeader() -> (core: ElectionCore, t: Instant) {
        var (core, t) = leaderWithLease()
        _ = core.deliver(heartbeatResponse(term: 1, round: 1), from: n3, at: t)
        return (core, t)
    }

    @Test("A transfer gives up the lease before TimeoutNow is handed to the shell (thesis 3.10, DESIGN safety 5)")
    func transferGivesUpLeaseFirst() {
        var (core, t) = caughtUpLeader()
        let at = t + .milliseconds(10)
        #expect(core.isLeader(at: at))
        let (outcome, output) = core.transferLeadership(to: n2, at: at)
        #expect(outcome == .transferStarted(target: n2))
        // By the time the shell can see TimeoutNow, the core no longer claims leadership.
        #expect(!core.isLeader(at: at))
        #expect(core.leaseExpiresAt == nil)
        #expect(core.knownLeader(at: at) == nil)
        #expect(core.transferTarget == n2)
        let step = CarriedOut(output)
        #expect(step.persisted.isEmpty)
        #expect(step.messages == [Envelope(from: n1, to: n2, message: timeoutNow(term: 1))])
        let lostIndex = step.events.firstIndex(of: .leaseLost(term: 1, reason: .transfer))
        let startedIndex = step.events.firstIndex(of: .transferStarted(term: 1, target: n2))
        #expect(lostIndex != nil && startedIndex != nil)
        #expect(lostIndex! < startedIndex!)
    }

    @Test("Quorum acknowledgements during a transfer do not bring the lease back (thesis 3.10)")
    func noLeaseDuringTransfer() {
        var (core, t) = caughtUpLeader()
        _ = core.transferLeadership(to: n2, at: t)
        let round2At = t + heartbeatInterval
        _ = core.advance(to: round2At)
        let step = core.deliver(heartbeatResponse(term: 1, round: 2), from: n3, at: round2At)
        #expect(step.leaseExtensions.isEmpty)
        #expect(core.leaseExpiresAt == nil)
        #expect(!core.isLeader(at: round2At))
    }

    @Test("The target of TimeoutNow campaigns at once in term + 1, skipping Pre-Vote, with leadershipTransfer set (thesis 3.10)")
    func targetCampaignsAtOnce() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let at = heardAt + .milliseconds(5) // well inside stickiness and before any timeout
        let output = core.receive(Envelope(from: n1, to: n2, message: timeoutNow(term: 1)), at: at)
        #expect(output.hardState == HardState(term: 2, votedFor: n2))
        let step = CarriedOut(output)
        #expect(core.role == .candidate)
        #expect(core.term == 2)
        #expect(step.messages == [Envelope(from: n2, to: n1, message: voteRequest(term: 2, transfer: true)),
                                  Envelope(from: n2, to: n3, message: voteRequest(term: 2, transfer: true))])
        #expect(step.roleChanges == [RoleChange(from: .follower, to: .candidate, reason: .transfer)])
        #expect(step.events.contains(.termChanged(from: 1, to: 2, cause: .transfer, peer: nil)))
        #expect(step.events.contains(.electionStarted(term: 2, preVote: false, leadershipTransfer: true)))
    }

    @Test("Voters grant a transfer election despite having heard the leader just now (thesis 3.10, 4.2.3)")
    func votersGrantTransferDespiteStickiness() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n3, heardAt: heardAt)
        let step = core.deliver(voteRequest(term: 2, transfer: true), from: n2, at: heardAt + .milliseconds(5))
        #expect(step.voteDecisions.map(\.reason) == [.granted])
        #expect(step.persisted.last == HardState(term: 2, votedFor: n2))
        #expect(core.term == 2)
    }

    @Test("A restarted voter grants a transfer election during its restart embargo (thesis 3.10)")
    func embargoSkippedForTransfer() {
        var core = makeCore(n3, hardState: HardState(term: 1, votedFor: n1), startedAt: .milliseconds(500))
        let step = core.deliver(voteRequest(term: 2, transfer: true), from: n2, at: .milliseconds(510))
        #expect(step.voteDecisions.map(\.reason) == [.granted])
    }

    @Test("The old leader grants the transfer vote and follows in the new term (thesis 3.10)")
    func oldLeaderGrantsTransferVote() {
        var (core, t) = caughtUpLeader()
        _ = core.transferLeadership(to: n2, at: t)
        let step = core.deliver(voteRequest(term: 2, transfer: true), from: n2, at: t + .milliseconds(1))
        #expect(step.voteDecisions.map(\.reason) == [.granted])
        #expect(core.role == .follower)
        #expect(core.term == 2)
        #expect(core.votedFor == n2)
        #expect(core.transferTarget == nil)
        let beat = core.deliver(heartbeat(term: 2, round: 1), from: n2, at: t + .milliseconds(2))
        #expect(core.leader == n2)
        #expect(beat.messages == [Envelope(from: n1, to: n2, message: heartbeatResponse(term: 2, round: 1))])
    }

    @Test("Without a transfer, a leader refuses a newer-term vote even while handing over (thesis 4.2.3)")
    func leaderInTransferStillRefusesOrdinaryVotes() {
        var (core, t) = caughtUpLeader()
        _ = core.transferLeadership(to: n2, at: t)
        let step = core.deliver(voteRequest(term: 2), from: n3, at: t + .milliseconds(1))
        #expect(step.voteDecisions.map(\.reason) == [.isLeader])
        #expect(core.term == 1)
    }

    @Test("TimeoutNow from a node that is not this follower's leader is ignored (thesis 3.10)")
    func timeoutNowFromNonLeaderIgnored() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let output = core.receive(Envelope(from: n3, to: n2, message: timeoutNow(term: 1)), at: heardAt + .milliseconds(5))
        #expect(output.isEmpty)
        #expect(core.role == .follower)
        #expect(core.term == 1)
    }

    @Test("TimeoutNow to a follower that knows no leader is ignored (thesis 3.10)")
    func timeoutNowWithoutLeaderIgnored() {
        var core = makeCore(n2, hardState: HardState(term: 1, votedFor: nil))
        let output = core.receive(Envelope(from: n1, to: n2, message: timeoutNow(term: 1)), at: .milliseconds(1_500))
        #expect(output.isEmpty)
        #expect(core.role == .follower)
    }

    @Test("Transfer to a node that is not a voter is rejected and the lease kept (thesis 3.10)")
    func transferToUnknownRejected() {
        var (core, t) = caughtUpLeader()
        let (outcome, output) = core.transferLeadership(to: "n9", at: t)
        #expect(outcome == .rejected("n9 is not a voter of this cluster"))
        #expect(output.isEmpty)
        #expect(core.isLeader(at: t))
        #expect(core.transferTarget == nil)
    }

    @Test("Transfer to the leader itself is rejected (thesis 3.10)")
    func transferToSelfRejected() {
        var (core, t) = caughtUpLeader()
        let (outcome, output) = core.transferLeadership(to: n1, at: t)
        #expect(outcome == .rejected("n1 is already the leader"))
        #expect(output.isEmpty)
        #expect(core.isLeader(at: t))
    }

    @Test("Transfer to a follower that has not acknowledged a recent round is rejected (thesis 3.10)")
    func transferToLaggingRejected() {
        var (core, t) = leaderWithLease() // only n2 acknowledged
        let (never, _) = core.transferLeadership(to: n3, at: t)
        #expect(never == .rejected("n3 has not acknowledged a recent heartbeat"))
        // n3 acknowledges round 1; rounds 2 and 3 go out and only n2 answers them.
        _ = core.deliver(heartbeatResponse(term: 1, round: 1), from: n3, at: t)
        for round: UInt64 in 2...3 {
            let at = core.nextDeadline
            _ = core.advance(to: at)
            _ = core.deliver(heartbeatResponse(term: 1, round: round), from: n2, at: at)
        }
        let (lagging, output) = core.transferLeadership(to: n3, at: core.now)
        #expect(lagging == .rejected("n3 has not acknowledged a recent heartbeat"))
        #expect(output.isEmpty)
        #expect(core.isLeader(at: core.now))
        let (any, _) = core.transferLeadership(to: nil, at: core.now)
        #expect(any == .transferStarted(target: n2))
    }

    @Test("Only a leader can transfer, and only one transfer at a time (thesis 3.10)")
    func transferPreconditions() {
        let heardAt = Instant.milliseconds(2_000)
        var followerCore = follower(n2, heardAt: heardAt)
        let (notLeader, _) = followerCore.transferLeadership(to: n3, at: heardAt)
        #expect(notLeader == .notLeader(leader: n1))

        var (core, t) = caughtUpLeader()
        _ = core.transferLeadership(to: n2, at: t)
        let (again, output) = core.transferLeadership(to: n3, at: t)
        #expect(again == .alreadyTransferring(target: n2))
        #expect(output.isEmpty)
    }

    @Test("A transfer not finished within electionTimeoutMin makes the leader step down (thesis 3.10)")
    func transferTimesOut() {
        var (core, t) = caughtUpLeader()
        _ = core.transferLeadership(to: n2, at: t)
        let deadline = t + electionTimeoutMin
        var events: [Event] = []
        var instant = t
        // n3 keeps acknowledging, so CheckQuorum is not what ends the leadership.
        while core.role == .leader {
            instant = core.nextDeadline
            let step = core.tick(to: instant)
            events += step.events
            for envelope in step.messages where envelope.to == n3 {
                if case .heartbeat(let beat) = envelope.message {
                    events += core.deliver(heartbeatResponse(term: 1, round: beat.round), from: n3, at: instant).events
                }
            }
            #expect(!core.isLeader(at: instant))
        }
        #expect(instant == deadline)
        #expect(events.contains(.transferAbandoned(term: 1, target: n2)))
        #expect(events.contains(.roleChanged(from: .leader, to: .follower, term: 1, reason: .transferTimedOut)))
        #expect(!events.contains { if case .leaseExtended = $0 { true } else { false } })
        #expect(core.term == 1)
    }

    @Test("Resigning gives up the lease, sends TimeoutNow to the most caught-up follower and steps down (thesis 3.10)")
    func resignHandsOver() {
        var (core, t) = caughtUpLeader()
        let round2At = t + heartbeatInterval
        _ = core.advance(to: round2At)
        _ = core.deliver(heartbeatResponse(term: 1, round: 2), from: n3, at: round2At)
        let (outcome, output) = core.resign(at: round2At + .milliseconds(1))
        #expect(outcome == .resigned(handedTo: n3))
        let step = CarriedOut(output)
        #expect(step.messages == [Envelope(from: n1, to: n3, message: timeoutNow(term: 1))])
        #expect(step.leaseLosses == [.resign])
        #expect(step.roleChanges == [RoleChange(from: .leader, to: .follower, reason: .resign)])
        #expect(core.role == .follower)
        #expect(core.leader == nil)
        #expect(core.term == 1)
        #expect(!core.isLeader(at: round2At + .milliseconds(1)))
    }

    @Test("Resigning with no caught-up follower still steps down (thesis 3.10)")
    func resignAlone() {
        var (core, t) = electedLeader()
        let (outcome, output) = core.resign(at: t)
        #expect(outcome == .resigned(handedTo: nil))
        #expect(CarriedOut(output).messages.isEmpty)
        #expect(core.role == .follower)
    }

    @Test("Resigning when not the leader names the known leader and changes nothing (thesis 3.10)")
    func resignNotLeader() {
        let heardAt = Instant.milliseconds(2_000)
        var core = follower(n2, heardAt: heardAt)
        let (outcome, output) = core.resign(at: heardAt)
        #expect(outcome == .notLeader(leader: n1))
        #expect(output.isEmpty)
    }

    @Test("TimeoutNow is obeyed only from the leader this node follows in that term (defence in depth, issue 10)")
    func timeoutNowOnlyFromKnownLeader() {
        let afterEmbargo = Instant.zero + electionTimeoutMin
        // n2 follows n1 in term 1.
        var core = makeCore(n2, hardState: HardState(term: 1, votedFor: nil))
        _ = core.deliver(heartbeat(term: 1, round: 1), from: n1, at: afterEmbargo)
        #expect(core.leader == n1)
        // From another node of the same term: ignored.
        #expect(core.receive(Envelope(from: n3, to: n2, message: timeoutNow(term: 1)), at: afterEmbargo).isEmpty)
        #expect(core.role == .follower && core.term == 1)
        // Of a newer term, even from the known leader: the term moves, but no leader is known
        // for it, so there is no campaign (a forged frame with a big term cannot start one).
        let newer = CarriedOut(core.receive(Envelope(from: n1, to: n2, message: timeoutNow(term: 5)), at: afterEmbargo))
        #expect(core.term == 5 && core.role == .follower && core.leader == nil)
        #expect(!newer.messages.contains { if case .requestVote = $0.message { true } else { false } })
        // From the leader of the current term: obeyed.
        var follower = makeCore(n2, hardState: HardState(term: 1, votedFor: nil))
        _ = follower.deliver(heartbeat(term: 1, round: 1), from: n1, at: afterEmbargo)
        _ = follower.receive(Envelope(from: n1, to: n2, message: timeoutNow(term: 1)), at: afterEmbargo)
        #expect(follower.role == .candidate && follower.term == 2)
    }
}
