/// The pure election state machine of one node: Raft's terms, votes and heartbeats, with
/// Pre-Vote, vote stickiness, a restart embargo, CheckQuorum and a leader lease.
///
/// It owns no socket, clock or random source of its own: every entry point takes the current
/// instant of the node's monotonic clock and returns an `Output` that the shell must carry out
/// in order. That is what lets the simulator drive thousands of nodes through exact,
/// replayable histories, and what lets unit tests state each rule as an exact expectation.
///
/// Entry points: `receive(_:at:)` for a peer message, `advance(to:)` when `nextDeadline` has
/// passed, the operator commands `transferLeadership(to:at:)`, `resign(at:)` and
/// `proposeMembershipChange(_:at:)`, `updateHealth(_:at:)` when the application's health
/// changes, and `peerProcessGone(_:at:)` when a peer's port refused a connection.
public struct ElectionCore: Sendable {
    public let configuration: Configuration
    public internal(set) var hardState: HardState
    public internal(set) var role: Role = .follower
    /// The leader of the current term as far as this node knows.
    public internal(set) var leader: NodeID?
    /// When this core was created: a restarted node forgets which leader it heard last, so it
    /// votes for no one for `configuration.stickinessWindow` after this instant (restart embargo,
    /// docs/lease.md rule 4).
    public let startedAt: Instant
    /// When this node last accepted a heartbeat from the leader of its term.
    public internal(set) var lastHeartbeatAt: Instant?
    /// When this node last received any message from each peer.
    public internal(set) var lastContact: [NodeID: Instant] = [:]
    /// The latest instant any input carried; inputs must never go back in time.
    public internal(set) var now: Instant
    /// Whether the application this node protects is healthy (the shell's checks decide). An
    /// unhealthy node does not campaign, refuses TimeoutNow and, as leader, hands over to a
    /// healthy follower; it still votes. Health never shortens a safety bound.
    public internal(set) var healthy = true
    /// The configuration in force while no other was stored: `--peers`, or, for a node that
    /// joins, itself alone as a non-voter until a leader tells it the cluster's.
    public let initialMembership: MembershipConfiguration
    /// The newest membership entry this node knows to be committed (volatile: a leader's
    /// heartbeats teach it again after a restart).
    public internal(set) var committedIndex: UInt64 = 0
    /// φ-accrual suspicion per peer, fed by the peer's regular messages (a leader's heartbeats to
    /// a follower, a follower's acknowledgements to the leader). Reported, and used to prefer an
    /// unsuspected transfer target; never part of a safety bound.
    public internal(set) var arrivals: [NodeID: PhiAccrualDetector] = [:]
    /// The election deadline was brought forward because the leader's process is gone.
    var evidenceOfLeaderGone = false

    var electionDeadline: Instant
    var random: SeededRandom
    /// Peers that granted this node's current pre-vote or vote round, itself included.
    var votesGranted: Set<NodeID> = []
    /// Present exactly while `role == .leader`.
    var leadership: Leadership?

    public init(configuration: Configuration, hardState: HardState, now: Instant, randomSeed: UInt64,
                initialMembership: MembershipConfiguration? = nil) {
        precondition((try? configuration.validate()) != nil, "the shell must validate the configuration before creating a core")
        self.configuration = configuration
        self.hardState = hardState
        self.initialMembership = initialMembership ?? .initial(voters: configuration.voters)
        self.startedAt = now
        self.now = now
        self.random = SeededRandom(seed: randomSeed)
        self.electionDeadline = now
        self.electionDeadline = now + drawElectionTimeout()
        checkInvariants()
    }

    public var id: NodeID { configuration.id }
    public var term: UInt64 { hardState.term }
    public var votedFor: NodeID? { hardState.votedFor }

    /// The newest membership entry this node stored, committed or not: the one it uses for
    /// elections and quorums (thesis 4.1).
    public var membership: MembershipConfiguration { hardState.membership ?? initialMembership }

    /// The configuration elections and leases are counted in: the newest one (only a simulator
    /// mutation counts in the initial one instead).
    var quorumMembership: MembershipConfiguration {
        configuration.mutations.quorumInOldMembership ? initialMembership : membership
    }

    /// Whether this node votes (and so may campaign) in its newest configuration.
    public var isVoter: Bool { membership.isVoter(id) }

    /// Every other member, voter or not: who heartbeats go to.
    public var peers: [NodeID] { membership.ids.filter { $0 != id } }

    /// The other voters: who vote requests go to.
    public var peerVoters: [NodeID] { membership.voters.filter { $0 != id } }

    /// Stores `entry` as this node's newest configuration (made durable before any message of
    /// this step leaves).
    mutating func storeMembership(_ entry: MembershipConfiguration, into output: inout Output) {
        guard entry != membership else { return }
        hardState.membership = entry
        output.persist(hardState)
        output.record(.membershipChanged(entry))
        if entry.index < committedIndex { committedIndex = entry.index }
    }

    /// The earliest instant at which `advance(to:)` has work to do. The shell sleeps until then
    /// or until a message arrives, whichever is first.
    public var nextDeadline: Instant {
        guard let leadership else { return electionDeadline }
        var deadline = min(leadership.nextRoundAt, leadership.quorumContactAt + configuration.electionTimeoutMin)
        if let expiry = leadership.leaseExpiresAt { deadline = min(deadline, expiry) }
        if let transfer = leadership.transfer { deadline = min(deadline, transfer.deadline) }
        return deadline
    }

