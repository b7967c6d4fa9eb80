import TenureHTTPCodec
import TenurePOSIX

/// A complete answer from a node's HTTP API, as the CLI and test tools consume it.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Header fields by lowercased name; repeated fields are joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]
    /// The body decoded as UTF-8, invalid sequences replaced.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a request to a node failed, phrased for an operator reading the CLI's output.
public enum HTTPClientError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The endpoint is not `IPv4:port` or `localhost:port`.
    case invalidEndpoint(String)
    /// The socket call failed with `errno` (refused, unreachable, reset, ...) talking to the endpoint.
    case connectFailed(String, errno: Int32)
    /// Connecting or waiting for the answer took longer than the timeout; the string says which.
    case timedOut(String)
    /// The peer answered with something that is not a usable HTTP response.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .invalidEndpoint(let endpoint):
            return "invalid endpoint '\(endpoint)': expected an IPv4 address or localhost and a port, e.g. 127.0.0.11:7200"
        case .connectFailed(let endpoint, let code):
            var reason = SystemError.text(of: code)
            if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
            let hint = code == SystemError.connectionRefused ? " (is the node running and listening there?)" : ""
            return "connection to \(endpoint) failed: \(reason)\(hint)"
        case .timedOut(let detail):
            return "timed out: \(detail)"
        case .malformedResponse(let detail):
            return "malformed HTTP response: \(detail)"
        }
    }
}

/// A tiny blocking HTTP/1.1 client for the `tenure` CLI and test tools.
///
/// The node's own event loop never uses it: it blocks the calling thread. Each request opens a
/// fresh connection with `Connection: close`, which keeps the client trivially correct, and the
/// timeout bounds connecting, sending and reading together so a dead node yields an error quickly.
public enum HTTPClient {
    /// Largest response head and body accepted, so a misbehaving peer cannot exhaust memory.
    static let maximumHeadBytes = 64 * 1024
    static let maximumBodyBytes = 16 * 1024 * 1024

    /// Sends one request and returns the whole response, reading `Content-Length` bytes, a
    /// chunked body, or up to end of stream.
    public static func request(
        method: String = "GET", endpoint: String, path: String, body: [UInt8] = [],
        headers: [(String, String)] = [], timeoutMilliseconds: Int = 1000
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let connection = try HTTPClientConnection.open(endpoint: endpoint, timeoutMilliseconds: timeoutMilliseconds)
        defer { connection.close() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\nUser-Agent: tenure\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try connection.sendAll(Array(head.utf8) + body)
        let response = try readHead(connection)
        let hasBody = method != "HEAD" && response.status >= 200 && response.status != 204 && response.status != 304
        let responseBody = hasBody ? try readBody(connection, headers: response.headers, initial: response.rest) : []
        return HTTPClientResponse(status: response.status, headers: response.headers, body: responseBody)
    }

    /// Server-Sent Events: connects, sends GET, then calls `onEvent` for every complete event (its
    /// `data:` lines joined with LF, plus its `id:` field if present) until `onEvent` returns false
    /// or the connection ends. The timeout applies to connecting only; a stream may be idle forever.
    /// A status other than 200 is reported as `malformedResponse` quoting the status and body.
    public static func streamEvents(
        endpoint: String, path: String, timeoutMilliseconds: Int = 1000,
        onEvent: (_ id: String?, _ data: String) -> Bool
    ) throws(HTTPClientError) {
        var connection = try HTTPClientConnection.open(endpoint: endpoint, timeoutMilliseconds: timeoutMilliseconds)
        defer { connection.close() }
        connection.deadline = nil
        let head = "GET \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: tenure\r\n\r\n"
        try connection.sendAll(Array(head.utf8))
        let response = try readHead(connection)
        guard response.status == 200 else {
            connection.deadline = .now + .milliseconds(max(timeoutMilliseconds, 0))
            let body = (try? readBody(connection, headers: response.headers, initial: response.rest)) ?? []
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            throw .malformedResponse("GET \(path) answered HTTP \(response.status) instead of an event stream: \(text)")
        }

        var chunked = isChunked(response.headers) ? HTTPChunkedDecoder() : nil
        var remaining = chunked == nil ? contentLength(response.headers) : nil
        var parser = HTTPEventParser()
        var pending = response.rest
        while true {
            var body: [UInt8] = []
            if var decoder = chunked {
                try decode(pending[...], with: &decoder, into: &body)
                chunked = decoder
            } else {
                body = pending
            }
            if let left = remaining {
                body = Array(body.prefix(left))
                remaining = left - body.count
            }
            for event in parser.feed(body) where !onEvent(event.id, event.data) { return }
            if chunked?.isDone == true || remaining == 0 { return }
            pending.removeAll(keepingCapacity: true)
            if try connection.receive(into: &pending) == 0 { return }
        }
    }

    /// The parsed status line and headers, plus any body bytes that arrived with them.
    struct ResponseHead {
        var status: Int
        var headers: [String: String]
        var rest: [UInt8]
    }

    static func readHead(_ connection: HTTPClientConnection) throws(HTTPClientError) -> ResponseHead {
        var buffer: [UInt8] = []
        while true {
            if let end = endOfHead(buffer) {
                var head = try parseHead(buffer[..<end])
                head.rest = Array(buffer[end...])
                return head
            }
            guard buffer.count <= maximumHeadBytes else {
                throw .malformedResponse("response headers from \(connection.endpoint) exceed \(maximumHeadBytes) bytes")
            }
            if try connection.receive(into: &buffer) == 0 {
                throw .malformedResponse(
                    buffer.isEmpty
                        ? "\(connection.endpoint) closed the connection without answering"
                        : "\(connection.endpoint) closed the connection in the middle of the response headers")
            }
        }
    }

    /// The index just past the blank line ending the head (CRLF or bare LF line ends).
    static func endOfHead(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == HTTPASCII.lf {
                if bytes[index + 1] == HTTPASCII.lf { return index + 2 }
                if bytes[index + 1] == HTTPASCII.cr, index + 2 < bytes.count, bytes[index + 2] == HTTPASCII.lf {
                    return index + 3
                }
            }
            index += 1
        }
        return nil
    }

