import Testing
// SeededRandom (the codec itself imports nothing, so this test target depends on TenureCore).
import TenureCore

@testable import TenureHTTPCodec

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

    @Test("random bytes in random slices parse exactly as when they arrive in one append")
    func randomBytes() {
        // Property: the parser's outcome (the requests it returns, then the typed error it throws or
        // "need more") depends only on the bytes, never on how reads split them; and once it has
        // thrown it keeps throwing that error (checked in `feed`).
        // Mutations this catches: resuming the head scan one byte late (`scanned = resume - start + 1`)
        // or not stopping at an LF whose successors have not arrived (a CRLFCRLF split across reads
        // is missed or found early), `compact()` dropping unconsumed bytes, or clearing `failure`.
        var random = SeededRandom(seed: 0x7E4E_5EED)
        // Mostly printable bytes with many separators, so parsing gets past the first checks.
        let alphabet = Array("GET POST / HTTP/1.1\r\n:%?=&+ Content-Length: 0123456789abcXYZ".utf8)
        // Half the inputs start with well-formed requests, so that complete requests (and the
        // split points inside them) are exercised too, not only early errors.
        let openings = [
            "", "GET / HTTP/1.1\r\n\r\n", "POST /a?x=%41 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            "\r\nGET /b HTTP/1.0\nConnection: keep-alive\n\nGET /c HTTP/1.1\r\nHost: n1\r\n\r\n",
        ].map { Array($0.utf8) }
        var (withRequests, withErrors, waiting) = (0, 0, 0)
        for _ in 0..<2000 {
            let parser = HTTPRequestParser(maximumHeaderBytes: 256, maximumBodyBytes: 64)
            let length = Int(random.next() % 600)
            var bytes = random.next() % 2 == 0 ? openings[Int(random.next() % UInt64(openings.count))] : []
            bytes += (0..<length).map { _ in
                random.next() % 4 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            var slices: [Int] = []
            var remaining = bytes.count
            while remaining > 0 {
                let size = min(remaining, 1 + Int(random.next() % 40))
                slices.append(size)
                remaining -= size
            }
            let sliced = feed(bytes, slices: slices, parser: parser)
            let whole = feed(bytes, slices: bytes.isEmpty ? [] : [bytes.count], parser: parser)
            #expect(sliced == whole)

            if !whole.requests.isEmpty { withRequests += 1 }
            if whole.error != nil { withErrors += 1 } else { waiting += 1 }
        }
        // Every kind of outcome must occur, or the comparison above could pass vacuously.
        #expect(withRequests > 200)
        #expect(withErrors > 200)
        #expect(waiting > 50)
    }

    @Test("truncated or byte-by-byte mutated requests never yield a request the whole input does not")
    func mutatedRequests() {
        // Property: a prefix of the input (a request cut short, or a byte-by-byte feed so far) only
        // ever yields a prefix of the requests the whole input yields, then "need more"; it throws
        // only the error the whole input throws, after the same requests. Fed byte by byte, the
        // parser ends exactly where one append of everything ends.
        // Mutations this catches: treating an LF at the end of the buffer as the end of the head
        // (`guard index + 1 < bytes.count else { return (index + 1, index) }` in `findEndOfHead`):
        // a truncated head then yields a request without its remaining headers and body; likewise
        // returning a request before its Content-Length body is complete, or mis-splitting
        // pipelined requests.
        var random = SeededRandom(seed: 42)
        let base = Array("POST /v1/vote?term=3&x=%41 HTTP/1.1\r\nHost: n1\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\nbodyGET / HTTP/1.0\n\n".utf8)
        let parser = HTTPRequestParser(maximumHeaderBytes: 128, maximumBodyBytes: 16)

        // The unmutated input: the two requests exactly, whether fed at once or byte by byte.
        let expected = ParseOutcome(requests: [
            ParsedRequest(
                method: "POST", path: "/v1/vote", query: ["term": "3", "x": "A"],
                headers: ["host: n1", "content-length: 4", "connection: keep-alive"], body: Array("body".utf8),
                keepAlive: true),
            ParsedRequest(method: "GET", path: "/", query: [:], headers: [], body: [], keepAlive: false),
        ])
        #expect(feed(base, slices: [base.count], parser: parser) == expected)
        #expect(feed(base, slices: Array(repeating: 1, count: base.count), parser: parser) == expected)

        var (withRequests, withErrors) = (0, 0)
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + Int(random.next() % 4)) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            let whole = feed(bytes, slices: [bytes.count], parser: parser)

            // Byte by byte: after every byte, what has come out is consistent with the whole input.
            var incremental = parser
            var sofar = ParseOutcome()
            for byte in bytes {
                incremental.append([byte])
                drain(&incremental, into: &sofar)
                expectPrefix(sofar, of: whole)
            }
            #expect(sofar == whole)

            // Cut short at a few random points, in one append each.
            for _ in 0..<3 {
                let cut = Int(random.next() % UInt64(bytes.count))
                let truncated = Array(bytes[..<cut])
                expectPrefix(feed(truncated, slices: cut == 0 ? [] : [cut], parser: parser), of: whole)
            }

            if !whole.requests.isEmpty { withRequests += 1 }
            if whole.error != nil { withErrors += 1 }
        }
        #expect(withRequests > 500)
        #expect(withErrors > 500)
    }

    /// `partial` (the outcome of a prefix of some input) is consistent with `whole` (the outcome of
    /// the entire input): its requests begin `whole`'s, and it has failed only as `whole` failed.
    private func expectPrefix(
        _ partial: ParseOutcome, of whole: ParseOutcome, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            partial.requests.count <= whole.requests.count
                && Array(whole.requests.prefix(partial.requests.count)) == partial.requests,
            "a prefix of the input yielded a request the whole input does not", sourceLocation: sourceLocation)
        if partial.error != nil {
            #expect(partial == whole, "a prefix of the input failed differently", sourceLocation: sourceLocation)
        }
    }

    /// Appends `bytes` in pieces of the given sizes, taking every request after each append; the
    /// rest is still appended after the first error, and every later `next()` must rethrow it.
    private func feed(_ bytes: [UInt8], slices: [Int], parser: HTTPRequestParser) -> ParseOutcome {
        var parser = parser
        var outcome = ParseOutcome()
        var offset = 0
        for size in slices {
            bytes[offset..<(offset + size)].withUnsafeBytes { parser.append($0) }
            offset += size
            drain(&parser, into: &outcome)
        }
        return outcome
    }

    private func drain(_ parser: inout HTTPRequestParser, into outcome: inout ParseOutcome) {
        do throws(HTTPParseError) {
            while let request = try parser.next() {
                #expect(outcome.error == nil, "a request came out after the parser failed")
                outcome.requests.append(ParsedRequest(request))
            }
        } catch {
            if let first = outcome.error {
                #expect(error == first, "a failed parser must keep throwing its first error")
            } else {
                outcome.error = error
            }
        }
    }
}

/// An `HTTPRequest` in comparable form (its headers are tuples, so it is not `Equatable`).
private struct ParsedRequest: Equatable {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String]
    var body: [UInt8]
    var keepAlive: Bool

    init(method: String, path: String, query: [String: String], headers: [String], body: [UInt8], keepAlive: Bool) {
        (self.method, self.path, self.query, self.headers, self.body, self.keepAlive) =
            (method, path, query, headers, body, keepAlive)
    }

    init(_ request: HTTPRequest) {
        self.init(
            method: request.method, path: request.path, query: request.query,
            headers: request.headers.map { "\($0.name): \($0.value)" }, body: request.body,
            keepAlive: request.keepAlive)
    }
}

/// What a parser made of some bytes: the requests it returned, then the error it threw, if any
/// (none means it is waiting for more bytes).
private struct ParseOutcome: Equatable {
    var requests: [ParsedRequest] = []
    var error: HTTPParseError?
}
