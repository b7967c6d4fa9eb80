import Synchronization
import TenureAPI
import TenureCommandLine
import TenureCore
import TenureHTTP
import TenureHistory
import TenureJSON
import TenurePOSIX

/// `tenure-lab probe`: asks every node's `GET /v1/status` over and over, one thread per node, and
/// appends one JSON line per answer (or failure) to `--out`, stamped with `CLOCK_MONOTONIC`
/// instants taken just before connecting (`invoke_ns`) and just after the answer was read
/// (`complete_ns`). The partition suite's history checker orders answers by these instants.
///
/// Each line is written with a single `write(2)` on an `O_APPEND` descriptor, so a probe stopped
/// by any signal leaves only whole lines behind. `--live` also draws one line per node on the
/// terminal and lists leadership changes as they happen (the split-brain demo uses it).
enum ProbeCommand {
    static let usage = """
    usage: tenure-lab probe --endpoints HOST:PORT,... [--interval 10ms] [--duration 30s] [--out probes.jsonl]
                            [--timeout 250ms] [--live] [--marks phases.jsonl]
      --out      append one JSON line per probe to this file
      --live     draw a live view, one line per node, and list leadership changes
      --marks    (with --live) show the harness's phase records from this file as they appear
    """

    struct Flags {
        var endpoints: [String] = []
        var interval = Interval.milliseconds(10)
        var duration = Interval.seconds(30)
        var timeoutMilliseconds = 250
        var out: String?
        var live = false
        var marks: String?
    }

    static let command = Command("tenure-lab probe", usage: usage)

    static func parse(_ arguments: [String]) -> Flags {
        let parsed = command.parse(arguments, .init(values: ["--endpoints", "--interval", "--duration", "--timeout", "--out", "--marks"],
                                                    switches: ["--live"], aliases: ["-e": "--endpoints", "-o": "--out"]))
        var flags = Flags()
        do throws(UsageError) {
            if let list = parsed.list("--endpoints") { flags.endpoints = list } else { flags.endpoints = try Endpoints.resolve(nil) }
            if let interval = try parsed.duration("--interval") { flags.interval = interval }
            if let duration = try parsed.duration("--duration") { flags.duration = duration }
            if let timeout = try parsed.duration("--timeout", minimum: .milliseconds(1)) {
                flags.timeoutMilliseconds = Int(timeout.nanoseconds / 1_000_000)
            }
            flags.out = parsed.string("--out")
            flags.live = parsed.has("--live")
            flags.marks = parsed.string("--marks")
            guard flags.out != nil || flags.live else { throw UsageError("give --out FILE, --live, or both") }
        } catch {
            command.fail(error)
        }
        return flags
    }

    /// What the live view shows for one node; written by its probe thread, read by the drawer.
    struct Latest: Sendable {
        var node: String?
        var ok = false
        var role = "?"
        var term: UInt64 = 0
        var leader: String?
        var isLeader = false
        var leaseExpires: Int64?
        var now: Int64 = 0
        var error: String?
        var at: Int64 = 0
        /// The node's clock when this prober first saw its current role and term.
        var roleSince: Int64 = 0
        /// When the node's last claim of leadership ended: the lease end it last reported, or the
        /// first answer saying no, whichever came first.
        var claimEndedAt: Int64?
    }

    /// One poll's answer: the JSON line for the history and what the live view shows.
    struct Answer: Sendable {
        var line: String
        var latest: Latest
    }

    /// What one endpoint's thread remembers between polls (only that thread touches its slot).
    struct Memory: Sendable {
        var knownNode: String?
        var previous: Latest?
        var lastClaimExpiry: Int64?
    }

