extension ElectionCore {
    /// Won a majority: lead, and start the first heartbeat round at once so the lease can begin
    /// one round trip from now.
    mutating func becomeLeader(into output: inout Output) {
        precondition(role == .candidate && votesGranted.count >= quorumMembership.quorumSize,
                     "\(id) cannot lead in term \(term) with \(votesGranted.count) votes as \(role)")
        leadership = Leadership(now: now)
        changeRole(to: .leader, reason: .electionWon, into: &output)
        setLeader(id, into: &output)
        votesGranted = []
        broadcastHeartbeat(into: &output)
    }

    mutating func advanceLeadership(into output: inout Output) {
        expireLeaseIfDue(into: &output)
        guard let leadership else { return }
        if now >= leadership.quorumContactAt + configuration.electionTimeoutMin {
            // CheckQuorum (thesis 6.2): the lease ended long ago; stop acting as leader.
            stepDown(reason: .lostQuorum, into: &output)
        } else if let transfer = leadership.transfer, now >= transfer.deadline {
            output.record(.transferAbandoned(term: term, target: transfer.target))
            // The lease was given up for this transfer and the target may still win with a
            // delayed request, so do not lead on in this term: step down and let an election run.
            stepDown(reason: .transferTimedOut, into: &output)
        } else if now >= leadership.nextRoundAt {
            broadcastHeartbeat(into: &output)
            handOverIfUnhealthy(into: &output)
        }
    }

    /// Sends the next numbered round to every peer and remembers when it left: a beat (when
    /// beats are on) and, every `beatsPerHeartbeat` rounds, a full heartbeat. A round a quorum
    /// acknowledged renews the lease from its send time, whichever carrier brought the answer.
    mutating func broadcastHeartbeat(into output: inout Output) {
        guard var leadership else { preconditionFailure("\(id) broadcasts heartbeats without leading") }
        leadership.round += 1
        leadership.sentRounds.append((round: leadership.round, sentAt: now))
        leadership.nextRoundAt = now + configuration.roundInterval
        self.leadership = leadership
        let latest = membership
        let beats = configuration.beatsPerHeartbeat > 0
        let full = (leadership.round - 1) % configuration.roundsPerHeartbeat == 0
        for peer in peers {
            if full {
                // The whole entry rides along until the peer says it stored this one (every node
                // starts from the initial configuration, entry 0, so that one never travels).
                let stored = leadership.storedMembership[peer] ?? (term: 0, index: 0)
                let current = stored.term == latest.term && stored.index == latest.index
                let heartbeat = Heartbeat(term: term, round: leadership.round, membershipTerm: latest.term, membershipIndex: latest.index,
                                          membership: current ? nil : latest, committedIndex: committedIndex)
                output.send(.heartbeat(heartbeat), from: id, to: peer)
            }
            if beats {
                let beat = Heartbeat(term: term, round: leadership.round, membershipTerm: latest.term, membershipIndex: latest.index,
                                     committedIndex: committedIndex, beat: true)
                output.send(.heartbeat(beat), from: id, to: peer)
            }
        }
        updateQuorumRound(into: &output) // A cluster of one is its own quorum.
        advanceMembershipCommit(into: &output)
    }

    mutating func handleHeartbeatResponse(_ response: HeartbeatResponse, from peer: NodeID, into output: inout Output) {
        guard var leadership, response.accepted, response.round <= leadership.round else { return }
        // φ learns the full heartbeats' cadence; beats only renew the lease.
        if !response.beat { noteArrival(from: peer) }
        // Beats and heartbeats of one peer travel apart and may arrive out of order: only the
        // newest round speaks for the peer's health, and the stored entry only moves forward
        // within one leadership (a follower never drops an entry of the leader's term).
        if response.round >= leadership.acknowledgedRound[peer, default: 0] {
            if response.healthy { leadership.unhealthyPeers.remove(peer) } else { leadership.unhealthyPeers.insert(peer) }
        }
        let reported = (term: response.membershipTerm, index: response.membershipIndex)
        if let stored = leadership.storedMembership[peer], (stored.term, stored.index) > (reported.term, reported.index) {
            // An older answer overtaken by a newer one.
        } else {
            leadership.storedMembership[peer] = reported
        }
        self.leadership = leadership
        if response.round > leadership.acknowledgedRound[peer, default: 0] {
            leadership.acknowledgedRound[peer] = response.round
            self.leadership = leadership
            updateQuorumRound(into: &output)
        }
        // Last: committing may end this leadership (a removed leader steps down).
        advanceMembershipCommit(into: &output)
    }

