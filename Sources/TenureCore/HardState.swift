/// The state a node must never forget: its current term and the vote it cast in that term.
///
/// Raft's election safety (thesis 3.4, 3.8) rests on a node granting at most one vote per term
/// across crashes, so this value is made durable before any message that depends on it leaves
/// the process.
public struct HardState: Hashable, Sendable, CustomStringConvertible {
    public var term: UInt64
    public var votedFor: NodeID?

    public init(term: UInt64 = 0, votedFor: NodeID? = nil) {
        self.term = term
        self.votedFor = votedFor
    }

    public static let initial = HardState()

    public var description: String { "term \(term), voted for \(votedFor?.rawValue ?? "nobody")" }
}
