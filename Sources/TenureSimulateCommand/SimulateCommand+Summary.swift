import TenureCommandLine
import TenureCore
import TenureSimulation

/// The summary after a batch: runs, simulated time, violations, elections, faults, messages,
/// lease lapses and the failover times with their histogram.
extension SimulateCommand {
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
