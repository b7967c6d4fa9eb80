import TenureEvents

/// One line of a node's event log (`tenure node --event-log FILE`), as the checker reads it:
/// the fields the invariants need, taken from the log's one schema (`EventRecord`, decoded by
/// TenureEvents), plus `text`, the original line, so a counterexample shows exactly what the
/// node wrote.
public struct NodeEvent: Sendable, Hashable {
    /// `CLOCK_MONOTONIC` nanoseconds, shared by every process on the machine.
    public var ts: Int64
    public var node: String
    /// A random id per process start, so restarts are told apart.
    public var boot: String
    public var kind: EventKind
    /// The term the event belongs to (absent on `term` events, which carry `termFrom`/`termTo`).
    public var term: UInt64?
    public var termFrom: UInt64?
    public var termTo: UInt64?
    /// Roles of a `role` event.
    public var roleFrom: String?
    public var roleTo: String?
    /// The leader named by a `leader_changed` event (nil when the node lost track of it).
    public var leader: String?
    /// The candidate and decision of a `vote` or `prevote` event.
    public var candidate: String?
    public var granted: Bool?
    /// Lease basis (send time of the quorum-acknowledged round) and end, on the same clock as `ts`.
    public var basisTs: Int64?
    public var untilTs: Int64?
    public var acquired: Bool?
    public var reason: String?
    public var cause: String?
    /// The term a `start` event loaded from disk, and the vote a `persist_ok` made durable.
    public var loadedTerm: UInt64?
    public var votedFor: String?
    /// The original JSON line.
    public var text: String
    /// Where the line came from, `file:line`.
    public var source: String

    public init(ts: Int64, node: String, boot: String = "b1", kind: EventKind, term: UInt64? = nil,
                termFrom: UInt64? = nil, termTo: UInt64? = nil, roleFrom: String? = nil, roleTo: String? = nil,
                leader: String? = nil, candidate: String? = nil, granted: Bool? = nil, basisTs: Int64? = nil,
                untilTs: Int64? = nil, acquired: Bool? = nil, reason: String? = nil, cause: String? = nil,
                loadedTerm: UInt64? = nil, votedFor: String? = nil, text: String? = nil, source: String = "synthetic") {
        self.ts = ts
        self.node = node
        self.boot = boot
        self.kind = kind
        self.term = term
        self.termFrom = termFrom
        self.termTo = termTo
        self.roleFrom = roleFrom
        self.roleTo = roleTo
        self.leader = leader
        self.candidate = candidate
        self.granted = granted
        self.basisTs = basisTs
        self.untilTs = untilTs
        self.acquired = acquired
        self.reason = reason
        self.cause = cause
        self.loadedTerm = loadedTerm
        self.votedFor = votedFor
        self.source = source
        self.text = text ?? "{\"ts\":\(ts),\"node\":\"\(node)\",\"boot\":\"\(boot)\",\"ev\":\"\(kind.rawValue)\"\(term.map { ",\"term\":\($0)" } ?? "")}"
    }

    /// True for a `role` event that made `node` leader.
    public var becameLeader: Bool { kind == .role && roleTo == "leader" }

    /// The checker's view of a decoded line.
    public init(record: EventRecord, text: String, source: String) {
        self.init(ts: record.ts, node: record.node, boot: record.boot, kind: record.kind, term: record.term,
                  termFrom: record.termFrom, termTo: record.termTo, roleFrom: record.roleFrom, roleTo: record.roleTo,
                  leader: record.leader, candidate: record.candidate, granted: record.granted, basisTs: record.basisTs,
                  untilTs: record.untilTs, acquired: record.acquired, reason: record.reason, cause: record.cause,
                  loadedTerm: record.loadedTerm, votedFor: record.votedFor, text: text, source: source)
    }
}

