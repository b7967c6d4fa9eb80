import TenureCommandLine
import TenureCore
import TenurePOSIX

/// `tenure-lab singleton-worker` and `tenure-lab check-singleton`: the proof that `tenure run`
/// keeps its command on exactly one machine at a time.
///
/// The worker is what `tenure run` starts on every node: every few milliseconds it appends
/// `NODE TOKEN MONOTONIC_NS` (from `TENURE_NODE_ID`, `TENURE_FENCING_TOKEN` and CLOCK_MONOTONIC,
/// which every process on the machine shares) to one shared file, one `write(2)` per line on an
/// `O_APPEND` descriptor. The checker rebuilds each worker's running interval from its lines and
/// requires that no two intervals overlap and that tokens only grow.
enum SingletonCommands {
    static let workerUsage = """
    usage: tenure-lab singleton-worker --out FILE [--interval 5ms] [--exit-after DURATION]
      appends "NODE TOKEN MONOTONIC_NS" every interval; --exit-after makes it crash on purpose
    """

    static func worker(_ arguments: [String]) -> Int32 {
        let command = Command("tenure-lab singleton-worker", usage: workerUsage)
        let flags = command.parse(arguments, .init(values: ["--out", "--interval", "--exit-after"]))
        var interval = Interval.milliseconds(5)
        var exitAfter: Interval?
        let path: String
        do throws(UsageError) {
            path = try flags.required("--out")
            interval = try flags.duration("--interval") ?? interval
            exitAfter = try flags.duration("--exit-after")
        } catch {
            command.fail(error)
        }
        let node = Terminal.environment("TENURE_NODE_ID") ?? "?"
        let token = Terminal.environment("TENURE_FENCING_TOKEN") ?? "0"
        let fd: Int32
        do {
            fd = try Files.openForAppending(path)
        } catch {
            Terminal.printError("tenure-lab singleton-worker: \(error)")
            return 1
        }
        let started = MonotonicClock.now()
        var next = started
        while true {
            let now = MonotonicClock.now()
            Descriptor.writeAll(fd, Array("\(node) \(token) \(now.nanoseconds)\n".utf8))
            if let exitAfter, now - started >= exitAfter { return 3 }
            next = next + interval
            MonotonicClock.sleep(until: max(next, MonotonicClock.now()))
        }
    }

    static let checkUsage = """
    usage: tenure-lab check-singleton --file FILE [--min-terms N]
      checks that the workers' running intervals never overlap and that tokens only grow;
      prints a timeline; exits 0 when clean, 1 on a violation
    """

    /// One worker's run: consecutive lines of one node and token.
    struct Run {
        var node: String
        var token: UInt64
        var first: Int64
        var last: Int64
        var lines: Int
    }

    static func check(_ arguments: [String]) -> Int32 {
        let command = Command("tenure-lab check-singleton", usage: checkUsage)
        let flags = command.parse(arguments, .init(values: ["--file", "--min-terms"]))
        let path: String
        var minimumTerms = 1
        do throws(UsageError) {
            path = try flags.required("--file")
            minimumTerms = try flags.integer("--min-terms", in: 1...1_000_000) ?? 1
        } catch {
            command.fail(error)
        }
        guard let text = Files.readText(path) else {
            Terminal.printError("tenure-lab check-singleton: cannot read \(path)")
            return 2
        }
        var samples: [(node: String, token: UInt64, at: Int64)] = []
        for (number, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let token = UInt64(fields[1]), let at = Int64(fields[2]) else {
                Terminal.printError("tenure-lab check-singleton: \(path):\(number + 1): not 'NODE TOKEN NS': \(line.prefix(80))")
                return 2
            }
            samples.append((String(fields[0]), token, at))
        }
        let result = verdict(runs(samples.sorted { $0.at < $1.at }), minimumTerms: minimumTerms)
        print(result.report)
        return result.passed ? 0 : 1
    }

    /// Groups time-ordered samples into runs of one (node, token).
    static func runs(_ samples: [(node: String, token: UInt64, at: Int64)]) -> [Run] {
        var runs: [Run] = []
        var open: [String: Int] = [:] // "node token" -> index in runs
        for sample in samples {
            let key = "\(sample.node) \(sample.token)"
            if let index = open[key] {
                runs[index].last = sample.at
                runs[index].lines += 1
            } else {
                open[key] = runs.count
                runs.append(Run(node: sample.node, token: sample.token, first: sample.at, last: sample.at, lines: 1))
            }
        }
        return runs.sorted { $0.first < $1.first }
    }

    static func verdict(_ runs: [Run], minimumTerms: Int) -> (passed: Bool, report: String) {
        var lines: [String] = []
        var violations: [String] = []
        let origin = runs.first?.first ?? 0
        func at(_ ns: Int64) -> String { "+" + milliseconds(ns - origin) }
        var smallestGap: Int64?
        for (index, run) in runs.enumerated() {
            lines.append("  \(run.node) token \(run.token): \(at(run.first)) .. \(at(run.last))  (\(run.lines) lines)")
            guard index > 0 else { continue }
            let previous = runs[index - 1]
            let gap = run.first - runs[..<index].map(\.last).max()!
            if gap <= 0 {
                violations.append("\(run.node) (token \(run.token)) ran from \(at(run.first)) while \(previous.node) (token \(previous.token)) still ran until \(at(previous.last)): overlap \(milliseconds(-gap))")
            } else {
                smallestGap = min(smallestGap ?? gap, gap)
            }
            if run.token <= previous.token {
                violations.append("token went from \(previous.token) (\(previous.node)) to \(run.token) (\(run.node)): tokens must only grow")
            }
        }
        let terms = Set(runs.map(\.token)).count
        if terms < minimumTerms { violations.append("only \(terms) term(s) ran a worker, fewer than \(minimumTerms)") }
        var report = "singleton: \(runs.count) worker runs over \(terms) terms"
        if let smallestGap { report += ", smallest gap between workers \(milliseconds(smallestGap))" }
        report += "\n" + lines.joined(separator: "\n")
        for violation in violations { report += "\nVIOLATION: \(violation)" }
        report += violations.isEmpty ? "\nsingleton: PASS" : "\nsingleton: FAIL"
        return (violations.isEmpty, report)
    }

    static func milliseconds(_ nanoseconds: Int64) -> String {
        let tenths = (nanoseconds + 50_000) / 100_000
        return "\(tenths / 10).\(abs(tenths % 10)) ms"
    }
}
