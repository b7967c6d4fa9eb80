import TenureCore

/// `--on-elected` and `--on-demoted` in the shell: role changes become queued hook runs, and
/// finished runs become log lines and metrics. Nothing here waits for a hook.
extension NodeRuntime {
    /// Queues the hook a role change calls for, if one was given.
    func queueHooks(for event: Event) {
        guard let hooks, case .roleChanged(let from, let to, let term, let reason) = event else { return }
        let hook: HookRunner.Hook
        if to == .leader {
            hook = .elected
        } else if from == .leader {
            hook = .demoted
        } else {
            return
        }
        guard hooks.has(hook) else { return }
        guard hooksInFlight < HookRunner.maximumQueued else {
            metrics.hooksDropped += 1
            log.warning("\(hook.flag) for term \(term) skipped: \(hooksInFlight) hook runs are still queued")
            return
        }
        hooksInFlight += 1
        hooks.enqueue(HookRunner.Invocation(hook: hook, term: term, environment: [
            "TENURE_NODE_ID": core.id.rawValue,
            "TENURE_HOOK": hook.rawValue,
            "TENURE_TERM": String(term),
            "TENURE_ROLE": to.rawValue,
            "TENURE_LEADER": (to == .leader ? core.id : core.leader)?.rawValue ?? "",
            "TENURE_CAUSE": reason.rawValue,
        ]))
    }

    /// Logs and counts the hook runs that finished since the last turn.
    func collectHookReports() {
        guard let hooks else { return }
        for report in hooks.reports.drain() {
            hooksInFlight -= 1
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
