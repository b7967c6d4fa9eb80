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

    /// CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`), for cost measurements.
    public static func threadCPUTime() -> Interval {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Interval(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// Sleeps until `deadline` on this clock. Absolute deadlines do not drift when a signal
    /// interrupts the sleep or the thread was late to start it.
    public static func sleep(until deadline: Instant) {
        guard deadline.nanoseconds > 0 else { return }
        var request = timespec(tv_sec: Int(deadline.nanoseconds / 1_000_000_000), tv_nsec: Int(deadline.nanoseconds % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &request, nil) == EINTR {}
    }

    /// Sleeps for `interval` (measured from now, to an absolute deadline).
    public static func sleep(for interval: Interval) {
        guard interval > .zero else { return }
        sleep(until: now() + interval)
    }
}

/// The wall clock, for human-readable timestamps only; never for timing or protocol decisions.
public enum WallClock {
    /// Seconds since the epoch.
    public static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// UTC time with milliseconds, ISO 8601: `2026-11-22T10:00:00.123Z`.
    public static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = Int32(spec.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }
}
