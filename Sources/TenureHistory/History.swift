import TenureEvents
import TenurePOSIX
import TenureJSON

/// Everything one scenario recorded: every node's event log, every probe, and the harness's phases.
///
/// Events are sorted by `ts` and probes by `invoke`; all times are `CLOCK_MONOTONIC` nanoseconds,
/// which every process on one machine shares, so times from different nodes compare directly.
public struct History: Sendable {
    public var events: [EventRecord]
    public var probes: [Probe]
    public var harness: [PhaseRecord]

    public init(events: [EventRecord], probes: [Probe] = [], harness: [PhaseRecord] = []) {
        self.events = events.enumerated().sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }.map(\.element)
        self.probes = probes.sorted { $0.invoke < $1.invoke }
        self.harness = harness.sorted { $0.ts < $1.ts }
    }

    /// The node ids of the cluster: the harness's `config` record, else every id seen.
    public var nodes: [String] {
        if let config = harness.first(where: { $0.kind == .config }), !config.nodes.isEmpty { return config.nodes }
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
        var events: [EventRecord] = []
        for file in eventFiles {
            try forEachObject(in: file) { object, text, source throws(HistoryLoadError) in
                events.append(try event(object, text: text, source: source))
            }
        }
        var probes: [Probe] = []
        for file in probeFiles {
            try forEachObject(in: file) { object, text, source throws(HistoryLoadError) in
                probes.append(try decode(Probe.self, object, text: text, source: source))
            }
        }
        // Failed probes carry no id: name them after the id the same endpoint answered with.
        var nodeOfEndpoint: [String: String] = [:]
        for probe in probes { if let node = probe.node { nodeOfEndpoint[probe.endpoint] = node } }
        for index in probes.indices where probes[index].node == nil { probes[index].node = nodeOfEndpoint[probes[index].endpoint] }
        var harness: [PhaseRecord] = []
        for file in phaseFiles {
            try forEachObject(in: file) { object, text, source throws(HistoryLoadError) in
                harness.append(try decode(PhaseRecord.self, object, text: text, source: source))
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

    /// An event-log line, keeping the line as written and where it came from.
    static func event(_ object: JSONValue, text: String, source: String) throws(HistoryLoadError) -> EventRecord {
        do {
            var record = try EventRecord(json: object)
            record.source = RecordSource(line: text, location: source)
            return record
        } catch {
            throw HistoryLoadError("\(source): \(error.description): \(text.prefix(200))")
        }
    }

    /// A probe or phase line; the error names the file, the line and the field.
    static func decode<Record: JSONDocument>(_ type: Record.Type, _ object: JSONValue, text: String, source: String) throws(HistoryLoadError) -> Record {
        do {
            return try Record(json: object)
        } catch {
            throw HistoryLoadError("\(source): \(error): \(text.prefix(200))")
        }
    }
}
