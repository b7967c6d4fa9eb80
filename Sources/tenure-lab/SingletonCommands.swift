import TenureCommandLine
import TenureCore
import TenureEvents
import TenureHistory
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
    usage: tenure-lab check-singleton --file FILE [--min-terms N] [--events 'DIR/*.events.jsonl']
      checks that the workers' running intervals never overlap and that tokens only grow;
      with --events, also that every line was written inside a lease its node held in that
      term (a lease event of that node and term at or before the line, whose end is after it);
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
        let flags = command.parse(arguments, .init(values: ["--file", "--min-terms", "--events"]))
        let path: String
        var minimumTerms = 1
        let eventPatterns = flags.all("--events")
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
        let sorted = samples.sorted { $0.at < $1.at }
        var result = verdict(runs(sorted), minimumTerms: minimumTerms)
        if !eventPatterns.isEmpty {
            let eventFiles = eventPatterns.flatMap(Files.expand)
            let history: History
            do throws(HistoryLoadError) {
                guard !eventFiles.isEmpty else { throw HistoryLoadError("no event log matches \(eventPatterns.joined(separator: ","))") }
                history = try HistoryLoader.load(eventFiles: eventFiles, probeFiles: [], phaseFiles: [])
            } catch {
                Terminal.printError("tenure-lab check-singleton: \(error)")
                return 2
            }
            let outside = linesOutsideLeases(sorted, leases: LeaseCoverage(history.events))
            result.report += "\nlease coverage: \(sorted.count - outside.count) of \(sorted.count) lines inside a lease their node held in their term"
            for line in outside.prefix(10) {
                result.report += "\nVIOLATION: \(line.node) wrote with token \(line.token) at \(line.at) ns, outside any lease it held in that term"
            }
            if !outside.isEmpty {
                result.passed = false
                result.report += "\nsingleton: FAIL (\(outside.count) lines outside a lease)"
            }
        }
        print(result.report)
        return result.passed ? 0 : 1
    }

    /// Every node's lease renewals by term, to answer "did this node hold a lease in this term at
    /// this instant, as far as it could know then?".
    struct LeaseCoverage {
        /// node + term -> (ts, the largest until_ts seen up to ts), sorted by ts.
        var renewals: [String: [(ts: Int64, until: Int64)]] = [:]

        init(_ events: [EventRecord]) {
            for event in events where event.kind == .lease {
                guard let term = event.term, let until = event.untilTs else { continue }
                renewals["\(event.node) \(term)", default: []].append((event.ts, until))
            }
            for key in renewals.keys {
                var list = renewals[key]!.sorted { $0.ts < $1.ts }
                var reach = Int64.min
                for index in list.indices {
                    reach = max(reach, list[index].until)
                    list[index].until = reach
                }
                renewals[key] = list
            }
        }

        /// True when `node` had recorded, at or before `at`, a lease in `term` reaching past `at`.
        func covers(node: String, term: UInt64, at: Int64) -> Bool {
            guard let list = renewals["\(node) \(term)"] else { return false }
            var low = 0, high = list.count
            while low < high {
                let middle = (low + high) / 2
                if list[middle].ts <= at { low = middle + 1 } else { high = middle }
            }
            return low > 0 && at < list[low - 1].until
        }
    }

    static func linesOutsideLeases(_ samples: [(node: String, token: UInt64, at: Int64)], leases: LeaseCoverage) -> [(node: String, token: UInt64, at: Int64)] {
        samples.filter { !leases.covers(node: $0.node, term: $0.token, at: $0.at) }
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
        // Runs of one (node, token) may have gaps: a command stopped by a lapse and started again
        // in the same term. They count as one run; no other node can hold that term.
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
