/// What a `tenure run` tells the node beside it on every poll: whether its command runs, the
/// last start or stop and its cause, and its counters.
///
/// The node holds a handover while the command runs, and shows the rest where an operator looks
/// (`/v1/status` `runner`, `tenure status`, `/ui`, `/metrics`), so work that is down while its
/// node leads is visible. It travels as query parameters of `GET /v1/status`, so a runner needs
/// no second connection; `runner=running|idle` is the part older nodes understand.
public struct RunnerReport: Sendable, Equatable {
    /// `running`, `stopping`, `starting` or `idle`.
    public var state: String
    public var pid: Int32?
    /// The fencing token the command runs with (or last ran with).
    public var token: UInt64?
    /// The last change: `started` or `stopped`, with its cause (`new_term`, `lease_renewed`,
    /// `lease_deadline`, `lease_lost`, `command_exited`, `signal`, `spawn_failed`).
    public var lastChange: String?
    public var lastCause: String?
    /// Milliseconds since the last change, on the runner's clock.
    public var lastChangeAgeMilliseconds: Int64?
    public var starts: [String: UInt64]
    public var stops: [String: UInt64]
    /// Starts that followed a stop, by the cause of that stop.
    public var restarts: [String: UInt64]

    public init(state: String, pid: Int32? = nil, token: UInt64? = nil, lastChange: String? = nil, lastCause: String? = nil,
                lastChangeAgeMilliseconds: Int64? = nil, starts: [String: UInt64] = [:], stops: [String: UInt64] = [:],
                restarts: [String: UInt64] = [:]) {
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

    /// The states a runner may report; `running`, `stopping` and `starting` all hold a handover.
    public static let states: Set<String> = ["running", "stopping", "starting", "idle"]

    /// True when the command is (or may be) running: a handover must wait for it.
    public var commandMayRun: Bool { state != "idle" }

    /// The query parameters, in a fixed order (`runner` first).
    public var queryItems: [(String, String)] {
        var items = [("runner", state)]
        if let pid { items.append(("runner_pid", String(pid))) }
        if let token { items.append(("runner_token", String(token))) }
        if let lastChange, let lastCause {
            items.append(("runner_change", "\(lastChange):\(lastCause)"))
            if let lastChangeAgeMilliseconds { items.append(("runner_change_age_ms", String(lastChangeAgeMilliseconds))) }
        }
        if !starts.isEmpty { items.append(("runner_starts", Self.encodeCounts(starts))) }
        if !stops.isEmpty { items.append(("runner_stops", Self.encodeCounts(stops))) }
        if !restarts.isEmpty { items.append(("runner_restarts", Self.encodeCounts(restarts))) }
        return items
    }

    /// The report in `query`, nil when there is none. A malformed optional field is dropped, never
    /// guessed; an unknown state makes the whole report absent (the node then ignores it).
    public init?(query: [String: String]) {
        guard let state = query["runner"], Self.states.contains(state) else { return nil }
        self.init(state: state)
        pid = query["runner_pid"].flatMap { Int32($0) }.flatMap { $0 > 0 ? $0 : nil }
        token = query["runner_token"].flatMap { UInt64($0) }
        if let change = query["runner_change"] {
            let parts = change.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0] == "started" || parts[0] == "stopped", Self.isCauseName(parts[1]) {
                lastChange = parts[0]
                lastCause = parts[1]
                lastChangeAgeMilliseconds = query["runner_change_age_ms"].flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
            }
        }
        starts = query["runner_starts"].flatMap(Self.decodeCounts) ?? [:]
        stops = query["runner_stops"].flatMap(Self.decodeCounts) ?? [:]
        restarts = query["runner_restarts"].flatMap(Self.decodeCounts) ?? [:]
    }

    /// `cause:count,cause:count`, causes sorted.
    static func encodeCounts(_ counts: [String: UInt64]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }

    /// At most 16 entries of known-shaped cause names; nil on anything else.
    static func decodeCounts(_ text: String) -> [String: UInt64]? {
        var counts: [String: UInt64] = [:]
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
        guard entries.count <= 16 else { return nil }
        for entry in entries {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, isCauseName(String(parts[0])), let count = UInt64(parts[1]) else { return nil }
            counts[String(parts[0])] = count
        }
        return counts
    }

    /// 1 to 32 bytes of `a-z` and `_`: a cause is a label, never free text.
    static func isCauseName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 32 && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }

    /// The total of `counts`.
    public static func total(_ counts: [String: UInt64]) -> UInt64 { counts.values.reduce(0, +) }
}
