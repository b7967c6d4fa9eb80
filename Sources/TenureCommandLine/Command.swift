import TenurePOSIX

/// How every subcommand of `tenure` and `tenure-lab` starts: parse its flags with the one
/// parser, answer `--help`, and turn a mistake into one line plus the usage and exit status 2.
public struct Command: Sendable {
    public let name: String
    public let usage: String

    public init(_ name: String, usage: String) {
        self.name = name
        self.usage = usage
    }

    /// The parsed flags; prints the usage and exits 0 on `--help`, exits 2 on a mistake.
    public func parse(_ arguments: [String], _ specification: ParsedArguments.Specification) -> ParsedArguments {
        do {
            let flags = try ParsedArguments(arguments, specification)
            if flags.wantsHelp {
                print(usage)
                ProcessEnvironment.exit(0)
            }
            return flags
        } catch {
            fail(error)
        }
    }

    /// Runs `body` on the parsed flags; a `UsageError` it throws exits 2 like a parse error.
    public func run(_ arguments: [String], _ specification: ParsedArguments.Specification,
                    _ body: (ParsedArguments) throws(UsageError) -> Int32) -> Int32 {
        let flags = parse(arguments, specification)
        do {
            return try body(flags)
        } catch {
            fail(error)
        }
    }

    public func fail(_ error: UsageError) -> Never {
        Terminal.printError("\(name): \(error.message)\n\(usage)")
        ProcessEnvironment.exit(2)
    }

    public func fail(_ message: String) -> Never { fail(UsageError(message)) }
}
