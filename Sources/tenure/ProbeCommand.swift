import Glibc
import TenureHistory
import TenureNode
import TenureJSON

/// `tenure probe`: asks every node's `GET /v1/status` over and over, one thread per node, and
/// appends one JSON line per answer (or failure) to `--out`, stamped with `CLOCK_MONOTONIC`
/// instants taken just before connecting (`invoke_ns`) and just after the answer was read
/// (`complete_ns`). The partition suite's history checker orders answers by these instants.
///
/// Each line is written with a single `write(2)` on an `O_APPEND` descriptor, so a probe stopped
/// by any signal leaves only whole lines behind. `--live` also draws one line per node on the
/// terminal and lists leadership changes as they happen (the split-brain demo uses it).
enum ProbeCommand {
    static let usage = """
    usage: tenure probe --endpoints HOST:PORT,... [--interval 10ms] [--duration 30s] [--out probes.jsonl]
                        [--timeout 250ms] [--live] [--marks phases.jsonl]
      --out      append one JSON line per probe to this file
      --live     draw a live view, one line per node, and list leadership changes
      --marks    (with --live) show the harness's phase records from this file as they appear
    """

    struct Flags {
        var endpoints: [String] = []
        var intervalNanoseconds: Int64 = 10_000_000
        var durationNanoseconds: Int64 = 30_000_000_000
        var timeoutMilliseconds = 250
        var out: String?
        var live = false
        var marks: String?
    }

