import TenurePOSIX

/// Human-readable log lines on standard error: `2026-11-22T10:00:00.123Z n1 info message`.
///
/// Operators read these; machines read the JSON-lines event log. Kept deliberately plain.
public final class Log: @unchecked Sendable {
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
        var name: String { ["debug", "info", "warn", "error"][rawValue] }
    }

    let node: String
    let minimumLevel: Level

    public init(node: String, minimumLevel: Level = .info) {
        self.node = node
        self.minimumLevel = minimumLevel
    }

    public func debug(_ message: @autoclosure () -> String) { write(.debug, message) }
    public func info(_ message: @autoclosure () -> String) { write(.info, message) }
    public func warning(_ message: @autoclosure () -> String) { write(.warning, message) }
    public func error(_ message: @autoclosure () -> String) { write(.error, message) }

    private func write(_ level: Level, _ message: () -> String) {
        guard level >= minimumLevel else { return }
        let line = "\(Log.timestamp()) \(node) \(level.name) \(message())\n"
        ProcessEnvironment.writeError(line)
    }

    /// UTC time with milliseconds, ISO 8601.
    static func timestamp() -> String { WallClock.timestamp() }
}
