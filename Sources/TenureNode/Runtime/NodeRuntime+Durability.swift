import TenureCore
import TenureJSON

/// What happens while the term and vote cannot be made durable (a full disk, a failing device).
///
/// The core may move to a new term or vote in memory, but nothing that depends on it leaves
/// the node (persist before send), and clients see only the durable state: the durable term,
/// no leader, never `is_leader` or a fencing token for a term that a crash would forget. The
/// write is retried on a timer, not only when a message is due (a single voter sends none), and
/// the node says why in the log and in `/v1/status` until it succeeds.
extension NodeRuntime {
    static let persistRetryInterval = Interval.milliseconds(100)

    /// The term and vote in memory are the ones on disk.
    var stateIsDurable: Bool { core.hardState == durableHardState }

    /// The term clients see: the durable one (the core's term is never behind it).
    var clientTerm: UInt64 { durableHardState.term }

    /// The leader clients see, only when it belongs to a durable term.
    func clientKnownLeader(at now: Instant) -> NodeID? { stateIsDurable ? core.knownLeader(at: now) : nil }
    var clientLeader: NodeID? { stateIsDurable ? core.leader : nil }

    /// True only while this node leads with a valid lease in a term that is durable.
    func clientIsLeader(at now: Instant) -> Bool { stateIsDurable && core.isLeader(at: now) }

    /// Notes a failed write; logs once per outage.
    func notePersistFailure(_ error: String, now: Instant) {
        guard persistOutage == nil else { return }
        persistOutage = (since: now, error: error)
        nextPersistRetryAt = now + Self.persistRetryInterval
        log.error("cannot make term \(core.hardState.term) and its vote durable: \(error); until it can, this node sends no vote, campaign or acknowledgement and shows clients term \(durableHardState.term) (retrying every \(Self.persistRetryInterval))")
    }

    /// Retries the write when one is due; on success the node is whole again.
    func retryPersistIfDue(now: Instant) {
        guard !stateIsDurable, now >= nextPersistRetryAt else { return }
        nextPersistRetryAt = now + Self.persistRetryInterval
        do {
            try persistNow(core.hardState)
        } catch {
            persistOutage?.error = "\(error)"
            return
        }
        publishChanges(now: now)
    }

    /// Called after every successful write.
    func notePersistRecovered(now: Instant) {
        guard let outage = persistOutage else { return }
        persistOutage = nil
        log.info("term \(durableHardState.term) and its vote are durable again after \((now - outage.since).nanoseconds / 1_000_000) ms")
    }

    /// `"durable"` in `/v1/status`.
    func durabilityJSON(now: Instant) -> String {
        var object = JSONObject()
        object.add("ok", stateIsDurable)
        object.add("term", durableHardState.term)
        object.add("error", persistOutage?.error)
        if let outage = persistOutage {
            object.add("failing_for_ms", (now - outage.since).nanoseconds / 1_000_000)
        }
        return object.rendered
    }
}
