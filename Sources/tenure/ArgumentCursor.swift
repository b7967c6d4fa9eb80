import Glibc
import TenureCore
import TenureNode

/// Walks a subcommand's arguments: the flag under the cursor, its value, and one way to refuse.
///
/// Every mistake prints one line naming the flag and value, then the usage, and exits with status
/// 2, the same for every subcommand that uses it.
struct ArgumentCursor {
    let command: String
    let usage: String
    let arguments: [String]
    private(set) var index = -1

    init(command: String, usage: String, arguments: [String]) {
        self.command = command
        self.usage = usage
        self.arguments = arguments
    }

    /// Moves to the next flag; nil at the end.
    mutating func nextFlag() -> String? {
        index += 1
        return index < arguments.count ? arguments[index] : nil
    }

    /// The value that follows the current flag.
    mutating func value() -> String {
        index += 1
        guard index < arguments.count else { fail("\(arguments[index - 1]) needs a value") }
        return arguments[index]
    }

    /// The value that follows the current flag, as a positive duration such as 30s or 10ms.
    mutating func duration() -> Interval {
        let flag = arguments[index]
        let text = value()
        guard let interval = DurationText.parse(text), interval > .zero else { fail("\(flag) '\(text)' is not a duration such as 30s or 10ms") }
        return interval
    }

    func fail(_ message: String) -> Never {
        Terminal.printError("tenure \(command): \(message)\n\(usage)")
        exit(2)
    }
}
