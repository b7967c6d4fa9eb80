import Synchronization
import TenureCommandLine
import TenureCore
import TenureEvents
import TenureJSON
import TenurePOSIX

/// `tenure-lab app-binding`: the timing half of cluster/bench's "application binding" section
/// (issue 9, section 5), for three nodes that each run `tenure run -- tenure-lab singleton-worker`.
///
/// `trial` injects one fault itself (a signal to a pid, or a shell command such as an iptables
/// isolation, a `touch` that makes a health check fail, or a `PUT /v1/health`), stamps that
/// instant on CLOCK_MONOTONIC, and meanwhile
///   - polls every node's `/v1/status` every 5 ms (the bench's `Poller`): the first answer of a
///     later term claiming leadership;
///   - polls `/proc/PID/stat` of the old worker every millisecond: the last poll that saw it alive
///     and the first that saw it gone (exited or a zombie), which brackets its death;
///   - reads the workers' shared file (`NODE TOKEN MONOTONIC_NS` lines): the old worker's last
///     stamp and the first stamp of a later token;
///   - reads the nodes' event logs: the instant a later term's leader acquired its lease, and the
///     old term's lease end.
/// Every instant is on the one system-wide CLOCK_MONOTONIC, so instants of different processes
/// and network namespaces compare directly.
enum AppBindingCommand {
    static let usage = """
    usage: tenure-lab app-binding MODE [options]
      trial --endpoints HOST:PORT,... --event-logs F1,F2,... --work FILE --old-token T
            (--signal KILL|STOP|TERM --pid PID | --command 'SHELL COMMAND')
            [--watch-pid PID] [--timeout 15s] [--linger 100ms]
          injects the fault and prints one JSON line: when the old worker (token T, process
          --watch-pid) stopped, when a later term's leader acquired its lease (event logs),
          claimed leadership (polled every 5 ms) and its worker first stamped (FILE)
      worker-start --worker PATH --out FILE [--samples 10]
          times `PATH singleton-worker` from fork to its first stamp (what one worker start costs)
    """

    static let command = Command("tenure-lab app-binding", usage: usage)

    static func run(_ arguments: [String]) -> Int32 {
        guard let mode = arguments.first else { command.fail("missing mode (trial or worker-start)") }
        let rest = Array(arguments.dropFirst())
        switch mode {
        case "trial": return trial(rest)
        case "worker-start": return workerStart(rest)
        case "-h", "--help", "help":
            print(usage)
            return 0
        default: command.fail("unknown mode '\(mode)'")
        }
    }

    enum Fault {
        case signal(ChildProcess.Signal, pid: Int32)
        case command(String)
    }

    // MARK: - trial

