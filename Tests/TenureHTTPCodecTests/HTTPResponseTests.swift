import Testing

@testable import TenureHTTPCodec

/// Response serialization: framing headers, reason phrases and header sanitizing.
@Suite struct HTTPResponseTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("a JSON response serializes with content type, length and keep-alive")
    func jsonSerialization() {
        let response = HTTPResponse.json(200, "{\"leader\":\"n1\"}")
        #expect(text(response.serialized(keepAlive: true)) == """
            HTTP/1.1 200 OK\r
            Content-Type: application/json\r
            Content-Length: 15\r
            Connection: keep-alive\r
            \r
            {"leader":"n1"}
            """)
    }

    @Test("a text response asks to close the connection when not kept alive")
    func textClose() {
        let bytes = HTTPResponse.text(503, "no leader").serialized(keepAlive: false)
        #expect(text(bytes) == "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 9\r\nConnection: close\r\n\r\nno leader")
    }

    @Test("reason phrases derive from the status, with a class fallback")
    func reasons() {
        #expect(HTTPResponse(status: 404).reason == "Not Found")
        #expect(HTTPResponse(status: 307).reason == "Temporary Redirect")
        #expect(HTTPResponse(status: 421).reason == "Misdirected Request")
        #expect(HTTPResponse(status: 299).reason == "Success")
        #expect(HTTPResponse(status: 599).reason == "Server Error")
    }

    @Test("handler headers cannot override framing or inject lines")
    func headerHandling() {
        let response = HTTPResponse(
            status: 307,
            headers: [("Location", "http://127.0.0.12:7200/x\r\nEvil: 1"), ("Content-Length", "999"),
                      ("connection", "keep-alive"), ("Content-Type", "text/event-stream")],
            body: Array("moved".utf8))
        let serialized = text(response.serialized(keepAlive: false))
        #expect(serialized == "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.12:7200/x Evil: 1\r\nContent-Type: text/event-stream\r\nContent-Length: 5\r\nConnection: close\r\n\r\nmoved")
    }

    @Test("parse errors map to the status codes the server answers with")
    func parseErrorStatuses() {
        #expect(HTTPParseError.requestTooLarge.responseStatus == 431)
        #expect(HTTPParseError.malformed("x").responseStatus == 400)
        #expect(HTTPParseError.unsupportedVersion.responseStatus == 505)
        #expect(HTTPParseError.bodyTooLarge.responseStatus == 413)
    }
}
