/// A semantic version, `MAJOR.MINOR.PATCH[-PRE.RELEASE][+BUILD]` (semver.org 2.0.0): numbers
/// without leading zeros, pre-release identifiers of letters, digits and hyphens, build metadata
/// kept but ignored by comparisons.
public struct SemanticVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// Dot-separated pre-release identifiers (`["dev"]` for `0.2.0-dev`); empty for a release.
    public var preRelease: [String]
    /// Dot-separated build metadata identifiers; ignored by ordering and equality of precedence.
    public var build: [String]

    public init(major: Int, minor: Int, patch: Int, preRelease: [String] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.preRelease = preRelease
        self.build = build
    }

    /// Parses `text` strictly (a leading `v`, as in a tag `v0.1.0`, is accepted); nil when it is
    /// not a semantic version.
    public init?(_ text: String) {
        var rest = Substring(text)
        if rest.first == "v" { rest = rest.dropFirst() }
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            let identifiers = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false)
            guard identifiers.allSatisfy({ Self.isIdentifier($0) }) else { return nil }
            build = identifiers.map(String.init)
            rest = rest[..<plus]
        }
        var preRelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let identifiers = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
            guard identifiers.allSatisfy({ Self.isIdentifier($0) && !Self.hasLeadingZero($0) }) else { return nil }
            preRelease = identifiers.map(String.init)
            rest = rest[..<dash]
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return nil }
        var parsed: [Int] = []
        for number in numbers {
            guard Self.isNumber(number), let value = Int(number) else { return nil }
            parsed.append(value)
        }
        self.init(major: parsed[0], minor: parsed[1], patch: parsed[2], preRelease: preRelease, build: build)
    }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !preRelease.isEmpty { text += "-" + preRelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    /// Whether this is a release (no pre-release identifiers).
    public var isRelease: Bool { preRelease.isEmpty }

    /// Semver precedence: numbers, then a pre-release below its release, identifiers compared
    /// numerically when both are numbers, else as ASCII text, fewer identifiers first.
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        switch (lhs.preRelease.isEmpty, rhs.preRelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (left, right) in zip(lhs.preRelease, rhs.preRelease) where left != right {
            switch (Int(left), Int(right)) {
            case let (l?, r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return left < right
            }
        }
        return lhs.preRelease.count < rhs.preRelease.count
    }

    /// Equal precedence: build metadata does not count.
    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch) && lhs.preRelease == rhs.preRelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(preRelease)
    }

    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 9 && text.allSatisfy { $0.isASCII && $0.isNumber } && !(text.count > 1 && text.first == "0")
    }

    private static func isIdentifier(_ text: Substring) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            (scalar >= "0" && scalar <= "9") || (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "-"
        }
    }

    private static func hasLeadingZero(_ text: Substring) -> Bool {
        text.count > 1 && text.first == "0" && text.allSatisfy { $0 >= "0" && $0 <= "9" }
    }
}
