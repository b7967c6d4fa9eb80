import Glibc
import TenureCore

/// Reads `CLOCK_MONOTONIC`, the only clock the shell hands to the core.
///
/// Monotonic because wall-clock time jumps (NTP steps, operators), and a lease computed from a
/// clock that jumps is not a lease. All processes on one machine share this clock, which is what
/// lets the partition suite compare lease intervals across nodes.
public enum MonotonicClock {
    public static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Instant(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// Wall-clock seconds since the epoch, for human-readable timestamps in logs only.
    public static func wallSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
