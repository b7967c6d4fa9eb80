import TenureCore

/// Parses and prints durations the way operators write them: `100ms`, `1.5s`, `250us`.
///
/// A unit is always required: a bare `200` could mean milliseconds to one reader and seconds to
/// another, and a timeout off by a factor of a thousand is a bug nobody sees until it matters.
public enum DurationText {
    /// The longest duration any flag accepts: one day. Longer values are certainly mistakes,
    /// and the bound keeps every sum and product of durations far from overflow.
    public static let maximum = Interval.seconds(86_400)

    /// The interval `text` names, or nil when it is not a non-negative number with a unit.
    public static func parse(_ text: String) -> Interval? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  let value = Double(number), value.isFinite, value >= 0, value * scale < 9e18 else { return nil }
            return Interval(nanoseconds: Int64((value * scale).rounded()))
        }
        return nil
    }

    /// Parses `text` for `flag`, refusing anything outside `[minimum, maximum]` with a message.
    public static func parse(_ text: String, flag: String, minimum: Interval, maximum: Interval) throws(UsageError) -> Interval {
        guard let interval = parse(text) else {
            throw UsageError("\(flag) '\(text)' is not a duration with a unit, such as 100ms or 1.5s")
        }
        guard interval >= minimum, interval <= maximum else {
            throw UsageError("\(flag) '\(text)' must be from \(format(minimum)) to \(format(maximum))")
        }
        return interval
    }

    /// The shortest exact spelling: `86400s`, `100ms`, `250us`, `1ns`.
    public static func format(_ interval: Interval) -> String {
        let nanoseconds = interval.nanoseconds
        if nanoseconds != 0, nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds != 0, nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds != 0, nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
        return "\(nanoseconds)ns"
    }
}
