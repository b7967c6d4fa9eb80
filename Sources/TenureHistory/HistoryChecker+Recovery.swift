import TenureEvents

extension HistoryChecker {
    /// L4: after the last heal, every node agrees on one leader and term within
    /// `convergenceElectionTimeouts x electionTimeoutMax` (plus the liveness allowance), and keeps
    /// agreeing, with no further election, until the end of the observation.
    ///
    /// A node agrees when its answer names leader L in term T, and L's own answer says
    /// `is_leader: true`. Failed probes carry no information and are ignored.
    func checkConvergence(_ violations: inout [Violation]) -> String? {
        guard let healTs = history.harness.last(where: { $0.kind == .heal })?.ts else { return nil }
        guard let result = convergence(after: healTs) else {
            violations.append(Violation(check: "converges-after-heal", summary: "no answers from the nodes after the heal at \(at(healTs))",
                                        at: healTs, nodes: history.nodes))
            return nil
        }
        let bound = options.convergenceElectionTimeouts * electionTimeoutMax + options.livenessAllowanceNanoseconds
        let end = observationEnd
        switch result {
        case .never(let node, let last, let leader, let term):
            violations.append(Violation(
                check: "converges-after-heal",
                summary: "\(node) still disagreed at the end of the observation (last answer: leader \(last.leader ?? "none"), term \(last.term ?? 0); the others: \(leader ?? "none") in term \(term))",
                at: last.invoke, nodes: [node] + (leader.map { [$0] } ?? []), probes: [last]))
        case .converged(let instant, let leader, let term, let lastDisagreement):
            let took = instant - healTs
            if took > bound {
                violations.append(Violation(
                    check: "converges-after-heal",
                    summary: "the nodes agreed on \(leader) in term \(term) only \(Self.ms(took)) after the heal (bound \(Self.ms(bound)))",
                    at: instant, nodes: history.nodes, probes: lastDisagreement.map { [$0] } ?? []))
            }
            if end - instant < options.minimumStableNanoseconds {
                violations.append(Violation(
                    check: "converges-after-heal",
                    summary: "agreement on \(leader) in term \(term) held only \(Self.ms(end - instant)) before the end of the observation (need \(Self.ms(options.minimumStableNanoseconds)))",
                    at: instant, nodes: history.nodes))
            }
            let later = electionsWon.filter { $0.ts > instant && $0.ts <= end }
            if let win = later.first {
                violations.append(Violation(check: "converges-after-heal",
                                            summary: "\(win.node) was elected in term \(win.term ?? 0) after the cluster had converged on \(leader) in term \(term)",
                                            at: win.ts, nodes: [win.node, leader], events: [win]))
            }
            return "all \(history.nodes.count) nodes agreed on \(leader) in term \(term) \(Self.ms(took)) after the heal (bound \(Self.ms(bound))) and stayed so for \(Self.ms(end - instant))"
        }
        return nil
    }

    enum Convergence {
        case converged(at: Int64, leader: String, term: UInt64, lastDisagreement: Probe?)
        case never(node: String, last: Probe, leader: String?, term: UInt64)
    }

    func convergence(after healTs: Int64) -> Convergence? {
        let end = observationEnd
        var byNode: [String: [Probe]] = [:]
        for probe in history.probes where probe.ok && probe.invoke >= healTs && probe.complete <= end {
            if let node = probe.node, !options.removedNodes.contains(node) { byNode[node, default: []].append(probe) }
        }
        guard !byNode.isEmpty else { return nil }
        // The final agreement: what most nodes said last.
        var votes: [String: Int] = [:]
        for probes in byNode.values {
            if let last = probes.last { votes["\(last.leader ?? "-")|\(last.term ?? 0)", default: 0] += 1 }
        }
        let winner = votes.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key.split(separator: "|")
        let leader = winner[0] == "-" ? nil : String(winner[0])
        let term = UInt64(winner[1]) ?? 0
        var latest = healTs
        var lastDisagreement: Probe?
        for node in history.nodes where !options.removedNodes.contains(node) {
            guard let probes = byNode[node], let last = probes.last else {
                return .never(node: node, last: Probe(node: node, invoke: end, complete: end, ok: false, error: "no answer after the heal"),
                              leader: leader, term: term)
            }
            func agrees(_ probe: Probe) -> Bool {
                probe.leader == leader && probe.term == term && (probe.node != leader || probe.isLeader)
            }
            guard leader != nil, agrees(last) else { return .never(node: node, last: last, leader: leader, term: term) }
            if let badIndex = probes.lastIndex(where: { !agrees($0) }) {
                let firstGood = probes[badIndex + 1]
                if firstGood.invoke > latest {
                    latest = firstGood.invoke
                    lastDisagreement = probes[badIndex]
                }
            } else if let first = probes.first, first.invoke > latest {
                latest = first.invoke
            }
        }
        return .converged(at: latest, leader: leader!, term: term, lastDisagreement: lastDisagreement)
    }

