/// The safety rules that both the simulator (on virtual time, after every step) and the history
/// checker (on real processes' event logs) apply, written once.

/// Leases of different terms never overlap in time (the lease argument's conclusion).
public enum LeaseOverlapRule {
    /// How long two leases of different terms overlap, or nil when they do not (touching
    /// intervals, `[a, b)` and `[b, c)`, do not overlap; leases of one term are never compared:
    /// one term with two leaders is another rule's violation).
    public static func overlap(term first: UInt64, _ firstStart: Int64, _ firstEnd: Int64,
                               term second: UInt64, _ secondStart: Int64, _ secondEnd: Int64) -> Int64? {
        guard first != second else { return nil }
        let length = min(firstEnd, secondEnd) - max(firstStart, secondStart)
        return length > 0 ? length : nil
    }

    /// True when the lower term's lease reaches past the start of the higher term's: an overlap,
    /// or a higher term's lease that ended before a lower term's began (out of order).
    public static func violated(lowerTermEnd: Int64, higherTermStart: Int64) -> Bool {
        lowerTermEnd > higherTermStart
    }
}

/// Each voter grants at most one candidate per term (Raft §5.2), across restarts.
public struct VotesPerTermRule<Voter: Hashable, Candidate: Equatable> {
    private var granted: [Voter: [UInt64: Candidate]] = [:]

    public init() {}

    /// Records a granted vote; returns the different candidate the voter already granted in
    /// that term (a violation), or nil.
    public mutating func record(voter: Voter, term: UInt64, candidate: Candidate) -> Candidate? {
        if let earlier = granted[voter]?[term] { return earlier == candidate ? nil : earlier }
        granted[voter, default: [:]][term] = candidate
        return nil
    }

    /// The candidate `voter` granted in `term`, if any.
    public func candidate(of voter: Voter, in term: UInt64) -> Candidate? { granted[voter]?[term] }
}
