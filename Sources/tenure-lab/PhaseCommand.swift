import TenureCommandLine
import TenureCore
import TenureHistory
import TenurePOSIX

/// `tenure-lab phase`: appends one record to a scenario's phases file, the file `check-history`
/// reads. The harness (cluster/suite-lib.sh) calls it for every phase instead of writing JSON
/// with `printf`, so the file is written by `PhaseRecord`, the type the checker decodes.
///
/// `ts` is `CLOCK_MONOTONIC` when the record is written unless `--ts` gives the instant the
/// harness measured (after a fault was in force); `--requested-ts` is when it started applying it.
/// Each record is appended with one `write(2)` on an `O_APPEND` descriptor.
enum PhaseCommand {
    static let usage = """
    usage: tenure-lab phase --file phases.jsonl KIND [--ts NS] [options]
      config       --nodes n1,n2,n3 --heartbeat 50ms --election-timeout 500ms-600ms
      fault-start  --id ID --fault KIND [--spec TEXT] [--isolated 'n1 n2'] [--expect EXPECT] [--node ID] [--requested-ts NS]
                   EXPECT: leader_change, no_leader_change, no_leader or any; --isolated: the nodes the
                   fault cuts off from every quorum (spaces or commas); --node: the process it targets
      fault-stop   --id ID [--requested-ts NS]
      heal         [--requested-ts NS]
      kill         --node ID [--signal NAME] [--pid PID]
      restart      --node ID
      exit         --node ID --status N [--pid PID] [--expected]   (--expected: the harness caused it)
      note         --text TEXT
      end
    """

    static let command = Command("tenure-lab phase", usage: usage)

    /// The flags each kind takes, besides `--file` and `--ts`.
    static let flags: [PhaseRecord.Kind: Set<String>] = [
        .config: ["--nodes", "--heartbeat", "--election-timeout"],
        .faultStart: ["--id", "--fault", "--spec", "--isolated", "--expect", "--node", "--requested-ts"],
        .faultStop: ["--id", "--requested-ts"],
        .heal: ["--requested-ts"],
        .kill: ["--node", "--signal", "--pid"],
        .restart: ["--node"],
        .exit: ["--node", "--status", "--pid", "--expected"],
        .note: ["--text"],
        .end: [],
    ]

    static func run(_ arguments: [String]) -> Int32 {
        let values = Set(flags.values.joined()).union(["--file", "--ts"]).subtracting(["--expected"])
        let parsed = command.parse(arguments, .init(values: values, switches: ["--expected"], positionals: true))
        let record: PhaseRecord
        let file: String
        do throws(UsageError) {
            file = try parsed.required("--file")
            record = try self.record(parsed)
        } catch {
            command.fail(error)
        }
        guard Files.append(record.json + "\n", to: file) else {
            Terminal.printError("tenure-lab phase: cannot append to \(file)")
            return 1
        }
        return 0
    }

    /// The record the flags describe; a flag that does not apply to the kind is refused.
    static func record(_ parsed: ParsedArguments, now: () -> Int64 = { MonotonicClock.now().nanoseconds }) throws(UsageError) -> PhaseRecord {
        guard parsed.positionals.count == 1, let word = parsed.positionals.first else {
            throw UsageError("give one kind: config, fault-start, fault-stop, heal, kill, restart, exit, note or end")
        }
        guard let kind = PhaseRecord.Kind(rawValue: String(word.map { $0 == "-" ? "_" : $0 })) else {
            throw UsageError("unknown kind '\(word)'")
        }
        let allowed = flags[kind, default: []].union(["--file", "--ts"])
        for flag in parsed.values.keys.sorted() + parsed.switches.sorted() where flag != "--help" && !allowed.contains(flag) {
            throw UsageError("\(flag) does not apply to \(word)")
        }
        var record = PhaseRecord(ts: try nanoseconds(parsed, "--ts") ?? now(), kind: kind)
        record.requestedTs = try nanoseconds(parsed, "--requested-ts")
        switch kind {
        case .config:
            record.nodes = parsed.list("--nodes") ?? []
            guard !record.nodes.isEmpty else { throw UsageError("--nodes is required") }
            guard let heartbeat = try parsed.duration("--heartbeat") else { throw UsageError("--heartbeat is required") }
            guard let timeout = try parsed.durationRange("--election-timeout") else { throw UsageError("--election-timeout is required") }
            record.heartbeatMilliseconds = heartbeat.milliseconds
            record.electionTimeoutMinMilliseconds = timeout.minimum.milliseconds
            record.electionTimeoutMaxMilliseconds = timeout.maximum.milliseconds
        case .faultStart:
            record.id = try parsed.required("--id")
            record.fault = try parsed.required("--fault")
            record.spec = parsed.string("--spec")
            record.isolated = (parsed.string("--isolated") ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            if let text = parsed.string("--expect") {
                guard let expect = PhaseRecord.Expectation(rawValue: text) else {
                    throw UsageError("--expect '\(text)' must be one of \(PhaseRecord.Expectation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                record.expect = expect
            }
            record.node = parsed.string("--node")
        case .faultStop:
            record.id = try parsed.required("--id")
        case .heal, .end:
            break
        case .kill:
            record.node = try parsed.required("--node")
            record.signal = parsed.string("--signal")
            record.pid = try parsed.integer("--pid", in: 1...Int(Int32.max)).map(Int64.init)
        case .restart:
            record.node = try parsed.required("--node")
        case .exit:
            record.node = try parsed.required("--node")
            record.pid = try parsed.integer("--pid", in: 1...Int(Int32.max)).map(Int64.init)
            guard let status = try parsed.integer("--status", in: 0...255) else { throw UsageError("--status is required") }
            record.status = status
            record.expected = parsed.has("--expected")
        case .note:
            record.text = try parsed.required("--text")
        }
        return record
    }

    /// A `CLOCK_MONOTONIC` reading in nanoseconds, as `tenure-lab now-ns` prints it.
    static func nanoseconds(_ parsed: ParsedArguments, _ flag: String) throws(UsageError) -> Int64? {
        guard let text = parsed.string(flag) else { return nil }
        guard let value = Int64(text), value >= 0 else { throw UsageError("\(flag) '\(text)' must be nanoseconds of CLOCK_MONOTONIC") }
        return value
    }
}
