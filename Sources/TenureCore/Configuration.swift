/// Every timing and membership setting of one node, validated once as relations.
///
/// The lease is only safe if the relations in `validate()` hold (docs/lease.md, "The configuration
/// relations", which rest on rule 3, "Lease from the send time"), so the shell refuses to start
/// with a configuration that breaks one, and each error names the values involved
/// (hashicorp/raft's `ValidateConfig` does the same).
public struct Configuration: Sendable, Hashable {
    /// This node.
    public var id: NodeID
    /// The voters of the initial configuration (`--peers`), this node included; membership
    /// changes move the voters in `ElectionCore.membership` from there.
    public var voters: [NodeID]
    /// How often the leader starts a heartbeat round (thesis 3.4).
    public var heartbeatInterval: Interval
    /// Lower bound of the randomized election timeout: how long a follower waits on silence alone
    /// before it campaigns, and the bound the lease (with drift and margin) must fit inside.
    public var electionTimeoutMin: Interval
    /// Upper bound (exclusive) of the randomized election timeout.
    public var electionTimeoutMax: Interval
    /// How long a quorum acknowledgement keeps the leader's lease alive, measured from the send
    /// time of the acknowledged round. `nil` takes `defaultLeaseDuration`.
    public var leaseDurationOverride: Interval?
    /// Assumed bound on any node's clock-rate error relative to real time (0.01 = 1%).
    public var clockDriftBound: Double
    /// Time reserved for processing between "is the lease valid?" and acting on the answer.
    public var leaseSafetyMargin: Interval
    /// Lease beats per heartbeat interval: the leader numbers a round every
    /// `heartbeatInterval / beatsPerHeartbeat`, sends each round to every peer as a beat (a
    /// heartbeat the shell carries as an authenticated datagram, so a lost TCP segment cannot
    /// hold it back), and every `beatsPerHeartbeat`-th round also as a full heartbeat on the
    /// peer connection. 0 turns beats off: one round per heartbeat interval, on the connection
    /// only. Beats renew the lease; they carry nothing the lease argument does not already cover
    /// (a follower treats a beat exactly as a heartbeat without a membership entry).
    public var beatsPerHeartbeat: Int
    /// Switches that break one safety rule each, for the simulator's mutation tests only. The
    /// daemon has no flag that reaches them.
    package var mutations: SafetyMutations = SafetyMutations()

    public init(
        id: NodeID,
        voters: [NodeID],
        heartbeatInterval: Interval = Configuration.defaultHeartbeatInterval,
        electionTimeoutMin: Interval = Configuration.defaultElectionTimeoutMin,
        electionTimeoutMax: Interval = Configuration.defaultElectionTimeoutMax,
        leaseDuration: Interval? = nil,
        clockDriftBound: Double = Configuration.defaultClockDriftBound,
        leaseSafetyMargin: Interval = Configuration.defaultLeaseSafetyMargin,
        beatsPerHeartbeat: Int = Configuration.defaultBeatsPerHeartbeat
    ) {
        self.id = id
        self.voters = voters.sorted()
        self.heartbeatInterval = heartbeatInterval
        self.electionTimeoutMin = electionTimeoutMin
        self.electionTimeoutMax = electionTimeoutMax
        self.leaseDurationOverride = leaseDuration
        self.clockDriftBound = clockDriftBound
        self.leaseSafetyMargin = leaseSafetyMargin
        self.beatsPerHeartbeat = beatsPerHeartbeat
    }

    public static let defaultHeartbeatInterval = Interval.milliseconds(100)
    public static let defaultElectionTimeoutMin = Interval.milliseconds(1000)
    /// A 100 ms spread instead of etcd's 1000 ms. Thesis 9.3 shows that the spread, not the base,
    /// resolves split votes. A node that grants a pre-vote holds back its own campaign for a retry
    /// interval, so a second candidate splits the vote only if its timer fires before the first
    /// one's pre-vote request reaches it (a one-way trip, well under a millisecond on a LAN); 100 ms
    /// leaves split votes rare while keeping failover close to its floor, `electionTimeoutMin`,
    /// which lease safety requires.
    public static let defaultElectionTimeoutMax = Interval.milliseconds(1100)
    public static let defaultClockDriftBound = 0.01
    public static let defaultLeaseSafetyMargin = Interval.milliseconds(50)
    /// Four beats per heartbeat (a round every 25 ms at the defaults). `tenure run` stops its
    /// command when no round reached a quorum for the lease less its margin and grace (about
    /// 125 ms at the defaults): that takes five rounds in a row lost to a quorum, where one lost
    /// TCP segment used to hold every heartbeat of a link for the 200 ms minimum retransmission
    /// timeout. The measured effect is in the README's performance section.
    public static let defaultBeatsPerHeartbeat = 4
    /// The most beats per heartbeat a node accepts.
    public static let maximumBeatsPerHeartbeat = 16

