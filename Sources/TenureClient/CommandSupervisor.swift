import TenureCore

/// Decides when `tenure run`'s command starts and stops, from a lease deadline and time alone.
///
/// It is pure in the core's style: inputs (a lease seen, the command's exit, a signal, time
/// passing) go in with the instant they happened, actions come out, and `nextDeadline` says when
/// time must be fed again. The shell spawns, signals, polls and prints; every decision is here,
/// so each rule has an exact unit test with manual time.
///
/// The rules:
/// - The command runs only while a lease deadline is ahead by more than `grace`; it gets SIGTERM
///   `grace` before the deadline and SIGKILL at it. Only a renewal in the same token moves the
///   deadline; a lease of another token, or none, ends it at once.
/// - A command stopped by the deadline or by a lost lease starts again as soon as its node leads
///   with a live lease again, in the same token or a new one. The token is still valid in the
///   same term: no other node can have led in it.
/// - A command that exits on its own hands leadership over (the shell asks the node to resign)
///   and does not start again in that token; the next token may run it.
/// - A signal to the runner is forwarded; the command then has 4 s before SIGKILL, and the runner
///   exits once it is gone.
public struct CommandSupervisor: Sendable {
    /// Why the command started.
    public enum StartCause: String, Sendable, CaseIterable {
        /// The first start in this token (the node was elected, or the runner attached to a leader).
        case newTerm = "new_term"
        /// The lease was renewed in a token whose command this supervisor stopped.
        case leaseRenewed = "lease_renewed"
    }

    /// Why the command stopped.
    public enum StopCause: String, Sendable, CaseIterable {
        /// No renewal arrived in time: SIGTERM `grace` before the lease deadline.
        case leaseDeadline = "lease_deadline"
        /// The node said it does not lead this token any more (resign, transfer, expiry, new term).
        case leaseLost = "lease_lost"
        /// The command exited by itself.
        case commandExited = "command_exited"
        /// The runner was asked to exit (SIGTERM, SIGINT or SIGHUP).
        case signal = "signal"
        /// The command could not be started.
        case spawnFailed = "spawn_failed"
    }

    /// What the shell must do, in order.
    public enum Action: Equatable, Sendable {
        /// Spawn the command with this fencing token; report back with `started` or `spawnFailed`.
        case start(token: UInt64, cause: StartCause)
        /// SIGTERM to the command's process group.
        case terminate(pid: Int32, cause: StopCause)
        /// SIGKILL to the command's process group.
        case kill(pid: Int32, cause: StopCause)
        /// Forward the signal the runner received to the command's process group.
        case forwardSignal(pid: Int32)
        /// Ask the node to resign: the work stopped while this node leads.
        case resign
        /// End the runner with this status.
        case exit(status: Int32)
    }

    /// The running command and how far its stopping has gone.
    public struct Child: Equatable, Sendable {
        public var pid: Int32
        public var token: UInt64
        public var startedAt: Instant
        /// SIGKILL is due here; SIGTERM `grace` earlier.
        public var killAt: Instant
        public var terminated = false
        public var killed = false
        /// Why it is being stopped, once it is.
        public var stopCause: StopCause?
    }

    /// The last start or stop, for the node's status and the log.
    public struct Change: Equatable, Sendable {
        public var started: Bool
        public var cause: String
        public var token: UInt64
        public var at: Instant
    }

    public let grace: Interval
    public let once: Bool
    /// How long a forwarded signal leaves the command before SIGKILL.
    public static let signalGrace = Interval.seconds(4)

    public private(set) var child: Child?
    /// A start asked of the shell and not yet confirmed.
    public private(set) var pendingStart: (token: UInt64, cause: StartCause)?
    /// The lease in force: its token and the instant the command must be dead by.
    public private(set) var lease: (token: UInt64, deadline: Instant)?
    /// A token whose command exited on its own (or could not start): never started again in it.
    public private(set) var finishedToken: UInt64?
    /// The token of the last command this supervisor stopped, and why: a start in that token is a
    /// restart after a lapse.
    public private(set) var lastStop: (token: UInt64, cause: StopCause)?
    public private(set) var exitRequestedAt: Instant?
    public private(set) var lastChange: Change?
    public private(set) var starts: [StartCause: UInt64] = [:]
    public private(set) var stops: [StopCause: UInt64] = [:]
    /// Starts that followed a stop, by the cause of that stop.
    public private(set) var restarts: [StopCause: UInt64] = [:]

    public init(grace: Interval, once: Bool = false) {
        precondition(grace >= .zero, "grace must not be negative: \(grace)")
        self.grace = grace
        self.once = once
    }

    /// `running`, `stopping` (signalled, not yet gone) or `idle`.
    public var state: String {
        guard let child else { return pendingStart == nil ? "idle" : "starting" }
        return child.terminated || child.killed ? "stopping" : "running"
    }

    /// True while a command runs (stopping included): the node holds a handover until it is gone.
    public var isRunning: Bool { child != nil || pendingStart != nil }

    /// The next instant at which `advance(to:)` has something to do.
    public var nextDeadline: Instant? {
        var next: Instant?
        func consider(_ instant: Instant) { next = min(next ?? instant, instant) }
        if let child {
            if !child.terminated { consider(child.killAt - grace) } else if !child.killed { consider(child.killAt) }
            if let exitRequestedAt, !child.killed { consider(exitRequestedAt + Self.signalGrace) }
        }
        return next
    }

