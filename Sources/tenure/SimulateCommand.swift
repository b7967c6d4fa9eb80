import Dispatch
import Synchronization
import TenureCore
import TenureCommandLine
import TenurePOSIX
import TenureSimulation

/// `tenure simulate`: runs seeded fault schedules through real election cores in virtual time,
/// in parallel over the machine's cores, with a progress line and a summary at the end.
///
/// Every failure prints its seed, a compact trace and the command that replays it exactly.
enum SimulateCommand {
    static let usage = """
    usage: tenure simulate [--nodes 5] [--seeds 100] [--seed 1] [--duration 60s] [options]
      --nodes N                 cluster size, 3 to 101 (default 5)
      --seeds N                 how many seeds to run, starting at --seed (default 100)
      --seed S                  the first seed (default 1); with --trace, the one seed to replay
      --duration D              virtual time per seed (default 60s); the last part has no faults
      --trace                   replay one seed and print every step
      --heartbeat-interval D    (default 100ms)
      --lease D                 the leader lease (default: the longest safe one); shorter shortens voters'
                                stickiness, so evidence of a dead leader (a refused connection) fails over sooner
      --beats N                 lease beats per heartbeat interval, 0 to 16 (default 4; 0: heartbeats only)
      --steady-loss P%          no fault schedule: every link loses P% of its packets (TCP retransmits and
                                blocks behind a loss, beats are lost one by one), then the quiet period
      --election-timeout A-B    (default 1000ms-1100ms); also --election-timeout-min/--election-timeout-max
      --clock-drift F           the drift bound nodes are configured with (default 0.01; also --clock-drift-bound)
      --excess-drift            drive clock rates 10-30% off, beyond the bound: lease overlaps are expected and reported
      --membership-changes      remove and add members at random during the faults (one change at a time)
      --mutation NAME           switch one safety rule off (repeatable): \(SimulationMutationNames.all)
      --jobs N                  parallel workers (default: number of cores)
      --quiet                   no progress line
    Exit status: 0 when no seed violated an invariant, 1 when one did, 2 on bad flags.
    """

    struct Flags {
        var options = SimulationOptions()
        var seeds = 100
        var firstSeed: UInt64 = 1
        var trace = false
        var jobs = ProcessEnvironment.processorCount
        var quiet = false
    }

    static let command = Command("tenure simulate", usage: usage)
    static let specification = ParsedArguments.Specification(
        values: ["--nodes", "--seeds", "--seed", "--duration", "--heartbeat-interval", "--election-timeout", "--lease",
                 "--election-timeout-min", "--election-timeout-max", "--clock-drift", "--clock-drift-bound", "--mutation", "--jobs", "--beats", "--steady-loss"],
        switches: ["--trace", "--excess-drift", "--quiet", "--membership-changes"])

