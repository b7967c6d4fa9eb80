import TenureAPI
import TenureCommandLine
import TenureCore
import TenureEvents
import TenureHTTP
import TenureJSON
import TenurePOSIX

/// `tenure bench-probe`: the precise half of `cluster/bench`.
///
/// Timing a failover from a shell script would measure the shell (fork, curl, jq) as much as the
/// cluster. This tool sends the signal (or runs the isolation command) itself, stamps that instant
/// on `CLOCK_MONOTONIC`, and polls every endpoint from its own thread every few milliseconds, so
/// every figure is the difference of two readings of one clock in one process. It speaks to Tenure
/// (`GET /v1/status`) and to etcd (`POST /v3/maintenance/status`) through the same code, which is
/// what makes the side-by-side comparison fair. Like the rest of the CLI it links no Foundation
/// (threads are pthreads, JSON is TenureJSON's reader and writer).
///
/// Modes (each prints one JSON object on stdout, `stalls` one per stall):
///   failover  signal a pid, then poll the survivors until one names a leader other than the old one
///   isolate   poll every node, run an isolation command, record who claimed leadership when
///   stable    wait until every node agrees on one leader that claims leadership itself
///   window    poll every node for a while: leader changes, time with no leader, dual leaders
///   stalls    report scheduling stalls of this machine while a benchmark runs
enum BenchProbe {
    static let usage = """
    usage: tenure-lab bench-probe MODE --system tenure|etcd --endpoints HOST:PORT,... [options]
      failover --kill-pid PID [--signal KILL|TERM] --old-leader ID [--timeout 20s]
               time from the signal to the first endpoint naming a leader other than ID
      isolate  --old-leader-index I --command 'SHELL COMMAND' [--before 300ms] [--max 10s]
               [--linger 1500ms] [--event-logs F1,F2,...]
               per-node claim intervals around the command; dual-leader window
      stable   [--timeout 20s] [--agree 3]
               wait until every endpoint names the same leader and that leader claims it
      window   --duration 60s
               poll every endpoint for the duration: leader changes, time no node claimed
               leadership (total and longest stretch), time two claimed at once
      stalls   --max-duration 3600s [--threshold 50ms]   (no --system or --endpoints)
               sleep 5 ms at a time and print every oversleep beyond the threshold: the machine
               (or this process) did not run for that long, which disturbs every timing
    common: --interval 5ms (poll period per endpoint), --request-timeout 200ms
    The old leader ID is a node id for tenure and a member id (decimal) for etcd.
    """

    static let command = Command("tenure-lab bench-probe", usage: usage)

    static func run(_ arguments: [String]) -> Int32 {
        guard let mode = arguments.first else { usageError("missing mode") }
        if mode == "-h" || mode == "--help" || mode == "help" {
            print(usage)
            return 0
        }
        let common: Set<String> = ["--system", "--endpoints", "--interval", "--request-timeout"]
        let known: [String: Set<String>] = [
            "failover": common.union(["--kill-pid", "--signal", "--old-leader", "--timeout"]),
            "isolate": common.union(["--old-leader-index", "--command", "--before", "--max", "--linger", "--event-logs"]),
            "stable": common.union(["--timeout", "--agree"]),
            "window": common.union(["--duration"]),
            "stalls": ["--max-duration", "--threshold"],
        ]
        guard let names = known[mode] else { usageError("unknown mode '\(mode)'") }
        let flags = BenchFlags(command.parse(Array(arguments.dropFirst()), .init(values: names)))
        if mode == "stalls" { return stalls(flags) }
        guard let system = ProbeSystem(rawValue: flags.string("system") ?? "") else {
            usageError("--system must be tenure or etcd")
        }
        let endpoints = (flags.string("endpoints") ?? "").split(separator: ",").map(String.init)
        guard !endpoints.isEmpty else { usageError("--endpoints is required") }
        let settings = ProbeSettings(
            system: system, endpoints: endpoints,
            interval: flags.duration("interval", default: .milliseconds(5)),
            requestTimeoutMilliseconds: Int(flags.duration("request-timeout", default: .milliseconds(200)).nanoseconds / 1_000_000))
        switch mode {
        case "failover": return failover(settings, flags)
        case "isolate": return isolate(settings, flags)
        case "stable": return stable(settings, flags)
        case "window": return window(settings, flags)
        default: usageError("unknown mode '\(mode)'")
        }
    }

    static func usageError(_ message: String) -> Never { command.fail(message) }

