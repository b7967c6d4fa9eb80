import TenureAPI
import TenureCore

/// The `tenure run` beside this node, and the handover it must finish before the next leader.
///
/// A transfer or resign gives up the lease and sends TimeoutNow, after which the target is
/// elected within milliseconds. If a runner still runs the application's work here, that would
/// leave two machines working. So while an attached runner reports its command running, the
/// TimeoutNow is held back until the runner reports it stopped, or until the lease this node
/// last held has ended (a runner that cannot be reached has killed its command by then, since
/// its deadline is earlier), capped well inside the core's transfer deadline.
struct RunnerAttachment {
    /// When the runner last asked (every poll carries `runner=running|idle` and the rest of its
    /// `RunnerReport`).
    var lastSeen: Instant
    var report: RunnerReport
    var running: Bool { report.commandMayRun }

    /// A runner that has not asked for this long is treated as gone.
    static let attachmentWindow = Interval.seconds(1)
}

extension NodeRuntime {
    /// Records what a runner said about its command (`?runner=running` or `?runner=idle`, with
    /// the rest of its report), and logs each start and stop it reports, with its cause.
    func noteRunner(_ query: [String: String], now: Instant) {
        guard let report = RunnerReport(query: query) else { return }
        let previous = runner?.report
        runner = RunnerAttachment(lastSeen: now, report: report)
        if let change = report.lastChange, let cause = report.lastCause,
           previous == nil || previous?.lastChange != change || previous?.lastCause != cause || previous?.starts != report.starts || previous?.stops != report.stops {
            let token = report.token.map { " in term \($0)" } ?? ""
            let pid = report.pid.map { " (pid \($0))" } ?? ""
            let leading = clientIsLeader(at: now)
            if change == "stopped" && leading {
                log.warning("runner: command stopped\(token) (\(cause)) while this node leads; it starts again once the runner sees a live lease")
            } else {
                log.info("runner: command \(change)\(pid)\(token) (\(cause))")
            }
        }
        releaseHeldTransfer(now: now)
    }

    /// The runner's report while it is attached (asked within the attachment window).
    func attachedRunner(at now: Instant) -> RunnerReport? {
        guard let runner, now - runner.lastSeen < RunnerAttachment.attachmentWindow else { return nil }
        return runner.report
    }

    var runnerIsRunning: Bool {
        guard let runner else { return false }
        return runner.running && clock.now() - runner.lastSeen < RunnerAttachment.attachmentWindow
    }

    /// True when `envelope` is a TimeoutNow that must wait for the runner; it is then held.
    func holdForRunner(_ envelope: Envelope, now: Instant) -> Bool {
        guard case .timeoutNow = envelope.message, runnerIsRunning else { return false }
        let cap = now + options.electionTimeoutMin - options.heartbeatInterval - options.heartbeatInterval
        let until = min(max(now, lastLeaseExpiry ?? now), cap)
        heldTransfer = HeldTransfer(envelope: envelope, term: core.term, until: until)
        log.info("holding the handover to \(envelope.to) until the local runner stops its command (at most \(until - now))")
        return true
    }

    /// Sends the held TimeoutNow once the runner is idle or the hold ran out; drops it when
    /// this node has moved to another term (a resign steps down at once, but its term stays).
    func releaseHeldTransfer(now: Instant) {
        guard let held = heldTransfer else { return }
        guard core.term == held.term else {
            heldTransfer = nil
            return
        }
        guard !runnerIsRunning || now >= held.until else { return }
        heldTransfer = nil
        log.info(runnerIsRunning ? "the runner did not report its command stopped in time; handing over now (its deadline has passed)"
                                 : "the runner stopped its command; handing over to \(held.envelope.to)")
        metrics.messagesSent += 1
        if !transport.send(held.envelope, now: now) { metrics.messagesDropped += 1 }
    }
}

/// A TimeoutNow waiting for the runner (see `RunnerAttachment`).
struct HeldTransfer {
    var envelope: Envelope
    var term: UInt64
    var until: Instant
}
