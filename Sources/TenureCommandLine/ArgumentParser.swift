import TenureCore

/// A command-line mistake: printed as one line naming the flag and value, then the usage, with
/// exit status 2.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The one argument parser of every `tenure` and `tenure-lab` command.
///
/// One style everywhere: `--flag value` or `--flag=value`, durations with units (`100ms`, `1.5s`),
/// and every flag a command does not know, or that does not apply to it, refused with one line
/// and exit status 2 rather than silently ignored. Values are range-checked here, so no
/// user-supplied number can reach arithmetic that traps.
public struct ParsedArguments: Sendable {
    /// What a command accepts: flags that take a value, switches that take none, and whether
    /// positional arguments are allowed (everything after `--` is always positional).
    public struct Specification: Sendable {
        public var valueFlags: Set<String>
        public var switches: Set<String>
        public var allowsPositionals: Bool
        /// Short spellings, such as `-e` for `--endpoints`.
        public var aliases: [String: String]

        public init(values: Set<String> = [], switches: Set<String> = [], positionals: Bool = false, aliases: [String: String] = [:]) {
            self.valueFlags = values
            self.switches = switches.union(["--help"])
            self.allowsPositionals = positionals
            self.aliases = aliases.merging(["-h": "--help"]) { first, _ in first }
        }
    }

    public private(set) var values: [String: String] = [:]
    /// Every value of a flag given more than once, in order (for repeatable flags).
    public private(set) var repeated: [String: [String]] = [:]
    public private(set) var switches: Set<String> = []
    public private(set) var positionals: [String] = []

    /// Parses `arguments`; a flag given twice keeps its last value, as most tools do.
    public init(_ arguments: [String], _ specification: Specification) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            var argument = arguments[index]
            index += 1
            if argument == "--" {
                guard specification.allowsPositionals else { throw UsageError("unexpected arguments after '--'") }
                positionals += arguments[index...]
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                guard specification.allowsPositionals else { throw UsageError("unexpected argument '\(argument)'") }
                positionals.append(argument)
                continue
            }
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                inlineValue = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            let flag = specification.aliases[argument] ?? argument
            if specification.switches.contains(flag) {
                guard inlineValue == nil else { throw UsageError("\(flag) takes no value") }
                switches.insert(flag)
            } else if specification.valueFlags.contains(flag) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("\(flag) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                values[flag] = value
                repeated[flag, default: []].append(value)
            } else {
                throw UsageError("unknown option '\(argument)'")
            }
        }
    }

    public var wantsHelp: Bool { switches.contains("--help") }

    public func has(_ flag: String) -> Bool { switches.contains(flag) || values[flag] != nil }

    public func string(_ flag: String) -> String? { values[flag] }

    public func required(_ flag: String) throws(UsageError) -> String {
        guard let value = values[flag], !value.isEmpty else { throw UsageError("\(flag) is required") }
        return value
    }

    /// Every value of a repeatable flag, each split at commas.
    public func all(_ flag: String) -> [String] {
        (repeated[flag] ?? []).flatMap { $0.split(separator: ",").map(String.init) }
    }

    /// A comma-separated list, empty items dropped.
    public func list(_ flag: String) -> [String]? {
        values[flag].map { $0.split(separator: ",").map(String.init) }
    }

    /// A duration with a unit, at least `minimum` and at most `maximum` (one day by default).
    public func duration(_ flag: String, minimum: Interval = Interval(nanoseconds: 1),
                         maximum: Interval = DurationText.maximum) throws(UsageError) -> Interval? {
        guard let text = values[flag] else { return nil }
        return try DurationText.parse(text, flag: flag, minimum: minimum, maximum: maximum)
    }

    /// A range such as `1000ms-1100ms`.
    public func durationRange(_ flag: String) throws(UsageError) -> (minimum: Interval, maximum: Interval)? {
        guard let text = values[flag] else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw UsageError("\(flag) '\(text)' must be a range MIN-MAX such as 1000ms-1100ms") }
        let low = try DurationText.parse(parts[0], flag: flag, minimum: Interval(nanoseconds: 1), maximum: DurationText.maximum)
        let high = try DurationText.parse(parts[1], flag: flag, minimum: Interval(nanoseconds: 1), maximum: DurationText.maximum)
        return (low, high)
    }

    /// A whole number within `range`.
    public func integer(_ flag: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = values[flag] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(flag) '\(text)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A finite number within `range`.
    public func number(_ flag: String, in range: ClosedRange<Double>) throws(UsageError) -> Double? {
        guard let text = values[flag] else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw UsageError("\(flag) '\(text)' must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
