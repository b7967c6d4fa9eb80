import Glibc
import Testing
import TenureJSON
import TenurePOSIX

@testable import TenureHistory

/// The phases file and the probe files are written and read through one type each
/// (`PhaseRecord`, `Probe`): the checker reads exactly what `tenure-lab phase` and `tenure-lab
/// probe` write.
@Suite struct PhaseAndProbeRecordTests {
    /// One record of each kind, as cluster/suite-lib.sh has `tenure-lab phase` write them.
    static let records: [PhaseRecord] = [
        PhaseRecord(ts: 5, kind: .config, nodes: ["n1", "n2", "n3"], heartbeatMilliseconds: 50, electionTimeoutMinMilliseconds: 500,
                    electionTimeoutMaxMilliseconds: 600),
        PhaseRecord(ts: 1600, kind: .faultStart, requestedTs: 1590, id: "cut", fault: "partition", spec: "n1 | n2 n3", isolated: ["n1"],
                    expect: .leaderChange),
        PhaseRecord(ts: 1700, kind: .faultStart, requestedTs: 1690, id: "pause", fault: "sigstop", spec: "SIGSTOP n1", isolated: [],
                    expect: .noLeaderChange, node: "n1"),
        PhaseRecord(ts: 1750, kind: .faultStart, id: "stop1", fault: "sigstop", node: "n2"),
        PhaseRecord(ts: 1800, kind: .faultStop, requestedTs: 1790, id: "pause"),
        PhaseRecord(ts: 1900, kind: .heal, requestedTs: 1890),
        PhaseRecord(ts: 2000, kind: .kill, node: "n2", signal: "KILL", pid: 4242),
        PhaseRecord(ts: 2001, kind: .exit, node: "n2", pid: 4242, status: 137, expected: true),
        PhaseRecord(ts: 2100, kind: .restart, node: "n2"),
        PhaseRecord(ts: 2200, kind: .note, text: "flap 3: all links \"up\""),
        PhaseRecord(ts: 3000, kind: .end),
        PhaseRecord(ts: 3001, kind: .exit, node: "n1", pid: 4241, status: 0, expected: false),
    ]

    /// Lines the harness wrote with printf before it used `tenure-lab phase` (cluster/suite-lib.sh
    /// of commit d65c5ba): still read.
    static let printfLines = [
        #"{"ts":5,"ev":"config","nodes":["n1","n2","n3"],"heartbeat_ms":50,"election_timeout_min_ms":500,"election_timeout_max_ms":600}"#,
        #"{"ts":1600,"requested_ts":1590,"ev":"fault_start","id":"cut","fault":"partition","spec":"n1 | n2 n3","isolated":["n1"],"expect":"leader_change"}"#,
        #"{"ts":1700,"requested_ts":1690,"ev":"fault_start","id":"pause","fault":"sigstop","spec":"SIGSTOP n1","isolated":[],"expect":"no_leader_change","node":"n1"}"#,
        #"{"ts":1800,"requested_ts":1790,"ev":"fault_stop","id":"pause"}"#,
        #"{"ts":1900,"requested_ts":1890,"ev":"heal"}"#,
        #"{"ts":2000,"ev":"kill","node":"n2","signal":"KILL","pid":4242}"#,
        #"{"ts":2001,"ev":"exit","node":"n2","pid":4242,"status":137,"expected":true}"#,
        #"{"ts":2100,"ev":"restart","node":"n2"}"#,
        #"{"ts":2200,"ev":"note","text":"flap 3: all links up"}"#,
        #"{"ts":3000,"ev":"end"}"#,
    ]

