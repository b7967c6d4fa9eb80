/// Where a node stands in the election protocol.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case follower
    /// Asking for promises of votes without changing its term (thesis 9.6).
    case preCandidate = "pre-candidate"
    case candidate
    case leader
}
