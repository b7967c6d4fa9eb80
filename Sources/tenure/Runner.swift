import TenureClient
import TenureCommandLine
import TenureCore
import TenurePOSIX

/// The shell of `tenure run`: one thread that polls the node, feeds a `CommandSupervisor` the
/// lease it saw and the time, and carries out what the supervisor decides (spawn, signal,
/// resign, exit).
///
/// The child's life is bound to a deadline, never to an answer: the `LeaseGuard` holds the lease
/// end that the last renewal showed, minus a margin; the supervisor sends SIGTERM `grace` before
/// it and SIGKILL at it. Missing answers (a dead, paused or cut-off node) never move the deadline,
/// so the child is dead before any other node can be elected, whatever happened to its node. When
/// the node leads again with a live lease, the command starts again.
struct Runner {
    let settings: RunCommand.Settings
    let signalDescriptor: Int32
    let client: TenureClient
    var leaseGuard: LeaseGuard
    var supervisor: CommandSupervisor
    var nodeID = "?"
    var nextPollAt = Instant(nanoseconds: 0)
    var reachable: Bool?
    var warnedShortLease = false
    /// Set when the supervisor decided to end the runner.
    var exitStatus: Int32?

    init(settings: RunCommand.Settings, signalDescriptor: Int32) {
        self.settings = settings
        self.signalDescriptor = signalDescriptor
        self.client = TenureClient(endpoints: [settings.endpoint], timeout: .milliseconds(250), apiToken: Terminal.apiToken())
        self.leaseGuard = LeaseGuard(safetyMargin: settings.margin)
        self.supervisor = CommandSupervisor(grace: settings.grace, once: settings.once)
    }

    func say(_ text: String) { Terminal.printError("\(Terminal.timestamp()) tenure run: \(text)") }

    var commandName: String { settings.command[0] }

    mutating func loop() -> Int32 {
        say("waiting for \(settings.endpoint) to lead before starting \(commandName)")
        while exitStatus == nil {
            let now = MonotonicClock.now()
            if now >= nextPollAt { poll(now: now) }
            reapChild()
            if exitStatus == nil { perform(supervisor.advance(to: MonotonicClock.now())) }
            if exitStatus == nil { waitForNextAction() }
        }
        return exitStatus!
    }

    /// Asks the node for its lease, telling it what the command is doing; the request's send
    /// time bounds the deadline it implies.
    mutating func poll(now: Instant) {
        nextPollAt = now + settings.poll
        // Never block past the supervisor's next action: the deadline is kept by this loop.
        var timeout = Interval.milliseconds(250)
        if let next = supervisor.nextDeadline { timeout = min(timeout, max(.milliseconds(1), next - now)) }
        var bounded = client
        bounded.timeout = timeout
        do throws(TenureClientError) {
            let status = try bounded.status(of: settings.endpoint, report: report(at: now))
            nodeID = status.id
            if reachable != true { say("\(settings.endpoint) is \(status.id), \(status.role) in term \(status.term)") }
            reachable = true
            leaseGuard.observe(status, sentAt: now)
            if status.isLeader { warnIfLeaseTooShort(status) }
            perform(supervisor.observeLease(token: leaseGuard.term, deadline: leaseGuard.deadline, at: MonotonicClock.now()))
        } catch {
            if reachable != false { say("\(error); the deadline stands, only a renewal moves it") }
            reachable = false
        }
    }

    /// What the node is told on every poll.
    func report(at now: Instant) -> RunnerReport {
        var report = RunnerReport(state: supervisor.state)
        report.pid = supervisor.child?.pid
        report.token = supervisor.child?.token ?? supervisor.lastChange?.token
        if let change = supervisor.lastChange {
            report.lastChange = change.started ? "started" : "stopped"
            report.lastCause = change.cause
            report.lastChangeAgeMilliseconds = max(0, (now - change.at).nanoseconds / 1_000_000)
        }
        report.starts = Dictionary(uniqueKeysWithValues: supervisor.starts.map { ($0.key.rawValue, $0.value) })
        report.stops = Dictionary(uniqueKeysWithValues: supervisor.stops.map { ($0.key.rawValue, $0.value) })
        report.restarts = Dictionary(uniqueKeysWithValues: supervisor.restarts.map { ($0.key.rawValue, $0.value) })
        return report
    }

    /// Says once why the command never starts when the node's lease cannot outlast --margin plus
    /// --grace: the command starts only while more than --grace remains before the deadline.
    mutating func warnIfLeaseTooShort(_ status: NodeStatus) {
        guard !warnedShortLease else { return }
        let leaseMilliseconds = status.document.config.leaseMilliseconds
        let usable = Interval.milliseconds(Int64(leaseMilliseconds)) - settings.margin
        guard usable <= settings.grace else { return }
        warnedShortLease = true
        say("the node's lease (\(Int64(leaseMilliseconds))ms) minus --margin \(settings.margin) leaves no more than --grace \(settings.grace): \(commandName) cannot start; lower --grace or --margin, or give the nodes a longer --lease")
    }

