import TenureCommandLine
import TenureCore
import TenureJSON
import TenurePOSIX

/// `tenure-lab bench-core`: what one heartbeat round costs the election cores, as the cluster grows.
///
/// Builds N `ElectionCore`s in one process and delivers their messages synchronously and
/// instantly (no sockets, no disk: persisting is a no-op), lets them elect a leader, then drives
/// heartbeat rounds and measures the messages exchanged and the thread CPU time spent inside the
/// cores per round. This isolates the protocol's own cost from the shell's (system calls, JSON,
/// HTTP), which the real-process benchmark measures separately.
enum BenchCoreCommand {
    static let usage = """
    usage: tenure-lab bench-core --nodes N [--rounds R] [--heartbeat-interval 100ms]
                                 [--election-timeout 1000ms-1100ms] [--seed 1]
    Timings default to the daemon's defaults.
    Prints one JSON object: messages per heartbeat round, core CPU ns per round and per node.
    """

    static func run(_ arguments: [String]) -> Int32 {
        let command = Command("tenure-lab bench-core", usage: usage)
        let flags = command.parse(arguments, .init(values: ["--nodes", "--rounds", "--heartbeat-interval", "--election-timeout", "--seed"]))
        var nodeCount = 5
        var rounds = 2000
        var heartbeat = Configuration.defaultHeartbeatInterval
        var minimum = Configuration.defaultElectionTimeoutMin
        var maximum = Configuration.defaultElectionTimeoutMax
        var seed: UInt64 = 1
        do throws(UsageError) {
            nodeCount = try flags.integer("--nodes", in: 1...255) ?? nodeCount
            rounds = try flags.integer("--rounds", in: 1...10_000_000) ?? rounds
            heartbeat = try flags.duration("--heartbeat-interval") ?? heartbeat
            if let range = try flags.durationRange("--election-timeout") { (minimum, maximum) = range }
            seed = UInt64(try flags.integer("--seed", in: 0...Int.max) ?? 1)
        } catch {
            command.fail(error)
        }

        let ids = (1...nodeCount).map { NodeID("n\($0)") }
        var cores: [ElectionCore] = []
        for (index, id) in ids.enumerated() {
            let configuration = Configuration(id: id, voters: ids, heartbeatInterval: heartbeat,
                                              electionTimeoutMin: minimum, electionTimeoutMax: maximum)
            do {
                try configuration.validate()
            } catch {
                command.fail(error.description)
            }
            cores.append(ElectionCore(configuration: configuration, hardState: .initial, now: Instant(nanoseconds: 0),
                                      randomSeed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        }
        var cluster = InProcessCluster(cores: cores)

        // Elect: advance virtual time deadline by deadline until some node holds a lease.
        var steps = 0
        while cluster.leaderIndex == nil {
            steps += 1
            guard steps < 100_000 else {
                Terminal.printError("tenure-lab bench-core: no leader after \(steps) steps")
                return 1
            }
            cluster.step()
        }
        let electionTime = cluster.now
        let leaderIndex = cluster.leaderIndex!
        let term = cluster.cores[leaderIndex].term

        // Warm up, then measure `rounds` heartbeat rounds.
        for _ in 0..<min(rounds, 200) { cluster.heartbeatRound() }
        cluster.messages = 0
        cluster.busyNanoseconds = Array(repeating: 0, count: nodeCount)
        let cpuBefore = threadCPUNanoseconds()
        let wallBefore = MonotonicClock.now().nanoseconds
        for _ in 0..<rounds { cluster.heartbeatRound() }
        let cpu = threadCPUNanoseconds() - cpuBefore
        let wall = MonotonicClock.now().nanoseconds - wallBefore
        let messages = cluster.messages

        guard cluster.leaderIndex == leaderIndex, cluster.cores[leaderIndex].term == term else {
            Terminal.printError("tenure-lab bench-core: the leader changed during steady heartbeats (a bug)")
            return 1
        }
        let perRound = Double(cpu) / Double(rounds)
        let leaderBusy = Double(cluster.busyNanoseconds[leaderIndex]) / Double(rounds)
        let followerBusy = nodeCount > 1
            ? Double(cluster.busyNanoseconds.reduce(0, +) - cluster.busyNanoseconds[leaderIndex]) / Double(rounds * (nodeCount - 1)) : 0
        var object = JSONObject()
        object.add("nodes", nodeCount)
        object.add("rounds", rounds)
        object.add("messages_per_round", Double(messages) / Double(rounds))
        object.add("core_cpu_ns_per_round", perRound.rounded())
        object.add("core_cpu_ns_per_node_round", (perRound / Double(nodeCount)).rounded())
        object.add("leader_ns_per_round", leaderBusy.rounded())
        object.add("follower_ns_per_round", followerBusy.rounded())
        object.add("wall_ns_per_round", (Double(wall) / Double(rounds)).rounded())
        object.add("election_virtual_ms", Double(electionTime.nanoseconds) / 1e6)
        object.add("heartbeat_interval_ms", heartbeat.milliseconds)
        object.add("core_cpu_percent_of_one_core", perRound / Double(heartbeat.nanoseconds) * 100)
        print(object.rendered)
        return 0
    }

    static func threadCPUNanoseconds() -> Int64 { MonotonicClock.threadCPUTime().nanoseconds }
}

/// N cores wired together in one process: every message is delivered at once, in order.
struct InProcessCluster {
    var cores: [ElectionCore]
    var now = Instant(nanoseconds: 0)
    var messages = 0
    /// Monotonic-clock time spent inside each core's entry points (single thread, so ~CPU time).
    var busyNanoseconds: [Int64]
    private var queue: [Envelope] = []
    private let indexByID: [NodeID: Int]

    init(cores: [ElectionCore]) {
        self.cores = cores
        self.busyNanoseconds = Array(repeating: 0, count: cores.count)
        var indexByID: [NodeID: Int] = [:]
        for (index, core) in cores.enumerated() { indexByID[core.id] = index }
        self.indexByID = indexByID
    }

    var leaderIndex: Int? { cores.indices.first { cores[$0].isLeader(at: now) } }

    /// Advances to the earliest deadline, runs every core that is due, and delivers everything.
    mutating func step() {
        now = cores.map(\.nextDeadline).min()!
        for index in cores.indices where cores[index].nextDeadline <= now {
            let started = MonotonicClock.now().nanoseconds
            let output = cores[index].advance(to: now)
            busyNanoseconds[index] += MonotonicClock.now().nanoseconds - started
            enqueue(output)
        }
        deliver()
    }

    /// One heartbeat round: advance to the leader's next deadline (its heartbeat), run whatever
    /// is due there, and deliver the heartbeats and their acknowledgements.
    mutating func heartbeatRound() {
        step()
    }

    private mutating func enqueue(_ output: Output) {
        queue.append(contentsOf: output.messages(afterPersisting: { _ in }))
    }

    private mutating func deliver() {
        var head = 0
        while head < queue.count {
            let envelope = queue[head]
            head += 1
            messages += 1
            guard let index = indexByID[envelope.to] else { continue }
            let started = MonotonicClock.now().nanoseconds
            let output = cores[index].receive(envelope, at: now)
            busyNanoseconds[index] += MonotonicClock.now().nanoseconds - started
            enqueue(output)
        }
        queue.removeAll(keepingCapacity: true)
    }
}
