import TenureCore

/// Counts and timings of one run, or of many runs added together.
///
/// Failover times are kept as a distribution (not an average) because the tail is what an
/// operator sizes timeouts for.
public struct SimulationStatistics: Sendable, Hashable {
    /// How many runs these statistics add up.
    public var runs = 0
    /// Simulated time, up to the end of each run or its first violation.
    public var virtualTime = Interval.zero
    /// Actions taken from the event queue (deliveries, timers, disk completions, faults).
    public var steps = 0
    /// Messages that left a node (after their write was durable).
    public var messagesSent = 0
    /// Messages a running node processed.
    public var messagesDelivered = 0
    /// Lost to partitions, random loss, or a dead recipient, plus those lost in a crash before leaving.
    public var messagesDropped = 0
    /// Extra copies the network delivered.
    public var messagesDuplicated = 0
    /// Pre-vote rounds (thesis 9.6); they do not change terms.
    public var preVotesStarted = 0
    /// Elections in a new term (after a won pre-vote, a transfer, or directly without Pre-Vote).
    public var electionsStarted = 0
    /// Times any node became leader.
    public var leaderChanges = 0
    /// Process crashes, planned and targeted.
    public var crashes = 0
    /// Process pauses (SIGSTOP-like).
    public var pauses = 0
    /// Partitions applied, flapping ones included.
    /// Configuration entries a leader saw committed.
    public var membershipChanges = 0
    public var networkFaults = 0
    /// From the moment the lease holder lost its lease, crashed, stopped or was cut off from a
    /// quorum to the moment a leader of another term acquired a lease.
    public var failoverTimes: [Interval] = []
    /// From the end of the faults to the first moment every node agreed on one leader holding
    /// its lease (once per run that lasted long enough to look).
    public var recoveryTimes: [Interval] = []
    /// Violations reported (the first of each kind per run).
    public var violations = 0
    /// Leases that ran out before a renewal (`lease_lost` with reason `expired`).
    public var leaseLapses = 0
    /// Renewals that came with less than `lateRenewalThreshold` of the lease left: what
    /// `tenure run` at its defaults (50 ms margin, 100 ms grace) would have stopped its command
    /// for, or a lapse.
    public var lateRenewals = 0
    /// `tenure run`'s default margin plus grace.
    public static let lateRenewalThreshold = Interval.milliseconds(150)

    /// Empty statistics, to merge runs into.
    public init() {}

    /// Adds another run's statistics to these.
    public mutating func merge(_ other: SimulationStatistics) {
        runs += other.runs
        virtualTime = virtualTime + other.virtualTime
        steps += other.steps
        messagesSent += other.messagesSent
        messagesDelivered += other.messagesDelivered
        messagesDropped += other.messagesDropped
        messagesDuplicated += other.messagesDuplicated
        preVotesStarted += other.preVotesStarted
        electionsStarted += other.electionsStarted
        leaderChanges += other.leaderChanges
        crashes += other.crashes
        pauses += other.pauses
        networkFaults += other.networkFaults
        membershipChanges += other.membershipChanges
        failoverTimes.append(contentsOf: other.failoverTimes)
        recoveryTimes.append(contentsOf: other.recoveryTimes)
        violations += other.violations
        leaseLapses += other.leaseLapses
        lateRenewals += other.lateRenewals
    }

    /// The failover time below which `fraction` (0...1) of the failovers completed.
    public func failoverPercentile(_ fraction: Double) -> Interval? {
        guard !failoverTimes.isEmpty else { return nil }
        let sorted = failoverTimes.sorted()
        let position = Int(Double(sorted.count - 1) * min(max(fraction, 0), 1) + 0.5)
        return sorted[position]
    }

    /// A few lines for the CLI.
    public var summary: String {
        var lines = [
            "runs \(runs), virtual time \(formatSeconds(virtualTime.nanoseconds)), steps \(steps)",
            "messages sent \(messagesSent), delivered \(messagesDelivered), dropped \(messagesDropped), duplicated \(messagesDuplicated)",
            "pre-votes \(preVotesStarted), elections \(electionsStarted), leader changes \(leaderChanges)",
            "crashes \(crashes), pauses \(pauses), network faults \(networkFaults), membership changes committed \(membershipChanges), violations \(violations)",
            "lease lapses \(leaseLapses), renewals with under \(formatMilliseconds(Self.lateRenewalThreshold.nanoseconds)) left \(lateRenewals)",
        ]
        if let median = failoverPercentile(0.5), let p99 = failoverPercentile(0.99), let worst = failoverPercentile(1) {
            lines.append("failover (\(failoverTimes.count)): median \(formatMilliseconds(median.nanoseconds)), p99 \(formatMilliseconds(p99.nanoseconds)), max \(formatMilliseconds(worst.nanoseconds))")
        } else {
            lines.append("failover: none observed")
        }
        if let worst = recoveryTimes.max() {
            let median = recoveryTimes.sorted()[recoveryTimes.count / 2]
            lines.append("leader known to all after the faults stopped (\(recoveryTimes.count)): median \(formatMilliseconds(median.nanoseconds)), max \(formatMilliseconds(worst.nanoseconds))")
        }
        return lines.joined(separator: "\n")
    }
}

/// `12.345s`: virtual time with millisecond precision, the trace's time format.
func formatSeconds(_ nanoseconds: Int64) -> String {
    let sign = nanoseconds < 0 ? "-" : ""
    let milliseconds = abs(nanoseconds) / 1_000_000
    return "\(sign)\(milliseconds / 1000).\(pad(milliseconds % 1000, to: 3))s"
}

/// `1.234ms`: a duration with microsecond precision.
func formatMilliseconds(_ nanoseconds: Int64) -> String {
    let sign = nanoseconds < 0 ? "-" : ""
    let microseconds = abs(nanoseconds) / 1_000
    return "\(sign)\(microseconds / 1000).\(pad(microseconds % 1000, to: 3))ms"
}

func pad(_ value: Int64, to width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
