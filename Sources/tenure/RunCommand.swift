import TenureClient
import TenureCommandLine
import TenureCore
import TenurePOSIX

/// `tenure run`: runs a command only while the node beside it leads, and stops it by the lease
/// deadline (docs/lease.md, "Applications act by deadline").
enum RunCommand {
    static let usage = """
    usage: tenure run [--endpoint HOST:PORT] [--grace 100ms] [--margin 50ms] [--poll 20ms] [--once] -- CMD [ARGS...]
      --endpoint   the API of the node beside this process (default: $TENURE_ENDPOINT)
      --grace      SIGTERM goes to CMD's process group this long before the kill deadline (SIGKILL)
      --margin     the kill deadline is the lease end the node last showed, minus this margin
      --poll       how often the node is asked for its lease
      --once       run CMD at most once and exit with its status
    CMD runs directly (no shell), in a process group of its own, only while the node answers
    is_leader: true, with TENURE_FENCING_TOKEN, TENURE_LEADER_TERM and TENURE_NODE_ID set.
    When CMD exits on its own, the node is asked to resign so another node takes over at once.
    """

    struct Settings {
        var endpoint: String
        var grace = Interval.milliseconds(100)
        var margin = Interval.milliseconds(50)
        var poll = Interval.milliseconds(20)
        var once = false
        var command: [String]
    }

    static func parse(_ arguments: [String]) -> Settings {
        let command = Command("tenure run", usage: usage)
        let flags = command.parse(arguments, .init(values: ["--endpoint", "--grace", "--margin", "--poll"], switches: ["--once"], positionals: true))
        do throws(UsageError) {
            guard !flags.positionals.isEmpty else { throw UsageError("missing the command to run (after --)") }
            guard let endpoint = flags.string("--endpoint") ?? Terminal.environment("TENURE_ENDPOINT"), !endpoint.isEmpty else {
                throw UsageError("no node to ask: give --endpoint HOST:PORT or set TENURE_ENDPOINT")
            }
            guard SocketAddress(endpoint) != nil else { throw UsageError("--endpoint '\(endpoint)' is not an IPv4 HOST:PORT") }
            var settings = Settings(endpoint: endpoint, command: flags.positionals)
            settings.grace = try flags.duration("--grace", minimum: .zero, maximum: .seconds(60)) ?? settings.grace
            settings.margin = try flags.duration("--margin", minimum: .zero, maximum: .seconds(60)) ?? settings.margin
            settings.poll = try flags.duration("--poll", minimum: .milliseconds(1), maximum: .seconds(10)) ?? settings.poll
            settings.once = flags.has("--once")
            return settings
        } catch {
            command.fail(error)
        }
    }

    static func run(_ arguments: [String]) -> Int32 {
        let settings = parse(arguments)
        let signals: Int32
        do {
            signals = try SignalPipe.install([.terminate, .interrupt, .hangUp])
        } catch {
            Terminal.printError("tenure run: cannot install signal handlers: \(error)")
            return 1
        }
        var runner = Runner(settings: settings, signalDescriptor: signals)
        return runner.loop()
    }
}
