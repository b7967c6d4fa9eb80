import TenureAPI
import TenureHTTP
import TenurePOSIX
import TenureCore
import TenureJSON

/// How the runtime answers one API request.
enum APIReply {
    case response(HTTPResponse)
    /// Turn the connection into a Server-Sent Events stream of one kind, starting with these bytes.
    case eventStream(initial: [UInt8], kind: EventStreamKind)
    /// The answer comes later through `APIServer.complete(_:with:)` (a transfer in progress).
    case deferred
}

/// What an event stream carries: `/v1/watch` gets leader changes, `/v1/status/stream` (the
/// status page's feed) gets the whole status a few times a second and the history on change.
enum EventStreamKind {
    case leader, status
}

/// The HTTP/1.1 listener for the client API, driven by the runtime's poll loop.
///
/// Non-blocking throughout, with a bound on everything a client controls (connections, request
/// size, unread output, idle time), so a slow or malicious client costs only its own connection
/// and never delays heartbeats.
final class APIServer {
    struct Connection {
        let fd: Int32
        var parser = HTTPRequestParser()
        var output: [UInt8] = []
        var outputOffset = 0
        var lastActivity: Instant
        var stream: EventStreamKind?
        var streaming: Bool { stream != nil }
        var awaitingReply = false
        var keepAlive = true
        var closeAfterFlush = false
    }

    let address: SocketAddress
    private(set) var listener: Int32 = -1
    private(set) var connections: [Int32: Connection] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    private let log: Log

    static let maximumConnections = 1000
    /// A connection whose client stopped reading is cut loose beyond this much unread output.
    static let maximumOutputBytes = 256 * 1024
    static let idleTimeout = Interval.seconds(120)
    static let incompleteRequestTimeout = Interval.seconds(10)

    init(address: SocketAddress, log: Log) {
        self.address = address
        self.log = log
    }

    func start() throws(SystemError) {
        listener = try Socket.listen(on: address, backlog: 1024)
    }

    func pollEvents(for connection: Connection) -> PollEvents {
        var events: PollEvents = .readable
        if connection.outputOffset < connection.output.count { events.insert(.writable) }
        return events
    }

    /// Accepts waiting clients. At the connection limit the idlest connection is closed to make
    /// room (one not waiting for an answer or streaming first), so idle connections held open by
    /// one client can never lock out a new one; returns how many were evicted.
    @discardableResult
    func acceptConnections(now: Instant) -> Int {
        var evicted = 0
        while let (fd, _) = Socket.accept(listener) {
            if connections.count >= Self.maximumConnections, let victim = idlest() {
                drop(victim)
                evicted += 1
            }
            connections[fd] = Connection(fd: fd, lastActivity: now)
        }
        return evicted
    }

    /// The connection to close first: the longest idle among those with nothing in progress,
    /// else the longest idle of all.
    private func idlest() -> Int32? {
        var best: (fd: Int32, at: Instant, busy: Bool)?
        for (fd, connection) in connections {
            let busy = connection.streaming || connection.awaitingReply || connection.outputOffset < connection.output.count
            if let current = best {
                if (current.busy && !busy) || (current.busy == busy && connection.lastActivity < current.at) { best = (fd, connection.lastActivity, busy) }
            } else {
                best = (fd, connection.lastActivity, busy)
            }
        }
        return best?.fd
    }

