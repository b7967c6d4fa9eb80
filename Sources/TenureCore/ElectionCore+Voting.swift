extension ElectionCore {
    /// Why this node must not vote or pre-vote for anyone right now, or `nil` when it may.
    ///
    /// A leader never votes while it leads; a node that heard a live leader less than
    /// `electionTimeoutMin` ago refuses (vote stickiness, thesis 4.2.3); and a restarted node
    /// refuses for `electionTimeoutMin` after its start, because it may have acknowledged a
    /// heartbeat it no longer remembers. A transfer ordered by the leader skips these checks:
    /// that leader gave up its lease before ordering it.
    func livenessRefusal(leadershipTransfer: Bool, leaderGone: Bool = false) -> VoteReason? {
        if leadershipTransfer { return nil }
        if role == .leader { return .isLeader }
        if leaderGone && configuration.mutations.honourCandidateEvidence { return nil }
        // The voter's own clock decides, never the candidate's evidence (docs/lease.md, "Safety
        // never depends on a hint").
        let window = configuration.stickinessWindow
        if !configuration.mutations.disableVoteStickiness, let heard = lastHeartbeatAt, now < heard + window {
            return .leaderIsLive
        }
        if !configuration.mutations.disableRestartEmbargo, now < startedAt + window {
            return .restartEmbargo
        }
        return nil
    }

    /// Why the candidate's configuration rules out a vote, or nil. The election restriction for
    /// configurations (thesis 4.2 with 3.6.1): only a candidate holding every entry this voter
    /// stored may win, so committed changes are never lost. And a candidate that is no voter of a
    /// configuration at least as new as its own may have been removed without knowing it.
    func membershipRefusal(_ request: RequestVote, from candidate: NodeID) -> VoteReason? {
        let own = (term: membership.term, index: membership.index)
        let offered = (term: request.membershipTerm, index: request.membershipIndex)
        if offered < own { return .staleMembership }
        if !membership.isVoter(candidate) && !(offered > own) { return .notAVoter }
        return nil
    }

    /// Sends the answer to a vote request and records the decision. A granted real vote must
    /// already be in `hardState`, so the answer leaves only after it is durable.
    mutating func answerVote(_ request: RequestVote, from candidate: NodeID, granted: Bool, reason: VoteReason,
                             into output: inout Output) {
        if granted && !request.preVote {
            precondition(hardState.votedFor == candidate && hardState.term == request.term,
                         "\(id) grants a vote to \(candidate) in term \(request.term) without recording it: \(hardState)")
        }
        if granted && request.preVote {
            // Pre-votes do not bind, so a node that just promised its vote could time out a moment
            // later and campaign too, splitting the vote. Step back for one retry interval instead:
            // this only delays a candidacy, so it cannot affect safety.
            electionDeadline = max(electionDeadline, now + drawElectionRetry())
        }
        // A granted pre-vote echoes the proposed term; every denial carries this node's own term.
        let responseTerm = granted && request.preVote ? request.term : term
        output.record(.voteDecided(VoteDecision(term: request.term, candidate: candidate, preVote: request.preVote,
                                                granted: granted, reason: reason)))
        output.send(.voteResponse(VoteResponse(term: responseTerm, preVote: request.preVote, granted: granted)),
                    from: id, to: candidate)
    }

    /// A vote or pre-vote request for this node's current term (higher terms were settled by
    /// the term rules in `receive`). At most one vote per term (thesis 3.4).
    mutating func handleVoteRequest(_ request: RequestVote, from candidate: NodeID, into output: inout Output) {
        if let refusal = livenessRefusal(leadershipTransfer: request.leadershipTransfer, leaderGone: request.leaderGone) {
            answerVote(request, from: candidate, granted: false, reason: refusal, into: &output)
            return
        }
        // The election restriction for configurations (thesis 4.2 with 3.6.1): only a candidate
        // holding every entry this voter stored may win, so committed changes are never lost.
        if let refusal = membershipRefusal(request, from: candidate) {
            answerVote(request, from: candidate, granted: false, reason: refusal, into: &output)
            return
        }
        let free = hardState.votedFor == candidate || (hardState.votedFor == nil && leader == nil)
        guard free else {
            answerVote(request, from: candidate, granted: false,
                       reason: hardState.votedFor == nil ? .leaderKnown : .alreadyVoted, into: &output)
            return
        }
        if !request.preVote {
            if hardState.votedFor != candidate {
                hardState.votedFor = candidate
                output.persist(hardState)
            }
            electionDeadline = now + drawElectionTimeout()
        }
        answerVote(request, from: candidate, granted: true, reason: .granted, into: &output)
    }

    /// Counts an answer to this node's pre-vote or vote round.
    mutating func handleVoteResponse(_ response: VoteResponse, from voter: NodeID, into output: inout Output) {
        guard response.granted else { return }
        switch role {
        case .preCandidate where response.preVote && response.term == term + 1 && quorumMembership.isVoter(voter):
            votesGranted.insert(voter)
            if votesGranted.count >= quorumMembership.quorumSize {
                becomeCandidate(leadershipTransfer: false, reason: .preVoteWon, into: &output)
            }
        case .candidate where !response.preVote && response.term == term && quorumMembership.isVoter(voter):
            votesGranted.insert(voter)
            if votesGranted.count >= quorumMembership.quorumSize {
                becomeLeader(into: &output)
            }
        default:
            break // A late answer to a round this node has left.
        }
    }

    /// The election timeout fired: ask for pre-votes first (thesis 9.6), so a node that cannot
    /// win does not inflate its term and disrupt the cluster when it returns.
    mutating func campaign(reason: RoleChangeReason, into output: inout Output) {
        evidenceOfLeaderGone = reason == .leaderGone
        if configuration.mutations.disablePreVote {
            becomeCandidate(leadershipTransfer: false, reason: reason, into: &output)
            return
        }
        changeRole(to: .preCandidate, reason: reason, into: &output)
        setLeader(nil, into: &output)
        votesGranted = isVoter ? [id] : [] // Only a voter's own vote counts.
        electionDeadline = now + drawElectionRetry()
        output.record(.electionStarted(term: term + 1, preVote: true, leadershipTransfer: false))
        let request = RequestVote(term: term + 1, preVote: true, membershipTerm: membership.term, membershipIndex: membership.index,
                                  leaderGone: reason == .leaderGone)
        for peer in peerVoters { output.send(.requestVote(request), from: id, to: peer) }
        if votesGranted.count >= quorumMembership.quorumSize {
            becomeCandidate(leadershipTransfer: false, reason: .preVoteWon, into: &output)
        }
    }

    /// Starts an election in a new term, voting for itself; the new term and vote are persisted
    /// before the requests leave (thesis 3.8).
    mutating func becomeCandidate(leadershipTransfer: Bool, reason: RoleChangeReason, into output: inout Output) {
        let previous = term
        hardState = HardState(term: previous + 1, votedFor: id, membership: hardState.membership)
        output.persist(hardState)
        output.record(.termChanged(from: previous, to: term, cause: leadershipTransfer ? .transfer : .campaign, peer: nil))
        changeRole(to: .candidate, reason: reason, into: &output)
        setLeader(nil, into: &output)
        votesGranted = isVoter ? [id] : [] // Only a voter's own vote counts.
        electionDeadline = now + drawElectionRetry()
        output.record(.electionStarted(term: term, preVote: false, leadershipTransfer: leadershipTransfer))
        let request = RequestVote(term: term, preVote: false, leadershipTransfer: leadershipTransfer,
                                  membershipTerm: membership.term, membershipIndex: membership.index,
                                  leaderGone: evidenceOfLeaderGone && !leadershipTransfer)
        for peer in peerVoters { output.send(.requestVote(request), from: id, to: peer) }
        if votesGranted.count >= quorumMembership.quorumSize {
            becomeLeader(into: &output)
        }
    }
}
