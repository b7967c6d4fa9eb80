import Testing
@testable import TenureCore

/// Starting and winning elections: timeouts, Pre-Vote, candidacy, leadership (paper 5.2,
/// thesis 3.4, 3.8, 9.6).
@Suite("Elections")
struct ElectionTests {
    @Test("A new core is a follower in its stored term with no leader (paper 5.2)")
    func initialState() {
        let core = makeCore(hardState: HardState(term: 4, votedFor: n3), startedAt: .milliseconds(7))
        #expect(core.role == .follower)
        #expect(core.term == 4)
        #expect(core.votedFor == n3)
        #expect(core.leader == nil)
        #expect(core.lastHeartbeatAt == nil)
        #expect(core.leaseExpiresAt == nil)
        #expect(!core.isLeader(at: .milliseconds(7)))
        #expect(core.knownLeader(at: .milliseconds(7)) == nil)
    }

    @Test("The first election deadline is drawn from [electionTimeoutMin, electionTimeoutMax) after start (thesis 3.4)",
          arguments: UInt64(1)...40)
    func firstDeadlineIsRandomizedWithinBounds(seed: UInt64) {
        let start = Instant.milliseconds(5_000)
        let core = makeCore(startedAt: start, seed: seed)
        #expect(core.nextDeadline >= start + electionTimeoutMin)
        #expect(core.nextDeadline < start + electionTimeoutMax)
    }

    @Test("Different seeds draw different election timeouts, so split votes resolve (thesis 3.4)")
    func timeoutsAreRandomized() {
        let deadlines = Set((UInt64(1)...20).map { makeCore(seed: $0).nextDeadline })
        #expect(deadlines.count > 15)
    }

    @Test("Nothing happens before the election deadline (paper 5.2)")
    func nothingBeforeDeadline() {
        var core = makeCore()
        let deadline = core.nextDeadline
        let output = core.advance(to: deadline - Interval(nanoseconds: 1))
        #expect(output.isEmpty)
        #expect(core.role == .follower)
        #expect(core.nextDeadline == deadline)
    }

    @Test("An election timeout makes a follower a pre-candidate asking every peer for term + 1 without changing its term or persisting (thesis 9.6)")
    func timeoutStartsPreVote() {
        var core = makeCore(hardState: HardState(term: 3, votedFor: nil))
        let deadline = core.nextDeadline
        let output = core.advance(to: deadline)
        #expect(output.hardState == nil)
        let step = CarriedOut(output)
        #expect(step.persisted.isEmpty)
        #expect(core.role == .preCandidate)
        #expect(core.term == 3)
        #expect(core.votedFor == nil)
        #expect(Set(step.messages.map(\.to)) == [n2, n3])
        #expect(step.messages.allSatisfy { $0.from == n1 && $0.message == voteRequest(term: 4, preVote: true) })
        #expect(step.roleChanges == [RoleChange(from: .follower, to: .preCandidate, reason: .heartbeatTimeout)])
        #expect(step.events.contains(.electionStarted(term: 4, preVote: true, leadershipTransfer: false)))
    }

    @Test("A pre-vote majority makes a candidate: term + 1, a vote for itself, persisted before the vote requests (thesis 3.8, 9.6)")
    func preVoteMajorityMakesCandidate() {
        var core = makeCore()
        let t = core.nextDeadline
        _ = core.advance(to: t)
        let output = core.receive(Envelope(from: n2, to: n1, message: voteResponse(term: 1, preVote: true)), at: t)
        #expect(output.hardState == HardState(term: 1, votedFor: n1))
        var order: [String] = []
        let messages = output.messages(afterPersisting: { state in
            order.append("persist \(state)")
        })
        order.append(contentsOf: messages.map { "send \($0)" })
        #expect(order == ["persist term 1, voted for n1", "send n1->n2 vote_request t1", "send n1->n3 vote_request t1"])
        #expect(messages.allSatisfy { $0.message == voteRequest(term: 1) })
        #expect(core.role == .candidate)
        #expect(core.term == 1)
        #expect(core.votedFor == n1)
        #expect(output.events.contains(.termChanged(from: 0, to: 1, cause: .campaign, peer: nil)))
        #expect(output.events.contains(.electionStarted(term: 1, preVote: false, leadershipTransfer: false)))
    }

