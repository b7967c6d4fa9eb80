import TenureCore

/// Everything that determines one simulation run; the same options give the same history.
///
/// The seed is the whole story: faults, delays, clocks and the cores' own randomness are all
/// drawn from it, so a failure is reproduced by running the same options again. Timing
/// settings default to the daemon's, so the simulator tests the configuration that ships.
public struct SimulationOptions: Sendable, Hashable {
    /// How many nodes the cluster has; see `nodeRange`.
    public var nodes: Int
    /// Virtual time to simulate; the last `quietPeriod` of it has no faults (the liveness check).
    public var duration: Interval
    /// The one number a run's history is drawn from.
    public var seed: UInt64
    /// The nodes' timing settings, as in `Configuration`; the defaults are the daemon's.
    public var heartbeatInterval: Interval
    /// See `Configuration.electionTimeoutMin`: also the stickiness window and restart embargo.
    public var electionTimeoutMin: Interval
    /// See `Configuration.electionTimeoutMax`.
    public var electionTimeoutMax: Interval
    /// The drift bound the nodes are configured with; node clock rates stay within it unless
    /// `excessDrift` is set.
    public var clockDriftBound: Double
    /// Draws clock rates 10-30% off real time, far beyond `clockDriftBound`, and favours
    /// isolating the leader. Leases are then expected to overlap, and the run reports it: that
    /// proves the lease check measures real time rather than trusting the nodes' clocks.
    public var excessDrift: Bool
    /// Records every step of the run in `SimulationResult.trace` (for `tenure simulate --trace`).
    public var recordFullTrace: Bool
    /// The operator removes and re-adds members at random during the faults (never below one
    /// voter), one single-server change at a time, sometimes asking for a second one at once.
    public var membershipChanges = false
    /// The leader lease; nil takes the daemon's default (`Configuration.defaultLeaseDuration`,
    /// 300 ms at the default timing).
    public var lease: Interval?
    /// When set, no fault schedule: every link loses this fraction of its packets, both ways, for
    /// the whole fault phase, with TCP's retransmission and head-of-line blocking for the peer
    /// connections and independent loss for beats (`NetworkWeather.streamsRetransmit`). What the
    /// lossy-network bench does to real nodes, in virtual time.
    public var steadyLoss: Double?
    /// Lease beats per heartbeat interval, as the daemon's `--beats` (its default unless set).
    public var beatsPerHeartbeat = Configuration.defaultBeatsPerHeartbeat
    /// Safety rules switched off, to prove the checks notice (mutation testing).
    package var mutations: SafetyMutations = SafetyMutations()

    /// 3 is the smallest cluster that tolerates a failure; 101 keeps one run fast.
    public static let nodeRange = 3...101

    /// Options with the daemon's timing defaults; every field can also be set afterwards.
    public init(
        nodes: Int = 5,
        duration: Interval = .seconds(60),
        seed: UInt64 = 1,
        heartbeatInterval: Interval = Configuration.defaultHeartbeatInterval,
        electionTimeoutMin: Interval = Configuration.defaultElectionTimeoutMin,
        electionTimeoutMax: Interval = Configuration.defaultElectionTimeoutMax,
        clockDriftBound: Double = Configuration.defaultClockDriftBound,
        excessDrift: Bool = false,
        recordFullTrace: Bool = false
    ) {
        self.nodes = nodes
        self.duration = duration
        self.seed = seed
        self.heartbeatInterval = heartbeatInterval
        self.electionTimeoutMin = electionTimeoutMin
        self.electionTimeoutMax = electionTimeoutMax
        self.clockDriftBound = clockDriftBound
        self.excessDrift = excessDrift
        self.recordFullTrace = recordFullTrace
    }

    /// The configuration of node `index` (`n1` is 0) under these options.
    func configuration(forNode index: Int) -> Configuration {
        var configuration = Configuration(
            id: simulatedNodeID(index),
            voters: (0..<nodes).map(simulatedNodeID),
            heartbeatInterval: heartbeatInterval,
            electionTimeoutMin: electionTimeoutMin,
            electionTimeoutMax: electionTimeoutMax,
            leaseDuration: lease,
            clockDriftBound: clockDriftBound,
            beatsPerHeartbeat: beatsPerHeartbeat
        )
        configuration.mutations = mutations
        return configuration
    }

    /// Checks the options the way the daemon checks its configuration: every failure names the values.
    public func validate() throws(ConfigurationError) {
        guard Self.nodeRange.contains(nodes) else {
            throw .invalid("nodes \(nodes) must be between \(Self.nodeRange.lowerBound) and \(Self.nodeRange.upperBound)")
        }
        guard duration > .zero, duration <= .seconds(86_400) else {
            throw .invalid("duration \(duration) must be positive and at most one day of virtual time")
        }
        if let steadyLoss, !(0...0.9).contains(steadyLoss) {
            throw .invalid("steady loss \(steadyLoss) must be between 0 and 0.9")
        }
        try configuration(forNode: 0).validate()
    }

