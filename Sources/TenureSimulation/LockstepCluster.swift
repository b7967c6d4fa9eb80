import TenureCore

/// N cores that share one clock and a lossless network with zero delay: every message an input
/// produces is delivered, in order, before time moves on. Nodes can be cut off, and then every
/// message to or from them is dropped.
///
/// The one in-process driver for exact scenarios: the core's rule tests run their clusters on it
/// and `tenure-lab bench-core` measures a heartbeat round on it. (The simulator keeps its own
/// event queue, because it models what lockstep cannot: delays, drift, loss and slow disks.) It
/// carries out each output as a shell must: persist the hard state, then take the messages, then
/// record the events. With `checksInvariants` it checks after every input that no two nodes claim
/// leadership at the same instant, that one term has one lease holder, and that the persisted
/// state matches the core's.
public struct LockstepCluster {
    public let ids: [NodeID]
    public private(set) var cores: [NodeID: ElectionCore] = [:]
    /// The durable hard state of each node, as the shell last wrote it.
    public private(set) var persisted: [NodeID: HardState] = [:]
    /// Every event each node reported, oldest first (kept only with `checksInvariants`).
    public private(set) var events: [NodeID: [Event]] = [:]
    public private(set) var now: Instant
    /// Nodes whose messages, in and out, are dropped.
    public var isolated: Set<NodeID> = []
    /// Terms in which some node held a lease, and which node: at most one per term.
    public private(set) var leaseHolders: [UInt64: NodeID] = [:]
    /// Messages delivered so far.
    public var messagesDelivered = 0
    /// Off for benchmarks, which measure the cores and nothing else.
    public var checksInvariants = true
    /// With a clock (nanoseconds), the time spent inside each core's entry points.
    public var coreClock: (() -> Int64)?
    public var coreNanoseconds: [NodeID: Int64] = [:]
    private var inFlight: [Envelope] = []

    /// Nodes with these configurations (one per node, all naming the same voters).
    public init(configurations: [Configuration], startAt start: Instant = .zero, seed: UInt64 = 1) {
        precondition(!configurations.isEmpty, "a cluster needs at least one node")
        let sorted = configurations.sorted { $0.id < $1.id }
        ids = sorted.map(\.id)
        now = start
        for (index, configuration) in sorted.enumerated() {
            cores[configuration.id] = ElectionCore(configuration: configuration, hardState: .initial, now: start,
                                                   randomSeed: seed &* 1_000 &+ UInt64(index))
            persisted[configuration.id] = .initial
            events[configuration.id] = []
            coreNanoseconds[configuration.id] = 0
        }
    }

    /// Nodes with the default timing.
    public init(voters: [NodeID], startAt start: Instant = .zero, seed: UInt64 = 1) {
        self.init(configurations: voters.map { Configuration(id: $0, voters: voters) }, startAt: start, seed: seed)
    }

    public subscript(id: NodeID) -> ElectionCore { cores[id]! }

    /// Nodes that answer "I am the leader" at the current instant.
    public var leaders: [NodeID] { ids.filter { cores[$0]!.isLeader(at: now) } }

    // MARK: Driving

    /// Moves to the earliest deadline, runs every core due then, and delivers everything.
    public mutating func step() {
        guard let due = ids.map({ cores[$0]!.nextDeadline }).min() else { return }
        now = max(now, due)
        for id in ids where cores[id]!.nextDeadline <= now {
            let instant = now
            let output = measured(id) { $0.advance(to: instant) }
            carryOut(output, of: id)
        }
        deliverInFlight()
    }

    /// Runs every timer that falls due up to and including `end`, in time order, delivering all
    /// messages after each one; then sets the clock to `end`.
    public mutating func run(until end: Instant) {
        var steps = 0
        while let due = ids.map({ cores[$0]!.nextDeadline }).min(), due <= end {
            step()
            steps += 1
            precondition(steps < 100_000, "the cluster did not settle by \(end)")
        }
        now = max(now, end)
    }

    /// Runs for `interval` from the current instant.
    public mutating func run(for interval: Interval) { run(until: now + interval) }

    /// Runs until some node other than `excluded` holds a lease, or until `limit`; returns it.
    public mutating func runUntilLeader(other excluded: NodeID? = nil, limit: Interval = .seconds(10)) -> NodeID? {
        let end = now + limit
        func newLeader(_ cluster: LockstepCluster) -> NodeID? { cluster.leaders.first { $0 != excluded } }
        while now < end {
            if let leader = newLeader(self) { return leader }
            guard let due = ids.map({ cores[$0]!.nextDeadline }).min(), due <= end else { break }
            run(until: due)
        }
        return newLeader(self)
    }

    /// Asks `node` to hand leadership to `target` at the current instant; delivers the result.
    public mutating func transferLeadership(from node: NodeID, to target: NodeID?) -> LeadershipCommandOutcome {
        let (outcome, output) = cores[node]!.transferLeadership(to: target, at: now)
        carryOut(output, of: node)
        deliverInFlight()
        return outcome
    }

    /// Reports `node`'s application health at the current instant; delivers the result.
    public mutating func updateHealth(_ node: NodeID, healthy: Bool) {
        let instant = now
        let output = cores[node]!.updateHealth(healthy, at: instant)
        carryOut(output, of: node)
        deliverInFlight()
    }

    /// Asks `node` to resign at the current instant; delivers the result.
    public mutating func resign(_ node: NodeID) -> LeadershipCommandOutcome {
        let (outcome, output) = cores[node]!.resign(at: now)
        carryOut(output, of: node)
        deliverInFlight()
        return outcome
    }

    // MARK: Shell duties

    private mutating func measured(_ id: NodeID, _ body: (inout ElectionCore) -> Output) -> Output {
        guard let coreClock else { return body(&cores[id]!) }
        let started = coreClock()
        let output = body(&cores[id]!)
        coreNanoseconds[id, default: 0] += coreClock() - started
        return output
    }

    private mutating func carryOut(_ output: Output, of id: NodeID) {
        var written: HardState?
        let messages = output.messages(afterPersisting: { written = $0 })
        if let written { persisted[id] = written }
        for envelope in messages where !isolated.contains(envelope.from) && !isolated.contains(envelope.to) {
            inFlight.append(envelope)
        }
        guard checksInvariants else { return }
        precondition(persisted[id] == cores[id]!.hardState, "\(id) sent with \(persisted[id]!) durable but \(cores[id]!.hardState) in memory")
        events[id]!.append(contentsOf: output.events)
        for event in output.events {
            if case .leaseExtended(let term, _, _, _, _) = event {
                let holder = leaseHolders[term, default: id]
                precondition(holder == id, "two leases in term \(term): \(holder) and \(id)")
                leaseHolders[term] = id
            }
        }
        precondition(leaders.count <= 1, "two nodes claim leadership at \(now): \(leaders)")
    }

    private mutating func deliverInFlight() {
        var head = 0
        while head < inFlight.count {
            let envelope = inFlight[head]
            head += 1
            messagesDelivered += 1
            precondition(head < 10_000_000, "messages did not settle at \(now)")
            guard cores[envelope.to] != nil else { continue }
            let instant = now
            let output = measured(envelope.to) { $0.receive(envelope, at: instant) }
            carryOut(output, of: envelope.to)
        }
        inFlight.removeAll(keepingCapacity: true)
    }
}
