import TenureClient
import TenureCommandLine
import TenureCore
import TenurePOSIX

/// The loop of `tenure run`: one thread, polling the node, starting and stopping one child.
///
/// The child's life is bound to a deadline, never to an answer: the `LeaseGuard` holds the lease
/// end that the last renewal showed, minus a margin; the child gets SIGTERM `grace` before it and
/// SIGKILL at it. Missing answers (a dead, paused or cut-off node) never move the deadline, so the
/// child is dead before any other node can be elected, whatever happened to its node.
struct Runner {
    let settings: RunCommand.Settings
    let signalDescriptor: Int32
    let client: TenureClient
    var leaseGuard: LeaseGuard

    /// The running child, its term, and how far its stopping has gone.
    struct Child {
        var pid: Int32
        var term: UInt64
        var killAt: Instant
        var terminated = false
        var killed = false
    }

    var child: Child?
    var nodeID = "?"
    /// A term whose child already ran and exited: never start it again in that term.
    var finishedTerm: UInt64?
    var nextPollAt = Instant(nanoseconds: 0)
    var reachable: Bool?
    /// Set by a forwarded TERM/INT/HUP: exit once the child is gone.
    var exitRequestedAt: Instant?
    var warnedShortLease = false

    init(settings: RunCommand.Settings, signalDescriptor: Int32) {
        self.settings = settings
        self.signalDescriptor = signalDescriptor
        self.client = TenureClient(endpoints: [settings.endpoint], timeout: .milliseconds(250), apiToken: Terminal.apiToken())
        self.leaseGuard = LeaseGuard(safetyMargin: settings.margin)
    }

    func say(_ text: String) { Terminal.printError("\(Terminal.timestamp()) tenure run: \(text)") }

    mutating func loop() -> Int32 {
        say("waiting for \(settings.endpoint) to lead before starting \(settings.command[0])")
        while true {
            let now = MonotonicClock.now()
            if now >= nextPollAt { poll(now: now) }
            if let status = reapChild(now: MonotonicClock.now()) { return status }
            enforceDeadline(now: MonotonicClock.now())
            if exitRequestedAt != nil, child == nil {
                resignIfLeading()
                return 0
            }
            if exitRequestedAt == nil { startIfLeading(now: MonotonicClock.now()) }
            waitForNextAction()
        }
    }

    /// Asks the node for its lease; the request's send time bounds the deadline it implies.
    mutating func poll(now: Instant) {
        nextPollAt = now + settings.poll
        // Never block past the next kill action: the deadline is kept by this loop.
        var timeout = Interval.milliseconds(250)
        if let child { timeout = min(timeout, max(.milliseconds(1), nextChildAction(child) - now)) }
        var bounded = client
        bounded.timeout = timeout
        do throws(TenureClientError) {
            let status = try bounded.status(of: settings.endpoint, runner: child == nil ? "idle" : "running")
            nodeID = status.id
            if reachable != true { say("\(settings.endpoint) is \(status.id), \(status.role) in term \(status.term)") }
            reachable = true
            leaseGuard.observe(status, sentAt: now)
            if status.isLeader { warnIfLeaseTooShort(status) }
        } catch {
            if reachable != false { say("\(error); the deadline stands, only a renewal moves it") }
            reachable = false
        }
        if let term = leaseGuard.term, var running = child, running.term == term, let deadline = leaseGuard.deadline {
            running.killAt = max(running.killAt, deadline)
            child = running
        } else if var running = child, leaseGuard.term != running.term {
            // The node says it no longer leads this term (a resign, a transfer, a lost lease):
            // stop now; the kill deadline can only come closer.
            running.killAt = min(running.killAt, MonotonicClock.now() + settings.grace)
            child = running
        }
    }

    /// Says once why the command never starts when the node's lease cannot outlast --margin plus
    /// --grace: the command starts only while more than --grace remains before the deadline.
    mutating func warnIfLeaseTooShort(_ status: NodeStatus) {
        guard !warnedShortLease, let leaseMilliseconds = status.json["config"]?["lease_ms"]?.double else { return }
        let usable = Interval.milliseconds(Int64(leaseMilliseconds)) - settings.margin
        guard usable <= settings.grace else { return }
        warnedShortLease = true
        say("the node's lease (\(Int64(leaseMilliseconds))ms) minus --margin \(settings.margin) leaves no more than --grace \(settings.grace): \(settings.command[0]) cannot start; lower --grace or --margin, or give the nodes a longer --lease")
    }

    func nextChildAction(_ child: Child) -> Instant {
        child.terminated ? child.killAt : child.killAt - settings.grace
    }

