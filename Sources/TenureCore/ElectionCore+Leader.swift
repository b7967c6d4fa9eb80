extension ElectionCore {
    /// Won a majority: lead, and start the first heartbeat round at once so the lease can begin
    /// one round trip from now.
    mutating func becomeLeader(into output: inout Output) {
        precondition(role == .candidate && votesGranted.count >= configuration.quorumSize,
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
        } else if now >= leadership.nextHeartbeatAt {
            broadcastHeartbeat(into: &output)
            handOverIfUnhealthy(into: &output)
        }
    }

    /// Sends the next numbered heartbeat round to every peer and remembers when it left.
    mutating func broadcastHeartbeat(into output: inout Output) {
        guard var leadership else { preconditionFailure("\(id) broadcasts heartbeats without leading") }
        leadership.round += 1
        leadership.sentRounds.append((round: leadership.round, sentAt: now))
        leadership.nextHeartbeatAt = now + configuration.heartbeatInterval
        self.leadership = leadership
        let heartbeat = Heartbeat(term: term, round: leadership.round)
        for peer in configuration.peers { output.send(.heartbeat(heartbeat), from: id, to: peer) }
        updateQuorumRound(into: &output) // A cluster of one is its own quorum.
    }

    mutating func handleHeartbeatResponse(_ response: HeartbeatResponse, from peer: NodeID, into output: inout Output) {
        guard var leadership, response.accepted, response.round <= leadership.round else { return }
        if response.healthy { leadership.unhealthyPeers.remove(peer) } else { leadership.unhealthyPeers.insert(peer) }
        self.leadership = leadership
        if response.round > leadership.acknowledgedRound[peer, default: 0] {
            leadership.acknowledgedRound[peer] = response.round
            self.leadership = leadership
            updateQuorumRound(into: &output)
        }
    }

    /// Finds the newest round a quorum acknowledged and, when it advanced, renews the lease to
    /// that round's send time plus the lease duration (thesis 6.4.1). Measuring from the send
    /// time means a late acknowledgement can never stretch the lease past what the voters'
    /// stickiness windows cover.
    mutating func updateQuorumRound(into output: inout Output) {
        guard var leadership else { return }
        var rounds = configuration.voters.map { $0 == id ? leadership.round : leadership.acknowledgedRound[$0, default: 0] }
        rounds.sort(by: >)
        let quorumRound = rounds[configuration.quorumSize - 1]
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
