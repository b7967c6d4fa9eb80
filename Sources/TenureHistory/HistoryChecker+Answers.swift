extension HistoryChecker {
    /// S7 (clock-free): no authoritative "I am leader" answer carries an older term than a
    /// leadership that a probe had already seen, in a probe that completed before this one began.
    ///
    /// "Seen" means any answer naming a leader of that term: the leader's own, or a follower's
    /// that heard its heartbeat. This is the Jepsen-style check for stale reads from deposed
    /// leaders; it needs no assumption about clocks, only the order of invoke and complete.
    func checkAuthoritativeOrder(_ violations: inout [Violation]) -> String? {
        let authoritative = history.probes.filter { $0.ok && $0.isLeader && $0.term != nil }
        guard !authoritative.isEmpty else { return nil }
        let visible = history.probes.filter { $0.ok && $0.leader != nil && $0.term != nil }.sorted { $0.complete < $1.complete }
        // prefixBest[i]: the visible answer with the highest term among visible[0...i].
        var prefixBest: [Probe] = []
        prefixBest.reserveCapacity(visible.count)
        for probe in visible {
            if let best = prefixBest.last, best.term! >= probe.term! { prefixBest.append(best) } else { prefixBest.append(probe) }
        }
        var found = 0
        for answer in authoritative {
            // The last visible answer that completed strictly before this one was invoked.
            var low = 0, high = visible.count
            while low < high {
                let middle = (low + high) / 2
                if visible[middle].complete < answer.invoke { low = middle + 1 } else { high = middle }
            }
            guard low > 0 else { continue }
            let newer = prefixBest[low - 1]
            guard newer.term! > answer.term! else { continue }
            found += 1
            if found <= 5 {
                violations.append(Violation(
                    check: "authoritative-order",
                    summary: "\(answer.node ?? answer.endpoint) answered is_leader=true in term \(answer.term!) (invoked \(at(answer.invoke))) after \(newer.node ?? newer.endpoint) had already shown \(newer.leader!) leading term \(newer.term!) (completed \(at(newer.complete)))",
                    at: answer.invoke, nodes: Array(Set([answer.node, newer.node, newer.leader].compactMap { $0 })).sorted(),
                    probes: [answer, newer]))
            }
        }
        if found > 5, var last = violations.last {
            last.summary += " (\(found) such answers in all)"
            violations[violations.count - 1] = last
        }
        return "\(authoritative.count) authoritative answers, none older than a leadership already visible"
    }
}