    // MARK: - failover

    /// Signals the leader, then polls the survivors; the answer is the first poll (by receive
    /// time) that names a leader other than the old one.
    static func failover(_ settings: ProbeSettings, _ flags: BenchFlags) -> Int32 {
        guard let pid = Int32(flags.string("kill-pid") ?? "") else { usageError("--kill-pid is required") }
        guard let oldLeader = flags.string("old-leader") else { usageError("--old-leader is required") }
        let signal: ChildProcess.Signal
        switch flags.string("signal") ?? "KILL" {
        case "KILL": signal = .kill
        case "TERM": signal = .terminate
        case let other: usageError("--signal must be KILL or TERM, got \(other)")
        }
        let timeout = Interval.milliseconds(Int64(flags.milliseconds("timeout", default: 20_000)))

        let poller = Poller(settings: settings)
        let signalledAt = MonotonicClock.now()
        do {
            try ChildProcess.send(signal, to: pid)
        } catch {
            Terminal.printError("tenure-lab bench-probe: \(error)")
            return 1
        }
        poller.start(until: signalledAt + timeout) { sample in
            sample.received > signalledAt && sample.leader != nil && sample.leader != oldLeader
        }
        poller.wait()

        let samples = poller.allSamples().flatMap { $0 }.filter { $0.sent >= signalledAt }
        let named = samples.filter { $0.leader != nil && $0.leader != oldLeader }.min { $0.received < $1.received }
        let claimed = samples.filter { $0.claims && $0.leader != oldLeader }.min { $0.received < $1.received }
        var result = JSONObject()
        result.add("ok", named != nil)
        if let named {
            result.add("ms", milliseconds(named.received - signalledAt))
            result.add("leader", named.leader)
            result.add("term", named.term)
            result.add("seen_by", settings.endpoints[named.endpointIndex])
            result.add("claim_ms", claimed.map { milliseconds($0.received - signalledAt) })
        } else {
            result.add("error", "no new leader within \(timeout)")
        }
        result.add("signal", signal == .kill ? "KILL" : "TERM")
        result.add("signalled_ns", signalledAt.nanoseconds)
        result.add("polls", samples.count)
        result.add("failed_polls", samples.filter { !$0.answered }.count)
        print(result.rendered)
        return named == nil ? 1 : 0
    }

    // MARK: - isolate

