/// A complete response the node's API sends back, serialized in one piece.
///
/// Every API answer is small and fully known before it is sent, so a fixed `Content-Length` is
/// always possible; that keeps connections reusable without chunked encoding. The framing headers
/// (`Content-Length`, `Content-Type`, `Connection`) are written by `serialized(keepAlive:)`, never
/// by handlers, so they cannot contradict the body or the connection's fate.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// The reason phrase; derived from `status` unless set explicitly.
    public var reason: String
    /// Extra headers. Any `Content-Length` or `Connection` here is ignored; a `Content-Type` here
    /// overrides `contentType`.
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var contentType: String

    public init(
        status: Int, headers: [(String, String)] = [], body: [UInt8] = [],
        contentType: String = "text/plain; charset=utf-8"
    ) {
        self.status = status
        self.reason = HTTPResponse.reasonPhrase(for: status)
        self.headers = headers
        self.body = body
        self.contentType = contentType
    }

    /// The head of a server-sent-events stream (`text/event-stream`): the connection stays open
    /// and events follow, each written with `eventStreamEvent`. Streams are read-only, so any
    /// origin may read them: the status page served by one node follows every other node too.
    public static let eventStreamHead: [UInt8] = Array(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nAccess-Control-Allow-Origin: *\r\nConnection: keep-alive\r\n\r\n".utf8)

    /// One server-sent event: `id`, `event` name and a one-line `data` payload.
    public static func eventStreamEvent(id: UInt64, event: String, data: String) -> [UInt8] {
        precondition(!data.contains("\n") && !event.contains("\n"), "an event's name and data are one line each")
        return Array("id: \(id)\nevent: \(event)\ndata: \(data)\n\n".utf8)
    }

    /// A response whose body is already-encoded JSON text.
    public static func json(_ status: Int, _ jsonText: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(jsonText.utf8), contentType: "application/json")
    }

    /// A plain-text response, e.g. for errors meant to be read by a person with `curl`.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(text.utf8))
    }

    /// The status line, headers and body, ready to write to the socket.
    public func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.sanitized(reason))\r\n"
        var type = contentType
        for (name, value) in headers {
            switch name.lowercased() {
            case "content-length", "connection": continue
            case "content-type": type = value
            default: head += "\(Self.sanitized(name)): \(Self.sanitized(value))\r\n"
            }
        }
        head += "Content-Type: \(Self.sanitized(type))\r\n"
        head += "Content-Length: \(body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.utf8.count + body.count)
        bytes.append(contentsOf: head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Replaces CR and LF so no value can end the header block early (response splitting).
    private static func sanitized(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == HTTPASCII.cr || $0 == HTTPASCII.lf }) else { return text }
        return String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }

    /// The standard reason phrase (RFC 9110 section 15), or a generic one for the status class.
    public static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 421: "Misdirected Request"
        case 422: "Unprocessable Content"
        case 425: "Too Early"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        case 100..<200: "Informational"
        case 200..<300: "Success"
        case 300..<400: "Redirection"
        case 400..<500: "Client Error"
        default: "Server Error"
        }
    }
}
