extension ElectionCore {
    /// Handles one message from a peer. Term rules are applied once here, before dispatch by
    /// message kind (thesis 3.3; etcd-io/raft `Step`).
    public mutating func receive(_ envelope: Envelope, at instant: Instant) -> Output {
        begin(at: instant)
        var output = Output()
        defer { checkInvariants() }
        let sender = envelope.from
        guard envelope.to == id, sender != id, accepts(envelope.message, from: sender) else { return output }
        lastContact[sender] = now
        expireLeaseIfDue(into: &output)

        let message = envelope.message
        if message.term > term {
            switch message {
            case .requestVote(let request):
                if let refusal = livenessRefusal(leadershipTransfer: request.leadershipTransfer, leaderGone: request.leaderGone) {
                    // Stickiness: do not even adopt the higher term (thesis 4.2.3).
                    answerVote(request, from: sender, granted: false, reason: refusal, into: &output)
                    return output
                }
                if request.preVote {
                    // A pre-vote never changes the voter's term (thesis 9.6), and is promised
                    // only to a candidate that could win the real vote.
                    let refusal = membershipRefusal(request, from: sender)
                    answerVote(request, from: sender, granted: refusal == nil, reason: refusal ?? .granted, into: &output)
                    return output
                }
                becomeFollower(term: request.term, leader: nil, reason: .higherTermSeen, peer: sender, into: &output)
            case .voteResponse(let response) where response.preVote && response.granted:
                break // Answers this node's pre-vote for term + 1; the term stays.
            case .heartbeat:
                becomeFollower(term: message.term, leader: sender, reason: .higherTermSeen, peer: sender, into: &output)
            case .voteResponse, .heartbeatResponse, .timeoutNow:
                // A TimeoutNow of a newer term does not come from a leader this node knows: it
                // moves the term, but names no leader, so it cannot order a campaign (defence in
                // depth behind peer authentication).
                becomeFollower(term: message.term, leader: nil, reason: .higherTermSeen, peer: sender, into: &output)
            }
        } else if message.term < term {
            switch message {
            case .heartbeat(let heartbeat):
                // Tell a deposed leader about the newer term so it steps down.
                output.send(.heartbeatResponse(HeartbeatResponse(term: term, round: heartbeat.round, accepted: false, beat: heartbeat.beat)),
                            from: id, to: sender)
            case .requestVote(let request):
                answerVote(request, from: sender, granted: false, reason: .staleTerm, into: &output)
            case .voteResponse, .heartbeatResponse, .timeoutNow:
                break // Stale answers to rounds this node has left behind.
            }
            return output
        }

        switch message {
        case .requestVote(let request): handleVoteRequest(request, from: sender, into: &output)
        case .voteResponse(let response): handleVoteResponse(response, from: sender, into: &output)
        case .heartbeat(let heartbeat): handleHeartbeat(heartbeat, from: sender, into: &output)
        case .heartbeatResponse(let response): handleHeartbeatResponse(response, from: sender, into: &output)
        case .timeoutNow: handleTimeoutNow(from: sender, into: &output)
        }
        return output
    }

    /// Handles the passing of time: heartbeats, lease expiry, CheckQuorum, election timeouts.
    public mutating func advance(to instant: Instant) -> Output {
        guardAgainstLocalStall(at: instant)
        begin(at: instant)
        var output = Output()
        defer { checkInvariants() }
        if leadership != nil {
            advanceLeadership(into: &output)
        } else if now >= electionDeadline {
            if !isVoter {
                // A non-voter (joining, or removed) never campaigns.
                electionDeadline = now + drawElectionTimeout()
            } else if healthy {
                let reason: RoleChangeReason = role != .follower ? .electionRetry : evidenceOfLeaderGone ? .leaderGone : .heartbeatTimeout
                campaign(reason: reason, into: &output)
            } else {
                // An unhealthy node does not campaign; it still votes, which protects the others.
                electionDeadline = now + drawElectionTimeout()
            }
        }
        return output
    }