    /// Polls every node, runs the isolation command, and keeps polling until the old leader has
    /// stopped claiming, another node claims, and a linger period has passed (or a limit).
    static func isolate(_ settings: ProbeSettings, _ flags: BenchFlags) -> Int32 {
        guard let oldIndex = Int(flags.string("old-leader-index") ?? ""), settings.endpoints.indices.contains(oldIndex) else {
            usageError("--old-leader-index must index --endpoints")
        }
        guard let command = flags.string("command") else { usageError("--command is required") }
        let before = Interval.milliseconds(Int64(flags.milliseconds("before", default: 300)))
        let maximum = Interval.milliseconds(Int64(flags.milliseconds("max", default: 10_000)))
        let linger = Interval.milliseconds(Int64(flags.milliseconds("linger", default: 1500)))
        let eventLogs = (flags.string("event-logs") ?? "").split(separator: ",").map(String.init)

        let poller = Poller(settings: settings)
        let startedAt = MonotonicClock.now()
        poller.start(until: startedAt + before + maximum + linger) { _ in false }
        sleepUntil(startedAt + before)
        let commandStartedAt = MonotonicClock.now()
        let status = ChildProcess.runShell(command)
        let isolatedAt = MonotonicClock.now()
        guard status == 0 else {
            poller.stop()
            poller.wait()
            Terminal.printError("tenure-lab bench-probe: isolation command exited \(status)")
            return 1
        }

        // Done when the old leader answered "not leader" after isolation, some other node claimed,
        // and `linger` has passed since both (to catch a late claim by the old leader).
        var settledAt: Instant?
        while MonotonicClock.now() < isolatedAt + maximum + linger {
            let all = poller.allSamples()
            let oldStopped = all[oldIndex].contains { $0.sent >= isolatedAt && $0.answered && !$0.claims }
                && !(all[oldIndex].last?.claims ?? true)
            let otherClaims = all.indices.contains { index in
                index != oldIndex && all[index].contains { $0.sent >= isolatedAt && $0.claims }
            }
            if oldStopped && otherClaims {
                if settledAt == nil { settledAt = MonotonicClock.now() }
            } else if MonotonicClock.now() >= isolatedAt + maximum {
                break
            }
            if let settledAt, MonotonicClock.now() >= settledAt + linger { break }
            sleepUntil(MonotonicClock.now() + .milliseconds(20))
        }
        poller.stop()
        poller.wait()

        let all = poller.allSamples()
        var result = JSONObject()
        let oldSamples = all[oldIndex].filter { $0.sent >= isolatedAt }
        let lastClaim = oldSamples.lastIndex { $0.claims }
        let stoppedSample: ProbeSample?
        if let lastClaim {
            stoppedSample = oldSamples[(lastClaim + 1)...].first { $0.answered }
        } else {
            stoppedSample = oldSamples.first { $0.answered }
        }
        var firstNewClaim: ProbeSample?
        for index in all.indices where index != oldIndex {
            for sample in all[index] where sample.sent >= isolatedAt && sample.claims {
                if firstNewClaim == nil || sample.received < firstNewClaim!.received { firstNewClaim = sample }
                break
            }
        }
        result.add("complete", stoppedSample != nil && firstNewClaim != nil)
        result.add("old_leader", all[oldIndex].last { $0.leader != nil }?.leader)
        result.add("old_last_claim_ms", lastClaim.map { milliseconds(oldSamples[$0].received - isolatedAt) })
        result.add("old_stop_ms", stoppedSample.map { milliseconds($0.received - isolatedAt) })
        result.add("elected_ms", firstNewClaim.map { milliseconds($0.received - isolatedAt) })
        result.add("new_leader", firstNewClaim?.leader)
        result.add("new_term", firstNewClaim?.term)

        // Claim intervals: maximal runs of consecutive claiming answers, from the receive time of
        // the first to that of the last. The dual-leader window is the time covered by two or
        // more nodes' intervals at once: what a client polling every node would have seen.
        var intervals: [(node: Int, start: Instant, end: Instant)] = []
        for index in all.indices {
            var runStart: Instant?
            var runEnd: Instant?
            for sample in all[index] where sample.answered {
                if sample.claims {
                    if runStart == nil { runStart = sample.received }
                    runEnd = sample.received
                } else if let start = runStart, let end = runEnd {
                    intervals.append((index, start, end))
                    runStart = nil
                    runEnd = nil
                }
            }
            if let start = runStart, let end = runEnd { intervals.append((index, start, end)) }
        }
        let dual = overlapMeasure(intervals)
        result.add("dual_ms", milliseconds(dual.total))
        result.add("dual_nodes_max", dual.maximumConcurrent)
        result.add("claims", intervals.map { interval -> JSONObject in
            var entry = JSONObject()
            entry.add("node", interval.node)
            entry.add("from_ms", milliseconds(interval.start - isolatedAt))
            entry.add("to_ms", milliseconds(interval.end - isolatedAt))
            return entry
        })
        if settings.system == .tenure, eventLogs.count == settings.endpoints.count,
           let gap = leaseGap(eventLogs: eventLogs, oldIndex: oldIndex, after: isolatedAt - .seconds(3)) {
            result.add("lease_gap_ms", milliseconds(gap.gap))
            result.add("old_lease_end_ms", milliseconds(gap.oldEnd - isolatedAt))
            result.add("new_lease_start_ms", milliseconds(gap.newStart - isolatedAt))
        }
        result.add("isolated_ns", isolatedAt.nanoseconds)
        result.add("command_ms", milliseconds(isolatedAt - commandStartedAt))
        result.add("polls", all.reduce(0) { $0 + $1.count })
        result.add("failed_polls", all.reduce(0) { $0 + $1.filter { !$0.answered }.count })
        print(result.rendered)
        return 0
    }

    /// Time during which at least two intervals of different nodes overlap, and the largest number
    /// of nodes claiming at one instant.
    static func overlapMeasure(_ intervals: [(node: Int, start: Instant, end: Instant)]) -> (total: Interval, maximumConcurrent: Int) {
        var edges: [(at: Instant, delta: Int)] = []
        for interval in intervals where interval.end > interval.start {
            edges.append((interval.start, 1))
            edges.append((interval.end, -1))
        }
        // Ends before starts at the same instant: touching intervals do not overlap.
        edges.sort { $0.at < $1.at || ($0.at == $1.at && $0.delta < $1.delta) }
        var active = 0
        var maximum = intervals.isEmpty ? 0 : 1
        var total = Interval.zero
        var previous: Instant?
        for edge in edges {
            if let previous, active >= 2 { total = total + (edge.at - previous) }
            active += edge.delta
            maximum = max(maximum, active)
            previous = edge.at
        }
        return (total, maximum)
    }