    static func trial(_ arguments: [String]) -> Int32 {
        let flags = command.parse(arguments, .init(values: ["--endpoints", "--event-logs", "--work", "--old-token", "--signal",
                                                            "--pid", "--command", "--watch-pid", "--timeout", "--linger"]))
        let endpoints: [String], eventLogs: [String], work: String, oldToken: UInt64, fault: Fault
        let watchPid: Int32?, timeout: Interval, linger: Interval
        do throws(UsageError) {
            endpoints = try flags.required("--endpoints").split(separator: ",").map(String.init)
            eventLogs = flags.list("--event-logs") ?? []
            work = try flags.required("--work")
            guard let token = try UInt64(flags.required("--old-token")) else { throw UsageError("--old-token must be a term") }
            oldToken = token
            if let shell = flags.string("--command") {
                guard !flags.has("--signal"), !flags.has("--pid") else { throw UsageError("give --command or --signal with --pid, not both") }
                fault = .command(shell)
            } else {
                let signals: [String: ChildProcess.Signal] = ["KILL": .kill, "STOP": .stop, "TERM": .terminate]
                guard let signal = signals[flags.string("--signal") ?? ""] else { throw UsageError("--signal must be KILL, STOP or TERM (or give --command)") }
                guard let pid = try flags.integer("--pid", in: 2...Int(Int32.max)) else { throw UsageError("--pid is required with --signal") }
                fault = .signal(signal, pid: Int32(pid))
            }
            watchPid = try flags.integer("--watch-pid", in: 2...Int(Int32.max)).map { Int32($0) }
            timeout = try flags.duration("--timeout") ?? .seconds(15)
            linger = try flags.duration("--linger", minimum: .zero) ?? .milliseconds(100)
        } catch {
            command.fail(error)
        }

        let poller = Poller(settings: ProbeSettings(system: .tenure, endpoints: endpoints, interval: .milliseconds(5),
                                                    requestTimeoutMilliseconds: 200))
        let deadline = MonotonicClock.now() + timeout
        poller.start(until: deadline) { _ in false }
        let watcher = watchPid.map { ExitWatcher(pid: $0) }
        watcher?.start(until: deadline)
        MonotonicClock.sleep(for: .milliseconds(20)) // both have seen the state before the fault
        let faultAt: Instant
        var commandMilliseconds: Double?
        switch fault {
        case .signal(let signal, let pid):
            faultAt = MonotonicClock.now()
            do {
                try ChildProcess.send(signal, to: pid)
            } catch {
                Terminal.printError("tenure-lab app-binding: \(error)")
                poller.stop(); poller.wait(); watcher?.stop()
                return 1
            }
        case .command(let shell):
            let before = MonotonicClock.now()
            let status = ChildProcess.runShell(shell)
            faultAt = MonotonicClock.now() // in force once the command has returned
            commandMilliseconds = BenchProbe.milliseconds(faultAt - before)
            guard status == 0 else {
                Terminal.printError("tenure-lab app-binding: the fault command exited \(status): \(shell)")
                poller.stop(); poller.wait(); watcher?.stop()
                return 1
            }
        }

        // Done when a later term claims, its worker has stamped, and the old worker is gone;
        // then `linger` more, so the event logs hold everything up to that point.
        func laterClaim(_ sample: ProbeSample) -> Bool { sample.sent >= faultAt && sample.claims && (sample.term ?? 0) > oldToken }
        var doneAt: Instant?
        while MonotonicClock.now() < deadline {
            let now = MonotonicClock.now()
            if doneAt == nil, watcher?.goneAt != nil || watcher == nil,
               poller.allSamples().contains(where: { $0.contains(where: laterClaim) }),
               stamps(Files.readTail(work, bytes: 64 << 10) ?? "").contains(where: { $0.token > oldToken }) {
                doneAt = now
            }
            if let doneAt, now >= doneAt + linger { break }
            MonotonicClock.sleep(for: .milliseconds(10))
        }
        poller.stop()
        poller.wait()
        watcher?.stop()

        func relative(_ nanoseconds: Int64?) -> Double? { nanoseconds.map { BenchProbe.milliseconds(Interval(nanoseconds: $0 - faultAt.nanoseconds)) } }
        func difference(_ later: Int64?, _ earlier: Int64?) -> Double? {
            guard let later, let earlier else { return nil }
            return BenchProbe.milliseconds(Interval(nanoseconds: later - earlier))
        }
        let samples = poller.allSamples().flatMap { $0 }.filter { $0.sent >= faultAt }
        let claim = samples.filter(laterClaim).min { $0.received < $1.received }
        let allStamps = stamps(Files.readTail(work, bytes: 16 << 20) ?? "")
        let oldStamps = allStamps.filter { $0.token == oldToken }
        let oldLast = oldStamps.max { $0.at < $1.at }
        let newFirst = allStamps.filter { $0.token > oldToken }.min { $0.at < $1.at }
        let events = eventLogs.flatMap { readEvents($0, after: faultAt.nanoseconds - 30_000_000_000) }.sorted { $0.ts < $1.ts }
        let newLease = events.first { $0.kind == .lease && ($0.term ?? 0) > oldToken }
        var oldLeaseEnd: Int64?
        for event in events where event.term == oldToken {
            if event.kind == .lease, let until = event.untilTs { oldLeaseEnd = max(oldLeaseEnd ?? until, until) }
            if event.kind == .leaseLost { oldLeaseEnd = min(oldLeaseEnd ?? event.ts, event.ts) }
        }
        let goneAt = watcher?.goneAt?.nanoseconds
        let complete = claim != nil && newFirst != nil && newLease != nil && (watcher == nil || goneAt != nil)

        var result = JSONObject()
        result.add("complete", complete)
        switch fault {
        case .signal(let signal, let pid): result.add("fault", "signal \(signal) to \(pid)")
        case .command(let shell): result.add("fault", shell)
        }
        result.add("fault_ns", faultAt.nanoseconds)
        result.add("command_ms", commandMilliseconds)
        result.add("old_token", oldToken)
        result.add("old_node", oldLast.map { String($0.node) })
        // The old worker: its last stamp, and its process seen alive last / gone first.
        result.add("old_last_stamp_ms", relative(oldLast?.at))
        result.add("old_alive_last_ms", relative(watcher?.lastAliveAt?.nanoseconds))
        result.add("old_gone_ms", relative(goneAt))
        result.add("old_gone_before_fault", watcher?.goneBeforeStart ?? false)
        result.add("old_lease_end_ms", relative(oldLeaseEnd))
        // The new leader: lease acquired (its event log), first claim polled, first worker stamp.
        result.add("new_lease_ms", relative(newLease?.ts))
        result.add("new_lease_node", newLease?.node)
        result.add("new_lease_acquired_flag", newLease?.acquired ?? false)
        result.add("new_term", newLease?.term)
        result.add("new_claim_ms", claim.map { BenchProbe.milliseconds($0.received - faultAt) })
        result.add("new_claim_node", claim?.leader)
        result.add("new_stamp_ms", relative(newFirst?.at))
        result.add("new_stamp_node", newFirst.map { String($0.node) })
        result.add("new_stamp_token", newFirst?.token)
        // Gaps (positive: the old worker had stopped before the new lease began).
        result.add("gap_gone_ms", difference(newLease?.ts, goneAt))
        result.add("gap_stamp_ms", difference(newLease?.ts, oldLast?.at))
        result.add("worker_gap_ms", difference(newFirst?.at, oldLast?.at))
        result.add("lease_gap_ms", difference(newLease?.ts, oldLeaseEnd))
        result.add("polls", samples.count)
        result.add("failed_polls", samples.filter { !$0.answered }.count)
        result.add("exit_polls", watcher?.polls ?? 0)
        print(result.rendered)
        return complete ? 0 : 1
    }

