/// Which node a fault hits: a fixed one, or whoever leads when the fault strikes.
enum NodeChoice {
    case node(Int)
    /// The leader with the highest term at that moment, or `fallback` when there is none.
    case leader(fallback: Int)
}

/// The shape of a network partition. Shapes are drawn up front from the seed; "the leader" is
/// resolved when the fault strikes.
enum PartitionShape {
    /// `groupOf[node]`: nodes in different groups cannot talk, either way.
    case groups(groupOf: [Int])
    /// Messages from `sources` to the other nodes are dropped; the other way works.
    case oneWay(sources: [Bool])
    /// One directed link is cut.
    case link(from: Int, to: Int)
    /// `bridge` talks to everyone; the two sides (`sideOf` 0 or 1) cannot talk to each other.
    case bridge(bridge: Int, sideOf: [Int])
    /// Two nodes cannot talk to each other, both can talk to everyone else (a bridge with
    /// several bridges: it lets a live leader keep its lease while a peer campaigns).
    case pair(Int, Int)
    /// One node is cut off both ways.
    case isolate(NodeChoice)
    /// Nobody hears the leader, the leader still hears everyone.
    case leaderOutgoing(fallback: Int)
    /// The leader hears nobody, everyone still hears the leader.
    case leaderIncoming(fallback: Int)
}

/// One fault, as planned from the seed.
enum FaultAction {
    case partition(PartitionShape)
    case heal
    /// Applies the partition and heals it in turn every `period` until `until`.
    case flap(PartitionShape, periodNanoseconds: Int64, untilNanoseconds: Int64)
    case weather(NetworkWeather, name: String)
    case crash(NodeChoice, downtimeNanoseconds: Int64)
    case pause(NodeChoice, durationNanoseconds: Int64)
    /// The operator asks the leader to hand over (`transferLeadership(to:at:)`): to the node
    /// whose clock runs slowest when `toSlowestClock` (excess-drift mode, where a slow leader's
    /// lease outlasts fast voters' stickiness in real time), otherwise to whoever is most caught up.
    case transferLeadership(toSlowestClock: Bool)
    /// The operator asks the leader to step down (`resign(at:)`).
    case resign
    /// The operator asks the leader for one membership change: remove a voter or add back a
    /// node that is no member, chosen by `pick`; with `second`, a second change right away.
    case changeMembership(pick: UInt64, second: Bool)
    /// The quiet period begins: heal, calm weather, restart and resume every node.
    case stopFaults
}

struct PlannedFault {
    var time: Int64
    var action: FaultAction
}

/// Draws the whole fault plan of one run from its seed, before the run starts.
///
/// Three independent timelines (the network's shape, its weather, and the nodes' processes)
/// overlap freely, so crashes happen during partitions and pauses during packet storms. The
/// plan is biased toward the shapes that break leases when a safety rule is missing (pairs,
/// bridges, isolating the leader, long delays, quick restarts), and the very same plans run
/// when no rule is missing, where they must find nothing.
enum FaultSchedule {
    static func plan(nodes: Int, faultsEnd: Int64, excessDrift: Bool, membershipChanges: Bool = false,
                     random: inout SeededRandomSource) -> [PlannedFault] {
        var plan: [PlannedFault] = []
        if faultsEnd > 0 {
            planNetwork(nodes: nodes, faultsEnd: faultsEnd, excessDrift: excessDrift, random: &random, into: &plan)
            planWeather(faultsEnd: faultsEnd, random: &random, into: &plan)
            planProcesses(nodes: nodes, faultsEnd: faultsEnd, excessDrift: excessDrift, random: &random, into: &plan)
            // A timeline of its own, drawn last, so runs without it keep their plans.
            if membershipChanges { planMembership(faultsEnd: faultsEnd, random: &random, into: &plan) }
        }
        plan.append(PlannedFault(time: faultsEnd, action: .stopFaults))
        // Stable by time: equal times keep timeline order, so the plan does not depend on sort internals.
        return plan.enumerated().sorted { lhs, rhs in
            lhs.element.time != rhs.element.time ? lhs.element.time < rhs.element.time : lhs.offset < rhs.offset
        }.map(\.element)
    }

