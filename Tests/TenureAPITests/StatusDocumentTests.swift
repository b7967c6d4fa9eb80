import Testing
import TenureAPI
import TenureJSON

/// `GET /v1/status` is read through `StatusDocument` by the client library, the CLI and the lab's
/// probes: it must read every answer a node writes and write it back byte for byte, and say
/// which field is wrong when one is.
@Suite struct StatusDocumentTests {
    @Test("every captured status answer decodes and encodes back to the same bytes", arguments: [
        Golden.followerStatus, Golden.leaderStatus, Golden.negativeZeroPhiStatus, Golden.aloneStatus, Golden.insecureJoiningStatus,
    ])
    func goldenAnswers(_ text: String) throws {
        try roundTrip(text, as: StatusDocument.self)
    }

    @Test("a follower's answer, typed")
    func follower() throws {
        let status = try roundTrip(Golden.followerStatus, as: StatusDocument.self)
        #expect(status.id == "n1" && status.role == "follower" && status.term == 1)
        #expect(status.leader == "n2" && status.knownLeader == "n2" && status.votedFor == nil)
        #expect(!status.isLeader && status.fencingToken == nil && status.leaseExpiresMonotonicNanoseconds == nil)
        #expect(status.voters == ["n1", "n2", "n3"] && status.nonVoters.isEmpty)
        #expect(status.peerKeyIDs == ["668ac8eea5b6c2d8"])
        #expect(status.peers["n2"]?.lastContactMilliseconds == 12)
        #expect(status.peers["n3"]?.phi == nil)
        #expect(status.peers["n2"]?.healthy == nil, "leader-only fields are absent on a follower")
        #expect(status.config.leaseMilliseconds == 300)
        #expect(status.health.check == "cmd: true" && status.health.stayingWithoutHealthySuccessor == nil)
        #expect(status.report(of: "n3")?.source == "via n2")
        #expect(status.runner.reported == nil)
    }

    @Test("a leader's answer carries the fencing token, the lease end and the leader-only fields")
    func leader() throws {
        let status = try roundTrip(Golden.leaderStatus, as: StatusDocument.self)
        #expect(status.isLeader && status.fencingToken == 1)
        #expect(status.leaseRemainingMilliseconds == 295.244)
        #expect(status.leaseExpiresMonotonicNanoseconds == 3_261_528_594_376)
        #expect(status.peers["n1"]?.healthy == true && status.peers["n1"]?.acknowledgedRound == 663)
        #expect(status.health.stayingWithoutHealthySuccessor == false)
    }

    @Test("absent and null members stay as they were: no key ids without peer auth, null for an unheard node, a failing disk")
    func absentAndNull() throws {
        let status = try roundTrip(Golden.insecureJoiningStatus, as: StatusDocument.self)
        #expect(status.peerKeyIDs == nil)
        #expect(!status.json.contains("peer_key_ids"))
        #expect(status.nodes.keys.sorted() == ["n1", "n2", "n4"])
        #expect(status.report(of: "n4") == nil && status.nodes["n4"] != nil)
        #expect(status.durable.failingForMilliseconds == 250)
        #expect(status.health.push == HealthDocument.Push(healthy: false, reason: "db down", ttlRemainingMilliseconds: nil))
        let runner = try #require(status.runner.reported)
        #expect(runner.pid == 4242 && runner.starts == 1 && runner.stops == ["lease_deadline": 2, "signal": 1] && runner.restartCount == 2)
    }

