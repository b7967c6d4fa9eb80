import TenureCore

/// The entry points of the deterministic simulator (docs/testing.md, "Tier 2: deterministic
/// simulation").
///
/// A namespace rather than a type to instantiate: a run is a pure function of its options, so
/// there is nothing to configure or keep between runs, and `tenure simulate`, the tests and
/// benchmarks all call the same functions.
public enum Simulator {
    /// Runs one seed. Invalid options trap: validate them first (the CLI prints the error).
    public static func run(_ options: SimulationOptions) -> SimulationResult {
        do {
            try options.validate()
        } catch {
            preconditionFailure("invalid simulation options: \(error)")
        }
        var simulation = Simulation(options: options)
        return simulation.run()
    }

    /// Runs `options` once per seed and aggregates the statistics; keeps only the failing runs.
    public static func run(_ options: SimulationOptions, seeds: some Sequence<UInt64>) -> SimulationBatchResult {
        var batch = SimulationBatchResult(seeds: [], statistics: SimulationStatistics(), failures: [])
        for seed in seeds {
            var seeded = options
            seeded.seed = seed
            let result = run(seeded)
            batch.seeds.append(seed)
            batch.statistics.merge(result.statistics)
            if !result.passed { batch.failures.append(result) }
        }
        return batch
    }

    /// Runs `seeds` consecutive seeds starting at `options.seed` and measures how much faster
    /// than real time the simulation ran on this machine (wall clock, one core).
    public static func measureSpeed(_ options: SimulationOptions, seeds: Int = 1) -> SimulationSpeed {
        let clock = ContinuousClock()
        let start = clock.now
        let batch = run(options, seeds: options.seed..<(options.seed + UInt64(max(seeds, 1))))
        let elapsed = start.duration(to: clock.now)
        let components = elapsed.components
        let wallSeconds = Double(components.seconds) + Double(components.attoseconds) * 1e-18
        let virtualSeconds = Double(batch.statistics.virtualTime.nanoseconds) / 1e9
        return SimulationSpeed(virtualTime: batch.statistics.virtualTime, wallTime: elapsed,
                               steps: batch.statistics.steps,
                               ratio: wallSeconds > 0 ? virtualSeconds / wallSeconds : .infinity)
    }
}

/// How fast the simulator runs compared with real time.
///
/// Issue 4 requires at least 1000x for five nodes on one core in release builds; this is the
/// number to watch when the core or the simulator gets slower.
public struct SimulationSpeed: Sendable, CustomStringConvertible {
    /// Virtual time simulated across the measured runs.
    public var virtualTime: Interval
    /// Wall-clock time the runs took.
    public var wallTime: Duration
    /// Steps taken across the runs.
    public var steps: Int
    /// Virtual seconds simulated per wall-clock second.
    public var ratio: Double

    /// One line for the CLI and the test log.
    public var description: String {
        "simulated \(formatSeconds(virtualTime.nanoseconds)) (\(steps) steps) in \(wallTime): \(ratio.isFinite ? String(Int(ratio)) : "unmeasurably many")x real time"
    }
}
