import TenureCommandLine
import TenureCore
import TenurePOSIX
import TenureSimulation

/// `simulate` of both executables: runs seeded fault schedules through real election cores in
/// virtual time, in parallel over the machine's cores, with a progress line and a summary.
///
/// `tenure simulate` ships; `tenure-lab simulate` takes the same flags plus `--mutation`, which
/// switches a safety rule off to prove the checks catch its loss. One parser and one report serve
/// both, so they cannot drift apart, and the switches stay out of the shipped command. Every
/// failure prints its seed, a compact trace and the command that replays it exactly.
public struct SimulateCommand: Sendable {
    /// Which executable runs the command, and so whether the safety mutations are on offer.
    public enum Edition: Sendable {
        /// `tenure simulate`: `--mutation` is refused with exit status 2.
        case product
        /// `tenure-lab simulate`: `--mutation NAME` switches one safety rule off (repeatable).
        case lab
    }

    public let edition: Edition

    public init(_ edition: Edition) { self.edition = edition }

    /// The command's name as its usage and errors print it.
    public var name: String {
        switch edition {
        case .product: "tenure simulate"
        case .lab: "tenure-lab simulate"
        }
    }

    public var usage: String {
        let mutation = edition == .lab
            ? "\n  --mutation NAME           switch one safety rule off (repeatable): \(SimulationMutation.allCases.map(\.rawValue).joined(separator: ", "))"
            : ""
        return """
        usage: \(name) [--nodes 5] [--seeds 100] [--seed 1] [--duration 60s] [options]
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
          --membership-changes      remove and add members at random during the faults (one change at a time)\(mutation)
          --jobs N                  parallel workers (default: number of cores)
          --quiet                   no progress line
        Exit status: 0 when no seed violated an invariant, 1 when one did, 2 on bad flags.
        """
    }

    /// What one invocation asked for.
    struct Flags {
        var options = SimulationOptions()
        var seeds = 100
        var firstSeed: UInt64 = 1
        var trace = false
        var jobs = ProcessEnvironment.processorCount
        var quiet = false
    }

    /// Both editions parse `--mutation`, so the product can refuse it by name rather than as an
    /// unknown flag.
    static let specification = ParsedArguments.Specification(
        values: ["--nodes", "--seeds", "--seed", "--duration", "--heartbeat-interval", "--election-timeout", "--lease",
                 "--election-timeout-min", "--election-timeout-max", "--clock-drift", "--clock-drift-bound", "--mutation", "--jobs", "--beats", "--steady-loss"],
        switches: ["--trace", "--excess-drift", "--quiet", "--membership-changes"])

    /// Parses and validates `arguments` (without the subcommand); `--help` and mistakes exit.
    public func run(_ arguments: [String]) -> Int32 {
        let command = Command(name, usage: usage)
        let parsed = command.parse(arguments, Self.specification)
        var flags: Flags
        do {
            flags = try self.flags(parsed)
        } catch {
            command.fail(error)
        }
        if flags.trace {
            flags.options.seed = flags.firstSeed
            flags.options.recordFullTrace = true
            let result = Simulator.run(flags.options)
            print(result.report)
            print(result.statistics.summary)
            return result.passed ? 0 : 1
        }
        return Self.runBatch(flags)
    }

    /// The flags `parsed` asks for, range-checked and validated as simulator options.
    func flags(_ parsed: ParsedArguments) throws(UsageError) -> Flags {
        let mutations = parsed.repeated["--mutation"] ?? []
        if edition == .product, !mutations.isEmpty {
            throw UsageError("--mutation switches a safety rule off and is test tooling: run tenure-lab simulate --mutation \(mutations[0]) instead")
        }
        var flags = Flags()
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
        if let text = parsed.string("--steady-loss") { flags.options.steadyLoss = try Self.lossFraction(text) }
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
                throw UsageError("--mutation '\(text)' must be one of \(SimulationMutation.allCases.map(\.rawValue).joined(separator: ", "))")
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
        return flags
    }

    /// `--steady-loss`: a fraction such as 0.2 or a percentage such as 20%, at most 90%.
    static func lossFraction(_ original: String) throws(UsageError) -> Double {
        var text = original
        let percent = text.hasSuffix("%")
        if percent { text.removeLast() }
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw UsageError("--steady-loss '\(original)' is not a fraction like 0.2 or a percentage like 20%")
        }
        let fraction = percent ? value / 100 : value
        guard fraction <= 0.9 else { throw UsageError("--steady-loss must be at most 90%") }
        return fraction
    }
}
