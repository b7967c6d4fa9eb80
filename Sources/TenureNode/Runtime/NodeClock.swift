import TenureCore
import TenurePOSIX

/// Where the runtime reads the time it hands to the core.
///
/// Production reads `CLOCK_MONOTONIC`; tests hand in a `ManualClock` so that timeouts, leases and
/// shutdown deadlines happen exactly when a test says, with real sockets and a real core.
public protocol NodeClock: AnyObject {
    func now() -> Instant
}

/// `CLOCK_MONOTONIC`, the clock every node on a machine shares.
public final class SystemClock: NodeClock {
    public init() {}
    public func now() -> Instant { MonotonicClock.now() }
}

/// A clock that moves only when told to: for deterministic tests of the real runtime.
public final class ManualClock: NodeClock {
    private var current: Instant
    public init(start: Instant = Instant(nanoseconds: 1_000_000_000)) { current = start }
    public func now() -> Instant { current }
    public func advance(by interval: Interval) {
        precondition(interval >= .zero, "a monotonic clock never goes back")
        current = current + interval
    }
}
