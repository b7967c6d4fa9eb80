import TenureCommandLine
import TenureCore
import TenureJSON
import TenurePOSIX
import TenureSimulation

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
        var configurations: [Configuration] = []
        for id in ids {
            let configuration = Configuration(id: id, voters: ids, heartbeatInterval: heartbeat,
                                              electionTimeoutMin: minimum, electionTimeoutMax: maximum)
            do {
                try configuration.validate()
            } catch {
                command.fail(error.description)
            }
            configurations.append(configuration)
        }
        var cluster = LockstepCluster(configurations: configurations, seed: seed)
        cluster.checksInvariants = false

        // Elect: advance virtual time deadline by deadline until some node holds a lease.
        var steps = 0
        while cluster.leaders.isEmpty {
            steps += 1
            guard steps < 100_000 else {
                Terminal.printError("tenure-lab bench-core: no leader after \(steps) steps")
                return 1
            }
            cluster.step()
        }
        let electionTime = cluster.now
        let leader = cluster.leaders[0]
        let term = cluster[leader].term

        // Warm up, then measure `rounds` heartbeat rounds (one step: the leader's heartbeat
        // deadline, its heartbeats and their acknowledgements).
        for _ in 0..<min(rounds, 200) { cluster.step() }
        cluster.messagesDelivered = 0
        cluster.coreClock = { MonotonicClock.now().nanoseconds }
        let cpuBefore = threadCPUNanoseconds()
        let wallBefore = MonotonicClock.now().nanoseconds
        for _ in 0..<rounds { cluster.step() }
        let cpu = threadCPUNanoseconds() - cpuBefore
        let wall = MonotonicClock.now().nanoseconds - wallBefore
        let messages = cluster.messagesDelivered

        guard cluster.leaders == [leader], cluster[leader].term == term else {
            Terminal.printError("tenure-lab bench-core: the leader changed during steady heartbeats (a bug)")
            return 1
        }
        let perRound = Double(cpu) / Double(rounds)
        let busy = cluster.coreNanoseconds
        let leaderBusy = Double(busy[leader] ?? 0) / Double(rounds)
        let followerBusy = nodeCount > 1
            ? Double(busy.values.reduce(0, +) - (busy[leader] ?? 0)) / Double(rounds * (nodeCount - 1)) : 0
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
