import TenurePOSIX
import Glibc
import Testing

@testable import TenureHistory
import TenureJSON

/// Reading the files the nodes, the prober and the harness write.
@Suite struct HistoryLoaderTests {
    private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        var template = Array("/tmp/tenure-history-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let directory = try #require(created.map { String(cString: $0) })
        defer {
            for name in Files.expand(directory + "/*") { unlink(name) }
            rmdir(directory)
        }
        try body(directory)
    }

    @Test("nanosecond counts beyond 2^53 stay exact")
    func exactNumbers() throws {
        let value = try #require(JSONValue.parse("{\"ts\":9007199254740993,\"list\":[\"a\",\"b\"],\"nested\":{\"x\":null}}"))
        #expect(value["ts"]?.int64 == 9_007_199_254_740_993)
        #expect(value["list"]?.strings == ["a", "b"])
        #expect(value["nested"]?["x"] == .null)
        #expect(JSONValue.parse("{\"a\":1,}") == nil)
        #expect(JSONValue.parse("{\"s\":\"q\\\"\\u00e9\"}")?["s"]?.string == "q\"é")
    }

    @Test("event logs, probes and phases load, sorted, with failed probes named after their endpoint")
    func loadsFiles() throws {
        try withTemporaryDirectory { directory in
            Files.append("""
            {"ts":2000,"node":"n1","boot":"a","ev":"role","from":"candidate","to":"leader","term":3,"reason":"election_won"}
            {"ts":1000,"node":"n1","boot":"a","ev":"start","loaded_term":2,"loaded_voted_for":null,"state":"ok"}

            """, to: directory + "/n1.events.jsonl")
            Files.append("""
            {"ts":1500,"node":"n2","boot":"b","ev":"lease","term":3,"basis_round":4,"basis_ts":1400,"until_ts":1840,"acquired":true}

            """, to: directory + "/n2.events.jsonl")
            Files.append("""
            {"endpoint":"127.0.0.11:7200","node":"n1","invoke_ns":10,"complete_ns":20,"ok":true,"http_status":200,"role":"leader","term":3,"leader":"n1","is_leader":true,"lease_expires_monotonic_ns":99,"now_monotonic_ns":15}
            {"endpoint":"127.0.0.11:7200","node":null,"invoke_ns":30,"complete_ns":40,"ok":false,"error":"timed out"}

            """, to: directory + "/probes.jsonl")
            Files.append("""
            {"ts":5,"ev":"config","nodes":["n1","n2"],"heartbeat_ms":50,"election_timeout_min_ms":500,"election_timeout_max_ms":600}
            {"ts":1600,"requested_ts":1590,"ev":"fault_start","id":"cut","fault":"partition","spec":"n1 | n2","isolated":["n1"],"expect":"leader_change"}

            """, to: directory + "/phases.jsonl")
            let files = Files.expand(directory + "/*.events.jsonl")
            #expect(files.map { String($0.split(separator: "/").last!) } == ["n1.events.jsonl", "n2.events.jsonl"])
            let history = try HistoryLoader.load(eventFiles: files, probeFiles: [directory + "/probes.jsonl"],
                                                 phaseFiles: [directory + "/phases.jsonl"])
            #expect(history.events.map(\.kind.rawValue) == ["start", "lease", "role"])
            #expect(history.events[0].loadedTerm == 2)
            #expect(history.events[1].untilTs == 1840 && history.events[1].basisTs == 1400)
            #expect(history.events[2].becameLeader && history.events[2].term == 3)
            #expect(history.events[2].source?.location == directory + "/n1.events.jsonl:1")
            #expect(history.events[2].writtenLine.hasPrefix(#"{"ts":2000,"node":"n1""#))
            #expect(history.probes.map(\.node) == ["n1", "n1"])
            #expect(history.probes[0].isLeader && history.probes[0].leaseExpires == 99)
            #expect(history.harness[1].isolated == ["n1"] && history.harness[1].requestedTs == 1590)
            #expect(history.nodes == ["n1", "n2"])
            let checker = HistoryChecker(history: history, options: CheckOptions(scenario: "files"))
            #expect(checker.electionTimeoutMax == 600_000_000)
            #expect(checker.lease == 440)
        }
    }

    @Test("a line that is not JSON names its file and line")
    func malformedLine() throws {
        try withTemporaryDirectory { directory in
            Files.append("{\"ts\":1,\"node\":\"n1\",\"ev\":\"start\"}\n{\"ts\":2,\"node\n", to: directory + "/bad.jsonl")
            #expect(throws: HistoryLoadError.self) {
                try HistoryLoader.load(eventFiles: [directory + "/bad.jsonl"], probeFiles: [], phaseFiles: [])
            }
            do {
                _ = try HistoryLoader.load(eventFiles: [directory + "/bad.jsonl"], probeFiles: [], phaseFiles: [])
            } catch {
                #expect("\(error)".contains("bad.jsonl:2"))
            }
        }
    }

    @Test("durations print without Foundation")
    func formatting() {
        #expect(HistoryFormat.milliseconds(431_250_000) == "431.3 ms")
        #expect(HistoryFormat.milliseconds(-2_000_000) == "-2.0 ms")
        #expect(HistoryFormat.offset(2_700_000_000, from: 0) == "+2.700000s")
        #expect(HistoryFormat.offset(1_234_567, from: 0, digits: 3) == "+0.001s")
    }
}