    private static let millisecond: Int64 = 1_000_000
    private static let second: Int64 = 1_000_000_000

    private static func planNetwork(nodes: Int, faultsEnd: Int64, excessDrift: Bool,
                                    random: inout SeededRandomSource, into plan: inout [PlannedFault]) {
        var time = random.integer(500 * millisecond, 2 * second)
        while time < faultsEnd {
            let shape = excessDrift && random.chance(0.6)
                ? PartitionShape.isolate(.leader(fallback: random.index(nodes)))
                : drawShape(nodes: nodes, random: &random)
            let length = random.chance(0.6) ? random.integer(500 * millisecond, 4 * second) : random.integer(4 * second, 10 * second)
            let end = min(time + length, faultsEnd)
            if random.chance(0.15) {
                let period = random.integer(100 * millisecond, 500 * millisecond)
                plan.append(PlannedFault(time: time, action: .flap(shape, periodNanoseconds: period, untilNanoseconds: end)))
            } else {
                plan.append(PlannedFault(time: time, action: .partition(shape)))
            }
            plan.append(PlannedFault(time: end, action: .heal))
            time = end + random.integer(200 * millisecond, 2 * second)
        }
    }

    private static func drawShape(nodes: Int, random: inout SeededRandomSource) -> PartitionShape {
        enum Kind { case groups, oneWay, link, bridge, pair, isolateLeader, isolateNode, leaderOutgoing, leaderIncoming }
        let kind = random.weighted([
            (12, Kind.groups), (8, .oneWay), (5, .link), (15, .bridge), (18, .pair),
            (15, .isolateLeader), (10, .isolateNode), (9, .leaderOutgoing), (8, .leaderIncoming),
        ])
        switch kind {
        case .groups:
            let groupCount = nodes > 3 && random.chance(0.3) ? 3 : 2
            var groupOf = (0..<nodes).map { _ in random.index(groupCount) }
            // Make sure at least two groups are non-empty.
            if Set(groupOf).count < 2 { groupOf[random.index(nodes)] = (groupOf[0] + 1) % groupCount }
            return .groups(groupOf: groupOf)
        case .oneWay:
            var sources = (0..<nodes).map { _ in random.chance(0.4) }
            if !sources.contains(true) { sources[random.index(nodes)] = true }
            if !sources.contains(false) { sources[random.index(nodes)] = false }
            return .oneWay(sources: sources)
        case .link:
            let (from, to) = drawPair(nodes: nodes, random: &random)
            return .link(from: from, to: to)
        case .bridge:
            let bridge = random.index(nodes)
            var sideOf = (0..<nodes).map { _ in random.index(2) }
            let others = (0..<nodes).filter { $0 != bridge }
            if Set(others.map { sideOf[$0] }).count < 2 {
                sideOf[others[0]] = 0
                sideOf[others[1]] = 1
            }
            return .bridge(bridge: bridge, sideOf: sideOf)
        case .pair:
            let (first, second) = drawPair(nodes: nodes, random: &random)
            return .pair(first, second)
        case .isolateLeader: return .isolate(.leader(fallback: random.index(nodes)))
        case .isolateNode: return .isolate(.node(random.index(nodes)))
        case .leaderOutgoing: return .leaderOutgoing(fallback: random.index(nodes))
        case .leaderIncoming: return .leaderIncoming(fallback: random.index(nodes))
        }
    }

    private static func drawPair(nodes: Int, random: inout SeededRandomSource) -> (Int, Int) {
        let first = random.index(nodes)
        let second = (first + 1 + random.index(nodes - 1)) % nodes
        return (first, second)
    }

