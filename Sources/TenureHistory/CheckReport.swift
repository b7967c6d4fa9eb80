import TenureEvents
import TenureJSON

/// A broken invariant, with the records that prove it.
public struct Violation: Sendable {
    /// The check that failed, e.g. `one-leader-per-term`.
    public var check: String
    /// One sentence naming the nodes, terms and times involved.
    public var summary: String
    /// The instant the violation became visible; the counterexample is printed around it.
    public var at: Int64
    public var nodes: [String]
    /// The records that make up the counterexample itself (marked `>` when printed).
    public var events: [EventRecord]
    public var probes: [Probe]

    public init(check: String, summary: String, at: Int64, nodes: [String], events: [EventRecord] = [], probes: [Probe] = []) {
        self.check = check
        self.summary = summary
        self.at = at
        self.nodes = nodes
        self.events = events
        self.probes = probes
    }
}

/// The outcome of one check: passed (with what it looked at), failed, or not applicable.
public struct CheckOutcome: Sendable {
    public enum Status: String, Sendable { case pass = "PASS", fail = "FAIL", skipped = "SKIP" }
    public var check: String
    public var status: Status
    public var detail: String
}

/// Times measured in one scenario, in milliseconds; nil when the scenario has no such moment.
public struct ScenarioFigures: Sendable {
    /// From the fault being in force to the cut-off leader no longer claiming leadership (its
    /// lease ended or was given up).
    public var stopClaimingMilliseconds: Double?
    /// From the fault being in force to a new leader being elected.
    public var electionMilliseconds: Double?
    /// From the old leader's last claim to the new leader's election (positive: no overlap).
    public var handoverGapMilliseconds: Double?
    /// The longest time two leases of different terms overlapped (must be zero).
    public var dualLeaderMilliseconds: Double = 0
    /// From the heal to every node agreeing on one leader and term for good.
    public var convergenceMilliseconds: Double?
    /// Elections won after the first fault.
    public var leaderChanges = 0
    public var probes = 0
    public var failedProbes = 0
    public var authoritativeAnswers = 0

    /// The figures as the summary line and `--quiet` print them, milliseconds with one decimal.
    public var jsonObject: JSONObject {
        // One decimal, rounded as HistoryFormat rounds; the shortest text of that Double is the same digits.
        func number(_ value: Double?) -> Double? { value.flatMap { Double(HistoryFormat.millisecondsNumber(Int64(($0 * 1e6).rounded()))) } }
        var object = JSONObject()
        object.add("stop_claiming_ms", number(stopClaimingMilliseconds))
        object.add("elect_ms", number(electionMilliseconds))
        object.add("handover_gap_ms", number(handoverGapMilliseconds))
        object.add("dual_leader_ms", number(dualLeaderMilliseconds))
        object.add("converge_ms", number(convergenceMilliseconds))
        object.add("leader_changes", leaderChanges)
        object.add("probes", probes)
        object.add("failed_probes", failedProbes)
        object.add("authoritative_answers", authoritativeAnswers)
        return object
    }

    public var json: String { jsonObject.rendered }
}

/// Everything `HistoryChecker.run()` found.
public struct CheckReport: Sendable {
    public var scenario: String
    public var outcomes: [CheckOutcome] = []
    public var violations: [Violation] = []
    public var figures = ScenarioFigures()

    public var passed: Bool { violations.isEmpty }

    /// The verdict for people: one line per check, then each counterexample with the events and
    /// probes around it, times relative to the start of the history.
    public func render(_ history: History, counterexamplesLimit: Int = 5) -> String {
        var lines: [String] = ["scenario \(scenario): \(passed ? "PASS" : "FAIL (\(violations.count) violation\(violations.count == 1 ? "" : "s"))")"]
        for outcome in outcomes { lines.append("  \(outcome.status.rawValue)  \(outcome.check): \(outcome.detail)") }
        lines.append("  figures: \(figures.json)")
        for violation in violations.prefix(counterexamplesLimit) {
            lines.append("")
            lines.append(contentsOf: Counterexample.render(violation, in: history))
        }
        if violations.count > counterexamplesLimit { lines.append("... and \(violations.count - counterexamplesLimit) more violations") }
        return lines.joined(separator: "\n")
    }
}

/// Prints a violation with its context: the records that prove it, and what every involved node
/// logged and answered around that moment.
enum Counterexample {
    static func clock(_ ts: Int64, _ origin: Int64) -> String {
        HistoryFormat.offset(ts, from: origin)
    }

    /// A probe's answer in one line: what the node said, or why there was no answer.
    static func describe(_ probe: Probe) -> String {
        guard probe.ok, let answer = probe.answer else { return "failed: \(probe.error ?? "?")" }
        return "role=\(answer.role) term=\(answer.term) leader=\(answer.leader ?? "none") is_leader=\(answer.isLeader)"
    }

    static func render(_ violation: Violation, in history: History) -> [String] {
        let origin = history.origin
        var lines = ["COUNTEREXAMPLE [\(violation.check)] at \(clock(violation.at, origin)): \(violation.summary)"]
        let involved = Set(violation.nodes)
        let proofEvents = Set(violation.events)
        let proofProbes = Set(violation.probes)
        let from = violation.at - 1_500_000_000
        let to = violation.at + 300_000_000

        var contextEvents = history.events.filter { event in
            proofEvents.contains(event)
                || (involved.contains(event.node) && event.ts >= from && event.ts <= to
                    && !(event.kind == .lease && event.acquired != true))
        }
        if contextEvents.count > 40 {
            let keep = Set(contextEvents.filter { proofEvents.contains($0) })
            let before = contextEvents.filter { $0.ts <= violation.at }.suffix(25)
            let after = contextEvents.filter { $0.ts > violation.at }.prefix(10)
            contextEvents = Array(Set(before).union(after).union(keep)).sorted { $0.ts < $1.ts }
        }
        lines.append("  events (> part of the counterexample; lease renewals omitted):")
        for event in contextEvents {
            lines.append("  \(proofEvents.contains(event) ? ">" : " ") \(clock(event.ts, origin)) \(event.node) \(event.writtenLine)")
        }

        var contextProbes: [Probe] = []
        for node in involved.sorted() {
            let mine = history.probes.filter { $0.node == node }
            let index = mine.firstIndex { $0.invoke >= violation.at } ?? mine.endIndex
            contextProbes.append(contentsOf: mine[max(mine.startIndex, index - 3)..<min(mine.endIndex, index + 3)])
        }
        contextProbes.append(contentsOf: proofProbes)
        let uniqueProbes = Array(Set(contextProbes)).sorted { $0.invoke < $1.invoke }
        if !uniqueProbes.isEmpty {
            lines.append("  probes [invoke, complete] (> part of the counterexample):")
            for probe in uniqueProbes {
                let answer = describe(probe)
                lines.append("  \(proofProbes.contains(probe) ? ">" : " ") [\(clock(probe.invoke, origin)), \(clock(probe.complete, origin))] \(probe.node ?? probe.endpoint) \(answer)")
            }
        }
        let marks = history.harness.filter { $0.ts >= from - 3_000_000_000 && $0.ts <= to }
        if !marks.isEmpty {
            lines.append("  harness:")
            for mark in marks { lines.append("    \(clock(mark.ts, origin)) \(mark.json)") }
        }
        return lines
    }
}
