import TenureCore
import TenureSupervision

/// `--on-elected` and `--on-demoted` in the shell: `HookQueue` decides which run a role change
/// calls for, the hook thread runs it, and finished runs become log lines and metrics. Nothing
/// here waits for a hook.
extension NodeRuntime {
    /// Queues the hook a role change calls for, if one was given.
    func queueHooks(for event: Event) {
        guard let hooks else { return }
        switch state.hooks.decide(for: event, selfID: state.core.id, leader: state.core.leader) {
        case .none:
            break
        case .run(let invocation):
            hooks.enqueue(invocation)
        case .dropped(let hook, let term, let queued):
            metrics.hooksDropped += 1
            log.warning("\(hook.flag) for term \(term) skipped: \(queued) hook runs are still queued")
        }
    }

    /// Logs and counts the hook runs that finished since the last turn.
    func collectHookReports() {
        guard let hooks else { return }
        for report in hooks.reports.drain() {
            state.hooks.finished()
            let hook = report.invocation.hook
            let outcome = report.outcome
            metrics.hookRuns["\(hook.rawValue)|\(outcome.result)", default: 0] += 1
            metrics.hookSeconds[hook.rawValue, default: 0] += Double(outcome.duration.nanoseconds) / 1e9
            let took = outcome.timedOut ? "" : " in \(outcome.duration.nanoseconds / 1_000_000) ms"
            let line = "\(hook.flag) for term \(report.invocation.term): \(outcome.summary)\(took)"
            if outcome.succeeded { log.info(line) } else { log.warning(line) }
        }
    }
}
