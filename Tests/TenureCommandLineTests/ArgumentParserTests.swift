import Testing
import TenureCore
@testable import TenureCommandLine

/// The one argument parser: one style for every command, mistakes refused with a message.
@Suite struct ArgumentParserTests {
    let specification = ParsedArguments.Specification(values: ["--timeout", "--nodes", "--endpoints", "--events"],
                                                      switches: ["--json"], aliases: ["-e": "--endpoints"])

    @Test("--flag value and --flag=value mean the same")
    func bothSpellings() throws {
        let spaced = try ParsedArguments(["--timeout", "200ms", "--json"], specification)
        let joined = try ParsedArguments(["--timeout=200ms", "--json"], specification)
        #expect(spaced.string("--timeout") == "200ms" && joined.string("--timeout") == "200ms")
        #expect(spaced.has("--json") && joined.has("--json"))
        #expect(try joined.duration("--timeout") == .milliseconds(200))
    }

    @Test("an unknown or inapplicable flag is refused, naming it")
    func unknownFlag() {
        #expect { try ParsedArguments(["--to", "n2"], specification) } throws: { ($0 as? UsageError)?.message == "unknown option '--to'" }
        #expect { try ParsedArguments(["stray"], specification) } throws: { ($0 as? UsageError)?.message == "unexpected argument 'stray'" }
        #expect { try ParsedArguments(["--json=yes"], specification) } throws: { ($0 as? UsageError)?.message == "--json takes no value" }
        #expect { try ParsedArguments(["--timeout"], specification) } throws: { ($0 as? UsageError)?.message == "--timeout needs a value" }
    }

    @Test("a duration needs a unit and a sane size", arguments: ["200", "-1ms", "ms", "1e3ms", "nanms", "2d", "4000000000s", "１ms", ""])
    func badDurations(text: String) throws {
        let flags = try ParsedArguments(["--timeout", text], specification)
        #expect(throws: UsageError.self) { try flags.duration("--timeout") }
    }

    @Test("durations with units parse exactly")
    func goodDurations() {
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse("250us") == .microseconds(250))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h") == .seconds(3600))
    }

    @Test("numbers are range-checked", arguments: ["0", "-3", "256", "x", "9999999999999999999999"])
    func integerRange(text: String) throws {
        let flags = try ParsedArguments(["--nodes", text], specification)
        #expect(throws: UsageError.self) { try flags.integer("--nodes", in: 1...255) }
    }

    @Test("aliases, repeated flags and lists")
    func repeatedFlags() throws {
        let flags = try ParsedArguments(["-e", "a:1,b:2", "--events", "x", "--events=y,z"], specification)
        #expect(flags.list("--endpoints") == ["a:1", "b:2"])
        #expect(flags.all("--events") == ["x", "y", "z"])
        #expect(flags.string("--events") == "y,z")
    }

    @Test("everything after -- is positional, where a command allows it")
    func positionals() throws {
        let spec = ParsedArguments.Specification(values: ["--grace"], positionals: true)
        let flags = try ParsedArguments(["--grace", "1s", "--", "worker", "--grace", "2s"], spec)
        #expect(flags.positionals == ["worker", "--grace", "2s"])
        #expect(flags.string("--grace") == "1s")
        #expect(throws: UsageError.self) { try ParsedArguments(["--", "x"], specification) }
    }
}
