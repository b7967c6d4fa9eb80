import TenureJSON

/// One line of the test harness's phases file: the cluster's settings, fault starts and stops,
/// kills and restarts, process exits, notes, and the end of the observation window.
///
/// `tenure-lab phase` writes it (cluster/suite-lib.sh calls it) and `check-history` reads it,
/// through this one type, so the checker reads exactly what the harness wrote. Members by kind:
/// - `config`: `nodes`, `heartbeat_ms`, `election_timeout_min_ms`, `election_timeout_max_ms`.
/// - `fault_start`: `id`, `fault` (partition, one-way, bridge, loss, sigstop, kill, ...), `spec`,
///   `isolated` (nodes cut off from any quorum: their term must not grow, and a leader among them
///   must stop claiming within its lease), `expect` (`leader_change`, `no_leader_change`,
///   `no_leader` or `any`), `node` (the process a kill or pause targets). `ts` is taken after the
///   fault is in force; `requested_ts` before it was applied.
/// - `fault_stop`: `id`; `heal`: every fault removed, convergence is measured from here.
/// - `kill`: `node`, `signal`, `pid`; `restart`: `node`; `exit`: `node`, `pid`, `status`,
///   `expected` (killed by the harness).
/// - `note`: `text`, for people; `end`: the end of the observation window.
public struct PhaseRecord: JSONDocument, Hashable {
    /// The `ev` member.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case config
        case faultStart = "fault_start"
        case faultStop = "fault_stop"
        case heal, kill, restart, exit, note, end
    }

    /// What a fault should do to leadership (`expect`), which the checker holds it to.
    public enum Expectation: String, Sendable, Hashable, CaseIterable {
        case leaderChange = "leader_change"
        case noLeaderChange = "no_leader_change"
        /// No side of the fault has a quorum: nobody may be elected.
        case noLeader = "no_leader"
        case any
    }

    /// CLOCK_MONOTONIC nanoseconds, the clock of the event logs and the probes.
    public var ts: Int64
    /// For faults and heals: when the harness started applying it.
    public var requestedTs: Int64?
    public var kind: Kind
    public var id: String?
    public var fault: String?
    public var spec: String?
    /// `fault_start` only (written there even when empty).
    public var isolated: [String]
    public var expect: Expectation?
    public var node: String?
    public var signal: String?
    public var pid: Int64?
    public var status: Int?
    public var expected: Bool?
    /// `config` only (written there even when empty).
    public var nodes: [String]
    public var heartbeatMilliseconds: Double?
    public var electionTimeoutMinMilliseconds: Double?
    public var electionTimeoutMaxMilliseconds: Double?
    /// A `note`'s text.
    public var text: String?

    public init(ts: Int64, kind: Kind, requestedTs: Int64? = nil, id: String? = nil, fault: String? = nil, spec: String? = nil,
                isolated: [String] = [], expect: Expectation? = nil, node: String? = nil, signal: String? = nil, pid: Int64? = nil,
                status: Int? = nil, expected: Bool? = nil, nodes: [String] = [], heartbeatMilliseconds: Double? = nil,
                electionTimeoutMinMilliseconds: Double? = nil, electionTimeoutMaxMilliseconds: Double? = nil, text: String? = nil) {
        self.ts = ts
        self.kind = kind
        self.requestedTs = requestedTs
        self.id = id
        self.fault = fault
        self.spec = spec
        self.isolated = isolated
        self.expect = expect
        self.node = node
        self.signal = signal
        self.pid = pid
        self.status = status
        self.expected = expected
        self.nodes = nodes
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.electionTimeoutMinMilliseconds = electionTimeoutMinMilliseconds
        self.electionTimeoutMaxMilliseconds = electionTimeoutMaxMilliseconds
        self.text = text
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("ts", ts)
        if let requestedTs { object.add("requested_ts", requestedTs) }
        object.add("ev", kind.rawValue)
        if let id { object.add("id", id) }
        if let fault { object.add("fault", fault) }
        if let spec { object.add("spec", spec) }
        if kind == .faultStart { object.add("isolated", isolated) }
        if let expect { object.add("expect", expect.rawValue) }
        if let node { object.add("node", node) }
        if let signal { object.add("signal", signal) }
        if let pid { object.add("pid", pid) }
        if let status { object.add("status", status) }
        if let expected { object.add("expected", expected) }
        if kind == .config { object.add("nodes", nodes) }
        if let heartbeatMilliseconds { object.add("heartbeat_ms", heartbeatMilliseconds) }
        if let electionTimeoutMinMilliseconds { object.add("election_timeout_min_ms", electionTimeoutMinMilliseconds) }
        if let electionTimeoutMaxMilliseconds { object.add("election_timeout_max_ms", electionTimeoutMaxMilliseconds) }
        if let text { object.add("text", text) }
        return object
    }

    /// Reads one line; `ts` and a known `ev` are required, and each kind's own members (a
    /// fault's id, an exit's node and status, ...).
    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        let kindText = try fields.required("ev", as: String.self)
        guard let kind = Kind(rawValue: kindText) else {
            throw JSONDecodeError(field: "ev", problem: "is not a phase kind: '\(kindText)'")
        }
        self.init(ts: try fields.required("ts"), kind: kind)
        requestedTs = try fields.optional("requested_ts")
        let needsID = kind == .faultStart || kind == .faultStop
        id = needsID ? try fields.required("id") : try fields.optional("id")
        fault = kind == .faultStart ? try fields.required("fault") : try fields.optional("fault")
        spec = try fields.optional("spec")
        isolated = try fields.optional("isolated") ?? []
        if let text = try fields.optional("expect", as: String.self) {
            guard let expectation = Expectation(rawValue: text) else {
                throw JSONDecodeError(field: "expect", problem: "must be one of \(Expectation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            expect = expectation
        }
        let needsNode = kind == .kill || kind == .restart || kind == .exit
        node = needsNode ? try fields.required("node") : try fields.optional("node")
        signal = try fields.optional("signal")
        pid = try fields.optional("pid")
        status = kind == .exit ? try fields.required("status") : try fields.optional("status")
        expected = kind == .exit ? try fields.required("expected") : try fields.optional("expected")
        nodes = kind == .config ? try fields.required("nodes") : []
        heartbeatMilliseconds = try fields.optional("heartbeat_ms")
        electionTimeoutMinMilliseconds = try fields.optional("election_timeout_min_ms")
        electionTimeoutMaxMilliseconds = try fields.optional("election_timeout_max_ms")
        text = kind == .note ? try fields.required("text") : try fields.optional("text")
    }
}
