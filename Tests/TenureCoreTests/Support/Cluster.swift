@testable import TenureCore

/// N cores that share one clock and a lossless network with zero delay: every message an input
/// produces is delivered, in order, before time moves on. Nodes can be cut off, and then every
/// message to or from them is dropped.
///
/// The cluster carries out each output as a shell must: it persists the hard state, then takes
/// the messages, then records the events. After every input it checks that no two nodes claim
/// leadership at the same instant and that the persisted state matches the core's.
struct Cluster {
    let ids: [NodeID]
    private(set) var cores: [NodeID: ElectionCore] = [:]
    /// The durable hard state of each node, as the shell last wrote it.
    private(set) var persisted: [NodeID: HardState] = [:]
    /// Every event each node reported, oldest first.
    private(set) var events: [NodeID: [Event]] = [:]
    private(set) var now: Instant
    /// Nodes whose messages, in and out, are dropped.
    var isolated: Set<NodeID> = []
    private var inFlight: [Envelope] = []
    /// Terms in which some node held a lease, and which node: at most one per term.
    private(set) var leaseHolders: [UInt64: NodeID] = [:]

    init(voters: [NodeID], startAt start: Instant = .zero, seed: UInt64 = 1) {
        ids = voters.sorted()
        now = start
        for (index, id) in ids.enumerated() {
            let configuration = Configuration(id: id, voters: voters)
            cores[id] = ElectionCore(configuration: configuration, hardState: .initial, now: start,
                                     randomSeed: seed &* 1_000 &+ UInt64(index))
            persisted[id] = .initial
            events[id] = []
        }
    }

    subscript(id: NodeID) -> ElectionCore { cores[id]! }

    /// Nodes that answer "I am the leader" at the current instant.
    var leaders: [NodeID] { ids.filter { cores[$0]!.isLeader(at: now) } }

    // MARK: Driving

    /// Runs every timer that falls due up to and including `end`, in time order, delivering all
    /// messages after each one; then sets the clock to `end`.
    mutating func run(until end: Instant) {
        var steps = 0
        while let due = ids.map({ cores[$0]!.nextDeadline }).min(), due <= end {
            now = max(now, due)
            for id in ids where cores[id]!.nextDeadline <= now {
                let output = cores[id]!.advance(to: now)
                carryOut(output, of: id)
            }
            deliverInFlight()
            steps += 1
            precondition(steps < 100_000, "the cluster did not settle by \(end)")
        }
        now = max(now, end)
    }

    /// Runs for `interval` from the current instant.
    mutating func run(for interval: Interval) { run(until: now + interval) }

    /// Runs until some node other than `excluded` holds a lease, or until `limit`; returns it.
    mutating func runUntilLeader(other excluded: NodeID? = nil, limit: Interval = .seconds(10)) -> NodeID? {
        let end = now + limit
        func newLeader(_ cluster: Cluster) -> NodeID? { cluster.leaders.first { $0 != excluded } }
        while now < end {
            if let leader = newLeader(self) { return leader }
            guard let due = ids.map({ cores[$0]!.nextDeadline }).min(), due <= end else { break }
            run(until: due)
        }
        return newLeader(self)
    }

    /// Asks `node` to hand leadership to `target` at the current instant; delivers the result.
    mutating func transferLeadership(from node: NodeID, to target: NodeID?) -> LeadershipCommandOutcome {
        let (outcome, output) = cores[node]!.transferLeadership(to: target, at: now)
        carryOut(output, of: node)
        deliverInFlight()
        return outcome
    }

    /// Asks `node` to resign at the current instant; delivers the result.
    mutating func resign(_ node: NodeID) -> LeadershipCommandOutcome {
        let (outcome, output) = cores[node]!.resign(at: now)
        carryOut(output, of: node)
        deliverInFlight()
        return outcome
    }

    // MARK: Shell duties

    private mutating func carryOut(_ output: Output, of id: NodeID) {
        var written: HardState?
        let messages = output.messages(afterPersisting: { written = $0 })
        if let written { persisted[id] = written }
        precondition(persisted[id] == cores[id]!.hardState, "\(id) sent with \(persisted[id]!) durable but \(cores[id]!.hardState) in memory")
        for envelope in messages where !isolated.contains(envelope.from) && !isolated.contains(envelope.to) {
            inFlight.append(envelope)
        }
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
        var delivered = 0
        while !inFlight.isEmpty {
            let envelope = inFlight.removeFirst()
            let output = cores[envelope.to]!.receive(envelope, at: now)
            carryOut(output, of: envelope.to)
            delivered += 1
            precondition(delivered < 100_000, "messages did not settle at \(now)")
        }
    }
}