    /// One line of the workers' shared file.
    struct Stamp {
        var node: Substring
        var token: UInt64
        var at: Int64
    }

    static func stamps(_ text: String) -> [Stamp] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let token = UInt64(fields[1]), let at = Int64(fields[2]) else { return nil }
            return Stamp(node: fields[0], token: token, at: at)
        }
    }

    static func readEvents(_ path: String, after: Int64) -> [EventRecord] {
        guard let text = Files.readTail(path, bytes: 4 << 20) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            JSONValue.parse(String(line)).flatMap { try? EventRecord(json: $0) }
        }.filter { $0.ts >= after }
    }

    // MARK: - worker-start

    static func workerStart(_ arguments: [String]) -> Int32 {
        let flags = command.parse(arguments, .init(values: ["--worker", "--out", "--samples"]))
        let worker: String, out: String, count: Int
        do throws(UsageError) {
            worker = try flags.required("--worker")
            out = try flags.required("--out")
            count = try flags.integer("--samples", in: 1...1000) ?? 10
        } catch {
            command.fail(error)
        }
        var times: [Double] = []
        for index in 0..<count {
            let token = UInt64(1_000_000 + index)
            let before = MonotonicClock.now()
            do {
                // As `tenure run` starts its command: fork and exec, own group, death signal.
                let pid = try ChildProcess.spawn([worker, "singleton-worker", "--out", out, "--exit-after", "1ns"],
                                                 environment: ["TENURE_NODE_ID": "start-probe", "TENURE_FENCING_TOKEN": "\(token)"],
                                                 dieWithParent: true)
                _ = ChildProcess.wait(for: pid)
            } catch {
                Terminal.printError("tenure-lab app-binding: cannot start \(worker): \(error)")
                return 1
            }
            guard let first = stamps(Files.readTail(out, bytes: 1 << 20) ?? "").first(where: { $0.token == token }) else {
                Terminal.printError("tenure-lab app-binding: \(worker) wrote no stamp to \(out)")
                return 1
            }
            times.append(BenchProbe.milliseconds(Interval(nanoseconds: first.at - before.nanoseconds)))
        }
        let sorted = times.sorted()
        var result = JSONObject()
        result.add("samples", times.count)
        result.add("median_ms", sorted[(sorted.count - 1) / 2])
        result.add("max_ms", sorted[sorted.count - 1])
        result.add("times_ms", times)
        print(result.rendered)
        return 0
    }
}

/// Polls `/proc/PID/stat` every millisecond on a thread of its own: the last instant the process
/// was seen alive and the first it was seen gone (no such process, or a zombie: it has exited and
/// only waits for its parent to reap it). Its death lies between the two.
final class ExitWatcher: Sendable {
    struct State {
        var lastAliveAt: Instant?
        var goneAt: Instant?
        var goneBeforeStart = false
        var polls = 0
        var stopped = false
    }

    let pid: Int32
    private let state = Mutex(State())

    init(pid: Int32) { self.pid = pid }

    var lastAliveAt: Instant? { state.withLock { $0.lastAliveAt } }
    var goneAt: Instant? { state.withLock { $0.goneAt } }
    var goneBeforeStart: Bool { state.withLock { $0.goneBeforeStart } }
    var polls: Int { state.withLock { $0.polls } }

    func stop() { state.withLock { $0.stopped = true } }

    func start(until deadline: Instant) {
        do {
            let thread = try JoinableThread.start { [self] in watch(until: deadline) }
            thread.detach()
        } catch {
            Terminal.printError("tenure-lab app-binding: cannot start the exit watcher: \(error)")
            ProcessEnvironment.exit(1)
        }
    }

    private func watch(until deadline: Instant) {
        var next = MonotonicClock.now()
        while true {
            let alive = Self.isAlive(pid)
            let at = MonotonicClock.now()
            let finished = state.withLock { state -> Bool in
                state.polls += 1
                if alive {
                    state.lastAliveAt = at
                } else {
                    if state.lastAliveAt == nil { state.goneBeforeStart = true }
                    state.goneAt = at
                }
                return !alive || state.stopped
            }
            if finished || at >= deadline { return }
            next = max(next + .milliseconds(1), MonotonicClock.now())
            MonotonicClock.sleep(until: next)
        }
    }

    /// True while /proc shows the process in any state but zombie (Z) or dead (X).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let text = Files.readText("/proc/\(pid)/stat", limit: 4096),
              let close = text.lastIndex(of: ")") else { return false }
        let rest = text[text.index(after: close)...].drop { $0 == " " }
        guard let state = rest.first else { return false }
        return state != "Z" && state != "X"
    }
}