    static func run(_ arguments: [String]) -> Int32 {
        let flags = parse(arguments)
        var fd: Int32 = -1
        if let out = flags.out {
            do {
                fd = try Files.openForAppending(out)
            } catch {
                Terminal.printError("tenure-lab probe: cannot open \(out): \(error)")
                return 1
            }
        }
        let start = MonotonicClock.now()
        let deadline = start + flags.duration
        let latest = Mutex(Array(repeating: Latest(), count: flags.endpoints.count))
        let memory = Mutex(Array(repeating: Memory(), count: flags.endpoints.count))
        let output = fd
        let poller = Poller<Answer>(endpointCount: flags.endpoints.count, interval: flags.interval, retainSamples: false) { index in
            var slot = memory.withLock { $0[index] }
            let answer = probe(flags.endpoints[index], timeoutMilliseconds: flags.timeoutMilliseconds, memory: &slot)
            memory.withLock { $0[index] = slot }
            return answer
        }
        poller.start(until: deadline, onSample: { index, answer in
            latest.withLock { $0[index] = answer.latest }
            // One write(2) per line on an O_APPEND descriptor: a stopped probe leaves whole lines.
            if output >= 0 { Descriptor.writeAll(output, Array((answer.line + "\n").utf8)) }
        }, stopWhen: { _ in false })
        if flags.live {
            var view = LiveView(endpoints: flags.endpoints, start: start.nanoseconds, marksFile: flags.marks)
            while MonotonicClock.now() < deadline {
                view.draw(latest.withLock { $0 })
                MonotonicClock.sleep(until: min(deadline, MonotonicClock.now() + .milliseconds(100)))
            }
            view.draw(latest.withLock { $0 })
        }
        poller.wait()
        if fd >= 0 { Descriptor.close(fd) }
        return 0
    }

    /// Asks one endpoint's `/v1/status` once; the line is a `Probe` (TenureHistory), the record
    /// `check-history` reads back.
    static func probe(_ endpoint: String, timeoutMilliseconds: Int, memory: inout Memory) -> Answer {
        let invoke = MonotonicClock.now().nanoseconds
        var latest = Latest()
        let record: Probe
        do {
            let response = try HTTPClient.request(endpoint: endpoint, path: "/v1/status", timeoutMilliseconds: timeoutMilliseconds)
            let complete = MonotonicClock.now().nanoseconds
            var status: StatusDocument?
            var problem: String?
            if response.status == 200 {
                do {
                    status = try StatusDocument(parsing: response.body)
                } catch {
                    problem = "malformed answer: \(error)"
                }
            } else {
                problem = "HTTP \(response.status)"
            }
            if let status { memory.knownNode = status.id }
            let answer = status.map {
                Probe.Answer(role: $0.role, term: $0.term, leader: $0.leader, isLeader: $0.isLeader,
                             leaseExpires: $0.leaseExpiresMonotonicNanoseconds, now: $0.nowMonotonicNanoseconds)
            }
            record = Probe(endpoint: endpoint, node: memory.knownNode, invoke: invoke, complete: complete, ok: answer != nil,
                           httpStatus: response.status, answer: answer, error: problem)
            latest.ok = answer != nil
            latest.role = answer?.role ?? "?"
            latest.term = answer?.term ?? 0
            latest.leader = answer?.leader
            latest.isLeader = answer?.isLeader ?? false
            latest.leaseExpires = answer?.leaseExpires
            latest.now = answer?.now ?? complete
            latest.error = problem
        } catch {
            let complete = MonotonicClock.now().nanoseconds
            record = Probe(endpoint: endpoint, node: memory.knownNode, invoke: invoke, complete: complete, ok: false, httpStatus: nil,
                           answer: nil, error: "\(error)")
            latest.error = "\(error)"
        }
        latest.node = memory.knownNode
        latest.at = MonotonicClock.now().nanoseconds
        if latest.ok {
            if let previous = memory.previous, previous.ok, previous.role == latest.role, previous.term == latest.term {
                latest.roleSince = previous.roleSince
            } else {
                latest.roleSince = latest.now
            }
            if latest.isLeader {
                latest.claimEndedAt = nil
                memory.lastClaimExpiry = latest.leaseExpires
            } else if let previous = memory.previous, previous.isLeader {
                latest.claimEndedAt = min(memory.lastClaimExpiry ?? latest.now, latest.now)
            } else {
                latest.claimEndedAt = memory.previous?.claimEndedAt
            }
            memory.previous = latest
        }
        return Answer(line: record.json, latest: latest)
    }
}