    /// From the nodes' own event logs (exact, on the shared monotonic clock): when the old
    /// leader's last lease ended and when a leader of a later term first acquired one.
    static func leaseGap(eventLogs: [String], oldIndex: Int, after: Instant) -> (gap: Interval, oldEnd: Instant, newStart: Instant)? {
        func events(_ path: String) -> [EventRecord] {
            // The tail is enough (the window starts a few seconds before the isolation), and
            // it bounds the reading however long the session ran.
            guard let text = Files.readTail(path, bytes: 4 << 20) else { return [] }
            return text.split(separator: "\n").compactMap { line in
                JSONValue.parse(String(line)).flatMap { try? EventRecord(json: $0) }
            }.filter { $0.ts >= after.nanoseconds }
        }
        let old = events(eventLogs[oldIndex])
        guard let oldTerm = old.last(where: { $0.kind == .lease })?.term else { return nil }
        var oldEnd: Int64?
        for event in old where event.term == oldTerm {
            if event.kind == .lease, let until = event.untilTs { oldEnd = max(oldEnd ?? until, until) }
            if event.kind == .leaseLost { oldEnd = min(oldEnd ?? event.ts, event.ts) }
        }
        var newStart: Int64?
        for (index, path) in eventLogs.enumerated() where index != oldIndex {
            for event in events(path) where event.kind == .lease && (event.term ?? 0) > oldTerm {
                newStart = min(newStart ?? event.ts, event.ts)
                break
            }
        }
        guard let oldEnd, let newStart else { return nil }
        return (Interval(nanoseconds: newStart - oldEnd), Instant(nanoseconds: oldEnd), Instant(nanoseconds: newStart))
    }

    // MARK: - stable

    /// Waits until every endpoint answers, all name the same leader, the leader claims it, and
    /// that held for `agree` consecutive polls; prints the leader and its endpoint index.
    static func stable(_ settings: ProbeSettings, _ flags: BenchFlags) -> Int32 {
        let deadline = MonotonicClock.now() + .milliseconds(Int64(flags.milliseconds("timeout", default: 20_000)))
        let agree = flags.integer("agree", default: 3)
        var streak = 0
        var previous: (String, UInt64?)?
        var last: [ProbeSample] = []
        while MonotonicClock.now() < deadline {
            let round = MonotonicClock.now()
            last = settings.endpoints.indices.map { ProbeQuery.sample(settings, index: $0) }
            let leaders = Set(last.map { $0.leader ?? "" })
            let claimants = last.indices.filter { last[$0].claims }
            var agreed: (String, UInt64?)?
            if last.allSatisfy(\.answered), leaders.count == 1, let leader = leaders.first, !leader.isEmpty,
               claimants.count == 1, last[claimants[0]].leader == leader {
                let terms = Set(last.compactMap(\.term))
                if settings.system == .etcd || terms.count == 1 { agreed = (leader, last[claimants[0]].term) }
            }
            if let agreed, let previous, previous.0 == agreed.0, previous.1 == agreed.1 {
                streak += 1
            } else {
                streak = agreed == nil ? 0 : 1
            }
            previous = agreed
            if let agreed, streak >= agree {
                var result = JSONObject()
                result.add("ok", true)
                result.add("leader", agreed.0)
                result.add("index", claimants[0])
                result.add("term", agreed.1)
                result.add("members", last.map { $0.selfName ?? "" })
                print(result.rendered)
                return 0
            }
            sleepUntil(round + .milliseconds(20))
        }
        var result = JSONObject()
        result.add("ok", false)
        result.add("error", "no stable leader before the timeout")
        result.add("views", last.map { sample -> JSONObject in
            var view = JSONObject()
            view.add("leader", sample.leader)
            view.add("claims", sample.claims)
            view.add("answered", sample.answered)
            view.add("detail", sample.detail)
            return view
        })
        print(result.rendered)
        return 1
    }

    // MARK: - window

