@testable import TenureHistory
import TenureEvents

/// Builds small hand-made histories: a clean one in which n1 leads term 1, is cut off at 2 s,
/// stops claiming when its lease ends, n3 wins term 2 at 2.6 s, the partition heals at 3 s and
/// everyone follows n3 until the end at 5 s. Tests break one thing each and expect one check to fail.
struct SyntheticHistory {
    static let ms: Int64 = 1_000_000
    static let lease: Int64 = 440 * ms

    var events: [EventRecord] = []
    var probes: [Probe] = []
    var harness: [PhaseRecord] = []

    static func t(_ milliseconds: Int64) -> Int64 { milliseconds * ms }

    mutating func event(_ milliseconds: Int64, _ node: String, _ kind: String, boot: String = "b1", term: UInt64? = nil,
                        termFrom: UInt64? = nil, termTo: UInt64? = nil, roleFrom: String? = nil, roleTo: String? = nil,
                        leader: String? = nil, candidate: String? = nil, granted: Bool? = nil, basis: Int64? = nil,
                        until: Int64? = nil, acquired: Bool? = nil, reason: String? = nil, cause: String? = nil,
                        loadedTerm: UInt64? = nil) {
        var record = EventRecord(ts: Self.t(milliseconds), node: node, boot: boot, kind: EventKind(rawValue: kind)!)
        record.term = term
        record.termFrom = termFrom
        record.termTo = termTo
        record.roleFrom = roleFrom
        record.roleTo = roleTo
        record.leader = leader
        record.candidate = candidate
        record.granted = granted
        record.basisTs = basis.map(Self.t)
        record.untilTs = until.map(Self.t)
        record.acquired = acquired
        record.reason = reason
        record.cause = cause
        record.loadedTerm = loadedTerm
        events.append(record)
    }

    /// A won election: candidate, votes from `voters`, role change, and every node learning the leader.
    mutating func elect(_ node: String, term: UInt64, at start: Int64, voters: [String], followers: [String]) {
        event(start, node, "term", termFrom: term - 1, termTo: term, cause: "campaign")
        event(start, node, "persist_ok", term: term)
        event(start, node, "candidate", term: term)
        for voter in voters {
            event(start + 1, voter, "term", termFrom: term - 1, termTo: term, cause: "message")
            event(start + 1, voter, "persist_ok", term: term)
            event(start + 1, voter, "vote", term: term, candidate: node, granted: true, reason: "granted")
        }
        event(start + 2, node, "role", term: term, roleFrom: "candidate", roleTo: "leader", reason: "election_won")
        event(start + 2, node, "leader_changed", term: term, leader: node)
        for follower in followers { event(start + 3, follower, "leader_changed", term: term, leader: node) }
    }

    /// Lease renewals every 50 ms from `from` while `from + 50k < to`; each based on the round sent 1 ms before.
    mutating func leases(_ node: String, term: UInt64, from: Int64, to: Int64) {
        var at = from
        var first = true
        while at < to {
            event(at, node, "lease", term: term, basis: at - 1, until: at - 1 + Self.lease / Self.ms, acquired: first)
            first = false
            at += 50
        }
    }

    /// Probes of `node` every 10 ms in [from, to), each taking 1 ms.
    mutating func probe(_ node: String, from: Int64, to: Int64, term: UInt64, leader: String?, isLeader: (Int64) -> Bool = { _ in false },
                        role: String = "follower") {
        var at = from
        while at < to {
            let claims = isLeader(at)
            probes.append(Probe(endpoint: node, node: node, invoke: Self.t(at), complete: Self.t(at + 1), ok: true,
                                role: claims ? "leader" : role, term: term, leader: leader, isLeader: claims))
            at += 10
        }
    }

    mutating func mark(_ milliseconds: Int64, _ kind: PhaseRecord.Kind, id: String? = nil, fault: String? = nil, spec: String? = nil,
                       node: String? = nil, nodes: [String] = [], isolated: [String] = [], expect: PhaseRecord.Expectation? = nil,
                       status: Int? = nil, expected: Bool? = nil) {
        harness.append(PhaseRecord(ts: Self.t(milliseconds), kind: kind, requestedTs: Self.t(milliseconds) - 5 * Self.ms, id: id,
                                   fault: fault, spec: spec, isolated: isolated, expect: expect, node: node, status: status,
                                   expected: expected, nodes: nodes, heartbeatMilliseconds: kind == .config ? 50 : nil,
                                   electionTimeoutMinMilliseconds: kind == .config ? 500 : nil,
                                   electionTimeoutMaxMilliseconds: kind == .config ? 600 : nil))
    }

    /// The clean history described above.
    static func clean() -> SyntheticHistory {
        var history = SyntheticHistory()
        history.mark(0, .config, nodes: ["n1", "n2", "n3"])
        for node in ["n1", "n2", "n3"] { history.event(1, node, "start", loadedTerm: 0) }
        history.elect("n1", term: 1, at: 600, voters: ["n2"], followers: ["n2", "n3"])
        history.leases("n1", term: 1, from: 603, to: 2000)
        // Cut at 2000: the last renewal (ts 1953, basis 1952) runs until 2392.
        history.mark(2000, .faultStart, id: "cut", fault: "partition", spec: "n1 | n2 n3", isolated: ["n1"], expect: .leaderChange)
        history.event(2392, "n1", "lease_lost", term: 1, reason: "expired")
        history.event(2452, "n1", "role", term: 1, roleFrom: "leader", roleTo: "follower", reason: "lost_quorum")
        history.event(2452, "n1", "leader_changed", term: 1, leader: nil)
        history.event(2500, "n1", "precandidate", term: 2)
        history.elect("n3", term: 2, at: 2600, voters: ["n2"], followers: ["n2"])
        history.leases("n3", term: 2, from: 2603, to: 5000)
        history.mark(3000, .heal)
        history.event(3010, "n1", "term", termFrom: 1, termTo: 2, cause: "message")
        history.event(3010, "n1", "persist_ok", term: 2)
        history.event(3010, "n1", "leader_changed", term: 2, leader: "n3")

        history.probe("n1", from: 700, to: 2450, term: 1, leader: "n1", isLeader: { $0 < 2390 }, role: "leader")
        history.probe("n1", from: 2450, to: 3010, term: 1, leader: nil)
        history.probe("n1", from: 3020, to: 5000, term: 2, leader: "n3")
        history.probe("n2", from: 700, to: 2600, term: 1, leader: "n1")
        history.probe("n2", from: 2610, to: 5000, term: 2, leader: "n3")
        history.probe("n3", from: 700, to: 2600, term: 1, leader: "n1")
        history.probe("n3", from: 2610, to: 5000, term: 2, leader: "n3", isLeader: { $0 >= 2610 }, role: "leader")

        history.mark(5000, .end)
        for (index, node) in ["n1", "n2", "n3"].enumerated() {
            history.event(5005 + Int64(index), node, "stop")
            history.mark(5010 + Int64(index), .exit, node: node, status: 0, expected: false)
        }
        return history
    }

    var history: History { History(events: events, probes: probes, harness: harness) }

    func check(_ configure: (inout CheckOptions) -> Void = { _ in }) -> CheckReport {
        var options = CheckOptions(scenario: "synthetic")
        configure(&options)
        return HistoryChecker(history: history, options: options).run()
    }
}

extension CheckReport {
    /// The checks that found a violation.
    var failedChecks: Set<String> { Set(violations.map(\.check)) }
}