    private func withTemporaryFile(_ body: (String) throws -> Void) throws {
        var template = Array("/tmp/tenure-phases-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(descriptor >= 0)
        close(descriptor)
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path) }
        try body(path)
    }

    @Test("every phase record written to a file is read back equal by the history loader")
    func phasesRoundTripThroughTheLoader() throws {
        try withTemporaryFile { path in
            for record in Self.records { #expect(Files.append(record.json + "\n", to: path)) }
            let history = try HistoryLoader.load(eventFiles: [], probeFiles: [], phaseFiles: [path])
            #expect(history.harness == Self.records.sorted { $0.ts < $1.ts })
            #expect(history.nodes == ["n1", "n2", "n3"])
        }
    }

    @Test("the lines the harness wrote with printf decode, and the writer keeps their members and order", arguments: printfLines)
    func printfLine(_ line: String) throws {
        let record = try PhaseRecord(parsing: line)
        // Integral milliseconds are written with a fraction (50.0); otherwise the bytes are the same.
        let expected = line.replacing(#""heartbeat_ms":50,"#, with: #""heartbeat_ms":50.0,"#)
            .replacing(#""election_timeout_min_ms":500,"#, with: #""election_timeout_min_ms":500.0,"#)
            .replacing(#""election_timeout_max_ms":600}"#, with: #""election_timeout_max_ms":600.0}"#)
        #expect(record.json == expected)
        #expect(try PhaseRecord(parsing: record.json) == record)
    }

    @Test("a phase record missing its kind's members, or with an unknown kind or expectation, names the field", arguments: [
        (#"{"ts":1,"ev":"fault_start","fault":"partition"}"#, "id", "is missing"),
        (#"{"ts":1,"ev":"exit","node":"n1","expected":true}"#, "status", "is missing"),
        (#"{"ts":1,"ev":"config"}"#, "nodes", "is missing"),
        (#"{"ts":1,"ev":"kill"}"#, "node", "is missing"),
        (#"{"ev":"end"}"#, "ts", "is missing"),
        (#"{"ts":1,"ev":"explode"}"#, "ev", "is not a phase kind: 'explode'"),
        (#"{"ts":1,"ev":"fault_start","id":"x","fault":"f","expect":"maybe"}"#, "expect", "must be one of leader_change, no_leader_change, no_leader, any"),
    ])
    func phaseErrors(_ line: String, _ field: String, _ problem: String) {
        #expect(throws: JSONDecodeError(field: field, problem: problem)) { try PhaseRecord(parsing: line) }
    }

    @Test("probe lines, answered or failed, round-trip; the checker's fields come from the answer")
    func probes() throws {
        let answered = Probe(endpoint: "127.0.0.11:7200", node: "n1", invoke: 10, complete: 20, ok: true, httpStatus: 200,
                             answer: .init(role: "leader", term: 3, leader: "n1", isLeader: true, leaseExpires: 99, now: 15), error: nil)
        #expect(answered.json == #"{"endpoint":"127.0.0.11:7200","node":"n1","invoke_ns":10,"complete_ns":20,"ok":true,"http_status":200,"role":"leader","term":3,"leader":"n1","is_leader":true,"lease_expires_monotonic_ns":99,"now_monotonic_ns":15}"#)
        let failed = Probe(endpoint: "127.0.0.11:7200", node: nil, invoke: 30, complete: 40, ok: false, httpStatus: nil, answer: nil,
                           error: "timed out")
        #expect(failed.json == #"{"endpoint":"127.0.0.11:7200","node":null,"invoke_ns":30,"complete_ns":40,"ok":false,"error":"timed out"}"#)
        let refused = Probe(endpoint: "e", node: "n2", invoke: 1, complete: 2, ok: false, httpStatus: 503, answer: nil, error: "HTTP 503")
        for probe in [answered, failed, refused] { #expect(try Probe(parsing: probe.json) == probe) }
        #expect(answered.isLeader && answered.term == 3 && answered.leaseExpires == 99)
        #expect(!failed.isLeader && failed.term == nil)
        #expect(throws: JSONDecodeError(field: "now_monotonic_ns", problem: "is missing")) {
            try Probe(parsing: #"{"endpoint":"e","node":"n1","invoke_ns":1,"complete_ns":2,"ok":true,"role":"leader","term":3,"leader":null,"is_leader":false,"lease_expires_monotonic_ns":null}"#)
        }
    }
}