    /// Carries out the supervisor's actions in order.
    mutating func perform(_ actions: [CommandSupervisor.Action]) {
        for action in actions {
            switch action {
            case .start(let token, let cause):
                start(token: token, cause: cause)
            case .terminate(let pid, let cause):
                say("\(describe(cause)) (term \(supervisor.child?.token ?? 0)): SIGTERM to \(commandName)'s process group [stop: \(cause.rawValue)]")
                try? ChildProcess.send(.terminate, toGroup: pid)
            case .kill(let pid, let cause):
                say("\(cause == .signal ? "\(commandName) did not exit after the signal" : "lease deadline reached") (term \(supervisor.child?.token ?? 0)): SIGKILL to \(commandName)'s process group [stop: \(cause.rawValue)]")
                try? ChildProcess.send(.kill, toGroup: pid)
            case .forwardSignal:
                break // The signal itself is forwarded where it was read (`waitForNextAction`).
            case .resign:
                resign()
            case .exit(let status):
                exitStatus = status
                return
            }
        }
    }

    func describe(_ cause: CommandSupervisor.StopCause) -> String {
        switch cause {
        case .leaseDeadline: "lease deadline near"
        case .leaseLost: "\(nodeID) no longer holds the lease"
        case .signal: "asked to exit"
        case .commandExited, .spawnFailed: cause.rawValue
        }
    }

    mutating func start(token: UInt64, cause: CommandSupervisor.StartCause) {
        let environment = ["TENURE_FENCING_TOKEN": "\(token)", "TENURE_LEADER_TERM": "\(token)", "TENURE_NODE_ID": nodeID]
        let now = MonotonicClock.now()
        do {
            let pid = try ChildProcess.spawn(settings.command, environment: environment, dieWithParent: true)
            supervisor.started(pid: pid, at: now)
            let why = cause == .leaseRenewed ? "leads term \(token) again with a renewed lease" : "leads term \(token)"
            say("\(nodeID) \(why): started \(settings.command.joined(separator: " ")) (pid \(pid)) [start: \(cause.rawValue)]")
        } catch {
            supervisor.spawnFailed(at: now)
            say("cannot start \(commandName): \(error) [stop: \(CommandSupervisor.StopCause.spawnFailed.rawValue)]")
        }
        nextPollAt = now // tell the node at once
    }

    /// Notices the child's exit and hands it to the supervisor.
    mutating func reapChild() {
        guard let running = supervisor.child, let status = ChildProcess.exitStatus(of: running.pid) else { return }
        let now = MonotonicClock.now()
        // Whatever the child left in its group goes with it.
        try? ChildProcess.send(.kill, toGroup: running.pid)
        let stoppedByUs = running.terminated || running.killed
        let actions = supervisor.childExited(status: status, at: now)
        let cause = supervisor.lastChange?.cause ?? "?"
        say("\(commandName) (pid \(running.pid)) exited with status \(status)\(stoppedByUs ? " after being stopped" : "") [stop: \(cause)]")
        nextPollAt = now // tell the node at once: a handover may be waiting for this
        perform(actions)
    }

    mutating func resign() {
        do throws(TenureClientError) {
            let answer = try client.resign(at: settings.endpoint, runner: "idle")
            say("asked \(nodeID) to resign: \(answer.text)")
        } catch {
            say("could not ask \(nodeID) to resign: \(error)")
        }
        leaseGuard.revoke()
    }

    /// Sleeps until the next poll or supervisor deadline, waking for signals.
    mutating func waitForNextAction() {
        let now = MonotonicClock.now()
        var wakeAt = nextPollAt
        if let next = supervisor.nextDeadline { wakeAt = min(wakeAt, next) }
        if supervisor.child != nil { wakeAt = min(wakeAt, now + .milliseconds(5)) } // notice a child's exit promptly
        let milliseconds = Int32(max(0, min(1000, (wakeAt - now).nanoseconds / 1_000_000)))
        guard let events = try? PollSet.wait(for: signalDescriptor, .readable, timeoutMilliseconds: milliseconds),
              events.contains(.readable) else { return }
        for signal in SignalPipe.drain(signalDescriptor) {
            let pid = supervisor.child?.pid
            let actions = supervisor.exitRequested(at: MonotonicClock.now())
            if let pid, actions.contains(.forwardSignal(pid: pid)) {
                say("\(signal.name): forwarding to \(commandName)'s process group [stop: signal]")
                if let forwarded = ChildProcess.Signal(rawValue: signal.rawValue) { try? ChildProcess.send(forwarded, toGroup: pid) }
            }
            perform(actions)
            if exitStatus != nil { return }
        }
    }
}