    /// `HTTP/1.x NNN reason` followed by `name: value` lines.
    static func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPClientError) -> ResponseHead {
        var lines = head.split(separator: HTTPASCII.lf, omittingEmptySubsequences: false).map { line in
            line.last == HTTPASCII.cr ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw .malformedResponse("empty response head") }
        let parts = statusLine.split(separator: HTTPASCII.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].starts(with: "HTTP/1.".utf8), parts[1].count == 3,
            parts[1].allSatisfy(HTTPASCII.isDigit),
            let status = Int(String(decoding: parts[1], as: UTF8.self))
        else {
            throw .malformedResponse("invalid status line '\(String(decoding: statusLine.prefix(100), as: UTF8.self))'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: HTTPASCII.colon) else {
                throw .malformedResponse("header line without a colon")
            }
            let name = String(decoding: line[..<colon].map(HTTPASCII.lowercased), as: UTF8.self)
            var value = line[(colon + 1)...]
            while let first = value.first, first == HTTPASCII.space || first == HTTPASCII.tab { value = value.dropFirst() }
            while let last = value.last, last == HTTPASCII.space || last == HTTPASCII.tab { value = value.dropLast() }
            let text = String(decoding: value, as: UTF8.self)
            headers[name] = headers[name].map { "\($0), \(text)" } ?? text
        }
        return ResponseHead(status: status, headers: headers, rest: [])
    }

    /// Feeds a chunked body to `decoder`; a framing mistake is the peer's malformed response.
    static func decode(_ input: ArraySlice<UInt8>, with decoder: inout HTTPChunkedDecoder, into body: inout [UInt8]) throws(HTTPClientError) {
        do {
            try decoder.feed(input, into: &body)
        } catch {
            throw .malformedResponse(error.detail)
        }
    }

    static func isChunked(_ headers: [String: String]) -> Bool {
        headers["transfer-encoding"]?.lowercased().contains("chunked") == true
    }

    static func contentLength(_ headers: [String: String]) -> Int? {
        headers["content-length"].flatMap { Int($0.filter { $0 != " " && $0 != "\t" }) }
    }

    /// Reads the rest of the body as framed by the headers.
    static func readBody(
        _ connection: HTTPClientConnection, headers: [String: String], initial: [UInt8]
    ) throws(HTTPClientError) -> [UInt8] {
        if isChunked(headers) {
            var decoder = HTTPChunkedDecoder()
            var body: [UInt8] = []
            try decode(initial[...], with: &decoder, into: &body)
            var chunk: [UInt8] = []
            while !decoder.isDone {
                guard body.count <= maximumBodyBytes else { throw .malformedResponse("response body too large") }
                chunk.removeAll(keepingCapacity: true)
                if try connection.receive(into: &chunk) == 0 {
                    throw .malformedResponse("connection closed inside a chunked body")
                }
                try decode(chunk[...], with: &decoder, into: &body)
            }
            return body
        }
        var body = initial
        if let length = contentLength(headers) {
            guard length <= maximumBodyBytes else { throw .malformedResponse("response body of \(length) bytes is too large") }
            while body.count < length {
                if try connection.receive(into: &body) == 0 {
                    throw .malformedResponse("connection closed after \(body.count) of \(length) body bytes")
                }
            }
            return Array(body.prefix(length))
        }
        while try connection.receive(into: &body) > 0 {
            guard body.count <= maximumBodyBytes else { throw .malformedResponse("response body too large") }
        }
        return body
    }
}
