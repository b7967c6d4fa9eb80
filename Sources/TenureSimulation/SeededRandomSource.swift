import TenureCore

/// The simulator's random draws, all from one seeded `SeededRandom` stream per concern.
///
/// Thin helpers over the core's generator (rather than `Double.random(in:using:)`) so that the
/// exact sequence of draws, and therefore the history of a seed, is defined here and does not
/// depend on how the standard library happens to map random bits to ranges.
struct SeededRandomSource {
    private var generator: SeededRandom

    init(seed: UInt64) { generator = SeededRandom(seed: seed) }

    @inline(__always)
    mutating func next() -> UInt64 { generator.next() }

    /// A uniform draw in `[0, 1)` from the top 53 bits.
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    @inline(__always)
    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// A uniform integer in `[lower, upper]`.
    @inline(__always)
    mutating func integer(_ lower: Int64, _ upper: Int64) -> Int64 {
        precondition(lower <= upper, "empty range [\(lower), \(upper)]")
        let span = UInt64(upper - lower) &+ 1
        return span == 0 ? Int64(bitPattern: next()) : lower + Int64(next() % span)
    }

    /// A uniform index in `0..<count`.
    @inline(__always)
    mutating func index(_ count: Int) -> Int {
        precondition(count > 0, "no index to draw from an empty range")
        return Int(next() % UInt64(count))
    }

    mutating func uniform(_ lower: Double, _ upper: Double) -> Double { lower + (upper - lower) * unit() }

    /// Picks a case by integer weights.
    mutating func weighted<Choice>(_ choices: [(weight: Int, choice: Choice)]) -> Choice {
        let total = choices.reduce(0) { $0 + $1.weight }
        var ticket = index(total)
        for entry in choices {
            if ticket < entry.weight { return entry.choice }
            ticket -= entry.weight
        }
        preconditionFailure("weighted choice fell through with total \(total)")
    }

    /// A new independent stream, for a concern that should not shift the draws of another.
    mutating func split() -> SeededRandomSource { SeededRandomSource(seed: next()) }
}
