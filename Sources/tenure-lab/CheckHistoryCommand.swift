import TenureCommandLine
import TenureHistory
import TenureJSON
import TenurePOSIX

/// `tenure-lab check-history`: checks one partition-test scenario's recorded history (every node's
/// event log, the probes, the harness's phases) for split brain and recovery. Prints a verdict per
/// check and each counterexample; exits 0 when clean, 1 on a violation, 2 on bad input.
enum CheckHistoryCommand {
    static let usage = """
    usage: tenure-lab check-history --events 'DIR/*.events.jsonl' --probes probes.jsonl --scenario NAME
                                [--phase-file phases.jsonl] [--election-timeout 500ms-600ms] [--lease 440ms]
                                [--allowance 1s] [--tolerate-leader-changes N] [--summary FILE] [--quiet]
      --events      event logs (a pattern or a file; repeat or separate with commas)
      --probes      probe files written by tenure-lab probe (repeatable)
      --phase-file  the harness's phases: config, fault start/stop, heal, kills, exits, end
      --allowance   time added to every liveness bound, never to a safety check (default 1s)
      --summary     append one JSON line with the verdict and the measured figures
      --removed     nodes removed from the configuration during the scenario (left out of convergence)
    """

    static let command = Command("tenure-lab check-history", usage: usage)

    static func bad(_ message: String) -> Never { command.fail(message) }

    static func run(_ arguments: [String]) -> Int32 {
        let parsed = command.parse(arguments, .init(
            values: ["--events", "--probes", "--phase-file", "--phases", "--scenario", "--election-timeout", "--lease",
                     "--allowance", "--stable", "--tolerate-leader-changes", "--summary", "--removed"],
            switches: ["--quiet"]))
        let eventPatterns = parsed.all("--events")
        let probeFiles = parsed.all("--probes")
        let phaseFiles = (parsed.repeated["--phase-file"] ?? []) + (parsed.repeated["--phases"] ?? [])
        let scenario = parsed.string("--scenario") ?? "scenario"
        let summary = parsed.string("--summary")
        let quiet = parsed.has("--quiet")
        var options = CheckOptions(scenario: scenario)
        do throws(UsageError) {
            if let range = try parsed.durationRange("--election-timeout") {
                options.electionTimeoutMinNanoseconds = range.minimum.nanoseconds
                options.electionTimeoutMaxNanoseconds = range.maximum.nanoseconds
            }
            if let lease = try parsed.duration("--lease") { options.leaseNanoseconds = lease.nanoseconds }
            if let allowance = try parsed.duration("--allowance", minimum: .zero) { options.livenessAllowanceNanoseconds = allowance.nanoseconds }
            if let stable = try parsed.duration("--stable", minimum: .zero) { options.minimumStableNanoseconds = stable.nanoseconds }
            if let count = try parsed.integer("--tolerate-leader-changes", in: 0...1_000_000) { options.toleratedLeaderChanges = count }
        } catch {
            command.fail(error)
        }
        options.scenario = scenario
        options.removedNodes = Set(parsed.list("--removed") ?? [])
        let eventFiles = eventPatterns.flatMap(Files.expand)
        guard !eventFiles.isEmpty else { bad("no event log matches \(eventPatterns.joined(separator: ","))") }
        let history: History
        do {
            history = try HistoryLoader.load(eventFiles: eventFiles, probeFiles: probeFiles, phaseFiles: phaseFiles)
        } catch {
            Terminal.printError("tenure-lab check-history: \(error)")
            return 2
        }
        let report = HistoryChecker(history: history, options: options).run()
        if quiet && report.passed {
            print("scenario \(scenario): PASS  \(report.figures.json)")
        } else {
            print(report.render(history))
        }
        if let summary {
            var checks = JSONObject()
            for outcome in report.outcomes { checks.add(outcome.check, outcome.status.rawValue) }
            var line = JSONObject()
            line.add("scenario", scenario)
            line.add("passed", report.passed)
            line.add("violations", report.violations.count)
            line.add("figures", report.figures.jsonObject)
            line.add("checks", checks)
            Files.append(line.rendered + "\n", to: summary)
        }
        return report.passed ? 0 : 1
    }
}

/// `tenure-lab now-ns` (for scripts): prints `CLOCK_MONOTONIC` in nanoseconds, the clock the nodes'
/// event logs and the probes use, so a shell harness can stamp its phases on the same clock.
enum NowCommand {
    static func run(_ arguments: [String]) -> Int32 {
        _ = Command("tenure-lab now-ns", usage: "usage: tenure-lab now-ns").parse(arguments, .init())
        print(MonotonicClock.now().nanoseconds)
        return 0
    }
}