    /// Handles poll results for one connection; `route` answers each complete request.
    func handle(fd: Int32, events: PollEvents, now: Instant, metrics: Metrics, route: (HTTPRequest, Int32) -> APIReply) {
        guard var connection = connections[fd] else { return }
        if events.contains(.writable) {
            guard flush(&connection) else { return drop(fd) }
        }
        if !events.isDisjoint(with: [.readable, .hangUp, .error]) {
            let result = readBuffer.withUnsafeMutableBytes { Socket.read(fd, into: $0) }
            switch result {
            case .bytes(let count):
                connection.lastActivity = now
                if connection.streaming || connection.awaitingReply && connection.parser.bufferedByteCount > 8192 {
                    break // Streams and deferred replies ignore further input.
                }
                readBuffer.withUnsafeBytes { connection.parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                parseAndRoute(&connection, metrics: metrics, route: route)
            case .wouldBlock:
                break
            case .closed, .failed:
                return drop(fd)
            }
        }
        guard flush(&connection) else { return drop(fd) }
        if connection.closeAfterFlush && connection.outputOffset >= connection.output.count { return drop(fd) }
        connections[fd] = connection
    }

    private func parseAndRoute(_ connection: inout Connection, metrics: Metrics, route: (HTTPRequest, Int32) -> APIReply) {
        while !connection.awaitingReply && !connection.streaming && !connection.closeAfterFlush {
            let request: HTTPRequest?
            do {
                request = try connection.parser.next()
            } catch {
                metrics.httpBadRequests += 1
                append(HTTPResponse.error(error.responseStatus, error.message), keepAlive: false, to: &connection)
                return
            }
            guard let request else { return }
            metrics.httpRequests += 1
            switch route(request, connection.fd) {
            case .response(let response):
                append(response, keepAlive: request.keepAlive, to: &connection)
            case .eventStream(let initial, let kind):
                connection.stream = kind
                connection.output.append(contentsOf: initial)
            case .deferred:
                connection.awaitingReply = true
                connection.keepAlive = request.keepAlive
            }
        }
    }

    private func append(_ response: HTTPResponse, keepAlive: Bool, to connection: inout Connection) {
        connection.output.append(contentsOf: response.serialized(keepAlive: keepAlive))
        if !keepAlive { connection.closeAfterFlush = true }
    }

    /// Sends the answer to a deferred request and resumes reading that connection.
    func complete(_ fd: Int32, with response: HTTPResponse, metrics: Metrics, route: (HTTPRequest, Int32) -> APIReply) {
        guard var connection = connections[fd], connection.awaitingReply else { return }
        connection.awaitingReply = false
        append(response, keepAlive: connection.keepAlive, to: &connection)
        parseAndRoute(&connection, metrics: metrics, route: route)
        guard flush(&connection) else { return drop(fd) }
        connections[fd] = connection
    }

    /// True while at least one client follows this kind of stream.
    func hasStreams(of kind: EventStreamKind) -> Bool { connections.values.contains { $0.stream == kind } }

    /// Appends bytes to every event stream of a kind; a stream whose reader fell too far behind is closed.
    func broadcast(_ bytes: [UInt8], to kind: EventStreamKind) {
        for (fd, var connection) in connections where connection.stream == kind {
            connection.output.append(contentsOf: bytes)
            guard flush(&connection) else {
                drop(fd)
                continue
            }
            connections[fd] = connection
        }
    }

    /// Closes connections idle for too long or stuck on an incomplete request.
    func reap(now: Instant) {
        for (fd, connection) in connections {
            let idle = now - connection.lastActivity
            let incomplete = connection.parser.bufferedByteCount > 0 && !connection.streaming
            if (incomplete && idle > Self.incompleteRequestTimeout) || (!connection.streaming && !connection.awaitingReply && idle > Self.idleTimeout) {
                drop(fd)
            }
        }
    }

    /// Writes pending output; false when the connection failed or its reader fell too far behind.
    private func flush(_ connection: inout Connection) -> Bool {
        guard connection.outputOffset < connection.output.count else { return true }
        guard let written = Socket.write(connection.fd, connection.output, from: connection.outputOffset) else { return false }
        connection.outputOffset += written
        if connection.outputOffset == connection.output.count {
            connection.output.removeAll(keepingCapacity: true)
            connection.outputOffset = 0
        }
        return connection.output.count - connection.outputOffset <= Self.maximumOutputBytes
    }

    func drop(_ fd: Int32) {
        guard connections.removeValue(forKey: fd) != nil else { return }
        Descriptor.close(fd)
    }

    var awaitingConnections: [Int32] { connections.values.filter(\.awaitingReply).map(\.fd) }

    func shutdown() {
        for fd in connections.keys { Descriptor.close(fd) }
        connections.removeAll()
        if listener >= 0 { Descriptor.close(listener) }
        listener = -1
    }
}

extension HTTPResponse {
    /// A JSON answer whose body is one of the client API's typed documents (TenureAPI).
    static func document(_ status: Int, _ document: some JSONDocument) -> HTTPResponse { .json(status, document.json) }

    /// An error answer: `{"error": message}` (`ErrorDocument`).
    static func error(_ status: Int, _ message: String) -> HTTPResponse { document(status, ErrorDocument(error: message)) }
}
