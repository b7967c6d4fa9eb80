import Testing

@testable import TenureNode

/// Parser behaviour on well-formed, split, pipelined, hostile and random input.
@Suite struct HTTPRequestParserTests {
    private func parseAll(_ text: String, parser: inout HTTPRequestParser) throws(HTTPParseError) -> [HTTPRequest] {
        parser.append(Array(text.utf8))
        var requests: [HTTPRequest] = []
        while let request = try parser.next() { requests.append(request) }
        return requests
    }

    private func parseOne(_ text: String) throws(HTTPParseError) -> HTTPRequest? {
        var parser = HTTPRequestParser()
        return try parseAll(text, parser: &parser).first
    }

    private func parseError(_ text: String, parser: HTTPRequestParser = HTTPRequestParser()) -> HTTPParseError? {
        var parser = parser
        do {
            _ = try parseAll(text, parser: &parser)
            return nil
        } catch {
            return error
        }
    }

    @Test("a simple GET yields method, path, decoded query, lowercased headers and keep-alive")
    func simpleGet() throws {
        let request = try #require(
            try parseOne("GET /status?node=n%31&msg=a+b%20c&flag HTTP/1.1\r\nHost: x\r\nX-Trace:  abc \r\n\r\n"))
        #expect(request.method == "GET")
        #expect(request.path == "/status")
        #expect(request.query == ["node": "n1", "msg": "a b c", "flag": ""])
        #expect(request.headers.map(\.name) == ["host", "x-trace"])
        #expect(request.header("X-TRACE") == "abc")
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
    }

    @Test("a request fed one byte at a time is returned only once complete")
    func byteByByte() throws {
        let text = "POST /transfer HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"to\":\"n2\"}"
        var parser = HTTPRequestParser()
        let bytes = Array(text.utf8)
        var result: HTTPRequest?
        for (index, byte) in bytes.enumerated() {
            parser.append([byte])
            result = try parser.next()
            if index < bytes.count - 1 { #expect(result == nil) }
        }
        let request = try #require(result)
        #expect(request.method == "POST")
        #expect(String(decoding: request.body, as: UTF8.self) == "{\"to\":\"n2\"}")
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("pipelined requests in one buffer come out in order, bodies separated correctly")
    func pipelined() throws {
        var parser = HTTPRequestParser()
        let text = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\n\r\nGET /c HTTP/1.1\r\nConnection: close\r\n\r\nGET /d"
        let requests = try parseAll(text, parser: &parser)
        #expect(requests.map(\.path) == ["/a", "/b", "/c"])
        #expect(requests[0].body == Array("abc".utf8))
        #expect(requests.map(\.keepAlive) == [true, true, false])
        #expect(parser.bufferedByteCount == 6)
        parser.append(Array(" HTTP/1.1\r\n\r\n".utf8))
        #expect(try parser.next()?.path == "/d")
    }

    @Test("a body split across appends is waited for")
    func splitBody() throws {
        var parser = HTTPRequestParser()
        #expect(try parseAll("PUT /x HTTP/1.1\r\nContent-Length: 6\r\n\r\nabc", parser: &parser).isEmpty)
        #expect(try parseAll("de", parser: &parser).isEmpty)
        let requests = try parseAll("fGET /y HTTP/1.1\r\n\r\n", parser: &parser)
        #expect(requests.map(\.body) == [Array("abcdef".utf8), []])
    }

    @Test("keep-alive follows the HTTP version and the Connection header")
    func keepAliveRules() throws {
        #expect(try parseOne("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")?.keepAlive == false)
        #expect(try parseOne("GET / HTTP/1.1\r\nConnection: Upgrade, Close\r\n\r\n")?.keepAlive == false)
        #expect(try parseOne("GET / HTTP/1.0\r\n\r\n")?.keepAlive == false)
        #expect(try parseOne("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.keepAlive == true)
        #expect(try parseOne("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n")?.keepAlive == true)
    }

    @Test("bare LF line endings are tolerated")
    func bareLineFeeds() throws {
        let request = try #require(try parseOne("GET /leader HTTP/1.1\nHost: a\nContent-Length: 2\n\nok"))
        #expect(request.path == "/leader")
        #expect(request.header("host") == "a")
        #expect(request.body == Array("ok".utf8))
    }

    @Test("a header line without a colon is malformed")
    func headerWithoutColon() {
        #expect(parseError("GET / HTTP/1.1\r\nHost a\r\n\r\n") == .malformed("header line without a colon"))
    }

    @Test("a request line without exactly three parts is malformed")
    func requestLineParts() {
        for line in ["GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 extra", "GET / HTTP/1.1 ", "/ HTTP/1.1"] {
            #expect(parseError("\(line)\r\n\r\n") == .malformed("request line must be 'METHOD target HTTP/1.1'"))
        }
    }

    @Test("bad methods, targets, versions and header names are rejected")
    func invalidTokens() {
        #expect(parseError("G(T / HTTP/1.1\r\n\r\n") == .malformed("invalid method"))
        #expect(parseError("GET status HTTP/1.1\r\n\r\n") == .malformed("request target must be an absolute path"))
        #expect(parseError("GET / HTTP/2.0\r\n\r\n") == .unsupportedVersion)
        #expect(parseError("GET / HTTP/0.9\r\n\r\n") == .unsupportedVersion)
        #expect(parseError("GET / HTTX/1.1\r\n\r\n") == .malformed("invalid HTTP version"))
        #expect(parseError("GET / HTTP/1.10\r\n\r\n") == .malformed("invalid HTTP version"))
        #expect(parseError("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n") == .malformed("invalid header name"))
        #expect(parseError("GET / HTTP/1.1\r\nA: x\r\n folded\r\n\r\n") == .malformed("obsolete header line folding is not supported"))
        #expect(parseError("GET / HTTP/1.1\r\nA: x\u{0}y\r\n\r\n") == .malformed("invalid character in header value"))
        #expect(parseError("GET /?a=%4 HTTP/1.1\r\n\r\n") == .malformed("invalid percent-encoding in query"))
        #expect(parseError("GET /?a=%zz HTTP/1.1\r\n\r\n") == .malformed("invalid percent-encoding in query"))
    }

    @Test("chunked request bodies and bad Content-Length values are malformed")
    func bodyFraming() {
        #expect(parseError("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            == .malformed("Transfer-Encoding request bodies are not supported; send Content-Length"))
        #expect(parseError("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == .malformed("Content-Length is not a number"))
        #expect(parseError("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
            == .malformed("conflicting Content-Length headers"))
    }

    @Test("oversized heads and bodies are refused before they are buffered")
    func limits() {
        let small = HTTPRequestParser(maximumHeaderBytes: 64, maximumBodyBytes: 10)
        #expect(parseError("GET /" + String(repeating: "a", count: 100), parser: small) == .requestTooLarge)
        #expect(parseError("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 60) + "\r\n\r\n", parser: small) == .requestTooLarge)
        #expect(parseError("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", parser: small) == .bodyTooLarge)
        #expect(parseError("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n", parser: small) == .bodyTooLarge)
        #expect(parseError("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n", parser: small) == nil)
    }

    @Test("after an error the parser keeps reporting it")
    func stickyError() {
        var parser = HTTPRequestParser()
        parser.append(Array("BROKEN\r\n\r\nGET / HTTP/1.1\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.malformed("request line must be 'METHOD target HTTP/1.1'")) { try parser.next() }
        #expect(throws: HTTPParseError.malformed("request line must be 'METHOD target HTTP/1.1'")) { try parser.next() }
    }

    @Test("random bytes in random slices never trap the parser")
    func randomBytes() {
        var random = SplitMix64(seed: 0x7E4E_5EED)
        for _ in 0..<2000 {
            var parser = HTTPRequestParser(maximumHeaderBytes: 256, maximumBodyBytes: 64)
            let length = Int(random.next() % 600)
            // Mostly printable bytes with many separators, so parsing gets past the first checks.
            let alphabet = Array("GET POST / HTTP/1.1\r\n:%?=&+ Content-Length: 0123456789abcXYZ".utf8)
            let bytes = (0..<length).map { _ in
                random.next() % 4 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            var offset = 0
            feeding: while offset < bytes.count {
                let size = min(bytes.count - offset, 1 + Int(random.next() % 40))
                bytes[offset..<(offset + size)].withUnsafeBytes { parser.append($0) }
                offset += size
                do {
                    while try parser.next() != nil {}
                } catch {
                    break feeding
                }
            }
        }
    }

    @Test("valid requests with random bytes mutated never trap the parser")
    func mutatedRequests() {
        var random = SplitMix64(seed: 42)
        let base = Array("POST /v1/vote?term=3&x=%41 HTTP/1.1\r\nHost: n1\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\nbodyGET / HTTP/1.0\n\n".utf8)
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + Int(random.next() % 4)) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            var parser = HTTPRequestParser(maximumHeaderBytes: 128, maximumBodyBytes: 16)
            parser.append(bytes)
            while (try? parser.next()) != nil {}
        }
    }
}

/// A tiny deterministic generator so failures in randomized tests reproduce exactly.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
