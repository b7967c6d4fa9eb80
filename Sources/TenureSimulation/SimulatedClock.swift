/// One node's monotonic clock: `local = offset + rate * real`.
///
/// Every node gets its own offset (so instants of different nodes are not comparable, as on
/// real machines) and its own rate (so the lease relations are exercised under drift). The core
/// only ever sees local instants; the simulator converts deadlines back to real time to schedule
/// wake-ups, and converts lease ends to real time to check that leases never overlap.
struct SimulatedClock {
    /// The local reading at real time zero.
    let offsetNanoseconds: Int64
    /// Local nanoseconds per real nanosecond (1.01 runs 1% fast).
    let rate: Double

    /// The local reading at `real` (never negative); monotonic in `real` because multiplication
    /// by a positive rate and truncation of a non-negative value are both monotonic. Plain
    /// truncation rather than `rounded(.down)`, which would call into libm.
    @inline(__always)
    func local(at real: Int64) -> Int64 {
        offsetNanoseconds &+ Int64(Double(real) * rate)
    }

    /// The first real instant at which this clock reads `local` or later. Deadlines fire then,
    /// and a lease that is valid for local instants `< expiry` is valid for real instants
    /// `< realTime(reaching: expiry)`.
    func realTime(reaching target: Int64) -> Int64 {
        if target <= local(at: 0) { return 0 }
        var guess = max(0, Int64(Double(target &- offsetNanoseconds) / rate))
        while local(at: guess) < target { guess += 1 }
        while guess > 0 && local(at: guess - 1) >= target { guess -= 1 }
        return guess
    }
}