    /// No node process crashed: every exit the harness saw was clean or caused by the harness, and
    /// every process start that never logged `stop` was killed by the harness.
    func checkNoCrash(_ violations: inout [Violation]) -> String? {
        guard !history.harness.isEmpty else { return nil }
        let exits = history.harness.filter { $0.kind == .exit }
        for exit in exits where exit.expected != true && exit.status != 0 {
            violations.append(Violation(check: "no-crash",
                                        summary: "\(exit.node ?? "?") exited with status \(exit.status.map(String.init) ?? "?") without being killed by the harness",
                                        at: exit.ts, nodes: [exit.node ?? "?"]))
        }
        let kills = history.harness.filter { $0.kind == .kill }
        var boots: [String: (first: EventRecord, stopped: Bool)] = [:]
        var order: [String] = []
        for event in history.events {
            let key = event.node + "/" + event.boot
            if boots[key] == nil {
                boots[key] = (event, false)
                order.append(key)
            }
            if event.kind == .stop { boots[key]!.stopped = true }
        }
        var unexplained = 0
        for key in order {
            guard let boot = boots[key], !boot.stopped else { continue }
            let node = boot.first.node
            let nextStart = order.compactMap { boots[$0]?.first }.first { $0.node == node && $0.ts > boot.first.ts }?.ts ?? Int64.max
            if !kills.contains(where: { $0.node == node && $0.ts >= boot.first.ts && $0.ts <= nextStart }) {
                unexplained += 1
                violations.append(Violation(check: "no-crash",
                                            summary: "\(node)'s process started at \(at(boot.first.ts)) (boot \(boot.first.boot)) never logged a clean stop and was not killed by the harness",
                                            at: boot.first.ts, nodes: [node], events: [boot.first]))
            }
        }
        let killed = exits.filter { $0.expected == true }.count
        return "\(boots.count) process starts, \(exits.count) exits (\(killed) killed on purpose), no crash"
    }

    /// The scenario's figures: how fast a cut-off leader stopped claiming, how fast the majority
    /// elected, the gap between the two, the dual-leader window and the time to converge.
    func measureFigures() -> ScenarioFigures {
        var figures = ScenarioFigures()
        figures.probes = history.probes.count
        figures.failedProbes = history.probes.filter { !$0.ok }.count
        figures.authoritativeAnswers = history.probes.filter { $0.ok && $0.isLeader }.count
        figures.dualLeaderMilliseconds = Double(max(0, longestLeaseOverlap)) / 1e6
        let windows = faultWindows
        if let firstFault = windows.first {
            figures.leaderChanges = electionsWon.filter { $0.ts > firstFault.from && $0.ts <= observationEnd }.count
        }
        // The first fault that took the leader away: it was cut off, paused or killed.
        for window in windows {
            guard let holder = leaseHolder(at: window.from), holder.end > window.from else { continue }
            let lostLeader = window.isolated.contains(holder.node) || (window.fault == "kill" && window.start.node == holder.node)
            guard lostLeader else { continue }
            if window.fault != "kill" { figures.stopClaimingMilliseconds = Double(holder.end - window.from) / 1e6 }
            if let win = electionsWon.first(where: { $0.ts > window.from && ($0.term ?? 0) > holder.term }), win.ts <= window.to {
                figures.electionMilliseconds = Double(win.ts - window.from) / 1e6
                figures.handoverGapMilliseconds = Double(win.ts - holder.end) / 1e6
            }
            break
        }
        if let healTs = history.harness.last(where: { $0.kind == .heal })?.ts,
           case .converged(let instant, _, _, _)? = convergence(after: healTs) {
            figures.convergenceMilliseconds = Double(instant - healTs) / 1e6
        }
        return figures
    }
}
