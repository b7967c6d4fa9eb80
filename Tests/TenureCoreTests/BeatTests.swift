import Testing
@testable import TenureCore

/// Lease beats: numbered rounds between (and beside) the full heartbeats, which the shell carries
/// as datagrams, so a lost TCP segment cannot hold back the lease's renewal (issue 18). A beat is
/// a heartbeat without the membership entry; every rule of the lease argument applies to it
/// unchanged (thesis 6.4.1: the lease runs from the send time of a round a quorum acknowledged).
@Suite("Lease beats")
struct BeatTests {
    let beats = 4
    var roundInterval: Interval { Interval(nanoseconds: heartbeatInterval.nanoseconds / 4) }

    func beat(term: UInt64, round: UInt64) -> Message {
        .heartbeat(Heartbeat(term: term, round: round, beat: true))
    }

    func beatResponse(term: UInt64, round: UInt64, membershipIndex: UInt64 = 0, healthy: Bool = true) -> Message {
        .heartbeatResponse(HeartbeatResponse(term: term, round: round, accepted: true, healthy: healthy, membershipIndex: membershipIndex, beat: true))
    }

    @Test("A leader starts a round every heartbeat interval / beats; each round is a beat, every fourth also a full heartbeat")
    func roundsAndCarriers() {
        var (core, t) = electedLeader(beatsPerHeartbeat: beats)
        #expect(core.nextDeadline == t + roundInterval)
        var kinds: [String] = []
        for step in 1...8 {
            let output = core.tick(to: t + roundInterval * Int64(step))
            kinds.append(output.messages(to: n2).map(\.kindName).joined(separator: "+"))
            #expect(output.messages.count == (step % 4 == 0 ? 4 : 2), "round \(step + 1)")
        }
        // Round 1 went at election; rounds 5 and 9 carry the full heartbeat too.
        #expect(kinds == ["beat", "beat", "beat", "heartbeat+beat", "beat", "beat", "beat", "heartbeat+beat"])
    }