    /// Finds the newest round a quorum acknowledged and, when it advanced, renews the lease to
    /// that round's send time plus the lease duration (thesis 6.4.1). Measuring from the send
    /// time means a late acknowledgement can never stretch the lease past what the voters'
    /// stickiness windows cover.
    mutating func updateQuorumRound(into output: inout Output) {
        guard var leadership else { return }
        let counted = quorumMembership
        // A leader that is not a voter of its newest configuration (being removed) manages the
        // cluster without counting itself (thesis 4.2.2).
        var rounds = counted.voters.map { $0 == id ? leadership.round : leadership.acknowledgedRound[$0, default: 0] }
        rounds.sort(by: >)
        guard rounds.count >= counted.quorumSize, counted.quorumSize > 0 else { return }
        let quorumRound = rounds[counted.quorumSize - 1]
        guard quorumRound > leadership.quorumRound else { return }
        guard let basis = leadership.sentRounds.first(where: { $0.round == quorumRound }) else {
            preconditionFailure("\(id): quorum round \(quorumRound) has no recorded send time")
        }
        leadership.quorumRound = quorumRound
        leadership.quorumContactAt = basis.sentAt
        leadership.sentRounds.removeAll { $0.round <= quorumRound }
        self.leadership = leadership
        guard leadership.transfer == nil else { return } // A lease given up for a transfer stays given up.

        let start = configuration.mutations.leaseFromAcknowledgementTime ? now : basis.sentAt
        let expiry = start + configuration.leaseDuration
        guard expiry > now else { return } // Acknowledged too late to be worth anything.
        let acquired = leadership.leaseExpiresAt == nil
        if let current = leadership.leaseExpiresAt, current >= expiry { return }
        self.leadership?.leaseExpiresAt = expiry
        output.record(.leaseExtended(term: term, basisRound: quorumRound, basisSentAt: start, expiresAt: expiry, acquired: acquired))
    }

    /// Reports a lease that ran out; `isLeader(at:)` already answered false from its expiry on.
    mutating func expireLeaseIfDue(into output: inout Output) {
        guard let expiry = leadership?.leaseExpiresAt, now >= expiry else { return }
        leadership?.leaseExpiresAt = nil
        output.record(.leaseLost(term: term, reason: .expired))
    }

    /// Gives up the lease at once, before anything that lets another node be elected.
    mutating func relinquishLease(reason: LeaseLossReason, into output: inout Output) {
        guard leadership?.leaseExpiresAt != nil else { return }
        leadership?.leaseExpiresAt = nil
        output.record(.leaseLost(term: term, reason: reason))
    }

    /// Stops leading in the current term.
    mutating func stepDown(reason: RoleChangeReason, into output: inout Output) {
        precondition(leadership != nil, "\(id) steps down without leading")
        becomeFollower(term: term, leader: nil, reason: reason, peer: nil, into: &output)
    }
}

extension ElectionCore {
    /// Commits the newest entry once a majority of its own voters stored it (the leader counts
    /// itself when it votes); then removes a leader that is no longer a voter, or promotes a
    /// non-voter that has caught up.
    mutating func advanceMembershipCommit(into output: inout Output) {
        guard let leadership else { return }
        let latest = membership
        if latest.index > committedIndex {
            let stored = latest.voters.filter { voter in
                if voter == id { return true }
                guard let entry = leadership.storedMembership[voter] else { return false }
                return entry.term == latest.term && entry.index == latest.index
            }
            guard stored.count >= latest.quorumSize else { return }
            committedIndex = latest.index
            output.record(.membershipCommitted(latest))
        }
        // Removals and promotions wait until the newest entry is this leader's own and committed.
        guard leadership.transfer == nil, latest.term == term, committedIndex >= latest.index else { return }
        if !latest.isVoter(id) {
            // Removed: the change is committed without this node, so it hands over and stops leading.
            relinquishLease(reason: .resign, into: &output)
            if case .success(let target) = chooseTransferTarget(nil) {
                output.record(.transferStarted(term: term, target: target))
                output.send(.timeoutNow(TimeoutNow(term: term)), from: id, to: target)
            }
            stepDown(reason: .removed, into: &output)
            return
        }
        // Promote the first non-voter that stored the newest entry and acknowledged a round of the
        // last heartbeat interval.
        let behind = configuration.roundsPerHeartbeat
        let threshold = leadership.round > behind ? leadership.round - behind : 1
        for candidate in latest.nonVoters {
            guard let entry = leadership.storedMembership[candidate], entry.term == latest.term, entry.index == latest.index,
                  leadership.acknowledgedRound[candidate, default: 0] >= threshold,
                  case .success(let members) = latest.applying(.promote(candidate)) else { continue }
            storeMembership(MembershipConfiguration(index: latest.index + 1, term: term, members: members), into: &output)
            return
        }
    }
}