    /// Polls every node for `--duration` and reports what a client polling them all saw: how
    /// often the claimant changed, how long no node claimed leadership (for Tenure, no node
    /// held a valid lease: `is_leader`), the longest such stretch, and time with two claimants.
    static func window(_ settings: ProbeSettings, _ flags: BenchFlags) -> Int32 {
        let duration = flags.duration("duration", default: .seconds(60))
        let poller = Poller(settings: settings)
        let startedAt = MonotonicClock.now()
        poller.start(until: startedAt + duration) { _ in false }
        poller.wait()
        let all = poller.allSamples()
        let intervals = claimIntervals(all)
        var result = JSONObject()
        result.add("seconds", milliseconds(duration) / 1000)
        // Changes of claimant: intervals in order of their start, counting each one whose
        // (node, term) differs from the one before it.
        let ordered = intervals.sorted { $0.start < $1.start }
        var changes = 0
        var previous: (node: Int, term: UInt64?)?
        for interval in ordered {
            if let previous, previous.node != interval.node || previous.term != interval.term { changes += 1 }
            previous = (interval.node, interval.term)
        }
        result.add("leader_changes", changes)
        result.add("claimants", Set(ordered.map { "\($0.node)/\($0.term.map(String.init) ?? "?")" }).sorted())
        // Leaderless: from the first poll to the last, the time no claim interval covers.
        let first = all.compactMap { $0.first?.received }.min() ?? startedAt
        let last = all.compactMap { $0.last?.received }.max() ?? startedAt
        var covered: [(start: Instant, end: Instant)] = []
        for interval in ordered {
            if let tail = covered.last, interval.start <= tail.end {
                covered[covered.count - 1].end = max(tail.end, interval.end)
            } else {
                covered.append((interval.start, interval.end))
            }
        }
        var gaps: [Interval] = []
        var cursor = first
        for stretch in covered {
            if stretch.start > cursor { gaps.append(stretch.start - cursor) }
            cursor = max(cursor, stretch.end)
        }
        if last > cursor { gaps.append(last - cursor) }
        // A gap shorter than two poll periods is the sampling itself, not a leaderless moment.
        let real = gaps.filter { $0 > settings.interval * 2 }
        result.add("leaderless_ms", milliseconds(real.reduce(.zero, +)))
        result.add("leaderless_longest_ms", milliseconds(real.max() ?? .zero))
        result.add("leaderless_stretches", real.count)
        let dual = overlapMeasure(intervals.map { ($0.node, $0.start, $0.end) })
        result.add("dual_ms", milliseconds(dual.total))
        result.add("polls", all.reduce(0) { $0 + $1.count })
        result.add("failed_polls", all.reduce(0) { $0 + $1.filter { !$0.answered }.count })
        print(result.rendered)
        return 0
    }

    /// Maximal runs of consecutive claiming answers per node, from the receive time of the first
    /// to that of the last, with the term they claimed.
    static func claimIntervals(_ all: [[ProbeSample]]) -> [(node: Int, term: UInt64?, start: Instant, end: Instant)] {
        var intervals: [(node: Int, term: UInt64?, start: Instant, end: Instant)] = []
        for index in all.indices {
            var run: (term: UInt64?, start: Instant, end: Instant)?
            for sample in all[index] where sample.answered {
                if sample.claims, let current = run, current.term == sample.term {
                    run?.end = sample.received
                } else {
                    if let current = run { intervals.append((index, current.term, current.start, current.end)) }
                    run = sample.claims ? (sample.term, sample.received, sample.received) : nil
                }
            }
            if let current = run { intervals.append((index, current.term, current.start, current.end)) }
        }
        return intervals
    }

    // MARK: - stalls

    /// Watches for scheduling stalls: sleeps 5 ms at a time on CLOCK_MONOTONIC and prints one JSON
    /// line per oversleep longer than the threshold. Run beside a benchmark, it tells a disturbed
    /// trial (the machine did not schedule us for a second) from a slow system under test.
    static func stalls(_ flags: BenchFlags) -> Int32 {
        let limit = flags.duration("max-duration", default: .seconds(3600))
        let threshold = flags.duration("threshold", default: .milliseconds(50))
        let period = Interval.milliseconds(5)
        let startedAt = MonotonicClock.now()
        var previous = startedAt
        while previous < startedAt + limit {
            sleepUntil(previous + period)
            let now = MonotonicClock.now()
            let late = now - (previous + period)
            if late > threshold {
                var line = JSONObject()
                line.add("at_ns", (previous + period).nanoseconds)
                line.add("stall_ms", milliseconds(late))
                line.add("wall", Int(WallClock.seconds()))
                // Written at once (not through stdio's buffer): the bench reads the file live.
                Descriptor.writeAll(1, Array((line.rendered + "\n").utf8))
            }
            previous = now
        }
        return 0
    }

