import TenureEvents

extension HistoryChecker {
    /// S8: a leader cut off from every quorum stops answering `is_leader: true` within its lease.
    ///
    /// Exact: no renewal can be based on a round sent after the cut, so the lease ends by
    /// `cut + lease` at the latest, and any answer invoked after that instant must say no.
    func checkMinorityLeaderStops(_ violations: inout [Violation]) -> String? {
        var details: [String] = []
        for window in faultWindows where !window.isolated.isEmpty {
            guard let holder = leaseHolder(at: window.from), window.isolated.contains(holder.node) else { continue }
            let bound = window.from + lease
            let late = history.probes.filter {
                $0.node == holder.node && $0.ok && $0.isLeader && $0.invoke >= bound && $0.invoke <= window.to
            }
            if let first = late.first {
                violations.append(Violation(
                    check: "minority-leader-stops",
                    summary: "\(holder.node), cut off at \(at(window.from)) while leading term \(holder.term), still answered is_leader=true in a probe invoked \(Self.ms(first.invoke - window.from)) after the cut (lease \(Self.ms(lease))); \(late.count) such answers",
                    at: first.invoke, nodes: [holder.node], events: [holder.startEvent], probes: Array(late.prefix(3))))
            }
            let renewals = history.events.filter {
                $0.node == holder.node && $0.kind == .lease && ($0.basisTs ?? 0) >= window.from && $0.ts <= window.to
            }
            if let renewal = renewals.first {
                violations.append(Violation(
                    check: "minority-leader-stops",
                    summary: "\(holder.node) renewed its lease from a heartbeat round sent at \(at(renewal.basisTs!)), after it was cut off at \(at(window.from))",
                    at: renewal.ts, nodes: [holder.node], events: [renewal]))
            }
            let claims = history.probes.filter { $0.node == holder.node && $0.ok && $0.isLeader && $0.invoke >= window.from && $0.invoke <= window.to }
            let lastClaim = claims.last.map { "last is_leader=true answer invoked \(Self.ms($0.invoke - window.from)) after the cut" } ?? "no is_leader=true answer after the cut"
            details.append("\(holder.node) (term \(holder.term)) stopped claiming \(Self.ms(min(holder.end, window.to) - window.from)) after the cut, \(lastClaim); bound \(Self.ms(lease))")
        }
        return details.isEmpty ? nil : details.joined(separator: "; ")
    }

    /// S11 (Pre-Vote): a node cut off from every quorum neither campaigns nor sees its term grow.
    func checkIsolatedTermFrozen(_ violations: inout [Violation]) -> String? {
        var checked: Set<String> = []
        for window in faultWindows where !window.isolated.isEmpty {
            let isolated = Set(window.isolated)
            checked.formUnion(isolated)
            let offending = history.events.filter {
                isolated.contains($0.node) && ($0.kind == .term || $0.kind == .candidate) && $0.ts > window.from && $0.ts <= window.to
            }
            if let first = offending.first {
                violations.append(Violation(
                    check: "isolated-term-frozen",
                    summary: "\(first.node), cut off from every quorum since \(at(window.from)) (\(window.start.spec ?? window.fault)), \(first.kind == .term ? "moved its term from \(first.termFrom ?? 0) to \(first.termTo ?? 0)" : "campaigned in term \(first.term ?? 0)") at \(at(first.ts))",
                    at: first.ts, nodes: [first.node], events: Array(offending.prefix(4))))
            }
        }
        return checked.isEmpty ? nil : "terms of \(checked.sorted().joined(separator: ",")) did not grow while cut off"
    }

    /// L2: when the leader is lost and a quorum is still connected, a new leader is elected within
    /// `3 x electionTimeoutMax` plus the liveness allowance. L6: no side without a quorum elects.
    func checkMajorityElects(_ violations: inout [Violation]) -> String? {
        var details: [String] = []
        let bound = 3 * electionTimeoutMax + options.livenessAllowanceNanoseconds
        for window in faultWindows {
            let oldTerm = leaseHolder(at: window.from)?.term ?? 0
            let wins = electionsWon.filter { $0.ts > window.from && $0.ts <= window.to }
            switch window.expect {
            case .leaderChange:
                guard let win = electionsWon.first(where: { $0.ts > window.from && ($0.term ?? 0) > oldTerm }),
                      win.ts - window.from <= bound else {
                    violations.append(Violation(
                        check: "majority-elects",
                        summary: "no new leader within \(Self.ms(bound)) of the fault at \(at(window.from)) (\(window.start.spec ?? window.fault))",
                        at: window.from + bound, nodes: history.nodes))
                    continue
                }
                details.append("\(win.node) elected in term \(win.term ?? 0) \(Self.ms(win.ts - window.from)) after \(window.fault) (bound \(Self.ms(bound)))")
            case .noLeader:
                if let win = wins.first {
                    violations.append(Violation(
                        check: "majority-elects",
                        summary: "\(win.node) was elected in term \(win.term ?? 0) at \(at(win.ts)) although no side of \(window.start.spec ?? window.fault) has a quorum",
                        at: win.ts, nodes: [win.node], events: [win]))
                } else {
                    details.append("no side elected during \(window.start.spec ?? window.fault) (no quorum anywhere)")
                }
            case .noLeaderChange, .any:
                continue
            }
        }
        return details.isEmpty ? nil : details.joined(separator: "; ")
    }

    /// L3/L5: a fault that leaves the leader with a quorum causes no election, neither during the
    /// fault nor when the cut-off nodes rejoin, up to the end of the observation.
    func checkNoLeaderChange(_ violations: inout [Violation]) -> String? {
        var details: [String] = []
        for window in faultWindows where window.expect == .noLeaderChange {
            let end = observationEnd
            let wins = electionsWon.filter { $0.ts > window.from && $0.ts <= end }
            let campaigns = history.events.filter { $0.kind == .candidate && $0.ts > window.from && $0.ts <= end }
            let holder = leaseHolder(at: window.from)
            if wins.count > options.toleratedLeaderChanges || (options.toleratedLeaderChanges == 0 && !campaigns.isEmpty) {
                let first = wins.first ?? campaigns.first!
                violations.append(Violation(
                    check: "no-leader-change",
                    summary: "\(wins.count) election(s) and \(campaigns.count) campaign(s) after \(window.start.spec ?? window.fault) at \(at(window.from)), which leaves \(holder?.node ?? "the leader") with a quorum (tolerated: \(options.toleratedLeaderChanges))",
                    at: first.ts, nodes: [first.node] + (holder.map { [$0.node] } ?? []), events: Array((wins + campaigns).prefix(6))))
            } else {
                details.append("\(holder?.node ?? "?") kept leading (term \(holder?.term ?? 0)): \(wins.count) elections, \(campaigns.count) campaigns through \(Self.ms(end - window.from)) after \(window.fault)")
            }
        }
        return details.isEmpty ? nil : details.joined(separator: "; ")
    }
}
