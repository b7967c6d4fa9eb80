/// What only a leader tracks: its heartbeat rounds, who acknowledged which, and its lease.
///
/// Kept apart from `ElectionCore` and present only while the node leads, so no follower can
/// hold a stale lease by accident.
struct Leadership: Sendable {
    /// The newest round sent; rounds start at 1. A round is a beat, a full heartbeat, or both.
    var round: UInt64 = 0
    /// When the next round is due.
    var nextRoundAt: Instant
    /// Rounds sent but not yet acknowledged by a quorum, oldest first, with their send times.
    var sentRounds: [(round: UInt64, sentAt: Instant)] = []
    /// The newest round each peer acknowledged.
    var acknowledgedRound: [NodeID: UInt64] = [:]
    /// The newest round a quorum (this node included) acknowledged.
    var quorumRound: UInt64 = 0
    /// Send time of `quorumRound`, or when leadership began: the basis of CheckQuorum.
    var quorumContactAt: Instant
    /// End of the lease on this node's clock; `nil` while no lease is held.
    var leaseExpiresAt: Instant?
    /// A leadership transfer under way: the lease has been given up and TimeoutNow sent.
    var transfer: (target: NodeID, deadline: Instant)?
    /// Followers whose latest acknowledgement said their application is unhealthy.
    var unhealthyPeers: Set<NodeID> = []
    /// When this leadership began: no voluntary handover before `healthHandoverDelay` in office.
    let startedAt: Instant
    /// The membership entry each peer last said it stored, as (term, index).
    var storedMembership: [NodeID: (term: UInt64, index: UInt64)] = [:]
    /// The index of the entry this leader stored to restate the configuration in its own term
    /// (thesis 4.2.3): while it commits, a requested change waits rather than conflicts.
    var restatingIndex: UInt64?

    init(now: Instant) {
        self.nextRoundAt = now
        self.quorumContactAt = now
        self.startedAt = now
    }
}
