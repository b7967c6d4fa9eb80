import TenureEvents

/// One stretch of time in which a node held a valid lease in one term, rebuilt from its event log.
///
/// It starts at the first `lease` event (the moment the node could first answer "I am leader")
/// and ends at the latest `until_ts` its renewals reached, cut short by `lease_lost`, a term or
/// role change, or a clean `stop`. A process killed while holding a lease keeps its interval until
/// `until_ts`: the promise a lease makes outlives the process that held it.
public struct LeaseInterval: Sendable, Hashable {
    public var node: String
    public var boot: String
    public var term: UInt64
    public var start: Int64
    public var end: Int64
    public var startEvent: EventRecord
    /// The event that ended the lease early or reported its expiry, if any.
    public var endEvent: EventRecord?

    static func build(from events: [EventRecord]) -> [LeaseInterval] {
        var open: [String: LeaseInterval] = [:] // by node + boot
        var done: [LeaseInterval] = []
        func close(_ key: String, at ts: Int64?, by event: EventRecord?) {
            guard var interval = open.removeValue(forKey: key) else { return }
            if let ts { interval.end = max(interval.start, min(interval.end, ts)) }
            interval.endEvent = event
            done.append(interval)
        }
        for event in events {
            let key = event.node + "/" + event.boot
            switch event.kind {
            case .lease:
                guard let term = event.term, let until = event.untilTs else { continue }
                if var interval = open[key], interval.term == term {
                    interval.end = max(interval.end, until)
                    open[key] = interval
                } else {
                    close(key, at: event.ts, by: event)
                    open[key] = LeaseInterval(node: event.node, boot: event.boot, term: term, start: event.ts, end: until,
                                              startEvent: event, endEvent: nil)
                }
            case .leaseLost, .term, .stop:
                close(key, at: event.ts, by: event)
            case .role where event.roleFrom == "leader":
                close(key, at: event.ts, by: event)
            default:
                // Intervals are kept per boot: a new process of a node leaves its earlier boot's
                // interval as it was (closed only by that interval's own until_ts).
                break
            }
        }
        for key in open.keys.sorted() { close(key, at: nil, by: nil) }
        return done.sorted { ($0.start, $0.node) < ($1.start, $1.node) }
    }
}

extension HistoryChecker {
    /// S5: leases of different terms never overlap on the shared monotonic clock, and a higher
    /// term's lease never comes before a lower term's.
    func checkLeaseDisjoint(_ violations: inout [Violation]) -> String? {
        guard !leases.isEmpty else { return nil }
        for (index, first) in leases.enumerated() {
            for second in leases[(index + 1)...] where second.term != first.term {
                let (lower, higher) = first.term < second.term ? (first, second) : (second, first)
                guard LeaseOverlapRule.violated(lowerTermEnd: lower.end, higherTermStart: higher.start) else { continue }
                let overlap = min(lower.end, higher.end) - max(lower.start, higher.start)
                let summary = overlap > 0
                    ? "\(lower.node)'s lease in term \(lower.term) [\(at(lower.start)), \(at(lower.end))] overlaps \(higher.node)'s lease in term \(higher.term) [\(at(higher.start)), \(at(higher.end))] by \(Self.ms(overlap))"
                    : "\(higher.node)'s lease in term \(higher.term) ended before \(lower.node)'s lease in the older term \(lower.term) began"
                violations.append(Violation(check: "lease-disjoint", summary: summary, at: max(lower.start, higher.start),
                                            nodes: [lower.node, higher.node],
                                            events: [lower.startEvent, higher.startEvent] + [lower.endEvent, higher.endEvent].compactMap { $0 }))
            }
        }
        let terms = Set(leases.map(\.term)).count
        return "\(leases.count) lease intervals over \(terms) terms, none overlapping (lease \(Self.ms(lease)))"
    }

    /// The longest overlap between leases of different terms (zero when S5 holds).
    var longestLeaseOverlap: Int64 {
        var longest: Int64 = 0
        for (index, first) in leases.enumerated() {
            for second in leases[(index + 1)...] {
                let overlap = LeaseOverlapRule.overlap(term: first.term, first.start, first.end, term: second.term, second.start, second.end)
                longest = max(longest, overlap ?? 0)
            }
        }
        return longest
    }
}
