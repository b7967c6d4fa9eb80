import TenureCore

/// One run: the world of simulated nodes, network and faults, advanced one action at a time.
///
/// Internal: callers use `Simulator.run`. The state is split by concern across files:
/// `Simulation+Shell` carries out core outputs (persist, then send), `Simulation+Faults` applies
/// the fault plan, `Simulation+Liveness` probes the quiet period and tracks failovers.
struct Simulation {
    let options: SimulationOptions
    let durationNanoseconds: Int64
    /// Faults stop here; the rest of the run is the quiet period.
    let faultsEnd: Int64
    /// A leader known to all must exist by then (if the run lasts that long).
    let livenessDeadline: Int64
    let stepLimit: Int
    /// Stop at the first violation, except in excess-drift mode, which expects violations and
    /// keeps going to show the overlaps they lead to (first violation of each kind is kept).
    let stopsAtFirstViolation: Bool
    let nodeIDs: [NodeID]
    let plan: [PlannedFault]

    var nodes: [SimulatedNode]
    var queue = EventQueue()
    var network: SimulatedNetwork
    /// Message fates, fsync latencies, restart seeds and targeted crashes.
    var random: SeededRandomSource
    var checker: InvariantChecker
    var trace: TraceRecorder
    var statistics = SimulationStatistics()
    /// The real end of each node's current lease, to count late renewals.
    var lastLeaseEnd: [Int: Int64] = [:]
    var violations: [SimulationViolation] = []
    var now: Int64 = 0
    var faultsActive = true
    var stopped = false

    /// The current flapping partition, if any; toggles of an older episode are ignored.
    var flapEpisode = 0
    var flapMatrix: [Bool]?
    var flapIsApplied = false
    var flapPeriodNanoseconds: Int64 = 0
    var flapUntil: Int64 = 0

    var liveness = LivenessTracker()
    var failover = FailoverTracker()

    /// Probability that a node which just granted a vote or campaigned crashes within a few
    /// milliseconds (FoundationDB's "buggify"): aims crashes at the window between deciding
    /// and being durable, where a missing persist step shows.
    static let targetedCrashProbability = 0.1
    /// Probability that a node which just refused a vote to shield a live leader crashes and
    /// restarts within 10 ms just before the campaigner's next attempt: where a missing restart
    /// embargo shows. Such refusals happen only while a peer cannot hear the leader, so this
    /// adds crashes to few moments.
    static let shieldCrashProbability = 0.3

    init(options: SimulationOptions) {
        self.options = options
        durationNanoseconds = options.duration.nanoseconds
        faultsEnd = durationNanoseconds - options.quietPeriod.nanoseconds
        livenessDeadline = faultsEnd + options.livenessBound.nanoseconds
        let secondsSimulated = max(1, Int(durationNanoseconds / 1_000_000_000))
        stepLimit = secondsSimulated * (options.nodes * options.nodes * 400 + 20_000)
        stopsAtFirstViolation = !options.excessDrift
        nodeIDs = (0..<options.nodes).map(simulatedNodeID)

        var master = SeededRandomSource(seed: options.seed)
        var clockRandom = master.split()
        var faultRandom = master.split()
        var coreSeeds = master.split()
        random = master.split()

        let configurations = (0..<options.nodes).map(options.configuration(forNode:))
        nodes = configurations.map { configuration in
            let clock = Self.drawClock(options: options, random: &clockRandom)
            return SimulatedNode(configuration: configuration, clock: clock, randomSeed: coreSeeds.next())
        }
        network = SimulatedNetwork(count: options.nodes,
                                   longDelayMinimumNanoseconds: options.electionTimeoutMax.nanoseconds,
                                   maximumDelayNanoseconds: options.maximumMessageDelay.nanoseconds)
        checker = InvariantChecker(nodeCount: options.nodes, quorum: configurations[0].quorumSize,
                                   stickinessWindowNanoseconds: configurations[0].stickinessWindow.nanoseconds,
                                   maximumMessageDelayNanoseconds: options.maximumMessageDelay.nanoseconds)
        trace = TraceRecorder(recordsFull: options.recordFullTrace)
        if let loss = options.steadyLoss {
            var weather = NetworkWeather.calm
            weather.lossProbability = loss
            weather.streamsRetransmit = true
            plan = [PlannedFault(time: 0, action: .weather(weather, name: "steady loss \(Int(loss * 100))%, TCP")),
                    PlannedFault(time: faultsEnd, action: .stopFaults)]
        } else {
            plan = FaultSchedule.plan(nodes: options.nodes, faultsEnd: faultsEnd, excessDrift: options.excessDrift,
                                      membershipChanges: options.membershipChanges, random: &faultRandom)
        }
        for (index, fault) in plan.enumerated() { queue.schedule(.fault(index: index), at: fault.time) }
        for node in nodes.indices {
            let clock = nodes[node].clock
            trace.record(.note("n\(node + 1) clock runs at rate \(clock.rate), reads \(clock.offsetNanoseconds)ns at t=0"), at: 0)
            armTimer(node)
        }
    }

