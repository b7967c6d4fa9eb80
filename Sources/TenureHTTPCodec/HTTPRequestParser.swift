/// One HTTP/1.1 request as the node's API handlers see it.
///
/// Deliberately small: the API only routes on method and path, reads a few query parameters and
/// headers, and accepts short JSON bodies, so nothing here models the full generality of HTTP.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target up to (not including) `?`, exactly as sent (not percent-decoded).
    public var path: String
    /// Query parameters, percent-decoded (`+` reads as a space); a repeated name keeps its last value.
    public var query: [String: String]
    /// Header fields in arrival order, names lowercased so lookups need no case folding.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether the connection may carry another request after this one's response.
    public var keepAlive: Bool

    /// The first value of the header `name` (any case), if present.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}

/// Why a request could not be parsed; the connection cannot be trusted afterwards and is closed.
public enum HTTPParseError: Error, Equatable, Sendable {
    /// The request line and headers exceed the parser's header budget.
    case requestTooLarge
    /// The bytes are not a request this server accepts; the string says which rule they broke.
    case malformed(String)
    /// A well-formed `HTTP/x.y` version other than 1.0 and 1.1.
    case unsupportedVersion
    /// `Content-Length` exceeds the parser's body budget.
    case bodyTooLarge

    /// The status code the server answers with before closing the connection.
    public var responseStatus: Int {
        switch self {
        case .requestTooLarge: 431
        case .malformed: 400
        case .unsupportedVersion: 505
        case .bodyTooLarge: 413
        }
    }

    /// A one-line explanation suitable for an error response body.
    public var message: String {
        switch self {
        case .requestTooLarge: "request line and headers are too large"
        case .malformed(let reason): "malformed request: \(reason)"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .bodyTooLarge: "request body is too large"
        }
    }
}

/// An incremental HTTP/1.1 request parser for a non-blocking server.
///
/// The event loop appends whatever bytes a socket read returned and then calls `next()` until it
/// returns `nil`; a request split across reads, or several pipelined requests in one read, both
/// work. The head is scanned only once (the scan resumes where the previous one stopped), bytes
/// are kept in one reusable buffer, and both the head and the body are bounded so a hostile or
/// broken client cannot make the node buffer without limit. Once `next()` throws, it keeps
/// throwing the same error: the stream position is lost and the connection must be closed.
public struct HTTPRequestParser: Sendable {
    public let maximumHeaderBytes: Int
    public let maximumBodyBytes: Int

    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet consumed by a returned request.
    private var start = 0
    /// How many bytes after `start` were already searched for the end of the head.
    private var scanned = 0
    /// A parsed head whose body has not fully arrived yet.
    private var pending: PendingHead?
    private var failure: HTTPParseError?

    private struct PendingHead: Sendable {
        var request: HTTPRequest
        var headLength: Int
        var bodyLength: Int
    }

    public init(maximumHeaderBytes: Int = 8192, maximumBodyBytes: Int = 4096) {
        self.maximumHeaderBytes = max(maximumHeaderBytes, 16)
        self.maximumBodyBytes = max(maximumBodyBytes, 0)
    }

