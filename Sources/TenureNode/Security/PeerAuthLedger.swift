import TenureCore

/// Every peer-authentication failure, on both ends of a connection: counted by reason for
/// `/metrics`, kept per peer for `/v1/status`, and logged at most once a minute per peer, so a
/// misconfigured key is obvious without flooding the log at the reconnect rate.
final class PeerAuthLedger {
    /// The reasons `tenure_peer_auth_failures_total` shows from the start, at zero.
    static let reasons = ["unknown_key", "bad_proof", "not_a_peer", "insecure_mismatch", "unsupported_version",
                          "protocol_violation", "handshake_timeout", "bad_tag", "unauthenticated", "refused_by_peer"]
    static let logInterval = Interval.seconds(60)

    struct Entry {
        var failures = 0
        var lastReason: String?
        var lastDetail: String?
        var lastFailureAt: Instant?
        var lastLoggedAt: Instant?
        var lastSuccessAt: Instant?
    }

    private(set) var byReason: [String: Int] = [:]
    /// Keyed by peer id, or by "host ADDRESS" when the other side never named a known peer.
    private(set) var entries: [String: Entry] = [:]
    private let log: Log

    init(log: Log) { self.log = log }

    func failed(_ subject: String, reason: String, detail: String, now: Instant) {
        byReason[reason, default: 0] += 1
        var entry = entries[subject] ?? Entry()
        entry.failures += 1
        entry.lastReason = reason
        entry.lastDetail = detail
        entry.lastFailureAt = now
        if entry.lastLoggedAt.map({ now - $0 >= Self.logInterval }) ?? true {
            entry.lastLoggedAt = now
            let hint = ["unknown_key", "bad_proof", "bad_tag", "insecure_mismatch"].contains(reason)
                ? "; check --peer-key-file (and --insecure-peers) on both nodes" : ""
            log.warning("peer authentication with \(subject) failed (\(reason)): \(detail)\(hint) [logged at most once a minute per peer]")
        }
        entries[subject] = entry
    }

    func succeeded(_ subject: String, now: Instant) {
        entries[subject, default: Entry()].lastSuccessAt = now
    }

    /// "ok" when the newest event with `peer` is a success, "failing" when it is a failure,
    /// "unknown" before either.
    func state(of peer: NodeID) -> String {
        guard let entry = entries[peer.rawValue] else { return "unknown" }
        switch (entry.lastSuccessAt, entry.lastFailureAt) {
        case (nil, nil): return "unknown"
        case (.some, nil): return "ok"
        case (nil, .some): return "failing"
        case (.some(let success), .some(let failure)): return success >= failure ? "ok" : "failing"
        }
    }
}
