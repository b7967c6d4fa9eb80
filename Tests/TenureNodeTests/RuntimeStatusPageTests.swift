import Testing
import TenurePOSIX

@testable import TenureCore
@testable import TenureHTTP
@testable import TenureNode

/// `GET /ui` and its feed `GET /v1/status/stream`, through the real runtime and API server on
/// manual time: what the page is allowed to load, and that the feed carries status and history
/// on the schedule the page relies on (a status event every 250 ms, history when it grows).
@Suite("Runtime: the status page and its stream") struct RuntimeStatusPageTests {
    private func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test("GET /ui is one HTML page that may load nothing from elsewhere")
    func pageIsSelfContained() throws {
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let connection = try RawHTTPConnection(to: cluster.apiAddress(0))
        connection.send(RawHTTPConnection.request("GET", "/ui"))
        cluster.runUntil("the page", maxSteps: 50) { !connection.receive().isEmpty }
        let page = try #require(connection.responses.first)
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        let policy = try #require(page.headers["content-security-policy"])
        #expect(policy.hasPrefix("default-src 'none'"), "the page must not load scripts, styles or images from anywhere")
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(!html.contains("src=") && !html.contains("href="), "no external assets")
        #expect(html.contains("/v1/status/stream") && html.contains("data-leader") && html.contains("data-role"))
        #expect(!html.contains("innerHTML"), "node reports are text, never markup")
    }

    @Test("The status stream sends the status every 250 ms and the history when it changes")
    func streamCarriesStatusAndHistory() throws {
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let follower = try #require(cluster.indices.first { $0 != leader })
        let connection = try RawHTTPConnection(to: cluster.apiAddress(follower))
        connection.send(RawHTTPConnection.request("GET", "/v1/status/stream"))
        cluster.runUntil("the stream's first events", maxSteps: 50) {
            connection.receive()
            return connection.pendingText.contains("event: history")
        }
        let head = try #require(connection.responses.first)
        #expect(head.headers["content-type"] == "text/event-stream")
        #expect(head.headers["access-control-allow-origin"] == "*", "the page served by one node reads every node's stream")
        let start = connection.pendingText
        #expect(start.hasPrefix("retry: 1000\n\n"))
        #expect(count("event: status\n", in: start) == 1 && count("event: history\n", in: start) == 1)
        #expect(start.contains("\"id\":\"\(cluster.ids[follower])\"") && start.contains("\"leader\":\"\(cluster.ids[leader])\""))

        // One second of steady leadership: four more status events, and no history (nothing changed).
        for _ in 0..<100 { cluster.step(by: .milliseconds(10)) }
        connection.receive()
        let steady = String(connection.pendingText.dropFirst(start.count))
        #expect((3...5).contains(count("event: status\n", in: steady)), "one status event per 250 ms: \(count("event: status\n", in: steady))")
        #expect(count("event: history\n", in: steady) == 0)

        // The leader stops: the follower's history grows, and the stream carries it.
        cluster.paused.insert(leader)
        let before = connection.pendingText.count
        cluster.runUntil("a history event after the leader went silent", maxSteps: 5000) {
            connection.receive()
            return connection.pendingText.dropFirst(before).contains("event: history")
        }
        #expect(!connection.closedByServer)
    }
}
