import TenurePOSIX
import TenureCore
import TenureJSON

/// The node's JSON-lines event log (`--event-log FILE`): one line per decision, stamped with
/// `CLOCK_MONOTONIC` nanoseconds so the partition suite can line up nodes on one machine.
///
/// This is the record the history checker reads; it says what the node did, not why a human
/// should care (that is the plain log's job).
final class EventLog {
    private let fd: Int32
    let node: NodeID
    /// A random id per process start, so restarts are told apart in one file.
    let boot: String

    init(path: String, node: NodeID, boot: String) throws(SystemError) {
        self.fd = try Files.openForAppending(path)
        self.node = node
        self.boot = boot
    }

    deinit { Descriptor.close(fd) }

    /// Writes one event line; `fields` completes the common fields.
    func write(_ kind: String, at instant: Instant, _ fill: (inout JSONObject) -> Void) {
        var object = JSONObject()
        object.add("ts", instant.nanoseconds)
        object.add("node", node.rawValue)
        object.add("boot", boot)
        object.add("ev", kind)
        fill(&object)
        Descriptor.writeAll(fd, Array((object.rendered + "\n").utf8))
    }

    /// Writes a core event.
    func write(_ event: Event, at instant: Instant) {
        switch event {
        case .roleChanged(let from, let to, let term, let reason):
            write("role", at: instant) { $0.add("from", from.rawValue); $0.add("to", to.rawValue); $0.add("term", term); $0.add("reason", reason.rawValue) }
        case .termChanged(let from, let to, let cause, let peer):
            write("term", at: instant) { $0.add("from", from); $0.add("to", to); $0.add("cause", cause.rawValue); $0.add("peer", peer?.rawValue) }
        case .leaderChanged(let leader, let term):
            write("leader_changed", at: instant) { $0.add("leader", leader?.rawValue); $0.add("term", term) }
        case .electionStarted(let term, let preVote, let transfer):
            write(preVote ? "precandidate" : "candidate", at: instant) { $0.add("term", term); $0.add("transfer", transfer) }
        case .voteDecided(let decision):
            write(decision.preVote ? "prevote" : "vote", at: instant) {
                $0.add("term", decision.term); $0.add("candidate", decision.candidate.rawValue)
                $0.add("granted", decision.granted); $0.add("reason", decision.reason.rawValue)
            }
        case .leaseExtended(let term, let round, let sentAt, let expiresAt, let acquired):
            write("lease", at: instant) {
                $0.add("term", term); $0.add("basis_round", round); $0.add("basis_ts", sentAt.nanoseconds)
                $0.add("until_ts", expiresAt.nanoseconds); $0.add("acquired", acquired)
            }
        case .leaseLost(let term, let reason):
            write("lease_lost", at: instant) { $0.add("term", term); $0.add("reason", reason.rawValue) }
        case .transferStarted(let term, let target):
            write("transfer", at: instant) { $0.add("term", term); $0.add("target", target.rawValue); $0.add("phase", "started") }
        case .transferAbandoned(let term, let target):
            write("transfer", at: instant) { $0.add("term", term); $0.add("target", target.rawValue); $0.add("phase", "abandoned") }
        }
    }
}