    /// Bytes received but not yet returned as part of a request.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, or `nil` when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            return try parseNext()
        } catch {
            failure = error
            throw error
        }
    }

    /// Drops consumed bytes when that is cheap relative to what remains, keeping capacity.
    private mutating func compact() {
        guard start > 0 else { return }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= buffer.count - start {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    private mutating func parseNext() throws(HTTPParseError) -> HTTPRequest? {
        if pending == nil {
            if scanned == 0 { skipEmptyLines() }
            guard let headLength = findEndOfHead() else {
                if buffer.count - start > maximumHeaderBytes { throw .requestTooLarge }
                return nil
            }
            if headLength > maximumHeaderBytes { throw .requestTooLarge }
            pending = try parseHead(buffer[start..<(start + headLength)])
        }
        guard let head = pending, buffer.count - start >= head.headLength + head.bodyLength else { return nil }
        var request = head.request
        let bodyStart = start + head.headLength
        request.body = Array(buffer[bodyStart..<(bodyStart + head.bodyLength)])
        start = bodyStart + head.bodyLength
        scanned = 0
        pending = nil
        return request
    }

    /// RFC 9112 section 2.2: a server should ignore empty lines received before a request line
    /// (some clients send an extra CRLF after a body).
    private mutating func skipEmptyLines() {
        while start < buffer.count, buffer[start] == HTTPASCII.lf || buffer[start] == HTTPASCII.cr { start += 1 }
    }

    /// The length of the head including its blank line, or `nil` if the blank line has not arrived.
    private mutating func findEndOfHead() -> Int? {
        let from = start + scanned
        let (found, resume) = buffer.withUnsafeBufferPointer { bytes -> (Int?, Int) in
            var index = from
            while index < bytes.count {
                if bytes[index] == HTTPASCII.lf {
                    // Stop at an LF whose successors have not arrived, so the next scan rechecks it.
                    guard index + 1 < bytes.count else { return (nil, index) }
                    if bytes[index + 1] == HTTPASCII.lf { return (index + 2, index) }
                    if bytes[index + 1] == HTTPASCII.cr {
                        guard index + 2 < bytes.count else { return (nil, index) }
                        if bytes[index + 2] == HTTPASCII.lf { return (index + 3, index) }
                    }
                }
                index += 1
            }
            return (nil, index)
        }
        scanned = resume - start
        return found.map { $0 - start }
    }

    private func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> PendingHead {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        for index in head.indices where head[index] == HTTPASCII.lf {
            var line = head[lineStart..<index]
            if line.last == HTTPASCII.cr { line = line.dropLast() }
            if line.isEmpty { break }
            lines.append(line)
            lineStart = index + 1
        }
        guard let requestLine = lines.first else { throw .malformed("missing request line") }
        let (method, target, minorVersion) = try Self.parseRequestLine(requestLine)
        let (path, query) = try Self.splitTarget(target)

        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count - 1)
        var contentLength: String?
        var connectionTokens: [String] = []
        for line in lines.dropFirst() {
            let header = try Self.parseHeaderLine(line)
            switch header.name {
            case "content-length":
                if let contentLength, contentLength != header.value {
                    throw .malformed("conflicting Content-Length headers")
                }
                contentLength = header.value
            case "transfer-encoding":
                throw .malformed("Transfer-Encoding request bodies are not supported; send Content-Length")
            case "connection":
                connectionTokens += header.value.split(separator: ",").map {
                    $0.trimmingASCIIWhitespace().lowercased()
                }
            default:
                break
            }
            headers.append(header)
        }

        let bodyLength = try contentLength.map { value throws(HTTPParseError) in try parseContentLength(value) } ?? 0
        let keepAlive: Bool
        if connectionTokens.contains("close") {
            keepAlive = false
        } else {
            keepAlive = minorVersion == 1 || connectionTokens.contains("keep-alive")
        }
        let request = HTTPRequest(
            method: method, path: path, query: query, headers: headers, body: [], keepAlive: keepAlive)
        return PendingHead(request: request, headLength: head.count, bodyLength: bodyLength)
    }

    private func parseContentLength(_ text: String) throws(HTTPParseError) -> Int {
        guard !text.isEmpty else { throw .malformed("empty Content-Length") }
        var value = 0
        var tooLarge = false
        for byte in text.utf8 {
            guard byte >= HTTPASCII.zero, byte <= HTTPASCII.nine else { throw .malformed("Content-Length is not a number") }
            if !tooLarge {
                value = value * 10 + Int(byte - HTTPASCII.zero)
                // The second test keeps the next multiplication from overflowing.
                if value > maximumBodyBytes || value > (Int.max - 9) / 10 { tooLarge = true }
            }
        }
        if tooLarge { throw .bodyTooLarge }
        return value
    }

    /// `METHOD SP request-target SP HTTP/1.x`, exactly three parts separated by single spaces.
    private static func parseRequestLine(
        _ line: ArraySlice<UInt8>
    ) throws(HTTPParseError) -> (method: String, target: ArraySlice<UInt8>, minorVersion: Int) {
        let parts = line.split(separator: HTTPASCII.space, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .malformed("request line must be 'METHOD target HTTP/1.1'")
        }
        let (method, target, version) = (parts[0], parts[1], parts[2])
        guard method.allSatisfy(HTTPASCII.isTokenCharacter) else { throw .malformed("invalid method") }
        guard target.first == HTTPASCII.slash, target.allSatisfy({ $0 > HTTPASCII.space && $0 < 0x7F }) else {
            throw .malformed("request target must be an absolute path")
        }
        let prefix = Array("HTTP/".utf8)
        guard version.count == 8, version.starts(with: prefix) else { throw .malformed("invalid HTTP version") }
        let major = version[version.startIndex + 5]
        let dot = version[version.startIndex + 6]
        let minor = version[version.startIndex + 7]
        guard HTTPASCII.isDigit(major), dot == HTTPASCII.dot, HTTPASCII.isDigit(minor) else {
            throw .malformed("invalid HTTP version")
        }
        guard major == HTTPASCII.one, minor == HTTPASCII.zero || minor == HTTPASCII.one else { throw .unsupportedVersion }
        return (String(decoding: method, as: UTF8.self), target, Int(minor - HTTPASCII.zero))
    }

    private static func splitTarget(
        _ target: ArraySlice<UInt8>
    ) throws(HTTPParseError) -> (path: String, query: [String: String]) {
        var withoutFragment = target
        if let hash = target.firstIndex(of: HTTPASCII.hash) { withoutFragment = target[..<hash] }
        guard let mark = withoutFragment.firstIndex(of: HTTPASCII.question) else {
            return (String(decoding: withoutFragment, as: UTF8.self), [:])
        }
        var query: [String: String] = [:]
        for pair in withoutFragment[(mark + 1)...].split(separator: HTTPASCII.ampersand) {
            let name: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            if let equals = pair.firstIndex(of: HTTPASCII.equals) {
                name = pair[..<equals]
                value = pair[(equals + 1)...]
            } else {
                name = pair
                value = []
            }
            guard let decodedName = percentDecode(name), let decodedValue = percentDecode(value) else {
                throw .malformed("invalid percent-encoding in query")
            }
            query[decodedName] = decodedValue
        }
        return (String(decoding: withoutFragment[..<mark], as: UTF8.self), query)
    }

    /// Decodes `%XX` escapes and `+`; `nil` for a truncated or non-hex escape.
    static func percentDecode(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.contains(where: { $0 == HTTPASCII.percent || $0 == HTTPASCII.plus }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == HTTPASCII.percent {
                guard bytes.endIndex - index >= 3,
                    let high = HTTPASCII.hexValue(bytes[index + 1]),
                    let low = HTTPASCII.hexValue(bytes[index + 2])
                else { return nil }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(byte == HTTPASCII.plus ? HTTPASCII.space : byte)
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// `name: value`; the name is a token with no surrounding whitespace, the value is trimmed.
    private static func parseHeaderLine(
        _ line: ArraySlice<UInt8>
    ) throws(HTTPParseError) -> (name: String, value: String) {
        if line.first == HTTPASCII.space || line.first == HTTPASCII.tab {
            throw .malformed("obsolete header line folding is not supported")
        }
        guard let colon = line.firstIndex(of: HTTPASCII.colon) else {
            throw .malformed("header line without a colon")
        }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(HTTPASCII.isTokenCharacter) else {
            throw .malformed("invalid header name")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == HTTPASCII.space || first == HTTPASCII.tab { value = value.dropFirst() }
        while let last = value.last, last == HTTPASCII.space || last == HTTPASCII.tab { value = value.dropLast() }
        guard value.allSatisfy({ $0 >= HTTPASCII.space || $0 == HTTPASCII.tab }), !value.contains(0x7F) else {
            throw .malformed("invalid character in header value")
        }
        let lowercasedName = String(decoding: name.map(HTTPASCII.lowercased), as: UTF8.self)
        return (lowercasedName, String(decoding: value, as: UTF8.self))
    }
}

extension Substring {
    /// Trims spaces and tabs, the only whitespace HTTP allows around list elements.
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
