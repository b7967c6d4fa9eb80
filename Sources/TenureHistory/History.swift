import TenureEvents
import TenurePOSIX
import TenureJSON

/// Everything one scenario recorded: every node's event log, every probe, and the harness's phases.
///
/// Events are sorted by `ts` and probes by `invoke`; all times are `CLOCK_MONOTONIC` nanoseconds,
/// which every process on one machine shares, so times from different nodes compare directly.
public struct History: Sendable {
    public var events: [NodeEvent]
    public var probes: [Probe]
    public var harness: [HarnessRecord]

    public init(events: [NodeEvent], probes: [Probe] = [], harness: [HarnessRecord] = []) {
        self.events = events.enumerated().sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }.map(\.element)
        self.probes = probes.sorted { $0.invoke < $1.invoke }
        self.harness = harness.sorted { $0.ts < $1.ts }
    }

    /// The node ids of the cluster: the harness's `config` record, else every id seen.
    public var nodes: [String] {
        if let config = harness.first(where: { $0.kind == "config" }), !config.nodes.isEmpty { return config.nodes }
        var seen = Set(events.map(\.node))
        for probe in probes { if let node = probe.node { seen.insert(node) } }
        return seen.sorted()
    }

    /// The instant the observation starts: the first record of any kind.
    public var origin: Int64 {
        [events.first?.ts, probes.first?.invoke, harness.first?.ts].compactMap { $0 }.min() ?? 0
    }
}

/// A history file that could not be read; names the file and line.
public struct HistoryLoadError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads event logs, probe files and phase files written by `tenure node`, `tenure probe` and the
/// partition suite.
public enum HistoryLoader {
    public static func load(eventFiles: [String], probeFiles: [String], phaseFiles: [String]) throws(HistoryLoadError) -> History {
        var events: [NodeEvent] = []
        for file in eventFiles {
            try forEachObject(in: file) { object, text, source throws(HistoryLoadError) in
                events.append(try event(object, text: text, source: source))
            }
        }
        var probes: [Probe] = []
        for file in probeFiles {
            try forEachObject(in: file) { object, text, source throws(HistoryLoadError) in
                probes.append(try probe(object, text: text, source: source))
            }
        }
        // Failed probes carry no id: name them after the id the same endpoint answered with.
        var nodeOfEndpoint: [String: String] = [:]
        for probe in probes { if let node = probe.node { nodeOfEndpoint[probe.endpoint] = node } }
        for index in probes.indices where probes[index].node == nil { probes[index].node = nodeOfEndpoint[probes[index].endpoint] }
        var harness: [HarnessRecord] = []
        for file in phaseFiles {
            try forEachObject(in: file) { object, text, source throws(HistoryLoadError) in
                harness.append(try record(object, text: text, source: source))
            }
        }
        return History(events: events, probes: probes, harness: harness)
    }

    static func forEachObject(in file: String, _ body: (JSONValue, String, String) throws(HistoryLoadError) -> Void) throws(HistoryLoadError) {
        guard let text = Files.readText(file) else { throw HistoryLoadError("cannot read \(file)") }
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            guard let object = JSONValue.parse(trimmed), case .object = object else {
                throw HistoryLoadError("\(file):\(lineNumber): not a JSON object: \(trimmed.prefix(200))")
            }
            try body(object, String(trimmed), "\(file):\(lineNumber)")
        }
    }

    static func int64(_ value: JSONValue?) -> Int64? { value?.int64 }
    static func uint64(_ value: JSONValue?) -> UInt64? { value?.uint64 }
    static func double(_ value: JSONValue?) -> Double? { value?.double }
    static func bool(_ value: JSONValue?) -> Bool? { value?.bool }
    static func string(_ value: JSONValue?) -> String? { value?.string }
    static func strings(_ value: JSONValue?) -> [String] { value?.strings ?? [] }

    static func event(_ object: JSONValue, text: String, source: String) throws(HistoryLoadError) -> NodeEvent {
        do {
            return NodeEvent(record: try EventRecord(json: object), text: text, source: source)
        } catch {
            throw HistoryLoadError("\(source): \(error.description): \(text.prefix(200))")
        }
    }

    static func probe(_ object: JSONValue, text: String, source: String) throws(HistoryLoadError) -> Probe {
        guard let invoke = int64(object["invoke_ns"]), let complete = int64(object["complete_ns"]), let ok = bool(object["ok"]) else {
            throw HistoryLoadError("\(source): a probe needs invoke_ns, complete_ns and ok: \(text.prefix(200))")
        }
        return Probe(endpoint: string(object["endpoint"]) ?? "", node: string(object["node"]), invoke: invoke, complete: complete,
                     ok: ok, role: string(object["role"]), term: uint64(object["term"]), leader: string(object["leader"]),
                     isLeader: bool(object["is_leader"]) ?? false, leaseExpires: int64(object["lease_expires_monotonic_ns"]),
                     error: string(object["error"]), text: text, source: source)
    }

    static func record(_ object: JSONValue, text: String, source: String) throws(HistoryLoadError) -> HarnessRecord {
        guard let ts = int64(object["ts"]), let kind = string(object["ev"]) else {
            throw HistoryLoadError("\(source): a phase record needs ts and ev: \(text.prefix(200))")
        }
        return HarnessRecord(ts: ts, kind: kind, id: string(object["id"]), fault: string(object["fault"]), spec: string(object["spec"]),
                             node: string(object["node"]), nodes: strings(object["nodes"]), isolated: strings(object["isolated"]),
                             expect: string(object["expect"]), requestedTs: int64(object["requested_ts"]),
                             status: int64(object["status"]).map { Int($0) }, expected: bool(object["expected"]),
                             heartbeatMilliseconds: double(object["heartbeat_ms"]),
                             electionTimeoutMinMilliseconds: double(object["election_timeout_min_ms"]),
                             electionTimeoutMaxMilliseconds: double(object["election_timeout_max_ms"]), text: text)
    }
}
