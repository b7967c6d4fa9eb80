import TenureAPI
import TenureCore
import TenureSupervision

/// The `tenure run` beside this node, in the shell: each poll's report goes to `HandoverHold`
/// (which also decides when a held handover goes), and starts and stops are logged with causes.
extension NodeRuntime {
    /// Records what a runner said about its command (`?runner=running` or `?runner=idle`, with
    /// the rest of its report), and logs each start and stop it reports, with its cause.
    func noteRunner(_ query: [String: String], now: Instant) {
        guard let report = RunnerReport(query: query) else { return }
        if let change = state.handover.runnerReported(report, at: now) {
            let token = change.token.map { " in term \($0)" } ?? ""
            let pid = change.pid.map { " (pid \($0))" } ?? ""
            if change.change == "stopped" && state.clientIsLeader(at: now) {
                log.warning("runner: command stopped\(token) (\(change.cause)) while this node leads; it starts again once the runner sees a live lease")
            } else {
                log.info("runner: command \(change.change)\(pid)\(token) (\(change.cause))")
            }
        }
        releaseHeldTransfer(now: now)
    }

    /// The runner's report while it is attached (asked within the attachment window).
    func attachedRunner(at now: Instant) -> RunnerReport? { state.handover.attachedRunner(at: now) }

    var runnerIsRunning: Bool { state.handover.runnerIsRunning(at: clock.now()) }

    /// True when `envelope` is a TimeoutNow that must wait for the runner; it is then held until
    /// the last lease ends, capped well inside the core's transfer deadline.
    func holdForRunner(_ envelope: Envelope, now: Instant) -> Bool {
        let cap = now + options.electionTimeoutMin - options.heartbeatInterval - options.heartbeatInterval
        guard state.handover.hold(envelope, term: state.core.term, lastLeaseExpiry: state.lastLeaseExpiry, cap: cap, at: now) else { return false }
        log.info("holding the handover to \(envelope.to) until the local runner stops its command (at most \((state.handover.nextDeadline ?? now) - now))")
        return true
    }

    /// Sends the held TimeoutNow once the runner is idle or the hold ran out; drops it when this
    /// node has moved to another term.
    func releaseHeldTransfer(now: Instant) {
        guard case .send(let envelope, let runnerStopped)? = state.handover.release(term: state.core.term, at: now) else { return }
        log.info(runnerStopped ? "the runner stopped its command; handing over to \(envelope.to)"
                               : "the runner did not report its command stopped in time; handing over now (its deadline has passed)")
        metrics.messagesSent += 1
        if !transport.send(envelope, reports: [], now: now) { metrics.messagesDropped += 1 }
    }
}
