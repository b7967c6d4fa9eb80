import Testing
import TenureAPI
import TenureJSON
@testable import TenureClient

/// `NodeStatus` is the typed status document with the fields an application acts on at hand.
@Suite struct NodeStatusTests {
    /// A follower's answer as a node writes it.
    static let text = #"{"id":"n1","role":"follower","term":3,"leader":"n2","known_leader":"n2","voted_for":"n2","is_leader":false,"lease_remaining_ms":0.0,"now_monotonic_ns":100,"lease_expires_monotonic_ns":null,"uptime_ms":5,"api":"127.0.0.11:7200","config_index":0,"config_committed":true,"voter":true,"member":true,"voters":["n1","n2"],"non_voters":[],"peer_auth":"off","cluster_id":"ab","api_auth":"off","wire_version":2,"peers":{"n2":{"address":"127.0.0.12:7100","api":"127.0.0.12:7200","last_contact_ms":4,"connected":true,"phi":0.5,"auth":"off","auth_failures":0,"last_auth_failure":null}},"config":{"heartbeat_interval_ms":100.0,"election_timeout_min_ms":1000.0,"election_timeout_max_ms":1100.0,"lease_ms":880.0,"clock_drift_bound":0.01,"beats_per_heartbeat":4,"round_interval_ms":25.0},"health":{"healthy":true,"reason":null,"check":null,"checks_passed":0,"checks_failed":0,"push":null},"durable":{"ok":true,"term":3,"error":null},"nodes":{"n1":{"healthy":true,"reason":null,"load1":0.1,"uptime_s":0,"version":"0.9.0","report_age_ms":0,"source":"self"},"n2":null},"version":"0.9.0","runner":{"attached":false,"running":false,"handover_held":false,"work_down":false}}"#

    static func document() -> StatusDocument {
        // The text above is a complete document; a failure here is a bug in the test.
        try! StatusDocument(parsing: text)
    }

    @Test("the application's fields come from the document, the text is kept as written")
    func fields() throws {
        let json = try #require(JSONValue.parse(Self.text))
        let status = try #require(NodeStatus(json: json, text: Self.text))
        #expect(status.id == "n1" && status.role == "follower" && status.term == 3)
        #expect(status.leader == "n2" && status.knownLeader == "n2" && !status.isLeader)
        #expect(status.leaseRemainingNanoseconds == 0 && status.fencingToken == nil)
        #expect(status.nowMonotonicNanoseconds == 100 && status.api == "127.0.0.11:7200")
        #expect(status.document.peers["n2"]?.lastContactMilliseconds == 4)
        #expect(status.document.config.leaseMilliseconds == 880)
        #expect(status.text == Self.text)
        #expect(NodeStatus(document: status.document).text == Self.text, "a node's text is the document's encoding")
    }

    @Test("the lease left is whole microseconds of what the node printed, and zero unless leader")
    func leaseRemaining() {
        var document = Self.document()
        document.isLeader = true
        document.leaseRemainingMilliseconds = 295.2449
        #expect(NodeStatus(document: document).leaseRemainingNanoseconds == 295_244_000)
        document.isLeader = false
        #expect(NodeStatus(document: document).leaseRemainingNanoseconds == 0)
    }

    @Test("an incomplete answer is no status (NodeStatus(json:) is nil; StatusDocument names the field)")
    func incomplete() throws {
        let text = #"{"id":"n1","role":"leader","term":3,"is_leader":true,"lease_remaining_ms":900}"#
        let json = try #require(JSONValue.parse(text))
        #expect(NodeStatus(json: json) == nil)
        #expect(throws: JSONDecodeError(field: "leader", problem: "is missing")) { try StatusDocument(parsing: text) }
    }

    @Test("a malformed answer is reported with the field")
    func malformedError() {
        let error = TenureClientError.malformed(endpoint: "127.0.0.11:7200", error: JSONDecodeError(field: "term", problem: "is missing"))
        #expect(error.description == "127.0.0.11:7200: malformed answer: 'term' is missing")
    }
}
