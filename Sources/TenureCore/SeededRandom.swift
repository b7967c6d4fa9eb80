/// The core's only source of randomness: a SplitMix64 generator seeded by the shell.
///
/// Injected rather than global so that a simulation replays exactly from its seed; the daemon
/// seeds it from the operating system.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A uniformly drawn interval in `[lower, upper)`.
    public mutating func interval(from lower: Interval, upTo upper: Interval) -> Interval {
        precondition(lower < upper, "empty interval range [\(lower), \(upper))")
        let span = UInt64(upper.nanoseconds - lower.nanoseconds)
        return lower + Interval(nanoseconds: Int64(next() % span))
    }
}
