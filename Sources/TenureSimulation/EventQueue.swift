import TenureCore

/// One thing the simulator will do at a given real (virtual) instant.
///
/// Node indices are small integers (`n1` is 0) so that the hot path never hashes a `NodeID`.
enum ScheduledAction {
    /// A node's timer: valid only while `generation` matches the node's, so a timer that was
    /// superseded by a newer deadline, a pause or a crash is ignored when it pops.
    case wake(node: Int, generation: UInt64)
    /// A message arriving at `to`.
    case deliver(from: Int, to: Int, message: Message)
    /// The write numbered `write` of incarnation `incarnation` has reached the disk.
    case persisted(node: Int, incarnation: UInt32, write: UInt64)
    /// The planned fault at this index of the fault plan.
    case fault(index: Int)
    /// A crash aimed at one incarnation (the targeted "buggify" crash), ignored if that
    /// incarnation already ended.
    case crash(node: Int, incarnation: UInt32, downtime: Int64, reason: TargetedCrashReason)
    case restart(node: Int, incarnation: UInt32)
    /// The end of the pause numbered `pause` (a node's pauses are counted, so the end of an
    /// earlier pause cannot cut a later one short).
    case resume(node: Int, pause: Int)
    /// One toggle of a flapping partition; `episode` guards against toggles of an ended episode.
    case flap(episode: Int)
    /// A liveness probe in the quiet phase.
    case probe
    /// `node`'s connection to `peer` was refused: `peer`'s process is gone (its host answers,
    /// nothing listens). A partition never produces this; only a crashed node's port does.
    case refused(node: Int, peer: Int)
    /// A membership change proposed again after the leader's own-term entry had to commit first.
    case retryMembership(pick: UInt64, second: Bool, attempts: Int)
}

/// Why a targeted crash was aimed at a node, for the trace.
enum TargetedCrashReason: String {
    case votedOrCampaigned = "right after it voted or campaigned"
    case shieldedLeader = "after it refused a vote to shield a live leader"
}

/// A priority queue of actions ordered by time, ties broken by the order of scheduling.
///
/// The sequence number is what makes one seed produce one exact history: two actions at the
/// same nanosecond always run in the order in which they were scheduled. A binary heap in one
/// array: no allocation per step once the array has grown.
struct EventQueue {
    struct Entry {
        var time: Int64
        var sequence: UInt64
        var action: ScheduledAction

        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    init() { heap.reserveCapacity(1024) }

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    mutating func schedule(_ action: ScheduledAction, at time: Int64) {
        precondition(time >= 0, "action scheduled at negative time \(time)")
        heap.append(Entry(time: time, sequence: nextSequence, action: action))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    mutating func popNext() -> Entry? {
        guard !heap.isEmpty else { return nil }
        if heap.count == 1 { return heap.removeLast() }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        siftDown(0)
        return first
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            let right = left + 1
            var smallest = left
            if right < count && heap[right].precedes(heap[left]) { smallest = right }
            guard heap[smallest].precedes(heap[parent]) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