    /// No message is delayed longer than this: twice the longest election timeout, so that
    /// some messages arrive after a whole election has come and gone.
    public var maximumMessageDelay: Interval { electionTimeoutMax * 2 }

    /// How long a leader known to every node may take to appear once the faults have stopped:
    /// the stragglers still in flight (`maximumMessageDelay`) plus five election timeouts (a
    /// restart embargo, a couple of split votes and the first lease round trip fit in far less).
    public var livenessBound: Interval { maximumMessageDelay + electionTimeoutMax * 5 }

    /// The fault-free end of every run: at least 10 s, and long enough to find a leader within
    /// `livenessBound` and then watch it stay for two more election timeouts.
    public var quietPeriod: Interval {
        let needed = livenessBound + electionTimeoutMax * 2
        let floor = Interval.seconds(10)
        return min(duration, max(needed, floor))
    }

    /// The command line that reruns exactly this run with its full trace: `tenure simulate`, or
    /// `tenure-lab simulate` when a safety mutation is on (the shipped command refuses them).
    public var reproduceCommand: String {
        let program = enabledMutations.isEmpty ? "tenure simulate" : "tenure-lab simulate"
        var command = "\(program) --nodes \(nodes) --seed \(seed) --duration \(formatCommandDuration(duration)) --trace"
        if heartbeatInterval != Configuration.defaultHeartbeatInterval {
            command += " --heartbeat-interval \(formatCommandDuration(heartbeatInterval))"
        }
        if electionTimeoutMin != Configuration.defaultElectionTimeoutMin {
            command += " --election-timeout-min \(formatCommandDuration(electionTimeoutMin))"
        }
        if electionTimeoutMax != Configuration.defaultElectionTimeoutMax {
            command += " --election-timeout-max \(formatCommandDuration(electionTimeoutMax))"
        }
        if clockDriftBound != Configuration.defaultClockDriftBound { command += " --clock-drift-bound \(clockDriftBound)" }
        if let lease { command += " --lease \(formatCommandDuration(lease))" }
        if beatsPerHeartbeat != Configuration.defaultBeatsPerHeartbeat { command += " --beats \(beatsPerHeartbeat)" }
        if let steadyLoss { command += " --steady-loss \(steadyLoss)" }
        if excessDrift { command += " --excess-drift" }
        if membershipChanges { command += " --membership-changes" }
        for mutation in enabledMutations { command += " --mutation \(mutation.rawValue)" }
        return command
    }

    /// The mutations switched on, in a fixed order.
    package var enabledMutations: [SimulationMutation] {
        SimulationMutation.allCases.filter { mutations[keyPath: $0.keyPath] }
    }

    /// Switches one safety rule off.
    package mutating func enable(_ mutation: SimulationMutation) {
        mutations[keyPath: mutation.keyPath] = true
        // A membership rule can only break while membership changes.
        if mutation.needsMembershipChanges { membershipChanges = true }
    }
}

/// The command-line names of the `SafetyMutations` switches.
///
/// One name per switch so `tenure-lab simulate --mutation NAME` and the reproduce line agree.
package enum SimulationMutation: String, CaseIterable, Sendable {
    case disableVoteStickiness = "disable-vote-stickiness"
    case disableRestartEmbargo = "disable-restart-embargo"
    case leaseFromAcknowledgementTime = "lease-from-acknowledgement-time"
    case sendBeforePersist = "send-before-persist"
    case disablePreVote = "disable-pre-vote"
    case allowConcurrentMembershipChanges = "allow-concurrent-membership-changes"
    case quorumInOldMembership = "quorum-in-old-membership"
    case honourCandidateEvidence = "honour-candidate-evidence"

    package var needsMembershipChanges: Bool {
        switch self {
        case .allowConcurrentMembershipChanges, .quorumInOldMembership: true
        default: false
        }
    }

    /// The switch this name stands for.
    package var keyPath: WritableKeyPath<SafetyMutations, Bool> {
        switch self {
        case .disableVoteStickiness: \.disableVoteStickiness
        case .disableRestartEmbargo: \.disableRestartEmbargo
        case .leaseFromAcknowledgementTime: \.leaseFromAcknowledgementTime
        case .sendBeforePersist: \.sendBeforePersist
        case .disablePreVote: \.disablePreVote
        case .allowConcurrentMembershipChanges: \.allowConcurrentMembershipChanges
        case .quorumInOldMembership: \.quorumInOldMembership
        case .honourCandidateEvidence: \.honourCandidateEvidence
        }
    }
}

/// `30s`, `1500ms` or `250us`: whole units only, in the largest unit that is exact.
func formatCommandDuration(_ interval: Interval) -> String {
    let nanoseconds = interval.nanoseconds
    if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
    if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
    if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
    return "\(nanoseconds)ns"
}
