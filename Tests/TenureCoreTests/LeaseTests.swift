import Testing
@testable import TenureCore

/// The leader lease measured from heartbeat send times, and CheckQuorum (thesis 6.2, 6.4.1).
@Suite("Lease and CheckQuorum")
struct LeaseTests {
    @Test("A new leader holds no lease until a quorum acknowledged a round (thesis 6.4.1)")
    func noLeaseBeforeQuorum() {
        let (core, t) = electedLeader()
        #expect(core.role == .leader)
        #expect(core.leaseExpiresAt == nil)
        #expect(!core.isLeader(at: t))
        #expect(core.knownLeader(at: t) == nil)
    }

    @Test("In five nodes, one acknowledgement is not a quorum: no lease (thesis 6.4.1)")
    func oneAckOfFiveIsNotQuorum() {
        var (core, t) = electedLeader(voters: fiveVoters)
        let one = core.deliver(heartbeatResponse(term: 1, round: 1), from: n2, at: t)
        #expect(one.leaseExtensions.isEmpty)
        #expect(core.leaseExpiresAt == nil)
        let two = core.deliver(heartbeatResponse(term: 1, round: 1), from: n4, at: t)
        #expect(two.leaseExtensions == [t + defaultLeaseDuration])
        #expect(core.isLeader(at: t))
    }

