import TenureCore

/// What the quiet-period probes have seen.
struct LivenessTracker {
    /// The leader every node agrees on at the latest probe, and since when without a break.
    var agreement: (node: Int, term: UInt64, since: Int64)?
    /// Set once the agreement has held past the point where stragglers from the faults could
    /// still upset it; from then on it must hold until the end.
    var isEstablished = false
}

/// Measures failovers: from the moment the lease holder is in trouble (lost its lease, crashed,
/// stopped, or was cut off from a quorum) to the moment a leader of another term acquires a lease.
struct FailoverTracker {
    /// The node that acquired the latest lease, and its term.
    private(set) var holder: Int?
    private var holderTerm: UInt64 = 0
    private var troubleSince: Int64?

    mutating func holderInTrouble(node: Int, now: Int64) {
        guard node == holder, troubleSince == nil else { return }
        troubleSince = now
    }

    mutating func leaseAcquired(node: Int, term: UInt64, now: Int64, statistics: inout SimulationStatistics) {
        if let since = troubleSince, term != holderTerm {
            statistics.failoverTimes.append(Interval(nanoseconds: now - since))
        }
        troubleSince = nil
        holder = node
        holderTerm = term
    }
}

extension Simulation {
    /// Every 50 ms of the quiet period: is there a leader that every node knows, holding its
    /// lease? One must be there by `livenessDeadline`. From the moment the last message sent
    /// during the faults has arrived (`maximumMessageDelay` after they stopped) the agreement
    /// in place must hold until the end; before that moment a leader may still lose a lease it
    /// could not renew during the faults, which is no failure of liveness. The recovery time
    /// counts from the end of the faults to the start of the agreement that then holds.
    mutating func probeLiveness() {
        let agreed = agreedLeader()
        if liveness.isEstablished {
            if let agreement = liveness.agreement, agreed?.node != agreement.node || agreed?.term != agreement.term {
                let now = agreed.map { "n\($0.node + 1) in term \($0.term)" } ?? "no leader all nodes agree on"
                report(.leaderNotStable, "n\(agreement.node + 1) led term \(agreement.term) with every node's agreement from t=\(formatSeconds(agreement.since)) in the quiet period, but now there is \(now)")
                return
            }
        } else {
            if let agreed {
                if liveness.agreement?.node != agreed.node || liveness.agreement?.term != agreed.term {
                    liveness.agreement = (agreed.node, agreed.term, now)
                }
            } else {
                liveness.agreement = nil
            }
            if now >= faultsEnd + options.maximumMessageDelay.nanoseconds, let agreement = liveness.agreement {
                liveness.isEstablished = true
                statistics.recoveryTimes.append(Interval(nanoseconds: agreement.since - faultsEnd))
                trace.record(.note("liveness: every node agrees n\(agreement.node + 1) leads term \(agreement.term), since \(formatMilliseconds(agreement.since - faultsEnd)) after the faults stopped"), at: now)
            } else if now >= livenessDeadline {
                report(.noLeaderAfterFaults, "no leader known to every node \(formatMilliseconds(now - faultsEnd)) after the faults stopped (bound \(formatMilliseconds(options.livenessBound.nanoseconds)))")
                return
            }
        }
        let next = now + 50_000_000
        if next <= durationNanoseconds { queue.schedule(.probe, at: next) }
    }

    /// The node that holds a lease now and that every other node names as its leader.
    private func agreedLeader() -> (node: Int, term: UInt64)? {
        guard let leader = currentLeader(), nodes[leader].status == .running, let core = nodes[leader].core,
              core.isLeader(at: nodes[leader].instant(at: now)) else { return nil }
        let id = nodeIDs[leader]
        // Nodes outside the leader's configuration (removed, not added back) follow nobody.
        for node in nodes.indices where node != leader && core.membership.contains(nodeIDs[node]) {
            guard nodes[node].status == .running, let follower = nodes[node].core,
                  follower.knownLeader(at: nodes[node].instant(at: now)) == id else { return nil }
        }
        return (leader, core.term)
    }
}
