import TenurePOSIX

/// Small output helpers for the command-line tools, so that they need no Foundation.
public enum Terminal {
    /// Writes a line to standard error.
    public static func printError(_ text: String) { ProcessEnvironment.printError(text) }

    /// Flushes standard output (print is buffered when stdout is a pipe).
    public static func flush() { ProcessEnvironment.flushOutput() }

    /// Standard output is a terminal (so a table may be redrawn in place).
    public static var isInteractive: Bool { ProcessEnvironment.standardOutputIsTerminal }

    public static func environment(_ name: String) -> String? { ProcessEnvironment.variable(name) }

    /// The whole contents of a small text file, or nil.
    public static func readFile(_ path: String, limit: Int = 1 << 20) -> String? { Files.readText(path, limit: limit) }

    /// The API token the client commands send with requests that change leadership or health:
    /// the first line of the file named by `$TENURE_API_TOKEN_FILE`, if set.
    public static func apiToken() -> String? {
        environment("TENURE_API_TOKEN_FILE").flatMap { readFile($0) }?
            .split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters() }
    }

    public static func sleep(milliseconds: Int) { MonotonicClock.sleep(for: .milliseconds(Int64(milliseconds))) }

    /// Current UTC time as ISO 8601 with milliseconds.
    public static func timestamp() -> String { WallClock.timestamp() }

    /// Pads `text` with spaces to `width` characters.
    public static func padded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingCharacters() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