    @Test("The lease runs from the send time of the quorum-acknowledged round, not from when the acknowledgement arrived (thesis 6.4.1)")
    func leaseFromSendTime() {
        var (core, t) = electedLeader()
        let arrival = t + .milliseconds(250)
        let step = core.deliver(heartbeatResponse(term: 1, round: 1), from: n2, at: arrival)
        #expect(core.leaseExpiresAt == t + defaultLeaseDuration)
        #expect(step.events.contains(.leaseExtended(term: 1, basisRound: 1, basisSentAt: t,
                                                    expiresAt: t + defaultLeaseDuration, acquired: true)))
        #expect(core.isLeader(at: arrival))
        #expect(core.isLeader(at: t + defaultLeaseDuration - Interval(nanoseconds: 1)))
        #expect(!core.isLeader(at: t + defaultLeaseDuration))
    }

    @Test("An acknowledgement that arrives after the lease it would grant has ended grants nothing (thesis 6.4.1)")
    func tooLateAckGrantsNothing() {
        var (core, t) = electedLeader()
        let step = core.deliver(heartbeatResponse(term: 1, round: 1), from: n2, at: t + defaultLeaseDuration)
        #expect(step.leaseExtensions.isEmpty)
        #expect(core.leaseExpiresAt == nil)
        #expect(!core.isLeader(at: t + defaultLeaseDuration))
    }

    @Test("A newer quorum round extends the lease to its own send time plus the lease duration (thesis 6.4.1)")
    func newerRoundExtends() {
        var (core, t) = leaderWithLease()
        let round2At = t + heartbeatInterval
        let beat = core.tick(to: round2At)
        #expect(beat.messages == [Envelope(from: n1, to: n2, message: heartbeat(term: 1, round: 2)),
                                  Envelope(from: n1, to: n3, message: heartbeat(term: 1, round: 2))])
        let step = core.deliver(heartbeatResponse(term: 1, round: 2), from: n3, at: round2At + .milliseconds(40))
        #expect(step.events.contains(.leaseExtended(term: 1, basisRound: 2, basisSentAt: round2At,
                                                    expiresAt: round2At + defaultLeaseDuration, acquired: false)))
        #expect(core.leaseExpiresAt == round2At + defaultLeaseDuration)
    }

    @Test("Late acknowledgements of older rounds do not extend the lease (thesis 6.4.1)")
    func lateAcksOfOlderRoundsDoNotExtend() {
        var (core, t) = electedLeader()
        let round2At = t + heartbeatInterval
        let round3At = round2At + heartbeatInterval
        _ = core.advance(to: round2At)
        _ = core.advance(to: round3At)
        _ = core.deliver(heartbeatResponse(term: 1, round: 3), from: n2, at: round3At + .milliseconds(1))
        #expect(core.leaseExpiresAt == round3At + defaultLeaseDuration)

        let later = round3At + .milliseconds(50)
        let olderFromOther = core.deliver(heartbeatResponse(term: 1, round: 2), from: n3, at: later)
        let olderFromSame = core.deliver(heartbeatResponse(term: 1, round: 1), from: n2, at: later)
        #expect(olderFromOther.leaseExtensions.isEmpty)
        #expect(olderFromSame.leaseExtensions.isEmpty)
        #expect(core.leaseExpiresAt == round3At + defaultLeaseDuration)
        #expect(core.acknowledgedRounds == [n2: 3, n3: 2])
    }

    @Test("An acknowledgement of a round never sent is ignored (thesis 6.4.1)")
    func ackOfUnsentRoundIgnored() {
        var (core, t) = electedLeader()
        let step = core.deliver(heartbeatResponse(term: 1, round: 2), from: n2, at: t)
        #expect(step.leaseExtensions.isEmpty)
        #expect(core.acknowledgedRounds.isEmpty)
        #expect(core.leaseExpiresAt == nil)
    }

    @Test("isLeader is false at and after the lease end even when advance was never called (thesis 6.4.1, fail closed)")
    func isLeaderFailsClosed() {
        let (core, t) = leaderWithLease()
        let expiry = t + defaultLeaseDuration
        #expect(core.isLeader(at: expiry - Interval(nanoseconds: 1)))
        #expect(!core.isLeader(at: expiry))
        #expect(!core.isLeader(at: expiry + .seconds(60)))
        #expect(core.knownLeader(at: expiry) == nil)
        #expect(core.role == .leader) // the role flag alone does not answer the question
    }

    @Test("Advancing to the lease end reports the lease expired (thesis 6.4.1)")
    func leaseExpiryEvent() {
        var (core, t) = leaderWithLease()
        let expiry = t + defaultLeaseDuration
        var lost: [LeaseLossReason] = []
        var instant = t
        while instant < expiry {
            instant = core.nextDeadline
            lost += core.tick(to: instant).leaseLosses
        }
        #expect(instant == expiry) // the lease end is itself a deadline
        #expect(lost == [.expired])
        #expect(core.leaseExpiresAt == nil)
        #expect(core.role == .leader)
    }

    @Test("A leader without quorum acknowledgements steps down electionTimeoutMin after the last quorum round's send time, its lease already over (thesis 6.2)")
    func checkQuorum() {
        var (core, t) = leaderWithLease() // quorum contact: round 1, sent at t
        var instant = t
        var events: [Event] = []
        var leaseLostAt: Instant?
        var heartbeats = 0
        while core.role == .leader {
            instant = core.nextDeadline
            let step = core.tick(to: instant)
            if !step.leaseLosses.isEmpty { leaseLostAt = instant }
            heartbeats += step.messages.filter { if case .heartbeat = $0.message { true } else { false } }.count
            events += step.events
        }
        #expect(instant == t + electionTimeoutMin)
        #expect(leaseLostAt == t + defaultLeaseDuration)
        #expect(leaseLostAt! < instant)
        #expect(events.contains(.leaseLost(term: 1, reason: .expired)))
        #expect(events.contains(.roleChanged(from: .leader, to: .follower, term: 1, reason: .lostQuorum)))
        #expect(heartbeats == 2 * 9) // rounds 2 to 10, at t + 100 ms ... t + 900 ms
        #expect(core.term == 1)
        #expect(core.leader == nil)
    }

    @Test("A leader that never hears a quorum steps down electionTimeoutMin after it was elected (thesis 6.2)")
    func checkQuorumWithoutAnyAck() {
        var (core, t) = electedLeader()
        let step = core.tick(to: t + electionTimeoutMin)
        #expect(step.roleChanges == [RoleChange(from: .leader, to: .follower, reason: .lostQuorum)])
        #expect(step.leaseLosses.isEmpty) // it never held one
    }

    @Test("Quorum acknowledgements each round keep the leader leading and leased indefinitely (thesis 6.2, 6.4.1)")
    func acksKeepLeadership() {
        var (core, t) = leaderWithLease()
        var instant = t
        for _ in 0..<100 {
            instant = core.nextDeadline
            let step = core.tick(to: instant)
            for envelope in step.messages where envelope.to == n3 {
                if case .heartbeat(let beat) = envelope.message {
                    _ = core.deliver(heartbeatResponse(term: 1, round: beat.round), from: n3, at: instant + .milliseconds(2))
                }
            }
            #expect(core.isLeader(at: instant + .milliseconds(2)))
        }
        #expect(core.role == .leader)
        #expect(instant >= t + .seconds(9))
    }

    @Test("A leader whose lease lapsed acquires a new one from the next quorum round (thesis 6.4.1)")
    func leaseReacquired() {
        var (core, t) = leaderWithLease()
        let expiry = t + defaultLeaseDuration
        while core.now < expiry { _ = core.advance(to: core.nextDeadline) }
        #expect(core.leaseExpiresAt == nil)
        // Round 3 left at t + 200 ms and is acknowledged now, after the first lease ended.
        let step = core.deliver(heartbeatResponse(term: 1, round: 3), from: n3, at: expiry)
        let round3At = t + heartbeatInterval * 2
        #expect(step.events == [.leaseExtended(term: 1, basisRound: 3, basisSentAt: round3At,
                                               expiresAt: round3At + defaultLeaseDuration, acquired: true)])
        #expect(core.isLeader(at: expiry))
        #expect(core.knownLeader(at: expiry) == n1)
    }

    @Test("The leader's next deadline is its next heartbeat while the lease and quorum contact are further off (thesis 3.4)")
    func leaderDeadline() {
        let (core, t) = leaderWithLease()
        #expect(core.nextDeadline == t + heartbeatInterval)
    }
}
