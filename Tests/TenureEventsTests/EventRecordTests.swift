import Testing
import TenureCore
import TenureJSON
@testable import TenureEvents

/// The event log's one schema: what the node writes is what every reader decodes.
@Suite struct EventRecordTests {
    static let coreEvents: [Event] = [
        .roleChanged(from: .candidate, to: .leader, term: 3, reason: .electionWon),
        .termChanged(from: 2, to: 3, cause: .campaign, peer: nil),
        .termChanged(from: 3, to: 4, cause: .message, peer: NodeID("n2")),
        .leaderChanged(leader: NodeID("n1"), term: 3),
        .leaderChanged(leader: nil, term: 4),
        .electionStarted(term: 3, preVote: true, leadershipTransfer: false),
        .electionStarted(term: 3, preVote: false, leadershipTransfer: true),
        .leaseExtended(term: 3, basisRound: 7, basisSentAt: Instant(nanoseconds: 1_400), expiresAt: Instant(nanoseconds: 1_840), acquired: true),
        .leaseLost(term: 3, reason: .expired),
        .transferStarted(term: 3, target: NodeID("n2")),
        .transferAbandoned(term: 3, target: NodeID("n2")),
    ]

    @Test("every core event survives the round trip through its JSON line")
    func roundTrip() throws {
        for event in Self.coreEvents {
            let record = EventRecord(event, ts: 1_000, node: "n1", boot: "b1")
            let decoded = try EventRecord(json: try #require(JSONValue.parse(record.jsonLine)))
            #expect(decoded == record, "\(record.jsonLine)")
        }
    }

    @Test("the shell's own kinds survive the round trip too", arguments: [EventKind.start, .stop, .persistOK, .persistFailed, .reject, .health])
    func shellKinds(kind: EventKind) throws {
        var record = EventRecord(ts: 5, node: "n3", boot: "x", kind: kind)
        record.term = 2
        record.votedFor = "n1"
        record.reason = "r"
        record.healthy = kind == .health ? false : nil
        record.latencyNanoseconds = kind == .persistOK ? 1234 : nil
        let decoded = try EventRecord(json: try #require(JSONValue.parse(record.jsonLine)))
        #expect(decoded.kind == kind && decoded.ts == 5 && decoded.node == "n3")
        #expect(try EventRecord(json: try #require(JSONValue.parse(decoded.jsonLine))).jsonLine == decoded.jsonLine)
    }

    @Test("lines in the node's format decode with their typed fields")
    func nodeFormat() throws {
        let lease = try EventRecord(json: try #require(JSONValue.parse(#"{"ts":1500,"node":"n2","boot":"b","ev":"lease","term":3,"basis_round":4,"basis_ts":1400,"until_ts":1840,"acquired":true}"#)))
        #expect(lease.kind == .lease && lease.term == 3 && lease.basisTs == 1400 && lease.untilTs == 1840 && lease.acquired == true)
        let role = try EventRecord(json: try #require(JSONValue.parse(#"{"ts":2000,"node":"n1","boot":"a","ev":"role","from":"candidate","to":"leader","term":3,"reason":"election_won"}"#)))
        #expect(role.becameLeader && role.term == 3)
        let term = try EventRecord(json: try #require(JSONValue.parse(#"{"ts":1,"node":"n1","boot":"a","ev":"term","from":2,"to":3,"cause":"campaign","peer":null}"#)))
        #expect(term.termFrom == 2 && term.termTo == 3 && term.term == 3)
    }

    @Test("an unknown kind or a missing field is refused, naming it")
    func refusals() {
        func error(_ text: String) -> String? {
            do {
                _ = try EventRecord(json: JSONValue.parse(text)!)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error(#"{"ts":1,"node":"n1","ev":"bogus"}"#) == "unknown kind 'bogus'")
        #expect(error(#"{"node":"n1","ev":"stop"}"#) == "missing or invalid 'ts'")
        #expect(error(#"{"ts":1,"node":"n1","ev":"lease","term":2}"#) == "a 'lease' line needs 'until_ts'")
        #expect(error(#"{"ts":1,"node":"n1","ev":"vote","term":2,"granted":true}"#) == "a 'vote' line needs 'candidate'")
    }
}

/// The safety rules the simulator and the history checker share.
@Suite struct SafetyRuleTests {
    @Test("leases of different terms that share one nanosecond overlap; touching ones do not")
    func leaseOverlap() {
        #expect(LeaseOverlapRule.overlap(term: 1, 0, 101, term: 2, 100, 200) == 1)
        #expect(LeaseOverlapRule.overlap(term: 1, 0, 100, term: 2, 100, 200) == nil)
        #expect(LeaseOverlapRule.overlap(term: 2, 0, 500, term: 2, 100, 200) == nil)
        #expect(LeaseOverlapRule.violated(lowerTermEnd: 101, higherTermStart: 100))
        #expect(!LeaseOverlapRule.violated(lowerTermEnd: 100, higherTermStart: 100))
    }

    @Test("a second candidate in one term is reported; the same vote twice is fine")
    func votesPerTerm() {
        var rule = VotesPerTermRule<String, String>()
        #expect(rule.record(voter: "n1", term: 3, candidate: "n2") == nil)
        #expect(rule.record(voter: "n1", term: 3, candidate: "n2") == nil)
        #expect(rule.record(voter: "n1", term: 4, candidate: "n3") == nil)
        #expect(rule.record(voter: "n1", term: 3, candidate: "n3") == "n2")
        #expect(rule.candidate(of: "n1", in: 4) == "n3")
    }
}

/// The event log's keys are a contract (docs/api.md, "The event log"): lines a node wrote decode
/// and are written back byte for byte, and a record read from a file quotes its line.
@Suite struct EventLogContractTests {
    /// Lines written by a node of commit d65c5ba (captured from a three-node cluster).
    static let capturedLines = [
        #"{"ts":3258130728755,"node":"n1","boot":"90a76ba7","ev":"start","loaded_term":0,"loaded_voted_for":null,"state":"missing"}"#,
        #"{"ts":3258275298245,"node":"n1","boot":"90a76ba7","ev":"persist_ok","term":1,"voted_for":null,"latency_ns":1519891}"#,
        #"{"ts":3258273561210,"node":"n1","boot":"90a76ba7","ev":"term","from":0,"to":1,"cause":"message","peer":"n2"}"#,
        #"{"ts":3258273561210,"node":"n1","boot":"90a76ba7","ev":"leader_changed","leader":"n2","term":1}"#,
        #"{"ts":3271520275013,"node":"n1","boot":"90a76ba7","ev":"vote","term":2,"candidate":"n3","granted":true,"reason":"granted"}"#,
        #"{"ts":3272592086010,"node":"n1","boot":"90a76ba7","ev":"role","from":"follower","to":"candidate","term":3,"reason":"transfer"}"#,
        #"{"ts":3272592086010,"node":"n1","boot":"90a76ba7","ev":"candidate","term":3,"transfer":true}"#,
        #"{"ts":3272614523791,"node":"n1","boot":"90a76ba7","ev":"lease","term":3,"basis_round":1,"basis_ts":3272612362556,"until_ts":3272912362556,"acquired":true}"#,
        #"{"ts":3276830089321,"node":"n1","boot":"90a76ba7","ev":"lease_lost","term":3,"reason":"expired"}"#,
        #"{"ts":3277562745195,"node":"n1","boot":"90a76ba7","ev":"precandidate","term":4,"transfer":false}"#,
        #"{"ts":3278585253585,"node":"n1","boot":"90a76ba7","ev":"stop","term":3}"#,
        #"{"ts":3252596096821,"node":"n2","boot":"3e42c996","ev":"persist_ok","term":1,"voted_for":"n2","latency_ns":7861570}"#,
        #"{"ts":3271510597391,"node":"n2","boot":"3e42c996","ev":"transfer","term":1,"target":"n3","phase":"started"}"#,
    ]

    @Test("every captured line decodes and is written back byte for byte", arguments: capturedLines)
    func capturedLine(_ line: String) throws {
        let record = try EventRecord(json: try #require(JSONValue.parse(line)))
        #expect(record.jsonLine == line)
        #expect(record.writtenLine == line)
    }

    @Test("a record read from a file quotes the line it came from, not its re-encoding")
    func sourceLine() throws {
        let line = #"{"ts":1,"node":"n1","boot":"a","ev":"stop","term":3,"extra":"kept"}"#
        var record = try EventRecord(json: try #require(JSONValue.parse(line)))
        #expect(record.writtenLine == #"{"ts":1,"node":"n1","boot":"a","ev":"stop","term":3}"#)
        record.source = RecordSource(line: line, location: "n1.events.jsonl:7")
        #expect(record.writtenLine == line)
    }
}