    static func monotonicNow() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    static func parse(_ arguments: [String]) -> Flags {
        var flags = Flags()
        var cursor = ArgumentCursor(command: "probe", usage: usage, arguments: arguments)
        while let flag = cursor.nextFlag() {
            switch flag {
            case "--endpoints", "-e": flags.endpoints = cursor.value().split(separator: ",").map(String.init)
            case "--interval": flags.intervalNanoseconds = cursor.duration().nanoseconds
            case "--duration": flags.durationNanoseconds = cursor.duration().nanoseconds
            case "--timeout": flags.timeoutMilliseconds = Int(max(1, cursor.duration().nanoseconds / 1_000_000))
            case "--out", "-o": flags.out = cursor.value()
            case "--live": flags.live = true
            case "--marks": flags.marks = cursor.value()
            case "-h", "--help": print(usage); exit(0)
            default: cursor.fail("unknown option '\(flag)'")
            }
        }
        if flags.endpoints.isEmpty { flags.endpoints = Endpoints.resolve(nil) }
        guard flags.out != nil || flags.live else { cursor.fail("give --out FILE, --live, or both") }
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

    /// State shared by the probe threads and the live view, behind one mutex.
    final class Shared: @unchecked Sendable {
        private var mutex = pthread_mutex_t()
        private var latest: [Latest]
        private var finished = 0
        let fd: Int32

        init(count: Int, fd: Int32) {
            latest = Array(repeating: Latest(), count: count)
            self.fd = fd
            pthread_mutex_init(&mutex, nil)
        }

        func locked<T>(_ body: () -> T) -> T {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            return body()
        }

        func update(_ index: Int, _ value: Latest) { locked { latest[index] = value } }
        func snapshot() -> [Latest] { locked { latest } }
        func finish() { locked { finished += 1 } }
        var finishedCount: Int { locked { finished } }
    }

    /// One probe thread's job; boxed so it can cross into `pthread_create`.
    final class Job: @unchecked Sendable {
        let endpoint: String
        let index: Int
        let flags: Flags
        let deadline: Int64
        let shared: Shared
        init(endpoint: String, index: Int, flags: Flags, deadline: Int64, shared: Shared) {
            self.endpoint = endpoint
            self.index = index
            self.flags = flags
            self.deadline = deadline
            self.shared = shared
        }
    }

    static func run(_ arguments: [String]) -> Int32 {
        let flags = parse(arguments)
        var fd: Int32 = -1
        if let out = flags.out {
            fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                Terminal.printError("tenure probe: cannot open \(out): \(String(cString: strerror(errno)))")
                return 1
            }
        }
        signal(SIGPIPE, SIG_IGN)
        let start = monotonicNow()
        let deadline = start + flags.durationNanoseconds
        let shared = Shared(count: flags.endpoints.count, fd: fd)
        var threads: [pthread_t] = []
        for (index, endpoint) in flags.endpoints.enumerated() {
            let job = Unmanaged.passRetained(Job(endpoint: endpoint, index: index, flags: flags, deadline: deadline, shared: shared))
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { argument in
                let job = Unmanaged<Job>.fromOpaque(argument!).takeRetainedValue()
                ProbeCommand.probeLoop(job)
                job.shared.finish()
                return nil
            }, job.toOpaque())
            guard created == 0 else {
                Terminal.printError("tenure probe: cannot start a thread: \(String(cString: strerror(created)))")
                return 1
            }
            threads.append(thread)
        }
        if flags.live {
            var view = LiveView(endpoints: flags.endpoints, start: start, marksFile: flags.marks)
            while monotonicNow() < deadline {
                view.draw(shared.snapshot())
                usleep(100_000)
            }
            view.draw(shared.snapshot())
        }
        for thread in threads { pthread_join(thread, nil) }
        if fd >= 0 { close(fd) }
        return 0
    }

    static func probeLoop(_ job: Job) {
        var knownNode: String?
        var previous: Latest?
        var lastClaimExpiry: Int64?
        var next = monotonicNow()
        while next < job.deadline {
            let invoke = monotonicNow()
            var latest = Latest()
            var line = JSONObject()
            line.add("endpoint", job.endpoint)
            do {
                let response = try HTTPClient.request(endpoint: job.endpoint, path: "/v1/status", timeoutMilliseconds: job.flags.timeoutMilliseconds)
                let complete = monotonicNow()
                let object = JSONValue.parse(response.body)
                if let id = object?["id"]?.string { knownNode = id }
                let ok = response.status == 200 && object?["term"]?.uint64 != nil
                latest.ok = ok
                latest.role = object?["role"]?.string ?? "?"
                latest.term = object?["term"]?.uint64 ?? 0
                latest.leader = object?["leader"]?.string
                latest.isLeader = object?["is_leader"]?.bool ?? false
                latest.leaseExpires = object?["lease_expires_monotonic_ns"]?.int64
                latest.now = object?["now_monotonic_ns"]?.int64 ?? complete
                line.add("node", knownNode)
                line.add("invoke_ns", invoke)
                line.add("complete_ns", complete)
                line.add("ok", ok)
                line.add("http_status", response.status)
                line.add("role", latest.role)
                line.add("term", latest.term)
                line.add("leader", latest.leader)
                line.add("is_leader", latest.isLeader)
                if let expiry = latest.leaseExpires { line.add("lease_expires_monotonic_ns", expiry) } else { line.add("lease_expires_monotonic_ns", raw: "null") }
                line.add("now_monotonic_ns", latest.now)
                if !ok { line.add("error", "HTTP \(response.status)") }
            } catch {
                let complete = monotonicNow()
                line.add("node", knownNode)
                line.add("invoke_ns", invoke)
                line.add("complete_ns", complete)
                line.add("ok", false)
                line.add("error", "\(error)")
                latest.error = "\(error)"
            }
            latest.node = knownNode
            latest.at = monotonicNow()
            if latest.ok {
                if let previous, previous.ok, previous.role == latest.role, previous.term == latest.term {
                    latest.roleSince = previous.roleSince
                } else {
                    latest.roleSince = latest.now
                }
                if latest.isLeader {
                    latest.claimEndedAt = nil
                    lastClaimExpiry = latest.leaseExpires
                } else if let previous, previous.isLeader {
                    latest.claimEndedAt = min(lastClaimExpiry ?? latest.now, latest.now)
                } else {
                    latest.claimEndedAt = previous?.claimEndedAt
                }
                previous = latest
            }
            job.shared.update(job.index, latest)
            if job.shared.fd >= 0 {
                let bytes = Array((line.rendered + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(job.shared.fd, $0.baseAddress, $0.count) }
            }
            next += job.flags.intervalNanoseconds
            let now = monotonicNow()
            if next < now { next = now } // Behind (a slow answer): skip the missed slots.
            if next > now { usleep(useconds_t(min(Int64(1_000_000), (next - now) / 1000))) }
        }
    }
}