    /// How often the leader starts a round: every heartbeat interval without beats, else that
    /// divided by the beats.
    public var roundInterval: Interval {
        beatsPerHeartbeat > 0 ? Interval(nanoseconds: heartbeatInterval.nanoseconds / Int64(beatsPerHeartbeat)) : heartbeatInterval
    }

    /// Rounds per heartbeat interval (at least 1): how far behind the newest round a follower may
    /// be and still count as caught up.
    public var roundsPerHeartbeat: UInt64 { UInt64(max(1, beatsPerHeartbeat)) }

    /// Votes needed to win an election or to renew the lease.
    public var quorumSize: Int { voters.count / 2 + 1 }

    /// The peers this node talks to.
    public var peers: [NodeID] { voters.filter { $0 != id } }

    /// The longest lease for which `lease * (1 + drift) < electionTimeoutMin * (1 - drift)` holds
    /// with the safety margin to spare: a leader's lease, however fast its clock runs, ends in
    /// real time before any voter's stickiness window, however slow its clock, can end.
    public var maximumSafeLeaseDuration: Interval {
        let bound = Double(electionTimeoutMin.nanoseconds) * (1 - clockDriftBound) / (1 + clockDriftBound)
        return Interval(nanoseconds: Int64(bound)) - leaseSafetyMargin
    }

    /// The lease when `--lease` is not given: three heartbeat intervals but at least 300 ms
    /// (300 ms at the defaults), or the longest safe lease when that is shorter.
    ///
    /// The 300 ms floor is for the application: `tenure run` stops its command by the lease end
    /// less a 50 ms margin, with SIGTERM 100 ms before that, so a lease of three 50 ms heartbeats
    /// (150 ms) would leave no time to run anything.
    ///
    /// Why three: a round acknowledged by a quorum keeps the lease until its send time plus the
    /// lease, and the next round leaves one interval later, so the lease survives two lost or late
    /// rounds in a row (acknowledgements up to 200 ms late at the defaults) before `is_leader`
    /// reads false. Longer buys little more tolerance; shorter lapses on one late round. The lease
    /// sets the stickiness window (`lease x (1 + drift) / (1 - drift) + margin`, 356 ms at the
    /// defaults), and that, not the 1000 ms election timeout, is how soon a follower with evidence
    /// that the leader's process is gone may campaign: a crashed leader is replaced in about a third
    /// of the election timeout, while silence alone still waits the whole timeout.
    public var defaultLeaseDuration: Interval {
        min(max(heartbeatInterval * 3, Self.defaultLeaseFloor), maximumSafeLeaseDuration)
    }

    /// The shortest default lease (see `defaultLeaseDuration`).
    public static let defaultLeaseFloor = Interval.milliseconds(300)

    /// The lease in force: the override when given, else `defaultLeaseDuration`.
    public var leaseDuration: Interval { leaseDurationOverride ?? defaultLeaseDuration }

    /// How long a voter refuses votes after the last heartbeat it accepted (and after its own
    /// start): long enough that the longest lease any leader can hold, however fast its clock and
    /// however slow this one, has ended in real time: `lease x (1 + drift) / (1 - drift) + margin`.
    /// It is at most `electionTimeoutMin` (the lease is validated against it), and shorter when
    /// the lease is: then a follower with evidence that the leader's process is gone may campaign
    /// that much sooner, while followers still wait the whole election timeout on silence alone.
    public var stickinessWindow: Interval {
        let scaled = Double(leaseDuration.nanoseconds) * (1 + clockDriftBound) / (1 - clockDriftBound)
        return min(electionTimeoutMin, Interval(nanoseconds: Int64(scaled.rounded(.up))) + leaseSafetyMargin)
    }

    /// How long a candidate or pre-candidate waits before trying again after a round that did not
    /// win: `[heartbeatInterval, heartbeatInterval + spread)`. Retries need only the spread to
    /// break ties; the `electionTimeoutMin` base exists to protect a live leader, which voters
    /// already do with stickiness. This is what keeps a split vote from costing a second second.
    public var electionRetryMin: Interval { heartbeatInterval }
    public var electionRetryMax: Interval { heartbeatInterval + (electionTimeoutMax - electionTimeoutMin) }

