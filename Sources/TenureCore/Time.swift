/// A point on one node's monotonic clock, in nanoseconds.
///
/// The core never reads a clock: the shell passes `CLOCK_MONOTONIC` readings in with every input,
/// and the simulator passes virtual time. Instants from different nodes are comparable only when
/// the nodes share a clock (processes on one machine do; simulated nodes with drift do not).
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: Instant, rhs: Interval) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }
    public static func - (lhs: Instant, rhs: Interval) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }
    public static func - (lhs: Instant, rhs: Instant) -> Interval {
        Interval(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }

    public var description: String { "\(nanoseconds)ns" }
}

/// A span of time in nanoseconds, measured on one node's clock.
///
/// Our own type rather than `Swift.Duration` so that arithmetic in the core is plain integer
/// arithmetic with no attosecond components, and so that units stay explicit at every call site.
public struct Interval: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func milliseconds(_ value: Int64) -> Interval { Interval(nanoseconds: value * 1_000_000) }
    public static func microseconds(_ value: Int64) -> Interval { Interval(nanoseconds: value * 1_000) }
    public static func seconds(_ value: Int64) -> Interval { Interval(nanoseconds: value * 1_000_000_000) }
    public static let zero = Interval(nanoseconds: 0)

    public var milliseconds: Double { Double(nanoseconds) / 1_000_000 }

    public static func < (lhs: Interval, rhs: Interval) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: Interval, rhs: Interval) -> Interval { Interval(nanoseconds: lhs.nanoseconds + rhs.nanoseconds) }
    public static func - (lhs: Interval, rhs: Interval) -> Interval { Interval(nanoseconds: lhs.nanoseconds - rhs.nanoseconds) }
    public static func * (lhs: Interval, rhs: Int64) -> Interval { Interval(nanoseconds: lhs.nanoseconds * rhs) }

    /// Scales by a real factor, rounding toward zero; used for drift margins.
    public func scaled(by factor: Double) -> Interval { Interval(nanoseconds: Int64(Double(nanoseconds) * factor)) }

    public var description: String {
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        return "\(Double(nanoseconds) / 1_000_000)ms"
    }
}