/// One `GET /v1/status` answer (or failure) recorded by `tenure probe`.
///
/// `invoke` is taken just before connecting and `complete` just after the whole answer was read,
/// both on `CLOCK_MONOTONIC`, so an answer is known to have been computed inside `[invoke, complete]`.
public struct Probe: Sendable, Hashable {
    public var endpoint: String
    /// The node id; from the answer itself, or from an earlier answer of the same endpoint.
    public var node: String?
    public var invoke: Int64
    public var complete: Int64
    public var ok: Bool
    public var role: String?
    public var term: UInt64?
    public var leader: String?
    /// The authoritative "I am the leader, with a valid lease" answer.
    public var isLeader: Bool
    public var leaseExpires: Int64?
    public var error: String?
    public var text: String
    public var source: String

    public init(endpoint: String = "", node: String?, invoke: Int64, complete: Int64, ok: Bool = true, role: String? = nil,
                term: UInt64? = nil, leader: String? = nil, isLeader: Bool = false, leaseExpires: Int64? = nil,
                error: String? = nil, text: String? = nil, source: String = "synthetic") {
        self.endpoint = endpoint.isEmpty ? (node ?? "?") : endpoint
        self.node = node
        self.invoke = invoke
        self.complete = complete
        self.ok = ok
        self.role = role
        self.term = term
        self.leader = leader
        self.isLeader = isLeader
        self.leaseExpires = leaseExpires
        self.error = error
        self.source = source
        self.text = text ?? "{\"node\":\"\(node ?? "?")\",\"invoke_ns\":\(invoke),\"complete_ns\":\(complete),\"ok\":\(ok),\"term\":\(term.map(String.init) ?? "null"),\"leader\":\(leader.map { "\"\($0)\"" } ?? "null"),\"is_leader\":\(isLeader)}"
    }
}

/// One line the test harness wrote to its phases file: the cluster's settings, fault starts and
/// stops, kills and restarts, process exits, and the end of the observation window.
///
/// Kinds:
/// - `config`: `nodes`, `heartbeat_ms`, `election_timeout_min_ms`, `election_timeout_max_ms`.
/// - `fault_start`: `id`, `fault` (partition, one-way, bridge, loss, sigstop, kill, ...), `spec`,
///   `isolated` (nodes cut off from any quorum: their term must not grow, and a leader among them
///   must stop claiming within its lease), `expect` (`leader_change`, `no_leader_change` or `any`).
///   `ts` is taken after the fault is in force; `requested_ts` before it was applied.
/// - `fault_stop`: `id`; `heal`: every fault removed, convergence is measured from here.
/// - `kill`, `restart`: `node`. `exit`: `node`, `status`, `expected` (killed by the harness).
/// - `end`: the end of the observation window; stability is required up to here.
public struct HarnessRecord: Sendable, Hashable {
    public var ts: Int64
    public var kind: String
    public var id: String?
    public var fault: String?
    public var spec: String?
    public var node: String?
    public var nodes: [String]
    public var isolated: [String]
    public var expect: String?
    public var requestedTs: Int64?
    public var status: Int?
    public var expected: Bool?
    public var heartbeatMilliseconds: Double?
    public var electionTimeoutMinMilliseconds: Double?
    public var electionTimeoutMaxMilliseconds: Double?
    public var text: String

    public init(ts: Int64, kind: String, id: String? = nil, fault: String? = nil, spec: String? = nil, node: String? = nil,
                nodes: [String] = [], isolated: [String] = [], expect: String? = nil, requestedTs: Int64? = nil,
                status: Int? = nil, expected: Bool? = nil, heartbeatMilliseconds: Double? = nil,
                electionTimeoutMinMilliseconds: Double? = nil, electionTimeoutMaxMilliseconds: Double? = nil,
                text: String? = nil) {
        self.ts = ts
        self.kind = kind
        self.id = id
        self.fault = fault
        self.spec = spec
        self.node = node
        self.nodes = nodes
        self.isolated = isolated
        self.expect = expect
        self.requestedTs = requestedTs
        self.status = status
        self.expected = expected
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.electionTimeoutMinMilliseconds = electionTimeoutMinMilliseconds
        self.electionTimeoutMaxMilliseconds = electionTimeoutMaxMilliseconds
        self.text = text ?? "{\"ts\":\(ts),\"ev\":\"\(kind)\"}"
    }
}