    // MARK: - helpers

    static func milliseconds(_ interval: Interval) -> Double {
        (Double(interval.nanoseconds) / 1_000).rounded() / 1_000
    }

    static func sleepUntil(_ instant: Instant) { MonotonicClock.sleep(until: instant) }
}

enum ProbeSystem: String {
    case tenure
    case etcd
}

struct ProbeSettings: Sendable {
    var system: ProbeSystem
    var endpoints: [String]
    var interval: Interval
    var requestTimeoutMilliseconds: Int
}

extension ProbeSystem: Sendable {}

/// One answer (or failure) from one endpoint, stamped with the probe's monotonic clock.
struct ProbeSample: Sendable {
    var endpointIndex: Int
    var sent: Instant
    var received: Instant
    var answered: Bool
    /// The leader this node names: a node id (Tenure) or a member id (etcd); nil when none.
    var leader: String?
    /// This node's own name in the same namespace as `leader`.
    var selfName: String?
    /// True when the node says it is the leader itself (Tenure: `is_leader`, which holds only
    /// with a valid lease; etcd: `leader == member_id`).
    var claims: Bool
    var term: UInt64?
    var detail: String
}

/// Asks one endpoint who leads, in each system's own terms.
enum ProbeQuery {
    static func sample(_ settings: ProbeSettings, index: Int) -> ProbeSample {
        let endpoint = settings.endpoints[index]
        let sent = MonotonicClock.now()
        var sample = ProbeSample(endpointIndex: index, sent: sent, received: sent, answered: false, leader: nil,
                                 selfName: nil, claims: false, term: nil, detail: "")
        do {
            let response: HTTPClientResponse
            switch settings.system {
            case .tenure:
                response = try HTTPClient.request(method: "GET", endpoint: endpoint, path: "/v1/status",
                                                  timeoutMilliseconds: settings.requestTimeoutMilliseconds)
            case .etcd:
                response = try HTTPClient.request(method: "POST", endpoint: endpoint, path: "/v3/maintenance/status",
                                                  body: Array("{}".utf8), headers: [("Content-Type", "application/json")],
                                                  timeoutMilliseconds: settings.requestTimeoutMilliseconds)
            }
            sample.received = MonotonicClock.now()
            guard response.status == 200, let object = JSONValue.parse(response.body), object.object != nil else {
                sample.detail = "HTTP \(response.status)"
                return sample
            }
            sample.answered = true
            switch settings.system {
            case .tenure:
                let status: StatusDocument
                do {
                    status = try StatusDocument(json: object)
                } catch {
                    sample.answered = false
                    sample.detail = "malformed answer: \(error)"
                    return sample
                }
                sample.selfName = status.id
                sample.leader = status.knownLeader
                sample.claims = status.isLeader
                sample.term = status.term
            case .etcd:
                // etcd's JSON gateway writes 64-bit integers as strings.
                let member = object["header"]?["member_id"]?.string
                let leader = object["leader"]?.string
                sample.selfName = member
                sample.leader = (leader == nil || leader == "0") ? nil : leader
                sample.claims = member != nil && leader == member
                sample.term = object["raftTerm"]?.string.flatMap { UInt64($0) }
            }
        } catch {
            sample.received = MonotonicClock.now()
            sample.detail = error.description
        }
        return sample
    }
}

/// The bench probe's flags (named without their dashes), read through the one parser, with
/// defaults; a malformed value exits 2 with the usage.
struct BenchFlags {
    let parsed: ParsedArguments

    init(_ parsed: ParsedArguments) { self.parsed = parsed }

    func string(_ name: String) -> String? { parsed.string("--" + name) }

    func integer(_ name: String, default fallback: Int) -> Int {
        do {
            return try parsed.integer("--" + name, in: 0...1_000_000_000) ?? fallback
        } catch {
            BenchProbe.command.fail(error)
        }
    }

    func duration(_ name: String, default fallback: Interval) -> Interval {
        do {
            return try parsed.duration("--" + name) ?? fallback
        } catch {
            BenchProbe.command.fail(error)
        }
    }

    /// A duration flag as whole milliseconds, for the modes that count in them.
    func milliseconds(_ name: String, default fallback: Int64) -> Int64 {
        duration(name, default: .milliseconds(fallback)).nanoseconds / 1_000_000
    }
}
