import TenureCore
import TenureJSON

/// One line of a node's event log, typed: the one schema the node writes and every reader
/// (the history checker, `check-singleton`, the bench probe) decodes; a record read from a file
/// keeps its `source`, so a counterexample can quote the line.
///
/// The JSON keys are a contract (scripts, demos and the bench report read them): `ts`
/// (CLOCK_MONOTONIC ns, shared by every process on the machine), `node`, `boot` (a random id per
/// process start), `ev` (the kind), then the kind's own fields. `from` and `to` are roles on a
/// `role` line and terms on a `term` line, so they have a typed field each.
public struct EventRecord: Sendable, Hashable {
    public var ts: Int64
    public var node: String
    public var boot: String
    public var kind: EventKind
    public var term: UInt64?
    public var roleFrom: String?
    public var roleTo: String?
    public var termFrom: UInt64?
    public var termTo: UInt64?
    public var reason: String?
    public var cause: String?
    public var peer: String?
    public var leader: String?
    public var transfer: Bool?
    public var candidate: String?
    public var granted: Bool?
    public var basisRound: UInt64?
    public var basisTs: Int64?
    public var untilTs: Int64?
    public var acquired: Bool?
    public var target: String?
    public var phase: String?
    public var loadedTerm: UInt64?
    /// The vote a `start` line loaded (`loaded_voted_for`) or a `persist_*` line wrote (`voted_for`).
    public var votedFor: String?
    public var state: String?
    public var latencyNanoseconds: Int64?
    public var error: String?
    public var detail: String?
    public var healthy: Bool?
    /// On a `membership` line: the entry's index, its voters and non-voters (comma-separated).
    public var membershipIndex: UInt64?
    public var voters: String?
    public var nonVoters: String?
    /// Where the line was read from; nil for a record built in memory. Never written.
    public var source: RecordSource?

    public init(ts: Int64, node: String, boot: String, kind: EventKind) {
        self.ts = ts
        self.node = node
        self.boot = boot
        self.kind = kind
    }

    /// The core's event as the node logs it.
    public init(_ event: Event, ts: Int64, node: String, boot: String) {
        switch event {
        case .roleChanged(let from, let to, let term, let reason):
            self.init(ts: ts, node: node, boot: boot, kind: .role)
            (roleFrom, roleTo, self.term, self.reason) = (from.rawValue, to.rawValue, term, reason.rawValue)
        case .termChanged(let from, let to, let cause, let peer):
            self.init(ts: ts, node: node, boot: boot, kind: .term)
            (termFrom, termTo, self.cause, self.peer) = (from, to, cause.rawValue, peer?.rawValue)
            term = to // A term line belongs to the term it moved to (readers rely on `term`).
        case .leaderChanged(let leader, let term):
            self.init(ts: ts, node: node, boot: boot, kind: .leaderChanged)
            (self.leader, self.term) = (leader?.rawValue, term)
        case .electionStarted(let term, let preVote, let transfer):
            self.init(ts: ts, node: node, boot: boot, kind: preVote ? .preCandidate : .candidate)
            (self.term, self.transfer) = (term, transfer)
        case .voteDecided(let decision):
            self.init(ts: ts, node: node, boot: boot, kind: decision.preVote ? .preVote : .vote)
            (term, candidate, granted, reason) = (decision.term, decision.candidate.rawValue, decision.granted, decision.reason.rawValue)
        case .leaseExtended(let term, let round, let sentAt, let expiresAt, let acquired):
            self.init(ts: ts, node: node, boot: boot, kind: .lease)
            (self.term, basisRound, basisTs, untilTs, self.acquired) = (term, round, sentAt.nanoseconds, expiresAt.nanoseconds, acquired)
        case .leaseLost(let term, let reason):
            self.init(ts: ts, node: node, boot: boot, kind: .leaseLost)
            (self.term, self.reason) = (term, reason.rawValue)
        case .transferStarted(let term, let target):
            self.init(ts: ts, node: node, boot: boot, kind: .transfer)
            (self.term, self.target, phase) = (term, target.rawValue, "started")
        case .transferAbandoned(let term, let target):
            self.init(ts: ts, node: node, boot: boot, kind: .transfer)
            (self.term, self.target, phase) = (term, target.rawValue, "abandoned")
        case .membershipChanged(let entry), .membershipCommitted(let entry):
            self.init(ts: ts, node: node, boot: boot, kind: .membership)
            if case .membershipCommitted = event { phase = "committed" } else { phase = "stored" }
            (term, membershipIndex) = (entry.term, entry.index)
            voters = entry.voters.map(\.rawValue).joined(separator: ",")
            nonVoters = entry.nonVoters.map(\.rawValue).joined(separator: ",")
        }
    }

    /// True for a `role` line that made `node` leader.
    public var becameLeader: Bool { kind == .role && roleTo == "leader" }

    /// The line as the node wrote it: the original text when the record was read from a file,
    /// else the line `jsonLine` writes.
    public var writtenLine: String { source?.line ?? jsonLine }
}