    // MARK: - Inputs

    /// The lease as the guard sees it after a poll: a token and the deadline, or none.
    public mutating func observeLease(token: UInt64?, deadline: Instant?, at now: Instant) -> [Action] {
        if let token, let deadline {
            lease = (token, deadline)
        } else {
            lease = nil
        }
        var actions: [Action] = []
        if var running = child {
            if let lease, lease.token == running.token {
                // A renewal in the same token: the kill deadline moves forward only.
                running.killAt = max(running.killAt, lease.deadline)
            } else {
                // The node no longer leads this token: stop now; the deadline only comes closer.
                running.killAt = min(running.killAt, now + grace)
                if running.stopCause == nil { running.stopCause = .leaseLost }
            }
            child = running
        }
        actions += advance(to: now)
        return actions
    }

    /// Time passed: deadlines, and a start when the lease allows one.
    public mutating func advance(to now: Instant) -> [Action] {
        var actions: [Action] = []
        if var running = child {
            if !running.terminated, now >= running.killAt - grace {
                running.terminated = true
                if running.stopCause == nil { running.stopCause = .leaseDeadline }
                actions.append(.terminate(pid: running.pid, cause: running.stopCause!))
            }
            if !running.killed, now >= running.killAt {
                running.killed = true
                actions.append(.kill(pid: running.pid, cause: running.stopCause ?? .leaseDeadline))
            } else if !running.killed, let exitRequestedAt, now >= exitRequestedAt + Self.signalGrace {
                running.killed = true
                actions.append(.kill(pid: running.pid, cause: .signal))
            }
            child = running
        }
        if child == nil, pendingStart == nil, exitRequestedAt == nil, let lease, lease.token != finishedToken,
           lease.deadline > now, lease.deadline - now > grace {
            let cause: StartCause = lastStop?.token == lease.token ? .leaseRenewed : .newTerm
            pendingStart = (lease.token, cause)
            actions.append(.start(token: lease.token, cause: cause))
        }
        return actions
    }

    /// The shell spawned the command asked for by `.start`.
    public mutating func started(pid: Int32, at now: Instant) {
        guard let pending = pendingStart else { preconditionFailure("started pid \(pid) without a pending start") }
        pendingStart = nil
        let killAt = lease?.token == pending.token ? lease!.deadline : now
        child = Child(pid: pid, token: pending.token, startedAt: now, killAt: killAt)
        starts[pending.cause, default: 0] += 1
        if let lastStop { restarts[lastStop.cause, default: 0] += 1 }
        lastChange = Change(started: true, cause: pending.cause.rawValue, token: pending.token, at: now)
    }

    /// The shell could not spawn the command: do not try again in this token.
    public mutating func spawnFailed(at now: Instant) {
        guard let pending = pendingStart else { preconditionFailure("a spawn failed without a pending start") }
        pendingStart = nil
        finishedToken = pending.token
        lastStop = (pending.token, .spawnFailed)
        stops[.spawnFailed, default: 0] += 1
        lastChange = Change(started: false, cause: StopCause.spawnFailed.rawValue, token: pending.token, at: now)
    }

    /// The command exited with `status`.
    public mutating func childExited(status: Int32, at now: Instant) -> [Action] {
        guard let running = child else { return [] }
        child = nil
        let stoppedByUs = running.terminated || running.killed
        let cause: StopCause = stoppedByUs ? (running.stopCause ?? .leaseDeadline) : exitRequestedAt != nil ? .signal : .commandExited
        stops[cause, default: 0] += 1
        lastChange = Change(started: false, cause: cause.rawValue, token: running.token, at: now)
        var actions: [Action] = []
        if cause == .commandExited {
            // The work ended while this node leads: hand over at once, so it goes on elsewhere,
            // and do not start it again here in this token.
            finishedToken = running.token
            if mayActAsLeader(at: now) { actions.append(.resign) }
            lease = nil
        }
        lastStop = (running.token, cause)
        if once {
            actions.append(.exit(status: status))
            return actions
        }
        if exitRequestedAt != nil {
            actions.append(contentsOf: finishExit(at: now))
            return actions
        }
        actions += advance(to: now)
        return actions
    }

    /// The runner got SIGTERM, SIGINT or SIGHUP: pass it on and exit once the command is gone.
    public mutating func exitRequested(at now: Instant) -> [Action] {
        if exitRequestedAt == nil { exitRequestedAt = now }
        if let running = child {
            if child?.stopCause == nil { child?.stopCause = .signal }
            return [.forwardSignal(pid: running.pid)]
        }
        if pendingStart != nil { return [] }
        return finishExit(at: now)
    }

    private mutating func finishExit(at now: Instant) -> [Action] {
        var actions: [Action] = []
        if mayActAsLeader(at: now) { actions.append(.resign) }
        lease = nil
        actions.append(.exit(status: 0))
        return actions
    }

    /// True while the lease deadline is ahead.
    public func mayActAsLeader(at now: Instant) -> Bool {
        guard let lease else { return false }
        return now < lease.deadline
    }
}
