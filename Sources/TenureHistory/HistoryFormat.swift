/// Formats durations and instants for reports without Foundation's `String(format:)`.
public enum HistoryFormat {
    /// `nanoseconds` as milliseconds with one decimal, e.g. `431.2 ms`.
    public static func milliseconds(_ nanoseconds: Int64) -> String { decimal(nanoseconds, scale: 1_000_000, digits: 1) + " ms" }

    /// `nanoseconds` as a plain number of milliseconds with one decimal, e.g. `431.2`.
    public static func millisecondsNumber(_ nanoseconds: Int64) -> String { decimal(nanoseconds, scale: 1_000_000, digits: 1) }

    /// An instant relative to `origin` in seconds, e.g. `+12.345678s`.
    public static func offset(_ instant: Int64, from origin: Int64, digits: Int = 6) -> String {
        let difference = instant - origin
        return (difference < 0 ? "" : "+") + decimal(difference, scale: 1_000_000_000, digits: digits) + "s"
    }

    /// `value / scale` rounded to `digits` decimals.
    public static func decimal(_ value: Int64, scale: Int64, digits: Int) -> String {
        var unit: Int64 = 1
        for _ in 0..<digits { unit *= 10 }
        let step = scale / unit // scale is a power of ten at least 10^digits
        let negative = value < 0
        let magnitude = negative ? -value : value
        let rounded = (magnitude + step / 2) / step
        let whole = rounded / unit
        var fraction = String(rounded % unit)
        fraction = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
        return (negative ? "-" : "") + String(whole) + (digits > 0 ? "." + fraction : "")
    }
}