    /// Clock rates within the drift bound, half of them at its very edge; or, in excess-drift
    /// mode, 10-30% fast or slow, mostly fast, so that a slow leader's lease can outlast the
    /// stickiness of a quorum of fast voters in real time.
    private static func drawClock(options: SimulationOptions, random: inout SeededRandomSource) -> SimulatedClock {
        let offset = random.integer(0, 1_000_000_000_000)
        let rate: Double
        if options.excessDrift {
            rate = 1 + (random.chance(0.3) ? -1 : 1) * random.uniform(0.1, 0.3)
        } else if random.chance(0.5) {
            rate = 1 + (random.chance(0.5) ? 1 : -1) * options.clockDriftBound
        } else {
            rate = 1 + random.uniform(-options.clockDriftBound, options.clockDriftBound)
        }
        return SimulatedClock(offsetNanoseconds: offset, rate: rate)
    }

    // MARK: The loop

    mutating func run() -> SimulationResult {
        while !stopped, let entry = queue.popNext() {
            guard entry.time <= durationNanoseconds else { break }
            precondition(entry.time >= now, "the event queue went back in time: \(entry.time) after \(now)")
            now = entry.time
            statistics.steps += 1
            perform(entry.action)
            if !checker.found.isEmpty { collectViolations() }
            if statistics.steps > stepLimit {
                report(.stepLimitExceeded, "more than \(stepLimit) steps in \(formatSeconds(durationNanoseconds)) of virtual time")
                break
            }
        }
        if !stopped { now = durationNanoseconds }
        statistics.runs = 1
        statistics.virtualTime = Interval(nanoseconds: now)
        statistics.violations = violations.count
        var lines: [String] = []
        if options.recordFullTrace {
            lines = trace.fullLines()
        } else if let first = violations.first {
            lines = first.trace
        }
        return SimulationResult(seed: options.seed, options: options, violations: violations,
                                statistics: statistics, trace: lines)
    }

    private mutating func perform(_ action: ScheduledAction) {
        switch action {
        case .wake(let node, let generation):
            guard nodes[node].status == .running, nodes[node].wakeGeneration == generation else { return }
            nodes[node].armedDeadline = nil
            let instant = nodes[node].instant(at: now)
            let output = nodes[node].core!.advance(to: instant)
            carryOut(output, node: node)
            finishStep(node)
        case .deliver(let from, let to, let message):
            deliver(message, from: from, to: to)
        case .persisted(let node, let incarnation, let write):
            completeWrite(write, node: node, incarnation: incarnation)
        case .fault(let index):
            apply(plan[index].action)
        case .crash(let node, let incarnation, let downtime, let reason):
            guard faultsActive, nodes[node].incarnation == incarnation, nodes[node].status != .down else { return }
            trace.record(.fault("targeted crash of n\(node + 1) \(reason.rawValue), for \(formatMilliseconds(downtime))"), at: now)
            crash(node, downtime: downtime)
        case .restart(let node, let incarnation):
            guard nodes[node].incarnation == incarnation else { return }
            restart(node)
        case .resume(let node, let pause):
            guard nodes[node].pauseCount == pause else { return }
            resume(node)
        case .flap(let episode):
            toggleFlap(episode: episode)
        case .probe:
            probeLiveness()
        case .refused(let node, let peer):
            // Refused only while that process is still gone; a restarted one accepts again.
            guard nodes[node].status == .running, nodes[peer].status == .down, let core = nodes[node].core,
                  core.leader == nodeIDs[peer] else { return }
            let output = nodes[node].core!.peerProcessGone(nodeIDs[peer], at: nodes[node].instant(at: now))
            if !output.isEmpty || output.messageCount > 0 {
                trace.record(.note("n\(node + 1) sees its connection to n\(peer + 1) refused: the leader's process is gone"), at: now)
            }
            carryOut(output, node: node)
            finishStep(node)
        case .retryMembership(let pick, let second, let attempts):
            changeMembership(pick: pick, second: second, attemptsLeft: attempts)
        }
    }

    /// After every core step: the term rule, and a timer for the core's next deadline.
    @inline(__always)
    mutating func finishStep(_ node: Int) {
        guard let core = nodes[node].core else { return }
        checker.observeTerm(node: node, term: core.term)
        armTimer(node)
    }

    /// Arms the node's one timer for `nextDeadline`, converted from its clock to real time.
    /// Re-arming bumps the generation, so the superseded wake-up is ignored when it pops.
    mutating func armTimer(_ node: Int) {
        guard nodes[node].status == .running, let core = nodes[node].core else { return }
        let deadline = core.nextDeadline.nanoseconds
        if nodes[node].armedDeadline == deadline { return }
        nodes[node].wakeGeneration &+= 1
        nodes[node].armedDeadline = deadline
        let at = max(now, nodes[node].clock.realTime(reaching: deadline))
        queue.schedule(.wake(node: node, generation: nodes[node].wakeGeneration), at: at)
    }

    // MARK: Violations

    private mutating func collectViolations() {
        let found = checker.found
        checker.found.removeAll()
        for (kind, message) in found { report(kind, message) }
    }

    /// Records a violation with the trace as it is now; keeps the first of each kind.
    mutating func report(_ kind: SimulationViolationKind, _ message: String) {
        guard !stopped, !violations.contains(where: { $0.kind == kind }) else { return }
        trace.record(.violation(kind, message), at: now)
        var lines = trace.recentLines()
        lines.append("reproduce with: \(options.reproduceCommand)")
        violations.append(SimulationViolation(kind: kind, message: message, time: Interval(nanoseconds: now),
                                              seed: options.seed, trace: lines))
        if stopsAtFirstViolation { stopped = true }
    }
}
