import TenureEvents

extension HistoryChecker {
    /// S1: at most one leader per term, in the event logs (`role` to leader, `leader_changed`) and
    /// in the answers (two answers naming different leaders for one term).
    func checkOneLeaderPerTerm(_ violations: inout [Violation]) -> String? {
        var leaderOfTerm: [UInt64: EventRecord] = [:]
        for event in history.events {
            guard let term = event.term else { continue }
            let named: String?
            if event.becameLeader { named = event.node } else if event.kind == .leaderChanged { named = event.leader } else { named = nil }
            guard let named else { continue }
            if let first = leaderOfTerm[term] {
                let firstNamed = first.becameLeader ? first.node : (first.leader ?? "?")
                if firstNamed != named {
                    violations.append(Violation(check: "one-leader-per-term",
                                                summary: "term \(term) has two leaders: \(first.node) logged \(firstNamed), \(event.node) logged \(named)",
                                                at: event.ts, nodes: Array(Set([first.node, event.node, firstNamed, named])).sorted(),
                                                events: [first, event]))
                }
            } else {
                leaderOfTerm[term] = event
            }
        }
        var answered: [UInt64: Probe] = [:]
        for probe in history.probes where probe.ok {
            guard let term = probe.term, let leader = probe.leader else { continue }
            if let first = answered[term], first.leader != leader {
                violations.append(Violation(check: "one-leader-per-term",
                                            summary: "term \(term) has two leaders in the answers: \(first.node ?? "?") said \(first.leader ?? "?"), \(probe.node ?? "?") said \(leader)",
                                            at: probe.invoke, nodes: Array(Set([first.node, probe.node, first.leader, leader].compactMap { $0 })).sorted(),
                                            probes: [first, probe]))
            } else if answered[term] == nil {
                answered[term] = probe
            }
        }
        let elected = Set(electionsWon.compactMap(\.term)).count
        guard elected > 0 || !answered.isEmpty else { return nil }
        return "\(elected) terms with an elected leader, one leader each in logs and in \(history.probes.count) probes"
    }

    /// S2: a node's term never decreases, across restarts too: every `term` event moves it up,
    /// and a restarted node loads at least the highest term it had made durable before.
    func checkTermMonotonic(_ violations: inout [Violation]) -> String? {
        var durable: [String: EventRecord] = [:] // the persist_ok with the highest term, per node
        var current: [String: UInt64] = [:]     // the term in memory of the running process
        var checked = 0
        for event in history.events {
            switch event.kind {
            case .start:
                guard let loaded = event.loadedTerm else { continue }
                checked += 1
                if let persisted = durable[event.node], let term = persisted.term, loaded < term {
                    violations.append(Violation(check: "term-monotonic",
                                                summary: "\(event.node) restarted with term \(loaded) after making term \(term) durable",
                                                at: event.ts, nodes: [event.node], events: [persisted, event]))
                }
                current[event.node] = loaded
            case .persistOK:
                guard let term = event.term else { continue }
                checked += 1
                if durable[event.node].flatMap(\.term).map({ term > $0 }) ?? true { durable[event.node] = event }
            case .term:
                guard let to = event.termTo else { continue }
                checked += 1
                let from = event.termFrom ?? current[event.node] ?? 0
                if to <= from || to <= current[event.node] ?? 0 {
                    violations.append(Violation(check: "term-monotonic",
                                                summary: "\(event.node) moved its term from \(max(from, current[event.node] ?? 0)) to \(to), not upwards",
                                                at: event.ts, nodes: [event.node], events: [event]))
                }
                current[event.node] = max(to, current[event.node] ?? 0)
            default:
                continue
            }
        }
        return checked > 0 ? "\(checked) term records, never decreasing per node (restarts included)" : nil
    }

    /// S3: a node grants at most one candidate per term, across restarts.
    func checkOneVotePerTerm(_ violations: inout [Violation]) -> String? {
        // The rule the simulator applies too (TenureEvents); the first vote is kept for the report.
        var rule = VotesPerTermRule<String, String>()
        var firstVote: [String: EventRecord] = [:]
        var count = 0
        for event in history.events where event.kind == .vote && event.granted == true {
            guard let term = event.term, let candidate = event.candidate else { continue }
            count += 1
            let key = "\(event.node)/\(term)"
            if let earlier = rule.record(voter: event.node, term: term, candidate: candidate) {
                violations.append(Violation(check: "one-vote-per-term",
                                            summary: "\(event.node) voted for both \(earlier) and \(candidate) in term \(term)",
                                            at: event.ts, nodes: [event.node, candidate, earlier], events: [firstVote[key], event].compactMap { $0 }))
            } else if firstVote[key] == nil {
                firstVote[key] = event
            }
        }
        return count > 0 ? "\(count) granted votes, one candidate per node and term" : nil
    }

    /// S4: every leader was granted votes by a quorum (itself included) in its term before it led.
    func checkLeaderHasQuorum(_ violations: inout [Violation]) -> String? {
        let quorum = history.nodes.count / 2 + 1
        let wins = electionsWon
        for win in wins {
            guard let term = win.term else { continue }
            let votes = history.events.filter {
                $0.kind == .vote && $0.granted == true && $0.term == term && $0.candidate == win.node && $0.ts <= win.ts && $0.node != win.node
            }
            let voters = Set(votes.map(\.node)).union([win.node])
            if voters.count < quorum {
                violations.append(Violation(check: "leader-has-quorum",
                                            summary: "\(win.node) became leader of term \(term) with votes from only \(voters.sorted().joined(separator: ",")) (quorum \(quorum))",
                                            at: win.ts, nodes: [win.node], events: [win] + votes))
            }
        }
        return wins.isEmpty ? nil : "\(wins.count) elections, each with votes from a quorum of \(quorum)"
    }
}
