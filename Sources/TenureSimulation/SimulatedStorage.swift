import TenureCore

/// A granted vote (or a candidate's vote for itself) that leaves the node with a batch of
/// messages; the invariant checker counts a vote only once it has been communicated.
struct CastVote {
    var term: UInt64
    var candidate: Int
}

/// Messages of one core output, waiting for the writes issued up to that output to be durable.
struct OutgoingBatch {
    /// The write that must be durable before these messages may leave.
    var requiredWrite: UInt64
    var messages: [Envelope]
    var votes: [CastVote]
}

/// One node's disk: a hard state that becomes durable only after an fsync latency.
///
/// Writes complete in the order they were issued (one fsync at a time). A crash loses every
/// write that has not completed and every message still waiting for one, which is exactly what
/// the `sendBeforePersist` mutation needs in order to be caught: with the mutation, messages
/// have already left when the write they depend on is lost.
struct SimulatedStorage {
    /// What a restart reads back.
    private(set) var durable: HardState = .initial
    private(set) var durableWrite: UInt64 = 0
    private(set) var issuedWrite: UInt64 = 0
    private var pending: [(write: UInt64, state: HardState)] = []
    private var lastCompletionAt: Int64 = 0
    /// Batches whose messages wait for `requiredWrite` to be durable, oldest first.
    private(set) var waiting: [OutgoingBatch] = []

    var hasPendingWrites: Bool { issuedWrite > durableWrite }

    /// Starts writing `state`; returns the write number and when it will be durable.
    mutating func issue(_ state: HardState, now: Int64, latency: Int64) -> (write: UInt64, completesAt: Int64) {
        issuedWrite += 1
        pending.append((write: issuedWrite, state: state))
        lastCompletionAt = max(lastCompletionAt, now) + latency
        return (issuedWrite, lastCompletionAt)
    }

    /// Holds `batch` until its required write is durable.
    mutating func hold(_ batch: OutgoingBatch) {
        precondition(batch.requiredWrite > durableWrite, "holding a batch whose write \(batch.requiredWrite) is already durable")
        waiting.append(batch)
    }

    /// Marks `write` durable and returns the state now on disk.
    mutating func complete(_ write: UInt64) -> HardState {
        guard let first = pending.first, first.write == write else {
            preconditionFailure("write \(write) completed out of order; pending: \(pending.map(\.write))")
        }
        pending.removeFirst()
        durable = first.state
        durableWrite = write
        return first.state
    }

    /// Removes and returns the batches that may now leave, oldest first.
    mutating func takeReleasable() -> [OutgoingBatch] {
        var count = 0
        while count < waiting.count && waiting[count].requiredWrite <= durableWrite { count += 1 }
        guard count > 0 else { return [] }
        let released = Array(waiting[..<count])
        waiting.removeFirst(count)
        return released
    }

    /// The process died: writes in flight and messages waiting for them are gone.
    mutating func crash() -> (lostWrites: Int, lostMessages: Int) {
        let lost = (pending.count, waiting.reduce(0) { $0 + $1.messages.count })
        pending.removeAll()
        waiting.removeAll()
        issuedWrite = durableWrite
        return lost
    }
}
