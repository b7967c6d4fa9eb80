import Glibc
import TenureHistory
import TenureNode
import TenureJSON

/// `tenure check-history`: checks one partition-test scenario's recorded history (every node's
/// event log, the probes, the harness's phases) for split brain and recovery. Prints a verdict per
/// check and each counterexample; exits 0 when clean, 1 on a violation, 2 on bad input.
enum CheckHistoryCommand {
    static let usage = """
    usage: tenure check-history --events 'DIR/*.events.jsonl' --probes probes.jsonl --scenario NAME
                                [--phase-file phases.jsonl] [--election-timeout 500ms-600ms] [--lease 440ms]
                                [--allowance 1s] [--tolerate-leader-changes N] [--summary FILE] [--quiet]
      --events      event logs (a pattern or a file; repeat or separate with commas)
      --probes      probe files written by tenure probe (repeatable)
      --phase-file  the harness's phases: config, fault start/stop, heal, kills, exits, end
      --allowance   time added to every liveness bound, never to a safety check (default 1s)
      --summary     append one JSON line with the verdict and the measured figures
    """

    static func bad(_ message: String) -> Never {
        Terminal.printError("tenure check-history: \(message)\n\(usage)")
        exit(2)
    }

    static func run(_ arguments: [String]) -> Int32 {
        var eventPatterns: [String] = []
        var probeFiles: [String] = []
        var phaseFiles: [String] = []
        var scenario = "scenario"
        var summary: String?
        var quiet = false
        var options = CheckOptions(scenario: scenario)
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { bad("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        func nanoseconds(_ text: String, _ flag: String) -> Int64 {
            guard let interval = DurationText.parse(text) else { bad("\(flag) '\(text)' is not a duration such as 500ms") }
            return interval.nanoseconds
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--events": eventPatterns += value().split(separator: ",").map(String.init)
            case "--probes": probeFiles += value().split(separator: ",").map(String.init)
            case "--phase-file", "--phases": phaseFiles.append(value())
            case "--scenario": scenario = value()
            case "--election-timeout":
                let text = value()
                let parts = text.split(separator: "-").map(String.init)
                guard parts.count == 2 else { bad("--election-timeout '\(text)' must be MIN-MAX such as 500ms-600ms") }
                options.electionTimeoutMinNanoseconds = nanoseconds(parts[0], "--election-timeout")
                options.electionTimeoutMaxNanoseconds = nanoseconds(parts[1], "--election-timeout")
            case "--lease": options.leaseNanoseconds = nanoseconds(value(), "--lease")
            case "--allowance": options.livenessAllowanceNanoseconds = nanoseconds(value(), "--allowance")
            case "--stable": options.minimumStableNanoseconds = nanoseconds(value(), "--stable")
            case "--tolerate-leader-changes":
                let text = value()
                guard let count = Int(text), count >= 0 else { bad("--tolerate-leader-changes '\(text)' must be a count") }
                options.toleratedLeaderChanges = count
            case "--summary": summary = value()
            case "--quiet": quiet = true
            case "-h", "--help": print(usage); return 0
            default: bad("unknown option '\(arguments[index])'")
            }
            index += 1
        }
        options.scenario = scenario
        let eventFiles = eventPatterns.flatMap(HistoryFiles.expand)
        guard !eventFiles.isEmpty else { bad("no event log matches \(eventPatterns.joined(separator: ","))") }
        let history: History
        do {
            history = try HistoryLoader.load(eventFiles: eventFiles, probeFiles: probeFiles, phaseFiles: phaseFiles)
        } catch {
            Terminal.printError("tenure check-history: \(error)")
            return 2
        }
        let report = HistoryChecker(history: history, options: options).run()
        if quiet && report.passed {
            print("scenario \(scenario): PASS  \(report.figures.json)")
        } else {
            print(report.render(history))
        }
        if let summary {
            let checks = report.outcomes.map { "\(JSONObject.quoted($0.check)):\(JSONObject.quoted($0.status.rawValue))" }.joined(separator: ",")
            let line = "{\"scenario\":\(JSONObject.quoted(scenario)),\"passed\":\(report.passed),\"violations\":\(report.violations.count),\"figures\":\(report.figures.json),\"checks\":{\(checks)}}\n"
            HistoryFiles.append(line, to: summary)
        }
        return report.passed ? 0 : 1
    }
}

/// `tenure now-ns` (for scripts): prints `CLOCK_MONOTONIC` in nanoseconds, the clock the nodes'
/// event logs and the probes use, so a shell harness can stamp its phases on the same clock.
enum NowCommand {
    static func run(_ arguments: [String]) -> Int32 {
        print(ProbeCommand.monotonicNow())
        return 0
    }
}
