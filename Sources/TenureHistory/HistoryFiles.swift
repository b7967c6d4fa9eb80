#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the history tools need, on plain POSIX calls (no Foundation).
public enum HistoryFiles {
    /// The whole file as UTF-8 text, or nil when it cannot be read.
    public static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` with one `write(2)` on an `O_APPEND` descriptor; false on failure.
    @discardableResult
    public static func append(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// Expands a shell-style pattern such as `DIR/*.events.jsonl` (wildcards in the last component
    /// only); a path without wildcards is returned as is.
    public static func expand(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        let slash = pattern.lastIndex(of: "/")
        let directory = slash.map { String(pattern[..<$0]) } ?? "."
        let name = slash.map { String(pattern[pattern.index(after: $0)...]) } ?? pattern
        guard let handle = opendir(directory.isEmpty ? "/" : directory) else { return [] }
        defer { closedir(handle) }
        var matches: [String] = []
        while let entry = readdir(handle) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if entryName != ".", entryName != "..", fnmatch(name, entryName, 0) == 0 {
                matches.append(slash == nil ? entryName : directory + "/" + entryName)
            }
        }
        return matches.sorted()
    }
}

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
