import TenureCore

/// The seeded random choices of the fuzz modes, so that a run is repeatable from its --seed.
struct SeededChoices {
    private var generator: SeededRandom

    init(seed: UInt64) { generator = SeededRandom(seed: seed) }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }

    mutating func bytes(in range: ClosedRange<Int>) -> [UInt8] { bytes(int(in: range)) }

    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &generator)] }

    /// A copy of `bytes` with one bit flipped at a random place among the last `within` bytes
    /// (all of them by default).
    mutating func flippingOneBit(_ bytes: [UInt8], within: Int? = nil) -> [UInt8] {
        var copy = bytes
        let span = min(within ?? bytes.count, bytes.count)
        copy[bytes.count - 1 - int(in: 0...span - 1)] ^= UInt8(1) << UInt8(int(in: 0...7))
        return copy
    }
}