    private static func planWeather(faultsEnd: Int64, random: inout SeededRandomSource, into plan: inout [PlannedFault]) {
        plan.append(PlannedFault(time: 0, action: .weather(.unsettled, name: "unsettled")))
        var time = random.integer(0, 3 * second)
        while time < faultsEnd {
            var weather = NetworkWeather.unsettled
            let name: String
            switch random.index(4) {
            case 0:
                weather.lossyLinksSeed = random.next()
                weather.lossyLinkMaximum = random.uniform(0.05, 0.4)
                // Half of these spells model TCP's retransmission and head-of-line blocking (the
                // loss real peer connections see); the seed's parity decides, drawing nothing more.
                weather.streamsRetransmit = weather.lossyLinksSeed! & 1 == 0
                name = weather.streamsRetransmit ? "lossy links, TCP" : "lossy links"
            case 1:
                name = "slow network"
                weather.jitterProbability = random.uniform(0.1, 0.5)
                weather.jitterMaximumNanoseconds = random.integer(20 * millisecond, 300 * millisecond)
                weather.longDelayProbability = random.uniform(0.01, 0.08)
            case 2:
                name = "duplicating network"
                weather.duplicateProbability = random.uniform(0.05, 0.3)
            default:
                name = "storm"
                weather.lossProbability = random.uniform(0.02, 0.2)
                weather.jitterProbability = random.uniform(0.1, 0.4)
                weather.jitterMaximumNanoseconds = random.integer(10 * millisecond, 200 * millisecond)
                weather.longDelayProbability = random.uniform(0.005, 0.05)
                weather.duplicateProbability = random.uniform(0.02, 0.2)
            }
            let end = min(time + random.integer(1 * second, 5 * second), faultsEnd)
            plan.append(PlannedFault(time: time, action: .weather(weather, name: name)))
            plan.append(PlannedFault(time: end, action: .weather(.unsettled, name: "unsettled")))
            time = end + random.integer(500 * millisecond, 4 * second)
        }
    }

    /// A membership change every 0.3-2 s: often enough that changes overlap crashes,
    /// partitions and elections.
    private static func planMembership(faultsEnd: Int64, random: inout SeededRandomSource, into plan: inout [PlannedFault]) {
        var time = random.integer(500 * millisecond, 2 * second)
        while time < faultsEnd {
            plan.append(PlannedFault(time: time, action: .changeMembership(pick: random.next(), second: random.chance(0.5))))
            time += random.integer(300 * millisecond, 2 * second)
        }
    }

    private static func planProcesses(nodes: Int, faultsEnd: Int64, excessDrift: Bool, random: inout SeededRandomSource,
                                      into plan: inout [PlannedFault]) {
        var time = random.integer(1 * second, 3 * second)
        while time < faultsEnd {
            enum Kind { case crash, crashLeader, quickRestart, pause, pauseLeader, transfer, resign }
            let kind = random.weighted([
                (20, Kind.crash), (15, .crashLeader), (20, .quickRestart), (15, .pause), (10, .pauseLeader),
                (excessDrift ? 60 : 12, .transfer), (8, .resign),
            ])
            let someNode = random.index(nodes)
            let action: FaultAction
            var length: Int64 = 0
            switch kind {
            case .crash:
                length = random.integer(10 * millisecond, 3 * second)
                action = .crash(.node(someNode), downtimeNanoseconds: length)
            case .crashLeader:
                length = random.integer(10 * millisecond, 3 * second)
                action = .crash(.leader(fallback: someNode), downtimeNanoseconds: length)
            case .quickRestart:
                // Back before anyone notices: what the restart embargo is for.
                length = random.integer(1 * millisecond, 30 * millisecond)
                action = .crash(.node(someNode), downtimeNanoseconds: length)
            case .pause:
                length = random.integer(20 * millisecond, 3 * second)
                action = .pause(.node(someNode), durationNanoseconds: length)
            case .pauseLeader:
                length = random.integer(20 * millisecond, 3 * second)
                action = .pause(.leader(fallback: someNode), durationNanoseconds: length)
            case .transfer:
                action = .transferLeadership(toSlowestClock: excessDrift)
            case .resign:
                action = .resign
            }
            plan.append(PlannedFault(time: time, action: action))
            time += length + random.integer(300 * millisecond, 3 * second)
        }
    }
}
