/// Every kind of line the node writes to its event log (`"ev"`); the log's one vocabulary.
public enum EventKind: String, Sendable, Hashable, CaseIterable {
    case start, stop, role, term
    case leaderChanged = "leader_changed"
    case preCandidate = "precandidate"
    case candidate
    case preVote = "prevote"
    case vote, lease
    case leaseLost = "lease_lost"
    case transfer
    case persistOK = "persist_ok"
    case persistFailed = "persist_fail"
    case reject, health, membership
}
