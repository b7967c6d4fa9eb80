import Glibc
import TenureNode

/// Which API endpoints a client command asks: `--endpoints`, else `$TENURE_ENDPOINTS`, else the
/// cluster that `cluster/up` started (it records its endpoints in its run folder).
enum Endpoints {
    static let clusterFile = "/tmp/tenure-cluster/endpoints"
    static let fallback = ["127.0.0.11:7200", "127.0.0.12:7200", "127.0.0.13:7200"]

    static func resolve(_ flag: String?) -> [String] {
        if let flag, !flag.isEmpty { return split(flag) }
        if let environment = Terminal.environment("TENURE_ENDPOINTS"), !environment.isEmpty { return split(environment) }
        if let text = Terminal.readFile(clusterFile) {
            let list = split(text)
            if !list.isEmpty { return list }
        }
        return fallback
    }

    private static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " }).map(String.init)
    }
}

/// Flags shared by the client commands, parsed strictly (exit 2 on anything unknown).
struct ClientFlags {
    var endpoints: [String] = []
    var json = false
    var to: String?
    var count: Int?
    var timeoutMilliseconds = 1000

    static let usage = """
    options: --endpoints HOST:PORT,...  --json  --timeout 1000ms
             (transfer) --to NODE   (watch) --count N
    """

    static func parse(_ arguments: [String], command: String) -> ClientFlags {
        var flags = ClientFlags()
        var endpointFlag: String?
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { bad("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        func bad(_ message: String) -> Never {
            Terminal.printError("tenure \(command): \(message)\n\(usage)")
            exit(2)
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--endpoints", "-e": endpointFlag = value()
            case "--json": flags.json = true
            case "--to": flags.to = value()
            case "--count":
                let text = value()
                guard let count = Int(text), count > 0 else { bad("--count '\(text)' must be a positive number") }
                flags.count = count
            case "--timeout":
                let text = value()
                let digits = text.hasSuffix("ms") ? String(text.dropLast(2)) : text
                guard let milliseconds = Int(digits), milliseconds > 0 else { bad("--timeout '\(text)' must look like 1000ms") }
                flags.timeoutMilliseconds = milliseconds
            default: bad("unknown option '\(arguments[index])'")
            }
            index += 1
        }
        flags.endpoints = Endpoints.resolve(endpointFlag)
        return flags
    }
}