    @Test("A quorum's answer to a beat renews the lease from that beat's send time (thesis 6.4.1)")
    func beatRenewsLeaseFromSendTime() {
        var (core, t) = electedLeader(beatsPerHeartbeat: beats)
        _ = core.tick(to: t + roundInterval) // round 2, a beat
        let step = core.deliver(beatResponse(term: 1, round: 2), from: n3, at: t + roundInterval + .milliseconds(3))
        #expect(step.events.contains(.leaseExtended(term: 1, basisRound: 2, basisSentAt: t + roundInterval,
                                                    expiresAt: t + roundInterval + defaultLeaseDuration, acquired: true)))
    }

    @Test("A beat never carries the membership entry; the full heartbeat does until the follower stored it")
    func beatCarriesNoEntry() {
        var (core, t) = electedLeader(beatsPerHeartbeat: beats)
        _ = core.deliver(heartbeatResponse(term: 1, round: 1), from: n2, at: t)
        _ = core.deliver(heartbeatResponse(term: 1, round: 1), from: n3, at: t)
        // Proposed, or (a new leader) first restating the configuration in its term: either way
        // a new entry that n2 has not stored yet.
        _ = core.proposeMembershipChange(.add(Member(id: n4, address: "127.0.0.14:7100", voter: false)), at: t + .milliseconds(1))
        #expect(core.membership.index > 0)
        var fullHeartbeats = 0
        for step in 1...4 {
            let sent = core.tick(to: t + roundInterval * Int64(step))
            for case .heartbeat(let heartbeat) in sent.messages(to: n2) {
                if heartbeat.beat {
                    #expect(heartbeat.membership == nil)
                    #expect(heartbeat.membershipIndex == core.membership.index)
                } else {
                    #expect(heartbeat.membership == core.membership)
                    fullHeartbeats += 1
                }
            }
        }
        #expect(fullHeartbeats == 1)
    }

    @Test("A follower answers a beat with a beat answer and refuses votes for the stickiness window after it (thesis 4.2.3)")
    func followerTreatsBeatAsHeartbeat() {
        var core = follower(heardAt: .milliseconds(1000), beatsPerHeartbeat: beats)
        let heardAt = Instant.milliseconds(1200)
        let step = core.deliver(beat(term: 1, round: 9), from: n1, at: heardAt)
        #expect(step.messages(to: n1) == [.heartbeatResponse(HeartbeatResponse(term: 1, round: 9, accepted: true, beat: true))])
        #expect(core.lastHeartbeatAt == heardAt)
        #expect(core.nextDeadline >= heardAt + core.configuration.electionTimeoutMin)
        let vote = core.deliver(voteRequest(term: 2), from: n3, at: heardAt + defaultStickinessWindow - Interval(nanoseconds: 1))
        #expect(vote.voteDecisions.first?.granted == false)
        #expect(vote.voteDecisions.first?.reason == .leaderIsLive)
        #expect(core.term == 1)
    }

    @Test("φ learns only the full heartbeats' cadence; beats do not feed it")
    func phiIgnoresBeats() {
        var core = follower(heardAt: .milliseconds(1000), beatsPerHeartbeat: beats)
        let before = core.arrivals[n1]
        for round in UInt64(2)...9 { _ = core.deliver(beat(term: 1, round: round), from: n1, at: .milliseconds(1000 + 25 * Int64(round))) }
        #expect(core.arrivals[n1] == before)
        _ = core.deliver(heartbeat(term: 1, round: 10), from: n1, at: .milliseconds(1300))
        #expect(core.arrivals[n1] != before)
    }

    @Test("A stale leader's beat is answered with the newer term, as a beat answer, so it steps down (thesis 3.3)")
    func staleBeatIsRefused() {
        var core = follower(term: 3, heardAt: .milliseconds(1000), beatsPerHeartbeat: beats)
        let step = core.deliver(beat(term: 2, round: 40), from: n3, at: .milliseconds(1100))
        #expect(step.messages(to: n3) == [.heartbeatResponse(HeartbeatResponse(term: 3, round: 40, accepted: false, beat: true))])
    }

    @Test("An older answer overtaken by a newer one never moves a follower's stored entry or health back")
    func olderAnswerDoesNotRollBack() {
        var (core, t) = electedLeader(beatsPerHeartbeat: beats)
        _ = core.tick(to: t + roundInterval)      // round 2
        _ = core.tick(to: t + roundInterval * 2)  // round 3
        // The beat answer to round 3 arrives first: n2 stored entry 5 and is unhealthy.
        _ = core.deliver(beatResponse(term: 1, round: 3, membershipIndex: 5, healthy: false), from: n2, at: t + roundInterval * 2)
        // Then the TCP answer to round 1, held back by a lost segment: entry 0, healthy.
        _ = core.deliver(heartbeatResponse(term: 1, round: 1), from: n2, at: t + roundInterval * 2 + .milliseconds(200))
        #expect(core.acknowledgedRounds[n2] == 3)
        #expect(core.unhealthyPeers.contains(n2))
        #expect(core.leadership?.storedMembership[n2]?.index == 5)
    }

    @Test("A follower is caught up for a transfer when it answered a round of the last heartbeat interval")
    func caughtUpWithinOneInterval() {
        var (core, t) = electedLeader(beatsPerHeartbeat: beats)
        for step in 1...5 { _ = core.tick(to: t + roundInterval * Int64(step)) } // rounds 2...6
        _ = core.deliver(beatResponse(term: 1, round: 2), from: n2, at: t + roundInterval * 5)
        _ = core.deliver(beatResponse(term: 1, round: 1), from: n3, at: t + roundInterval * 5)
        // n2 answered round 2 of 6: within the last 4 rounds (one heartbeat interval). n3 only
        // round 1: too far behind.
        let (outcome, _) = core.transferLeadership(to: n3, at: t + roundInterval * 5)
        #expect(outcome == .rejected("n3 has not acknowledged a recent heartbeat"))
        let (toN2, _) = core.transferLeadership(to: n2, at: t + roundInterval * 5)
        #expect(toN2 == .transferStarted(target: n2))
    }

    @Test("Beats are validated as a relation: at most 16, and rounds at least 1 ms apart")
    func beatsValidated() {
        var configuration = Configuration(id: n1, voters: threeVoters, beatsPerHeartbeat: 17)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = Configuration(id: n1, voters: threeVoters, heartbeatInterval: .milliseconds(10),
                                      electionTimeoutMin: .milliseconds(100), electionTimeoutMax: .milliseconds(150), beatsPerHeartbeat: 16)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        #expect((try? Configuration(id: n1, voters: threeVoters).validate()) != nil)
        #expect(Configuration(id: n1, voters: threeVoters).roundInterval == .milliseconds(25))
        #expect(Configuration(id: n1, voters: threeVoters, beatsPerHeartbeat: 0).roundInterval == heartbeatInterval)
    }
}