    /// A heartbeat of the current term: a leader exists and this node follows it.
    mutating func handleHeartbeat(_ heartbeat: Heartbeat, from sender: NodeID, into output: inout Output) {
        if leadership != nil {
            precondition(!configuration.mutations.isEmpty, "two leaders in term \(term): \(id) and \(sender)")
            return // Only a broken rule (a simulator mutation) can get here; the simulator reports it.
        }
        if role != .follower {
            becomeFollower(term: term, leader: sender, reason: .leaderDiscovered, peer: sender, into: &output)
        }
        setLeader(sender, into: &output)
        lastHeartbeatAt = now
        evidenceOfLeaderGone = false
        // φ learns the full heartbeats' cadence; a beat only proves the leader alive (and, like
        // any heartbeat, refreshes stickiness: this node refuses votes for the stickiness window
        // after it, which is what lets the leader's lease count this round).
        if !heartbeat.beat { noteArrival(from: sender) }
        electionDeadline = now + drawElectionTimeout()
        // The leader of this term is authoritative for the configuration (as for a log suffix),
        // but a heartbeat that arrives late carries an older entry of that leader: store only a
        // newer one, by (term, index).
        if let entry = heartbeat.membership, (entry.term, entry.index) > (membership.term, membership.index) {
            storeMembership(entry, into: &output)
        }
        if membership.term == heartbeat.membershipTerm && membership.index == heartbeat.membershipIndex {
            committedIndex = max(committedIndex, min(heartbeat.committedIndex, membership.index))
        }
        output.send(.heartbeatResponse(HeartbeatResponse(term: term, round: heartbeat.round, accepted: true, healthy: healthy,
                                                         membershipTerm: membership.term, membershipIndex: membership.index,
                                                         beat: heartbeat.beat)),
                    from: id, to: sender)
    }

    /// The leader of this term orders an election at once (thesis 3.10). Only the leader this
    /// node follows may order it: the flag it sets lets voters skip stickiness.
    mutating func handleTimeoutNow(from sender: NodeID, into output: inout Output) {
        // Only the leader this node follows in this term may order it to campaign. An unhealthy
        // node must not lead its application: it refuses the order (the leader's transfer then
        // times out and an election among the others follows).
        // A non-voter (joining, or just removed) never campaigns, even when ordered to.
        guard role == .follower, leader == sender, healthy, isVoter else { return }
        becomeCandidate(leadershipTransfer: true, reason: .transfer, into: &output)
    }
}

extension ElectionCore {
    /// Messages from members of this node's configuration are handled; from anyone else, only a
    /// heartbeat whose entry names this node (a leader reaching a node that joins or lags), and
    /// a vote request from a candidate whose configuration is newer than this node's (it may be
    /// a voter of an entry this node has not received yet; the vote rules then decide).
    func accepts(_ message: Message, from sender: NodeID) -> Bool {
        // The leader of this term is heard even when its newest configuration left it out: it
        // manages the cluster until its removal commits, then hands over (thesis 4.2.2).
        if membership.contains(sender) || sender == leader { return true }
        switch message {
        case .heartbeat(let heartbeat):
            if let entry = heartbeat.membership, entry.contains(id), entry.contains(sender) { return true }
        case .requestVote(let request):
            if (request.membershipTerm, request.membershipIndex) > (membership.term, membership.index) { return true }
        default:
            break
        }
        return false
    }
}

extension ElectionCore {
    /// The shell's evidence that `peer`'s process is gone: a connection to its peer port was
    /// refused (nothing listening), which a partition never produces. When `peer` is the leader
    /// this node follows, the node campaigns (pre-vote first) as soon as the stickiness window
    /// since its last heartbeat has passed, instead of after the whole election timeout. Safety
    /// does not depend on the evidence: it only makes this node try sooner, and every voter still
    /// applies its own clock.
    public mutating func peerProcessGone(_ peer: NodeID, at instant: Instant) -> Output {
        begin(at: instant)
        var output = Output()
        defer { checkInvariants() }
        guard role == .follower, leader == peer, isVoter, healthy else { return output }
        let earliest = max((lastHeartbeatAt ?? startedAt), startedAt) + configuration.stickinessWindow
        if now >= earliest {
            campaign(reason: .leaderGone, into: &output)
        } else if earliest < electionDeadline {
            electionDeadline = earliest
            evidenceOfLeaderGone = true
        }
        return output
    }
}