    static func parse(_ arguments: [String]) -> Flags {
        // --mutation may be repeated: collect every value before the parser keeps the last.
        var mutations: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--mutation", index + 1 < arguments.count { mutations.append(arguments[index + 1]); index += 1 }
            if argument.hasPrefix("--mutation=") { mutations.append(String(argument.dropFirst("--mutation=".count))) }
            index += 1
        }
        let parsed = command.parse(arguments, specification)
        var flags = Flags()
        do throws(UsageError) {
            if let nodes = try parsed.integer("--nodes", in: 1...1000) { flags.options.nodes = nodes }
            if let seeds = try parsed.integer("--seeds", in: 1...100_000_000) { flags.seeds = seeds }
            if let text = parsed.string("--seed") {
                guard let seed = UInt64(text) else { throw UsageError("--seed '\(text)' is not a non-negative number") }
                flags.firstSeed = seed
            }
            if let duration = try parsed.duration("--duration") { flags.options.duration = duration }
            flags.trace = parsed.has("--trace")
            if let interval = try parsed.duration("--heartbeat-interval") { flags.options.heartbeatInterval = interval }
            if let lease = try parsed.duration("--lease") { flags.options.lease = lease }
            if let beats = try parsed.integer("--beats", in: 0...Configuration.maximumBeatsPerHeartbeat) { flags.options.beatsPerHeartbeat = beats }
            if var text = parsed.string("--steady-loss") {
                let percent = text.hasSuffix("%")
                if percent { text.removeLast() }
                guard let value = Double(text), value.isFinite, value >= 0 else {
                    throw UsageError("--steady-loss '\(parsed.string("--steady-loss")!)' is not a fraction like 0.2 or a percentage like 20%")
                }
                let fraction = percent ? value / 100 : value
                guard fraction <= 0.9 else { throw UsageError("--steady-loss must be at most 90%") }
                flags.options.steadyLoss = fraction
            }
            if let range = try parsed.durationRange("--election-timeout") {
                flags.options.electionTimeoutMin = range.minimum
                flags.options.electionTimeoutMax = range.maximum
            }
            if let minimum = try parsed.duration("--election-timeout-min") { flags.options.electionTimeoutMin = minimum }
            if let maximum = try parsed.duration("--election-timeout-max") { flags.options.electionTimeoutMax = maximum }
            if let drift = try parsed.number("--clock-drift", in: 0...0.5) { flags.options.clockDriftBound = drift }
            if let drift = try parsed.number("--clock-drift-bound", in: 0...0.5) { flags.options.clockDriftBound = drift }
            flags.options.excessDrift = parsed.has("--excess-drift")
            if parsed.has("--membership-changes") { flags.options.membershipChanges = true }
            for text in mutations {
                guard let mutation = SimulationMutation(rawValue: text) else {
                    throw UsageError("--mutation '\(text)' must be one of \(SimulationMutationNames.all)")
                }
                flags.options.enable(mutation)
            }
            if let jobs = try parsed.integer("--jobs", in: 1...256) { flags.jobs = jobs }
            flags.quiet = parsed.has("--quiet")
            do {
                try flags.options.validate()
            } catch {
                throw UsageError("invalid options: \(error.description)")
            }
        } catch {
            command.fail(error)
        }
        return flags
    }

    static func run(_ arguments: [String]) -> Int32 {
        var flags = parse(arguments)
        if flags.trace {
            flags.options.seed = flags.firstSeed
            flags.options.recordFullTrace = true
            let result = Simulator.run(flags.options)
            print(result.report)
            print(result.statistics.summary)
            return result.passed ? 0 : 1
        }
        return runBatch(flags)
    }

    /// Shared progress of the workers.
    struct Progress {
        var completed = 0
        var statistics = SimulationStatistics()
        var failures: [SimulationResult] = []
    }

    static func runBatch(_ flags: Flags) -> Int32 {
        let options = flags.options
        let total = flags.seeds
        let jobs = min(flags.jobs, total)
        let started = MonotonicClock.now()
        let progress = Mutex(Progress())
        let next = Atomic<Int>(0)
        let interactive = Descriptor.isTerminal(2)
        print("simulating \(total) seed(s) of \(options.nodes) nodes, \(options.duration) each, on \(jobs) worker(s)\(options.excessDrift ? ", excess drift" : "")\(options.enabledMutations.isEmpty ? "" : ", mutations: " + options.enabledMutations.map(\.rawValue).joined(separator: ","))")
        Terminal.flush()

        let reporter = DispatchQueue(label: "progress")
        let finished = Atomic<Bool>(false)
        if !flags.quiet {
            reporter.async {
                var lastPrintedDecile = -1
                while !finished.load(ordering: .acquiring) {
                    Terminal.sleep(milliseconds: interactive ? 200 : 1000)
                    let (done, virtual, violations) = progress.withLock { ($0.completed, $0.statistics.virtualTime, $0.failures.count) }
                    let decile = done * 10 / max(total, 1)
                    if interactive || decile != lastPrintedDecile {
                        lastPrintedDecile = decile
                        printProgress(done: done, total: total, virtual: virtual, violations: violations, started: started, interactive: interactive)
                    }
                }
            }
        }

        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while true {
                let offset = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard offset < total else { return }
                var seedOptions = options
                seedOptions.seed = flags.firstSeed &+ UInt64(offset)
                let result = Simulator.run(seedOptions)
                progress.withLock { state in
                    state.completed += 1
                    state.statistics.merge(result.statistics)
                    if !result.passed { state.failures.append(result) }
                }
            }
        }
        finished.store(true, ordering: .releasing)
        reporter.sync {}

        let final = progress.withLock { $0 }
        let wall = MonotonicClock.now() - started
        if !flags.quiet && interactive { printProgress(done: total, total: total, virtual: final.statistics.virtualTime, violations: final.failures.count, started: started, interactive: interactive) }
        if interactive && !flags.quiet { Terminal.printError("") }
        for failure in final.failures.sorted(by: { $0.seed < $1.seed }).prefix(5) {
            print("")
            for violation in failure.violations {
                print("VIOLATION \(violation)")
                for line in violation.trace { print("  \(line)") }
            }
            print(failure.reproduceLine)
        }
        if final.failures.count > 5 { print("... and \(final.failures.count - 5) more failing seed(s): \(final.failures.map(\.seed).sorted().dropFirst(5).prefix(20).map(String.init).joined(separator: " "))") }
        printSummary(final, total: total, wall: wall)
        return final.failures.isEmpty ? 0 : 1
    }

    static func printProgress(done: Int, total: Int, virtual: Interval, violations: Int, started: Instant, interactive: Bool) {
        let wall = max(1e-9, Double((MonotonicClock.now() - started).nanoseconds) / 1e9)
        let width = 30
        let filled = total > 0 ? done * width / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let ratio = Double(virtual.nanoseconds) / 1e9 / wall
        let line = "[\(bar)] \(done)/\(total) seeds  \(format(Double(done) / wall, digits: 1)) seeds/s  simulated/wall \(format(ratio, digits: 0))x  violations \(violations)"
        if interactive {
            let bytes = Array(("\r" + line).utf8)
            Descriptor.writeAll(2, bytes)
        } else {
            print(line)
            Terminal.flush()
        }
    }

    static func printSummary(_ progress: Progress, total: Int, wall: Interval) {
        let statistics = progress.statistics
        let hours = Double(statistics.virtualTime.nanoseconds) / 3.6e12
        let wallSeconds = Double(wall.nanoseconds) / 1e9
        print("")
        print("summary")
        print("  runs                \(statistics.runs)")
        print("  simulated time      \(format(hours, digits: 2)) h in \(format(wallSeconds, digits: 1)) s of wall time (\(format(Double(statistics.virtualTime.nanoseconds) / 1e9 / max(wallSeconds, 1e-9), digits: 0))x)")
        print("  violations          \(progress.failures.count) seed(s)\(progress.failures.isEmpty ? "" : ": " + Set(progress.failures.flatMap { $0.violations.map(\.kind.rawValue) }).sorted().joined(separator: ", "))")
        print("  elections           \(statistics.electionsStarted) (pre-vote rounds \(statistics.preVotesStarted))")
        print("  leader changes      \(statistics.leaderChanges)")
        print("  faults              crashes \(statistics.crashes), pauses \(statistics.pauses), network \(statistics.networkFaults)")
        print("  messages            sent \(statistics.messagesSent), dropped \(statistics.messagesDropped), duplicated \(statistics.messagesDuplicated)")
        print("  lease               lapses \(statistics.leaseLapses), renewals with under 150 ms left \(statistics.lateRenewals) (what tenure run at its defaults stops for)")
        if statistics.failoverTimes.isEmpty {
            print("  failover            none observed")
        } else {
            let points: [(String, Double)] = [("min", 0), ("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1)]
            let text = points.map { name, fraction in "\(name) \(format(statistics.failoverPercentile(fraction)!.milliseconds, digits: 0))ms" }.joined(separator: "  ")
            print("  failover times      \(text)   (\(statistics.failoverTimes.count) failovers)")
            print("  failover histogram")
            for line in histogram(statistics.failoverTimes) { print("    \(line)") }
        }
        print("simulate: \(total - progress.failures.count) passed, \(progress.failures.count) failed")
    }

    /// A text histogram of failover times in 250 ms buckets.
    static func histogram(_ times: [Interval]) -> [String] {
        let bucket = Interval.milliseconds(250)
        var counts: [Int64: Int] = [:]
        for time in times { counts[time.nanoseconds / bucket.nanoseconds, default: 0] += 1 }
        let largest = counts.values.max() ?? 1
        return counts.keys.sorted().prefix(24).map { key in
            let low = key * 250, high = low + 250
            let bar = String(repeating: "#", count: max(1, counts[key]! * 40 / largest))
            return Terminal.padded("\(low)-\(high)ms", to: 14) + Terminal.padded("\(counts[key]!)", to: 7) + bar
        }
    }

    static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        if digits == 0 { return String(scaled) }
        let whole = scaled / Int64(scale), fraction = abs(scaled % Int64(scale))
        let text = String(fraction)
        return "\(whole).\(String(repeating: "0", count: digits - text.count))\(text)"
    }
}

/// The mutation names for usage text.
enum SimulationMutationNames {
    static var all: String { SimulationMutation.allCases.map(\.rawValue).joined(separator: ", ") }
}