    /// SIGTERM to the child's group `grace` before the deadline, SIGKILL at it.
    mutating func enforceDeadline(now: Instant) {
        guard var running = child else { return }
        if !running.terminated, now >= running.killAt - settings.grace {
            say("lease deadline near (term \(running.term)): SIGTERM to \(settings.command[0])'s process group")
            try? ChildProcess.send(.terminate, toGroup: running.pid)
            running.terminated = true
        }
        if !running.killed, now >= running.killAt {
            say("lease deadline reached (term \(running.term)): SIGKILL to \(settings.command[0])'s process group")
            try? ChildProcess.send(.kill, toGroup: running.pid)
            running.killed = true
        }
        child = running
    }

    /// Starts the child when the node leads a term the child has not yet finished in.
    mutating func startIfLeading(now: Instant) {
        guard child == nil, let term = leaseGuard.term, term != finishedTerm,
              leaseGuard.remaining(at: now) > settings.grace, let deadline = leaseGuard.deadline else { return }
        let environment = ["TENURE_FENCING_TOKEN": "\(term)", "TENURE_LEADER_TERM": "\(term)", "TENURE_NODE_ID": nodeID]
        do {
            let pid = try ChildProcess.spawn(settings.command, environment: environment, dieWithParent: true)
            child = Child(pid: pid, term: term, killAt: deadline)
            say("\(nodeID) leads term \(term): started \(settings.command.joined(separator: " ")) (pid \(pid))")
        } catch {
            say("cannot start \(settings.command[0]): \(error)")
            finishedTerm = term
        }
    }

    /// Notices the child's exit; returns this process's exit status when it should end now.
    mutating func reapChild(now: Instant) -> Int32? {
        guard let running = child, let status = ChildProcess.exitStatus(of: running.pid) else { return nil }
        child = nil
        finishedTerm = running.term
        nextPollAt = now // tell the node at once: a handover may be waiting for this
        // Whatever the child left in its group goes with it.
        try? ChildProcess.send(.kill, toGroup: running.pid)
        let stoppedByUs = running.terminated || running.killed
        say("\(settings.command[0]) (pid \(running.pid)) exited with status \(status)\(stoppedByUs ? " after being stopped" : "")")
        if settings.once {
            if !stoppedByUs { resignIfLeading() }
            return status
        }
        if !stoppedByUs && exitRequestedAt == nil {
            // The work stopped while this node still leads: hand over at once, so it goes on elsewhere.
            resignIfLeading()
        }
        return nil
    }

    mutating func resignIfLeading() {
        guard leaseGuard.mayActAsLeader(at: MonotonicClock.now()) else { return }
        do throws(TenureClientError) {
            let answer = try client.resign(at: settings.endpoint, runner: "idle")
            say("asked \(nodeID) to resign: \(answer.text)")
        } catch {
            say("could not ask \(nodeID) to resign: \(error)")
        }
        leaseGuard.revoke()
    }

    /// Sleeps until the next poll or child action, waking for signals.
    mutating func waitForNextAction() {
        let now = MonotonicClock.now()
        var wakeAt = nextPollAt
        if let child { wakeAt = min(wakeAt, nextChildAction(child)) }
        if child != nil { wakeAt = min(wakeAt, now + .milliseconds(5)) } // notice a child's exit promptly
        if let requested = exitRequestedAt { wakeAt = min(wakeAt, requested + .seconds(5)) }
        let milliseconds = Int32(max(0, min(1000, (wakeAt - now).nanoseconds / 1_000_000)))
        guard let events = try? PollSet.wait(for: signalDescriptor, .readable, timeoutMilliseconds: milliseconds),
              events.contains(.readable) else {
            forceExitIfOverdue()
            return
        }
        for signal in SignalPipe.drain(signalDescriptor) {
            if exitRequestedAt == nil { exitRequestedAt = MonotonicClock.now() }
            if let child {
                say("\(signal.name): forwarding to \(settings.command[0])'s process group")
                if let forwarded = ChildProcess.Signal(rawValue: signal.rawValue) { try? ChildProcess.send(forwarded, toGroup: child.pid) }
            }
        }
        forceExitIfOverdue()
    }

    /// The child must not outlive this process: 5 s after a signal, it is killed.
    mutating func forceExitIfOverdue() {
        guard let requested = exitRequestedAt, var running = child, !running.killed,
              MonotonicClock.now() >= requested + .seconds(4) else { return }
        say("\(settings.command[0]) did not exit after the signal: SIGKILL to its process group")
        try? ChildProcess.send(.kill, toGroup: running.pid)
        running.killed = true
        child = running
    }
}
