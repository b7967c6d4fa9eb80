/// The state a node must never forget: its current term, the vote it cast in that term, and the
/// newest membership configuration it stored (thesis 4.1: configurations take effect when stored).
///
/// Raft's election safety (thesis 3.4, 3.8) rests on a node granting at most one vote per term
/// across crashes, so this value is made durable before any message that depends on it leaves
/// the process.
public struct HardState: Hashable, Sendable, CustomStringConvertible {
    public var term: UInt64
    public var votedFor: NodeID?
    /// nil until a configuration other than the initial one (`--peers`) was stored.
    public var membership: MembershipConfiguration?

    public init(term: UInt64 = 0, votedFor: NodeID? = nil, membership: MembershipConfiguration? = nil) {
        self.term = term
        self.votedFor = votedFor
        self.membership = membership
    }

    public static let initial = HardState()

    public var description: String {
        "term \(term), voted for \(votedFor?.rawValue ?? "nobody")" + (membership.map { ", configuration \($0.index)" } ?? "")
    }
}