    /// Whether this node may act as leader at `instant`: it leads, holds a lease that has not
    /// ended, and is not handing over. Evaluated against the clock at the moment of the question,
    /// never from a flag that a stalled loop could forget to clear (fail closed).
    public func isLeader(at instant: Instant) -> Bool {
        guard let leadership, leadership.transfer == nil, let expiry = leadership.leaseExpiresAt else { return false }
        return instant < expiry
    }

    /// When the lease ends, while this node leads and holds one.
    public var leaseExpiresAt: Instant? { leadership?.leaseExpiresAt }

    /// The leader a client may be told about at `instant`: this node while its lease holds, or
    /// the leader it heard from less than `electionTimeoutMin` ago.
    public func knownLeader(at instant: Instant) -> NodeID? {
        if isLeader(at: instant) { return id }
        guard role == .follower, let leader, let heard = lastHeartbeatAt,
              instant < heard + configuration.electionTimeoutMin else { return nil }
        return leader
    }

    /// The round each peer last acknowledged, while this node leads.
    public var acknowledgedRounds: [NodeID: UInt64] { leadership?.acknowledgedRound ?? [:] }

    /// The peer a leadership transfer is waiting for, if one is under way.
    public var transferTarget: NodeID? { leadership?.transfer?.target }

    // MARK: - Shared transitions

    /// Records a new instant; time never goes backwards.
    mutating func begin(at instant: Instant) {
        precondition(instant >= now, "time went backwards on \(id): \(instant) after \(now)")
        now = instant
    }

    /// Feeds the φ detector of `peer` with an arrival now.
    mutating func noteArrival(from peer: NodeID) {
        arrivals[peer, default: PhiAccrualDetector(expectedInterval: configuration.heartbeatInterval,
                                                   acceptablePause: configuration.heartbeatInterval,
                                                   minimumStandardDeviation: Interval(nanoseconds: configuration.heartbeatInterval.nanoseconds / 4))].arrived(at: now)
    }

    /// φ of `peer` at `instant`, or nil when no regular messages come from it (another follower).
    public func phi(of peer: NodeID, at instant: Instant) -> Double? {
        guard let detector = arrivals[peer], detector.lastArrival != nil else { return nil }
        return min(detector.phi(at: max(instant, now)), 999)
    }

    /// Cassandra's local-pause guard: when this node's own loop ran far behind its deadline (a
    /// stall, SIGSTOP, a full machine), the silence it saw was its own, so suspect nobody: the gap
    /// across the stall is not measured.
    mutating func guardAgainstLocalStall(at instant: Instant) {
        guard instant - nextDeadline > configuration.heartbeatInterval * 2 else { return }
        for peer in arrivals.keys { arrivals[peer]?.forgetLastArrival() }
    }

    mutating func drawElectionTimeout() -> Interval {
        random.interval(from: configuration.electionTimeoutMin, upTo: configuration.electionTimeoutMax)
    }

    mutating func drawElectionRetry() -> Interval {
        random.interval(from: configuration.electionRetryMin, upTo: configuration.electionRetryMax)
    }

    mutating func setLeader(_ newLeader: NodeID?, into output: inout Output) {
        guard leader != newLeader else { return }
        leader = newLeader
        output.record(.leaderChanged(leader: newLeader, term: term))
    }

    mutating func changeRole(to newRole: Role, reason: RoleChangeReason, into output: inout Output) {
        guard role != newRole else { return }
        output.record(.roleChanged(from: role, to: newRole, term: term, reason: reason))
        role = newRole
    }

    /// Moves to `newTerm` (when newer) and becomes a follower; the new term is persisted before
    /// any message of this step is sent (thesis 3.3, "if RPC request or response contains term
    /// T > currentTerm: set currentTerm = T, convert to follower").
    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID?, reason: RoleChangeReason,
                                 peer: NodeID?, into output: inout Output) {
        precondition(newTerm >= term, "\(id) cannot follow in term \(newTerm) below its term \(term)")
        if leadership != nil {
            // Before the term moves, so the event names the term whose lease ended.
            relinquishLease(reason: reason == .lostQuorum ? .lostQuorum : reason == .resign ? .resign : .higherTerm, into: &output)
            leadership = nil
        }
        if newTerm > term {
            output.record(.termChanged(from: term, to: newTerm, cause: .message, peer: peer))
            hardState = HardState(term: newTerm, votedFor: nil, membership: hardState.membership)
            output.persist(hardState)
        }
        changeRole(to: .follower, reason: reason, into: &output)
        setLeader(newLeader, into: &output)
        votesGranted = []
        electionDeadline = now + drawElectionTimeout()
    }

    /// Checks the invariants that must hold between any two inputs; a failure is a bug in the core.
    func checkInvariants() {
        precondition((role == .leader) == (leadership != nil), "\(id): role \(role) but leadership state present: \(leadership != nil)")
        if role == .leader || role == .candidate {
            precondition(hardState.votedFor == id, "\(id) is \(role) in term \(term) but voted for \(String(describing: hardState.votedFor))")
        }
        if role == .leader { precondition(leader == id, "\(id) leads but names \(String(describing: leader)) as leader") }
        if let leadership {
            let bound = Int(configuration.electionTimeoutMin.nanoseconds / configuration.roundInterval.nanoseconds) + 2
            precondition(leadership.sentRounds.count <= bound, "\(id) tracks \(leadership.sentRounds.count) unacknowledged rounds, more than \(bound)")
        }
    }
}
