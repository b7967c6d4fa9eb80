import Testing
import TenureAPI
import TenureJSON
import TenurePOSIX

@testable import TenureCore
@testable import TenureHTTP
@testable import TenureNode

/// Every document the runtime serves is read back through its type from TenureAPI, over the real
/// API server: what the node writes is what clients decode, field for field.
@Suite("Runtime: the client API's documents") struct RuntimeDocumentTests {
    /// The answers to `requests` on `node`, in order.
    func get(_ paths: [String], from node: Int, in cluster: RuntimeCluster) throws -> [HTTPClientResponse] {
        let connection = try RawHTTPConnection(to: cluster.apiAddress(node))
        defer { connection.close() }
        for path in paths { connection.send(RawHTTPConnection.request("GET", path)) }
        cluster.runUntil("\(paths.count) answers", maxSteps: 200) { connection.receive().count >= paths.count }
        return connection.responses
    }

    @Test("status, leader, readiness, liveness, health, members and history decode on a leader and a follower")
    func everyDocumentDecodes() throws {
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let follower = try #require(cluster.indices.first { $0 != leader })
        let paths = ["/v1/status", "/v1/leader", "/readyz", "/healthz", "/v1/health", "/v1/members", "/v1/history"]
        for node in [leader, follower] {
            let answers = try get(paths, from: node, in: cluster)
            try #require(answers.count == paths.count)
            #expect(answers.allSatisfy { $0.status == 200 })
            let status = try StatusDocument(parsing: answers[0].body)
            let isLeader = node == leader
            #expect(status.id == cluster.ids[node].rawValue && status.isLeader == isLeader)
            #expect(status.fencingToken == (isLeader ? status.term : nil))
            #expect(status.knownLeader == cluster.ids[leader].rawValue)
            #expect(Set(status.peers.keys) == Set(cluster.ids.filter { $0 != cluster.ids[node] }.map(\.rawValue)))
            #expect(status.peers.values.allSatisfy { ($0.acknowledgedRound != nil) == isLeader && ($0.healthy != nil) == isLeader })
            #expect((status.health.stayingWithoutHealthySuccessor != nil) == isLeader)
            #expect(status.report(of: status.id)?.source == "self")
            let leaderDocument = try LeaderDocument(parsing: answers[1].body)
            #expect(leaderDocument.leader == cluster.ids[leader].rawValue && leaderDocument.api == cluster.apiAddress(leader).description)
            #expect(try ReadinessDocument(parsing: answers[2].body) == ReadinessDocument(leader: leaderDocument))
            #expect(try LivenessDocument(parsing: answers[3].body) == LivenessDocument())
            #expect(try HealthDocument(parsing: answers[4].body) == status.health)
            let members = try MembersDocument(parsing: answers[5].body)
            #expect(members.members.map(\.id) == cluster.ids.map(\.rawValue) && members.members.allSatisfy(\.voter))
            let history = try HistoryDocument(parsing: answers[6].body)
            #expect(history.changes.contains { $0.event == "leader_changed" && $0.leader == cluster.ids[leader].rawValue })
        }
    }

    @Test("an unknown path, a wrong method and a malformed health report answer with an error document")
    func errorDocuments() throws {
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let connection = try RawHTTPConnection(to: cluster.apiAddress(0))
        defer { connection.close() }
        connection.send(RawHTTPConnection.request("GET", "/v1/nothing"))
        connection.send(RawHTTPConnection.request("DELETE", "/v1/leader"))
        connection.send("PUT /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n{\"healthy\":\"x\"}")
        cluster.runUntil("three answers", maxSteps: 200) { connection.receive().count >= 3 }
        let answers = connection.responses
        try #require(answers.count == 3)
        #expect(answers.map(\.status) == [404, 405, 400])
        #expect(try ErrorDocument(parsing: answers[0].body).error == "no such endpoint: /v1/nothing")
        #expect(try ErrorDocument(parsing: answers[1].body).error == "method not allowed; use GET")
        #expect(try ErrorDocument(parsing: answers[2].body).error == "'healthy' must be true or false")
    }
}