    @Test("A campaign whose hard state cannot be persisted sends nothing (thesis 3.8)")
    func failedPersistSendsNothing() {
        struct DiskFull: Error {}
        var core = makeCore()
        let t = core.nextDeadline
        _ = core.advance(to: t)
        let output = core.receive(Envelope(from: n2, to: n1, message: voteResponse(term: 1, preVote: true)), at: t)
        #expect(output.messageCount == 2)
        #expect(throws: DiskFull.self) {
            _ = try output.messages(afterPersisting: { _ in throw DiskFull() })
        }
    }

    @Test("A denied pre-vote does not make a candidate (thesis 9.6)")
    func deniedPreVoteDoesNotCount() {
        var core = makeCore()
        let t = core.nextDeadline
        _ = core.advance(to: t)
        let step = core.deliver(voteResponse(term: 0, preVote: true, granted: false), from: n2, at: t)
        #expect(step.messages.isEmpty)
        #expect(core.role == .preCandidate)
        #expect(core.term == 0)
    }

    @Test("A vote grant counts only once per voter: one peer granting twice does not win five nodes (paper 5.2)")
    func duplicateGrantsCountOnce() {
        var core = makeCore(voters: fiveVoters)
        let t = core.nextDeadline
        _ = core.advance(to: t)
        _ = core.deliver(voteResponse(term: 1, preVote: true), from: n2, at: t)
        _ = core.deliver(voteResponse(term: 1, preVote: true), from: n2, at: t)
        #expect(core.role == .preCandidate)
        _ = core.deliver(voteResponse(term: 1, preVote: true), from: n3, at: t)
        #expect(core.role == .candidate)
        _ = core.deliver(voteResponse(term: 1), from: n2, at: t)
        _ = core.deliver(voteResponse(term: 1), from: n2, at: t)
        #expect(core.role == .candidate)
        _ = core.deliver(voteResponse(term: 1), from: n4, at: t)
        #expect(core.role == .leader)
    }

    @Test("A candidate that wins a majority leads and starts heartbeat round 1 at once (paper 5.2, thesis 3.4)")
    func voteMajorityMakesLeader() {
        var core = makeCore()
        let t = core.nextDeadline
        _ = core.advance(to: t)
        _ = core.deliver(voteResponse(term: 1, preVote: true), from: n2, at: t)
        let step = core.deliver(voteResponse(term: 1), from: n3, at: t)
        #expect(core.role == .leader)
        #expect(core.leader == n1)
        #expect(step.persisted.isEmpty)
        #expect(step.messages == [Envelope(from: n1, to: n2, message: heartbeat(term: 1, round: 1)),
                                  Envelope(from: n1, to: n3, message: heartbeat(term: 1, round: 1))])
        #expect(step.roleChanges == [RoleChange(from: .candidate, to: .leader, reason: .electionWon)])
        #expect(step.events.contains(.leaderChanged(leader: n1, term: 1)))
        #expect(core.nextDeadline == t + heartbeatInterval)
    }

    @Test("A late vote from an earlier term does not count toward the current election (paper 5.2)")
    func staleVoteIgnored() {
        var core = makeCore(hardState: HardState(term: 5, votedFor: nil))
        let t = core.nextDeadline
        _ = core.advance(to: t)
        _ = core.deliver(voteResponse(term: 6, preVote: true), from: n2, at: t)
        #expect(core.role == .candidate && core.term == 6)
        let step = core.deliver(voteResponse(term: 5), from: n3, at: t)
        #expect(step.messages.isEmpty)
        #expect(core.role == .candidate)
    }

    @Test("A candidate that does not win retries after [heartbeatInterval, heartbeatInterval + spread), with Pre-Vote again (thesis 9.3, 9.6)",
          arguments: UInt64(1)...20)
    func candidateRetryWindow(seed: UInt64) {
        var core = makeCore(seed: seed)
        let t = core.nextDeadline
        _ = core.advance(to: t)
        #expect(core.nextDeadline >= t + heartbeatInterval)
        #expect(core.nextDeadline < t + heartbeatInterval + (electionTimeoutMax - electionTimeoutMin))
        _ = core.deliver(voteResponse(term: 1, preVote: true), from: n2, at: t)
        #expect(core.role == .candidate)
        #expect(core.nextDeadline >= t + heartbeatInterval)
        #expect(core.nextDeadline < t + heartbeatInterval + (electionTimeoutMax - electionTimeoutMin))

        let retryAt = core.nextDeadline
        let step = core.tick(to: retryAt)
        #expect(core.role == .preCandidate)
        #expect(core.term == 1)
        #expect(step.persisted.isEmpty)
        #expect(step.roleChanges == [RoleChange(from: .candidate, to: .preCandidate, reason: .electionRetry)])
        #expect(step.messages.allSatisfy { $0.message == voteRequest(term: 2, preVote: true) })
    }

    @Test("Pre-Vote keeps an isolated node's term constant over many election timeouts (thesis 9.6)")
    func isolatedNodeKeepsItsTerm() {
        var core = makeCore(hardState: HardState(term: 9, votedFor: n2))
        for _ in 0..<100 {
            let step = core.tick(to: core.nextDeadline)
            #expect(step.persisted.isEmpty)
            #expect(step.messages.count == 2)
            #expect(step.messages.allSatisfy { $0.message == voteRequest(term: 10, preVote: true) })
        }
        #expect(core.term == 9)
        #expect(core.votedFor == n2)
        #expect(core.role == .preCandidate)
    }

    @Test("A single-node cluster elects itself at its first deadline and holds a lease (paper 5.2, thesis 6.4.1)")
    func singleNodeCluster() {
        var core = makeCore(voters: [n1])
        let t = core.nextDeadline
        let step = core.tick(to: t)
        #expect(step.persisted == [HardState(term: 1, votedFor: n1)])
        #expect(step.messages.isEmpty)
        #expect(step.roleChanges.map(\.to) == [.preCandidate, .candidate, .leader])
        #expect(core.role == .leader)
        #expect(core.leaseExpiresAt == t + defaultLeaseDuration)
        #expect(core.isLeader(at: t))
        #expect(core.knownLeader(at: t) == n1)

        // Each heartbeat "round" is its own quorum and renews the lease.
        let next = core.nextDeadline
        #expect(next == t + heartbeatInterval)
        _ = core.advance(to: next)
        #expect(core.leaseExpiresAt == next + defaultLeaseDuration)
        #expect(core.isLeader(at: next + defaultLeaseDuration - Interval(nanoseconds: 1)))
        #expect(!core.isLeader(at: next + defaultLeaseDuration), "a renewal that never came leaves nothing after the lease")
    }
}
