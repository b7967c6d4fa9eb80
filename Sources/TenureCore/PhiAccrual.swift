/// How suspicious one peer's silence is: the φ-accrual failure detector (Hayashibara et al. 2004,
/// with the normal approximation and parameters Akka uses).
///
/// It keeps the recent inter-arrival times of one peer's regular messages (a leader's heartbeats,
/// a follower's acknowledgements) and answers φ = -log10(P(a message arrives later than now)):
/// φ 1 means a 10% chance the peer is only late, φ 8 one in 10^8. Silence alone cannot tell a
/// crashed peer from a slow network, so φ never shortens a safety bound: it is reported per link,
/// and a leader prefers a peer it does not suspect as its transfer target.
///
/// Pure like the rest of the core: arrival instants come in, nothing reads a clock.
public struct PhiAccrualDetector: Hashable, Sendable {
    /// Intervals kept (a ring): enough for a stable mean at 10 heartbeats a second.
    public static let capacity = 200
    /// Above this a peer is suspected; its next interval is not recorded (it measures the outage,
    /// not the link).
    public static let suspicionThreshold = 8.0

    /// Added to the mean: a pause this long is not yet suspicious.
    public let acceptablePause: Interval
    /// A floor on the standard deviation, so a perfectly regular link does not make one late
    /// heartbeat look like a death.
    public let minimumStandardDeviation: Interval
    private var intervals: [Int64] = []
    private var next = 0
    private var sum: Double = 0
    private var sumOfSquares: Double = 0
    public private(set) var lastArrival: Instant?

    /// A detector seeded with two intervals around `expectedInterval` (mean ± mean/4), as Akka
    /// seeds its history, so the first answers are sensible.
    public init(expectedInterval: Interval, acceptablePause: Interval, minimumStandardDeviation: Interval) {
        self.acceptablePause = acceptablePause
        self.minimumStandardDeviation = minimumStandardDeviation
        let mean = expectedInterval.nanoseconds
        record(mean - mean / 4)
        record(mean + mean / 4)
    }

    /// Records an arrival at `instant`.
    public mutating func arrived(at instant: Instant) {
        defer { lastArrival = instant }
        guard let last = lastArrival else { return }
        let interval = (instant - last).nanoseconds
        guard interval > 0 else { return }
        // The first interval after a suspicion measures the outage: leave it out.
        if phi(at: instant) > Self.suspicionThreshold { return }
        record(interval)
    }

    /// Forgets the last arrival, so the gap across a local stall of this node is not measured.
    public mutating func forgetLastArrival() { lastArrival = nil }

    public var sampleCount: Int { intervals.count }
    public var meanNanoseconds: Double { sum / Double(intervals.count) }
    public var standardDeviationNanoseconds: Double {
        let mean = meanNanoseconds
        return max(0, sumOfSquares / Double(intervals.count) - mean * mean).squareRoot()
    }

    /// φ at `instant`; 0 before the first arrival.
    public func phi(at instant: Instant) -> Double {
        guard let last = lastArrival else { return 0 }
        return Self.phi(elapsed: Double((instant - last).nanoseconds), mean: meanNanoseconds + Double(acceptablePause.nanoseconds),
                        standardDeviation: max(standardDeviationNanoseconds, Double(minimumStandardDeviation.nanoseconds)))
    }

    /// Akka's φ: the logistic approximation of the normal CDF, F(y) ≈ 1/(1 + e^(-y(1.5976 + 0.070566 y²))),
    /// φ = -log10(1 - F(y)) with y = (t - μ)/σ, computed on the side that keeps precision.
    public static func phi(elapsed: Double, mean: Double, standardDeviation: Double) -> Double {
        let y = (elapsed - mean) / standardDeviation
        let e = exponential(-y * (1.5976 + 0.070566 * y * y))
        // φ is a probability's negative logarithm, so never below 0 (rounding can make it -0.0).
        if elapsed > mean {
            return max(0, -logarithm10(e / (1 + e)))
        }
        return max(0, -logarithm10(1 - 1 / (1 + e)))
    }

    private mutating func record(_ interval: Int64) {
        let value = Double(interval)
        if intervals.count < Self.capacity {
            intervals.append(interval)
        } else {
            let old = Double(intervals[next])
            sum -= old
            sumOfSquares -= old * old
            intervals[next] = interval
            next = (next + 1) % Self.capacity
        }
        sum += value
        sumOfSquares += value * value
    }

    // MARK: - Elementary functions (the standard library has none without Foundation)

    /// e^x by range reduction (x = k ln 2 + r, |r| <= ln 2 / 2) and a Taylor series for e^r.
    static func exponential(_ x: Double) -> Double {
        if x > 709 { return .infinity }
        if x < -745 { return 0 }
        let ln2 = 0.693_147_180_559_945_309_4
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0, sum = 1.0
        for n in 1...20 {
            term *= r / Double(n)
            sum += term
        }
        return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
    }

    /// log10(x) for x > 0: x = m · 2^e with m in [1, 2), ln m = 2 atanh((m - 1)/(m + 1)).
    static func logarithm10(_ x: Double) -> Double {
        guard x > 0 else { return .infinity * -1 }
        guard x.isFinite else { return .infinity }
        let m = x.significand
        let e = Double(x.exponent)
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var term = z, sum = 0.0
        var n = 1.0
        while n < 60 {
            sum += term / n
            term *= z2
            n += 2
        }
        let ln = 2 * sum + e * 0.693_147_180_559_945_309_4
        return ln / 2.302_585_092_994_045_684
    }

}
