/// Something the core decided, reported for the event log, metrics, history and watchers.
///
/// Events describe; they never drive protocol decisions in the shell. The simulator's invariant
/// checks read them, so every decision that matters to safety appears here.
public enum Event: Hashable, Sendable {
    case roleChanged(from: Role, to: Role, term: UInt64, reason: RoleChangeReason)
    case termChanged(from: UInt64, to: UInt64, cause: TermChangeCause, peer: NodeID?)
    case leaderChanged(leader: NodeID?, term: UInt64)
    case electionStarted(term: UInt64, preVote: Bool, leadershipTransfer: Bool)
    /// This node answered a vote or pre-vote request.
    case voteDecided(VoteDecision)
    /// The lease began (after having none) or grew; times are on this node's clock.
    case leaseExtended(term: UInt64, basisRound: UInt64, basisSentAt: Instant, expiresAt: Instant, acquired: Bool)
    case leaseLost(term: UInt64, reason: LeaseLossReason)
    /// A leadership transfer was ordered; the target has been sent TimeoutNow.
    case transferStarted(term: UInt64, target: NodeID)
    case transferAbandoned(term: UInt64, target: NodeID)
    /// This node stored a new membership entry (proposed it as leader, or took it from one).
    case membershipChanged(MembershipConfiguration)
    /// A majority of the entry's voters stored it.
    case membershipCommitted(MembershipConfiguration)
}

/// Why a node changed role: the causes `GET /v1/history` reports.
public enum RoleChangeReason: String, Hashable, Sendable {
    /// No heartbeat within the randomized election timeout.
    case heartbeatTimeout = "heartbeat_timeout"
    /// The leader's process is gone (its port refused a connection) and the stickiness window
    /// since its last heartbeat has passed: campaign without waiting the whole election timeout.
    case leaderGone = "leader_gone"
    /// A retry after a campaign round that did not win.
    case electionRetry = "election_retry"
    case preVoteWon = "pre_vote_won"
    case electionWon = "election_won"
    /// A message carried a newer term.
    case higherTermSeen = "higher_term_seen"
    /// A leader of the current term made itself known.
    case leaderDiscovered = "leader_discovered"
    /// No quorum acknowledged a heartbeat for `electionTimeoutMin` (CheckQuorum, thesis 6.2).
    case lostQuorum = "lost_quorum"
    /// The leader ordered this node to campaign (TimeoutNow).
    case transfer = "transfer"
    case transferTimedOut = "transfer_timed_out"
    case resign = "resign"
    /// This leader's removal from the configuration was committed: it hands over (thesis 4.2.2).
    case removed = "removed"
}

/// What made the term move.
public enum TermChangeCause: String, Hashable, Sendable {
    /// This node started a campaign.
    case campaign = "campaign"
    /// This node started a campaign ordered by the leader.
    case transfer = "transfer"
    /// A message from a peer carried a newer term.
    case message = "message"
}

/// Why a lease ended before the next renewal.
public enum LeaseLossReason: String, Hashable, Sendable, CaseIterable {
    /// No quorum acknowledgement renewed it in time.
    case expired = "expired"
    case higherTerm = "higher_term"
    case lostQuorum = "lost_quorum"
    /// Given up before sending TimeoutNow, so the successor may be elected at once (thesis 3.10).
    case transfer = "transfer"
    case resign = "resign"
}

/// One answered vote or pre-vote request, with the rule that decided it.
public struct VoteDecision: Hashable, Sendable {
    public var term: UInt64
    public var candidate: NodeID
    public var preVote: Bool
    public var granted: Bool
    public var reason: VoteReason

    public init(term: UInt64, candidate: NodeID, preVote: Bool, granted: Bool, reason: VoteReason) {
        self.term = term
        self.candidate = candidate
        self.preVote = preVote
        self.granted = granted
        self.reason = reason
    }
}

/// The rule that decided a vote.
public enum VoteReason: String, Hashable, Sendable {
    case granted = "granted"
    case staleTerm = "stale_term"
    case alreadyVoted = "already_voted"
    /// Heard from a live leader less than the stickiness window ago (thesis 4.2.3).
    case leaderIsLive = "leader_is_live"
    /// Restarted less than the stickiness window ago, and so may have forgotten a live leader.
    case restartEmbargo = "restart_embargo"
    /// This node is the leader.
    case isLeader = "is_leader"
    /// A leader is known for the current term.
    case leaderKnown = "leader_known"
    /// The candidate's membership entry is older than this voter's (thesis 4.2).
    case staleMembership = "stale_membership"
    /// The candidate is not a voter of this node's configuration.
    case notAVoter = "not_a_voter"
}
