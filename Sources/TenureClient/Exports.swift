@_exported import TenureAPI
@_exported import TenureCore
import TenurePOSIX

/// This machine's `CLOCK_MONOTONIC`, the clock `LeaseGuard` deadlines are kept on, so that an
/// application needs no other module to use the client.
public enum LocalClock {
    public static func now() -> Instant { MonotonicClock.now() }
    public static func sleep(for interval: Interval) { MonotonicClock.sleep(for: interval) }
}
