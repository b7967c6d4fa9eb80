import TenureJSON

/// `/v1/status` `runner`: the `tenure run` beside this node, as its last poll reported it
/// (`RunnerReport`), and what the node makes of it.
///
/// Where an operator looks when the singleton work is down although leadership is fine
/// (docs/applications.md); `tenure status` draws its RUNNER column from it.
public struct RunnerDocument: JSONDocument, Equatable {
    /// The runner's last report, present once any runner has reported.
    public struct Reported: Sendable, Equatable {
        /// Time since the runner's last poll.
        public var lastSeenMilliseconds: Int64
        /// `running`, `stopping`, `starting` or `idle`.
        public var state: String
        public var pid: Int32?
        /// The fencing token the command runs with, or last ran with.
        public var token: UInt64?
        /// `started` or `stopped`, and its cause.
        public var lastChange: String?
        public var lastCause: String?
        public var lastChangeAgeMilliseconds: Int64?
        /// Starts of the command in total.
        public var starts: UInt64
        public var stops: [String: UInt64]
        /// Starts that followed a stop, by the cause of that stop.
        public var restarts: [String: UInt64]

        public init(lastSeenMilliseconds: Int64, state: String, pid: Int32?, token: UInt64?, lastChange: String?, lastCause: String?,
                    lastChangeAgeMilliseconds: Int64?, starts: UInt64, stops: [String: UInt64], restarts: [String: UInt64]) {
            self.lastSeenMilliseconds = lastSeenMilliseconds
            self.state = state
            self.pid = pid
            self.token = token
            self.lastChange = lastChange
            self.lastCause = lastCause
            self.lastChangeAgeMilliseconds = lastChangeAgeMilliseconds
            self.starts = starts
            self.stops = stops
            self.restarts = restarts
        }

        /// What the node shows of `report`, received `lastSeenMilliseconds` ago.
        public init(report: RunnerReport, lastSeenMilliseconds: Int64) {
            self.init(lastSeenMilliseconds: lastSeenMilliseconds, state: report.state, pid: report.pid, token: report.token,
                      lastChange: report.lastChange, lastCause: report.lastCause,
                      lastChangeAgeMilliseconds: report.lastChangeAgeMilliseconds, starts: RunnerReport.total(report.starts),
                      stops: report.stops, restarts: report.restarts)
        }

        /// Restarts in total.
        public var restartCount: UInt64 { RunnerReport.total(restarts) }
    }

    /// A runner has polled within the last second.
    public var attached: Bool
    /// An attached runner reports a command that is or may be running: a handover waits for it.
    public var running: Bool
    /// A TimeoutNow is being held until the runner's command stops.
    public var handoverHeld: Bool
    /// This node leads with a live lease and an attached runner's command is not `running`.
    public var workDown: Bool
    public var reported: Reported?

    public init(attached: Bool, running: Bool, handoverHeld: Bool, workDown: Bool, reported: Reported? = nil) {
        self.attached = attached
        self.running = running
        self.handoverHeld = handoverHeld
        self.workDown = workDown
        self.reported = reported
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("attached", attached)
        object.add("running", running)
        object.add("handover_held", handoverHeld)
        object.add("work_down", workDown)
        if let reported {
            object.add("last_seen_ms", reported.lastSeenMilliseconds)
            object.add("state", reported.state)
            object.add("pid", reported.pid.map(Int64.init))
            object.add("token", reported.token)
            object.add("last_change", reported.lastChange)
            object.add("last_cause", reported.lastCause)
            object.add("last_change_age_ms", reported.lastChangeAgeMilliseconds)
            object.add("starts", reported.starts)
            object.add("stops", Self.counts(reported.stops))
            object.add("restarts", Self.counts(reported.restarts))
        }
        return object
    }

    /// Counters by cause, causes sorted.
    static func counts(_ counts: [String: UInt64]) -> JSONObject {
        var object = JSONObject()
        for (cause, count) in counts.sorted(by: { $0.key < $1.key }) { object.add(cause, count) }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) { try self.init(fields: JSONFields(json)) }

    init(fields: JSONFields) throws(JSONDecodeError) {
        attached = try fields.required("attached")
        running = try fields.required("running")
        handoverHeld = try fields.required("handover_held")
        workDown = try fields.required("work_down")
        if let lastSeen = try fields.optional("last_seen_ms", as: Int64.self) {
            reported = Reported(lastSeenMilliseconds: lastSeen, state: try fields.required("state"), pid: try fields.nullable("pid"),
                                token: try fields.nullable("token"), lastChange: try fields.nullable("last_change"),
                                lastCause: try fields.nullable("last_cause"),
                                lastChangeAgeMilliseconds: try fields.nullable("last_change_age_ms"),
                                starts: try fields.required("starts"), stops: try fields.scalars("stops"),
                                restarts: try fields.scalars("restarts"))
        } else {
            reported = nil
        }
    }
}
