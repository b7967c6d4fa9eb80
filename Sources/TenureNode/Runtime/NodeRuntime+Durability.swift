import TenureCore
import TenureAPI
import TenureSupervision

/// What happens while the term and vote cannot be made durable (a full disk, a failing device):
/// the shell's side of `DurabilityWatch`. Nothing that depends on the state leaves the node, and
/// clients see only the durable state (`NodeState.client*`); the write is retried on a timer.
extension NodeRuntime {
    var stateIsDurable: Bool { state.stateIsDurable }
    var clientTerm: UInt64 { state.clientTerm }
    func clientKnownLeader(at now: Instant) -> NodeID? { state.clientKnownLeader(at: now) }
    var clientLeader: NodeID? { state.clientLeader }
    func clientIsLeader(at now: Instant) -> Bool { state.clientIsLeader(at: now) }

    /// Notes a failed write; logs once per outage.
    func notePersistFailure(_ error: String, now: Instant) {
        guard state.durability.failed(error, at: now) else { return }
        log.error("cannot make term \(state.core.hardState.term) and its vote durable: \(error); until it can, this node sends no vote, campaign or acknowledgement and shows clients term \(state.durableHardState.term) (retrying every \(DurabilityWatch.retryInterval))")
    }

    /// Retries the write when one is due; on success the node is whole again.
    func retryPersistIfDue(now: Instant) {
        guard state.durability.retryDue(stateIsDurable: state.stateIsDurable, at: now) else { return }
        do {
            try persistNow(state.core.hardState)
        } catch {
            _ = state.durability.failed("\(error)", at: now)
            return
        }
        publishChanges(now: now)
    }

    /// Called after every successful write.
    func notePersistRecovered(now: Instant) {
        guard let lasted = state.durability.succeeded(at: now) else { return }
        log.info("term \(state.durableHardState.term) and its vote are durable again after \(lasted.nanoseconds / 1_000_000) ms")
    }

    /// `durable` in `/v1/status`.
    func durabilityDocument(now: Instant) -> DurabilityDocument {
        let outage = state.durability.outage
        return DurabilityDocument(ok: state.stateIsDurable, term: state.durableHardState.term, error: outage?.error,
                                  failingForMilliseconds: outage.map { (now - $0.since).nanoseconds / 1_000_000 })
    }
}
