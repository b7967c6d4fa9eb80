import TenureCore

/// Whether a node's process runs, is stopped (SIGSTOP) or is dead.
enum NodeStatus {
    case running
    /// No timers fire and no deliveries are processed; messages queue until the resume.
    case paused
    case down
}

/// One simulated node: a real `ElectionCore` plus the shell state around it.
///
/// The shell state is what a real process has and the core does not: a clock, a disk, the
/// incarnation (bumped by each crash), the one timer it keeps armed, and while paused, the
/// deliveries waiting in its socket buffers.
struct SimulatedNode {
    let configuration: Configuration
    let clock: SimulatedClock
    /// Present while the process exists (running or paused).
    var core: ElectionCore?
    var status: NodeStatus = .running
    var incarnation: UInt32 = 0
    var storage = SimulatedStorage()
    /// Bumped whenever the armed timer is replaced or disarmed; stale wake-ups carry an older one.
    var wakeGeneration: UInt64 = 0
    /// The local deadline the armed timer is for, `nil` when no timer is armed.
    var armedDeadline: Int64?
    /// Deliveries that arrived while paused, in arrival order.
    var heldDeliveries: [(from: Int, message: Message)] = []
    /// How many times the node has been paused.
    var pauseCount = 0
    /// When the node last resumed from a pause: its queued deliveries were processed then.
    var lastResumeAt: Int64 = .min

    init(configuration: Configuration, clock: SimulatedClock, randomSeed: UInt64) {
        self.configuration = configuration
        self.clock = clock
        self.core = ElectionCore(configuration: configuration, hardState: .initial,
                                 now: Instant(nanoseconds: clock.local(at: 0)), randomSeed: randomSeed)
    }

    /// This node's clock reading at real time `real`, as the core's type.
    @inline(__always)
    func instant(at real: Int64) -> Instant { Instant(nanoseconds: clock.local(at: real)) }
}

/// The index of `n1`...`nN` without hashing: the simulator names its nodes itself.
@inline(__always)
func nodeIndex(_ id: NodeID) -> Int {
    var value = 0
    for byte in id.rawValue.utf8.dropFirst() { value = value &* 10 &+ Int(byte &- 48) }
    return value - 1
}

/// The simulator's name for node index `index`.
func simulatedNodeID(_ index: Int) -> NodeID { NodeID("n\(index + 1)") }
