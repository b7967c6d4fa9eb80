import TenureCore

/// Parses and prints durations the way operators write them: `100ms`, `1.5s`, `250us`.
public enum DurationText {
    public static func parse(_ text: String) -> Interval? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard let value = Double(number), value.isFinite, value >= 0, value * scale < 9e18 else { return nil }
            return Interval(nanoseconds: Int64((value * scale).rounded()))
        }
        return nil
    }

    public static func format(_ interval: Interval) -> String { interval.description }
}