    @Test("a document built in memory survives encode and decode, members in the documented order")
    func builtDocument() throws {
        let status = try StatusDocument(parsing: Golden.leaderStatus)
        var changed = status
        changed.peers["n9"] = PeerStatus(address: nil, api: nil, lastContactMilliseconds: nil, connected: false, phi: nil, auth: "unknown",
                                         authFailures: 0, lastAuthFailure: nil)
        changed.nodes.updateValue(nil, forKey: "n9")
        changed.runner = RunnerDocument(attached: true, running: false, handoverHeld: false, workDown: true,
                                        reported: .init(report: RunnerReport(state: "idle"), lastSeenMilliseconds: 3))
        let decoded = try StatusDocument(parsing: changed.json)
        #expect(decoded == changed)
        #expect(decoded.report(of: "n9") == nil)
        let keys = ["\"id\"", "\"role\"", "\"term\"", "\"leader\"", "\"known_leader\"", "\"voted_for\"", "\"is_leader\"", "\"lease_remaining_ms\"",
                    "\"fencing_token\"", "\"now_monotonic_ns\"", "\"lease_expires_monotonic_ns\"", "\"uptime_ms\"", "\"api\"", "\"config_index\"",
                    "\"config_committed\"", "\"voter\"", "\"member\"", "\"voters\"", "\"non_voters\"", "\"peer_auth\"", "\"cluster_id\"",
                    "\"api_auth\"", "\"wire_version\"", "\"peer_key_ids\"", "\"peers\"", "\"config\"", "\"health\"", "\"durable\"", "\"nodes\"",
                    "\"version\"", "\"runner\""]
        let text = changed.json
        var position = text.startIndex
        for key in keys {
            let found = try #require(text[position...].firstRange(of: key), "\(key) missing or out of order")
            position = found.upperBound
        }
    }

    @Test("a missing or mistyped member is named with its path", arguments: [
        (Golden.followerStatus.replacingFirst(#""voted_for":null,"#, with: ""), "voted_for", "is missing"),
        (Golden.followerStatus.replacingFirst(#""term":1"#, with: #""term":"1""#), "term", "must be a non-negative integer"),
        (Golden.followerStatus.replacingFirst(#""phi":0.0"#, with: #""phi":"low""#), "peers.n2.phi", "must be a number or null"),
        (Golden.followerStatus.replacingFirst(#""auth":"ok""#, with: #""auth":1"#), "peers.n2.auth", "must be a string"),
        (Golden.followerStatus.replacingFirst(#""lease_ms":300.0,"#, with: ""), "config.lease_ms", "is missing"),
        (Golden.followerStatus.replacingFirst(#""push":null"#, with: #""push":3"#), "health.push", "must be a JSON object or null"),
        (Golden.followerStatus.replacingFirst(#""load1":5.166"#, with: #""load1":null"#), "nodes.n1.load1", "must be a number"),
        (Golden.followerStatus.replacingFirst(#""voters":["n1","n2","n3"]"#, with: #""voters":["n1",2]"#), "voters", "must be an array of strings"),
        (Golden.insecureJoiningStatus.replacingFirst(#""stops":{"lease_deadline":2"#, with: #""stops":{"lease_deadline":-2"#),
         "runner.stops.lease_deadline", "must be a non-negative integer"),
        (Golden.insecureJoiningStatus.replacingFirst(#""state":"running","#, with: ""), "runner.state", "is missing"),
    ])
    func namesTheField(_ text: String, _ field: String, _ problem: String) {
        #expect(decodeError(text, as: StatusDocument.self) == JSONDecodeError(field: field, problem: problem))
    }

    @Test("text that is not JSON, or not an object, is refused")
    func notADocument() {
        #expect(decodeError("{", as: StatusDocument.self) == JSONDecodeError(field: "", problem: "not valid JSON"))
        #expect(decodeError("[]", as: StatusDocument.self) == JSONDecodeError(field: "", problem: "must be a JSON object"))
    }

    @Test("the runner's parts decode and encode on their own")
    func runnerParts() throws {
        let idle = try roundTrip(Golden.idleRunner, as: RunnerDocument.self)
        #expect(idle.reported?.state == "idle" && idle.reported?.pid == nil && idle.reported?.stops == [:])
        try roundTrip(#"{"attached":false,"running":false,"handover_held":false,"work_down":false}"#, as: RunnerDocument.self)
    }
}