    /// Checks every relation the safety argument needs. Throws the first one that fails.
    public func validate() throws(ConfigurationError) {
        guard voters.contains(id) else {
            throw .invalid("node id '\(id)' is not among the voters \(voters.map(\.rawValue).joined(separator: ","))")
        }
        guard Set(voters).count == voters.count else {
            throw .invalid("voters contain a duplicate id: \(voters.map(\.rawValue).joined(separator: ","))")
        }
        guard voters.count <= 255 else { throw .invalid("at most 255 voters are supported, got \(voters.count)") }
        guard heartbeatInterval > .zero else {
            throw .invalid("heartbeat interval \(heartbeatInterval) must be positive")
        }
        guard electionTimeoutMin >= heartbeatInterval * 3 else {
            throw .invalid("election timeout minimum \(electionTimeoutMin) must be at least 3 heartbeat intervals (\(heartbeatInterval * 3)), so a lost heartbeat or two does not start an election")
        }
        guard electionTimeoutMax > electionTimeoutMin else {
            throw .invalid("election timeout maximum \(electionTimeoutMax) must be greater than the minimum \(electionTimeoutMin), so timeouts are randomized")
        }
        guard clockDriftBound >= 0, clockDriftBound < 0.5 else {
            throw .invalid("clock drift bound \(clockDriftBound) must be in [0, 0.5)")
        }
        guard (0...Self.maximumBeatsPerHeartbeat).contains(beatsPerHeartbeat) else {
            throw .invalid("beats per heartbeat \(beatsPerHeartbeat) must be between 0 (off) and \(Self.maximumBeatsPerHeartbeat)")
        }
        guard roundInterval >= .milliseconds(1) else {
            throw .invalid("heartbeat interval \(heartbeatInterval) / \(beatsPerHeartbeat) beats is a round every \(roundInterval); rounds must be at least 1 ms apart")
        }
        guard leaseSafetyMargin >= .zero else {
            throw .invalid("lease safety margin \(leaseSafetyMargin) must not be negative")
        }
        let safeLease = maximumSafeLeaseDuration
        guard safeLease > heartbeatInterval else {
            throw .invalid("the longest safe lease \(safeLease) (election timeout minimum \(electionTimeoutMin) x (1 - \(clockDriftBound)) / (1 + \(clockDriftBound)) - margin \(leaseSafetyMargin)) must exceed the heartbeat interval \(heartbeatInterval), or the lease could never be renewed in time")
        }
        if let lease = leaseDurationOverride {
            guard lease > heartbeatInterval else {
                throw .invalid("lease \(lease) must be longer than the heartbeat interval \(heartbeatInterval), or it lapses between renewals")
            }
            guard lease <= safeLease else {
                throw .invalid("lease \(lease) is unsafe: it must be at most \(safeLease) = election timeout minimum \(electionTimeoutMin) x (1 - drift \(clockDriftBound)) / (1 + drift \(clockDriftBound)) - margin \(leaseSafetyMargin)")
            }
        }
    }
}

/// A configuration relation that does not hold; the message names the values.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self { case .invalid(let message): message }
    }
}

/// One switch per safety rule, each of which, when set, disables that rule.
///
/// They exist so the simulator can prove it notices when a rule is missing (issue 4's mutation
/// check). They are `package`-visible: no daemon flag reaches them.
package struct SafetyMutations: Sendable, Hashable {
    /// Grant votes even right after hearing from a live leader (breaks thesis 4.2.3).
    package var disableVoteStickiness = false
    /// Vote and campaign at once after a restart.
    package var disableRestartEmbargo = false
    /// Measure the lease from when the acknowledgement arrived instead of when the round was sent.
    package var leaseFromAcknowledgementTime = false
    /// Skip Pre-Vote: campaign in a new term straight away (breaks thesis 9.6).
    package var disablePreVote = false
    /// Let the shell send messages before the hard state they depend on is durable. The core
    /// cannot break this rule itself; the simulator's shell reads this switch.
    package var sendBeforePersist = false
    /// Start a membership change before the previous one is committed (breaks thesis 4.2).
    package var allowConcurrentMembershipChanges = false
    /// A voter that believes a candidate's evidence that the leader is gone, instead of its own
    /// clock: it skips stickiness for such a candidate (breaks the lease argument).
    package var honourCandidateEvidence = false
    /// Count the lease's and the election's quorum in the configuration the node started with
    /// (`--peers`), ignoring every change since (breaks thesis 4.1: the newest entry rules).
    package var quorumInOldMembership = false

    package init() {}

    package var isEmpty: Bool { self == SafetyMutations() }
}
