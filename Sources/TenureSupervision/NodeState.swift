import TenureCore

/// Everything a node decides, in one value: the election core and every supervisor the shell
/// consults (pending answers, the handover held for `tenure run`, health, hooks, durability,
/// shutdown, the status feed, gossip, history).
///
/// The shell (`NodeRuntime`) owns this one value beside its I/O (clock, disk, sockets, threads)
/// and stores no other decision. Growing the node (a replicated log, a state machine) adds
/// fields here, where they are pure and unit-tested with manual time, never to the shell.
public struct NodeState: Sendable {
    public var core: ElectionCore
    /// The hard state last made durable; clients see only this term.
    public var durableHardState: HardState
    public var durability = DurabilityWatch()
    public var pending: PendingCommands
    public var handover = HandoverHold()
    public var health: HealthState
    public var hooks: HookQueue
    public var shutdown = ShutdownSequence()
    public var feed = StatusFeed()
    public var reports = PeerReportTable()
    public var history = LeadershipHistory()
    /// Refused peer input, logged at most once a minute per address and reason.
    public var rejections = LogLimiter()
    /// The configuration the transport was last set up for.
    public var appliedMembership: MembershipConfiguration
    /// The peer addresses (`HOST:PORT`) a joining node learned from `--join`, until a leader's
    /// configuration names it.
    public var bootstrapPeers: [NodeID: String]
    /// The end of the last lease this node held (a held handover waits for it at most).
    public var lastLeaseExpiry: Instant?
    /// This node's load average (thousandths), sampled at most once a second.
    public var loadSample: (milli: UInt32?, at: Instant) = (nil, .zero)

    public init(core: ElectionCore, durableHardState: HardState, pending: PendingCommands, health: HealthState,
                hooks: HookQueue, bootstrapPeers: [NodeID: String]) {
        self.core = core
        self.durableHardState = durableHardState
        self.pending = pending
        self.health = health
        self.hooks = hooks
        self.appliedMembership = core.membership
        self.bootstrapPeers = bootstrapPeers
    }

    // MARK: - What clients see

    /// The term and vote in memory are the ones on disk.
    public var stateIsDurable: Bool { core.hardState == durableHardState }

    /// The term clients see: the durable one (the core's term is never behind it).
    public var clientTerm: UInt64 { durableHardState.term }

    /// The leader clients see, only when it belongs to a durable term.
    public func clientKnownLeader(at now: Instant) -> NodeID? { stateIsDurable ? core.knownLeader(at: now) : nil }
    public var clientLeader: NodeID? { stateIsDurable ? core.leader : nil }

    /// True only while this node leads with a valid lease in a term that is durable.
    public func clientIsLeader(at now: Instant) -> Bool { stateIsDurable && core.isLeader(at: now) }

    /// What the pending answers need to know of the core.
    public var pendingView: PendingCommands.View {
        PendingCommands.View(selfID: core.id, role: core.role, term: core.term, leader: core.leader, membership: core.membership,
                             committedIndex: core.committedIndex)
    }

    /// The earliest instant some part of the node has work to do without new input.
    public func nextDeadline(at now: Instant) -> Instant {
        var wake = core.nextDeadline
        func consider(_ instant: Instant?) { if let instant { wake = min(wake, instant) } }
        consider(feed.nextDeadline)
        consider(pending.nextDeadline)
        consider(handover.nextDeadline)
        consider(health.nextDeadline(after: now))
        consider(durability.nextDeadline(stateIsDurable: stateIsDurable))
        consider(shutdown.nextDeadline)
        return wake
    }
}
