import TenurePOSIX
import Glibc
import Testing
import TenureHTTPCodec

@testable import TenureHTTP

/// The blocking client against tiny in-process servers: framing, events, and failure reporting.
@Suite struct HTTPClientTests {
    @Test("a Content-Length response is read fully and the request says Connection: close")
    func contentLengthResponse() throws {
        let server = try HTTPClientTestServer(responsePieces: [
            Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Node: n1\r\nContent-Len".utf8),
            Array("gth: 15\r\n\r\n{\"leader\":".utf8),
            Array("\"n1\"}trailing junk ignored".utf8),
        ])
        let response = try HTTPClient.request(endpoint: server.endpoint, path: "/leader?x=1")
        #expect(response.status == 200)
        #expect(response.headers["x-node"] == "n1")
        #expect(response.bodyText == "{\"leader\":\"n1\"}")
        let request = try #require(server.receivedRequest)
        #expect(request.hasPrefix("GET /leader?x=1 HTTP/1.1\r\n"))
        #expect(request.contains("Connection: close\r\n"))
        #expect(request.contains("Host: \(server.endpoint)\r\n"))
    }

    @Test("a POST sends its body with Content-Length")
    func postBody() throws {
        let server = try HTTPClientTestServer(response: "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        let response = try HTTPClient.request(
            method: "POST", endpoint: server.endpoint, path: "/transfer", body: Array("{}".utf8),
            headers: [("Content-Type", "application/json")])
        #expect(response.status == 202)
        #expect(response.body.isEmpty)
        let request = try #require(server.receivedRequest)
        #expect(request.contains("Content-Length: 2\r\n"))
        #expect(request.contains("Content-Type: application/json\r\n"))
    }

    @Test("a response without Content-Length is read to end of stream")
    func readToEOF() throws {
        let server = try HTTPClientTestServer(responsePieces: [
            Array("HTTP/1.0 503 Service Unavailable\r\n\r\nno ".utf8), Array("leader".utf8),
        ])
        let response = try HTTPClient.request(endpoint: server.endpoint, path: "/")
        #expect(response.status == 503)
        #expect(response.bodyText == "no leader")
    }

    @Test("a chunked response is decoded")
    func chunkedResponse() throws {
        let server = try HTTPClientTestServer(responsePieces: [
            Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel".utf8),
            Array("lo\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n".utf8),
        ])
        let response = try HTTPClient.request(endpoint: server.endpoint, path: "/")
        #expect(response.bodyText == "hello, world")
    }

    @Test("connecting to a port nobody listens on reports connection refused")
    func refused() throws {
        let (descriptor, port) = try HTTPClientTestServer.refusingPort()
        defer { close(descriptor) }
        let endpoint = "127.0.0.1:\(port)"
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient.request(endpoint: endpoint, path: "/")
        }
        #expect(error == .connectFailed(endpoint, errno: ECONNREFUSED))
        #expect(error?.description.contains("connection refused") == true)
        #expect(error?.description.contains(endpoint) == true)
    }

    @Test("a listener that never answers times out after roughly the timeout")
    func timeout() throws {
        let server = try HTTPClientTestServer(silent: ())
        let clock = ContinuousClock()
        let started = clock.now
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient.request(endpoint: server.endpoint, path: "/", timeoutMilliseconds: 150)
        }
        let elapsed = clock.now - started
        guard case .timedOut(let detail) = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(detail.contains(server.endpoint))
        #expect(elapsed >= .milliseconds(140))
        #expect(elapsed < .seconds(3))
    }

    @Test("malformed endpoints are rejected before any socket is opened")
    func invalidEndpoints() {
        for endpoint in ["127.0.0.1", "example.com:80", "127.0.0.1:0", "127.0.0.1:70000", "1.2.3:80", ":80"] {
            #expect(throws: HTTPClientError.invalidEndpoint(endpoint)) {
                try HTTPClient.request(endpoint: endpoint, path: "/")
            }
        }
        #expect(SocketAddress("localhost:7200") == SocketAddress(host: "127.0.0.1", port: 7200))
    }

    @Test("a peer that closes without answering gives a clear malformed-response error")
    func closedWithoutAnswer() throws {
        let server = try HTTPClientTestServer(responsePieces: [])
        #expect(throws: HTTPClientError.malformedResponse("\(server.endpoint) closed the connection without answering")) {
            try HTTPClient.request(endpoint: server.endpoint, path: "/")
        }
    }

    @Test("event streams deliver each complete event with its id until the stream ends")
    func streamEvents() throws {
        let server = try HTTPClientTestServer(responsePieces: [
            Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hello\n\nid: 1\ndata: {\"term\":".utf8),
            Array("1}\n\ndata: line one\r\ndata:line two\r\n\r\nevent: x\ndata: partial".utf8),
        ])
        var events: [HTTPEventParser.Event] = []
        try HTTPClient.streamEvents(endpoint: server.endpoint, path: "/events") { id, data in
            events.append(.init(id: id, data: data))
            return true
        }
        #expect(events == [.init(id: "1", data: "{\"term\":1}"), .init(id: nil, data: "line one\nline two")])
        #expect(server.receivedRequest?.contains("Accept: text/event-stream\r\n") == true)
    }

    @Test("event streams stop as soon as the callback returns false, even if the server stays open")
    func streamStopsEarly() throws {
        let server = try HTTPClientTestServer(
            responsePieces: [Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n12\r\ndata: a\n\ndata: b\n\n\r\n".utf8)],
            waitForClientToClose: true)
        var seen: [String] = []
        try HTTPClient.streamEvents(endpoint: server.endpoint, path: "/events") { _, data in
            seen.append(data)
            return false
        }
        #expect(seen == ["a"])
    }

    @Test("an event stream answered with an error status reports the status and body")
    func streamErrorStatus() throws {
        let server = try HTTPClientTestServer(response: "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nno route!")
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient.streamEvents(endpoint: server.endpoint, path: "/nope") { _, _ in true }
        }
        #expect(error == .malformedResponse("GET /nope answered HTTP 404 instead of an event stream: no route!"))
    }

    @Test("a bad chunk size from the server is a malformed response")
    func chunkedResponseMalformed() throws {
        let server = try HTTPClientTestServer(response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        #expect(throws: HTTPClientError.malformedResponse("invalid chunk size")) {
            try HTTPClient.request(endpoint: server.endpoint, path: "/")
        }
    }

    @Test("a serialized response reads back through the client's head parser")
    func roundTripThroughClientParser() throws {
        let bytes = HTTPResponse.json(409, "{}").serialized(keepAlive: true)
        let end = try #require(HTTPClient.endOfHead(bytes))
        let head = try HTTPClient.parseHead(bytes[..<end])
        #expect(head.status == 409)
        #expect(head.headers["content-length"] == "2")
        #expect(head.headers["content-type"] == "application/json")
        #expect(Array(bytes[end...]) == Array("{}".utf8))
    }

    @Test("error descriptions are single clear sentences")
    func descriptions() {
        #expect(HTTPClientError.invalidEndpoint("x").description
            == "invalid endpoint 'x': expected an IPv4 address or localhost and a port, e.g. 127.0.0.11:7200")
        #expect(HTTPClientError.connectFailed("127.0.0.1:1", errno: ECONNREFUSED).description
            == "connection to 127.0.0.1:1 failed: connection refused (is the node running and listening there?)")
        #expect(HTTPClientError.timedOut("127.0.0.1:1 did not answer within 5 ms").description
            == "timed out: 127.0.0.1:1 did not answer within 5 ms")
    }
}
