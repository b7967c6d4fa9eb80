import TenureCommandLine

/// Flags of the client commands, each command accepting only the flags that apply to it.
struct ClientFlags {
    var endpoints: [String] = []
    var json = false
    var to: String?
    var count: Int?
    var timeoutMilliseconds = 1000
    /// `tenure status --watch`: redraw the table every `intervalMilliseconds`.
    var watch = false
    var intervalMilliseconds = 1000

    static func usage(_ command: String) -> String {
        var text = "usage: tenure \(command) [--endpoints HOST:PORT,...] [--json] [--timeout 1000ms]"
        if command == "transfer" { text += " [--to NODE]" }
        if command == "watch" { text += " [--count N]" }
        if command == "status" { text += " [--watch [--interval 1s] [--count N]]" }
        return text + "\n  --endpoints default: $TENURE_ENDPOINTS, else the cluster started by cluster/up"
    }

    static func parse(_ arguments: [String], command name: String) -> ClientFlags {
        var values: Set<String> = ["--endpoints", "--timeout"]
        if name == "transfer" { values.insert("--to") }
        if name == "watch" { values.insert("--count") }
        if name == "status" { values.formUnion(["--interval", "--count"]) }
        let command = Command("tenure \(name)", usage: usage(name))
        let switches: Set<String> = name == "status" ? ["--json", "--watch"] : ["--json"]
        let parsed = command.parse(arguments, .init(values: values, switches: switches, aliases: ["-e": "--endpoints"]))
        var flags = ClientFlags()
        do throws(UsageError) {
            flags.json = parsed.has("--json")
            flags.to = parsed.string("--to")
            flags.count = try parsed.integer("--count", in: 1...1_000_000)
            if let timeout = try parsed.duration("--timeout", minimum: .milliseconds(1), maximum: .seconds(3600)) {
                flags.timeoutMilliseconds = Int(timeout.nanoseconds / 1_000_000)
            }
            flags.endpoints = try Endpoints.resolve(parsed.string("--endpoints"))
            flags.watch = parsed.has("--watch")
            if let interval = try parsed.duration("--interval", minimum: .milliseconds(50), maximum: .seconds(3600)) {
                flags.intervalMilliseconds = Int(interval.nanoseconds / 1_000_000)
            }
        } catch {
            command.fail(error)
        }
        return flags
    }
}
