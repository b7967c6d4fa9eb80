import Testing
import TenureJSON
@testable import TenureAPI

/// The runner's report travels as query parameters; the node must read exactly what was sent
/// and drop anything malformed rather than guess.
@Suite struct RunnerReportTests {
    func query(_ report: RunnerReport) -> [String: String] {
        Dictionary(uniqueKeysWithValues: report.queryItems.map { ($0.0, $0.1) })
    }

    @Test("a full report survives the round trip through query parameters")
    func roundTrip() {
        let report = RunnerReport(state: "running", pid: 4242, token: 7, lastChange: "started", lastCause: "lease_renewed",
                                  lastChangeAgeMilliseconds: 15, starts: ["new_term": 1, "lease_renewed": 2],
                                  stops: ["lease_deadline": 2], restarts: ["lease_deadline": 2])
        #expect(RunnerReport(query: query(report)) == report)
        #expect(report.queryItems.first?.0 == "runner")
    }

    @Test("the bare state older runners send is a report too")
    func bareState() {
        #expect(RunnerReport(query: ["runner": "idle"]) == RunnerReport(state: "idle"))
        #expect(RunnerReport(query: ["runner": "running"])?.commandMayRun == true)
        #expect(RunnerReport(query: ["runner": "idle"])?.commandMayRun == false)
    }

    @Test("an unknown state is no report; malformed optional fields are dropped, not guessed")
    func malformed() {
        #expect(RunnerReport(query: ["runner": "sprinting"]) == nil)
        #expect(RunnerReport(query: [:]) == nil)
        let report = RunnerReport(query: ["runner": "running", "runner_pid": "-3", "runner_token": "x", "runner_change": "exploded:now",
                                          "runner_starts": "new_term:1,BAD:2", "runner_stops": "lease_deadline:1"])
        #expect(report?.pid == nil)
        #expect(report?.token == nil)
        #expect(report?.lastChange == nil)
        #expect(report?.starts == [:])
        #expect(report?.stops == ["lease_deadline": 1])
        let tooMany = (0..<17).map { "c\(String(UnicodeScalar(UInt8(97 + $0))))_x:1" }.joined(separator: ",")
        #expect(RunnerReport.decodeCounts(tooMany) == nil)
    }

    @Test("the status fields name every counter")
    func statusFields() throws {
        let report = RunnerReport(state: "idle", token: 3, lastChange: "stopped", lastCause: "lease_deadline", stops: ["lease_deadline": 1])
        let document = RunnerDocument(attached: true, running: false, handoverHeld: false, workDown: false,
                                      reported: .init(report: report, lastSeenMilliseconds: 4))
        let decoded = try RunnerDocument(parsing: document.json)
        let reported = try #require(decoded.reported)
        #expect(reported.state == "idle")
        #expect(reported.pid == nil)
        #expect(reported.token == 3)
        #expect(reported.lastCause == "lease_deadline")
        #expect(reported.stops == ["lease_deadline": 1])
        #expect(reported.starts == 0)
        #expect(document.json.contains(#""pid":null"#))
    }
}
