import Glibc
import Testing
import TenureAPI
import TenureJSON
import TenurePOSIX

@testable import TenureHTTP

/// One keep-alive client connection to a node's API, driven from the test's own thread: requests
/// are written as raw bytes (so several can be pipelined in one write) and `receive()` reads, without
/// blocking, whatever the node answered so far. The test keeps turning the runtimes in between,
/// so no second thread and no wall-clock timing is involved.
final class RawHTTPConnection {
    private var fd: Int32
    private var buffer: [UInt8] = []
    private(set) var responses: [HTTPClientResponse] = []
    private(set) var closedByServer = false

    init(to address: SocketAddress) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var remote = address.socketAddress()
        // A blocking connect to a listener in this process: the kernel completes the handshake
        // from the listen backlog before the runtime accepts.
        let result = withUnsafePointer(to: &remote) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = SystemError("connect \(address)")
            Glibc.close(fd)
            throw error
        }
        Descriptor.makeNonBlocking(fd)
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// A request without body, keep-alive (HTTP/1.1's default).
    static func request(_ method: String, _ target: String) -> String {
        "\(method) \(target) HTTP/1.1\r\nHost: tenure-test\r\nContent-Length: 0\r\n\r\n"
    }

    /// Writes all of `text` (small: it always fits the socket buffer).
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(Descriptor.writeAll(fd, bytes), "could not write the request")
    }

    /// Bytes after the last complete response, as text: an event stream's events, once its head
    /// (which has no Content-Length, so it parses as an empty response) was cut off.
    var pendingText: String { String(decoding: buffer, as: UTF8.self) }

    /// True once any byte of an answer arrived.
    var receivedAnything: Bool { !responses.isEmpty || !buffer.isEmpty }

    /// Reads what has arrived and cuts it into complete responses.
    @discardableResult
    func receive() -> [HTTPClientResponse] {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        reading: while fd >= 0 {
            switch Descriptor.read(fd, into: &chunk) {
            case .bytes(let count): buffer.append(contentsOf: chunk[0..<count])
            case .wouldBlock: break reading
            case .closed, .failed:
                closedByServer = true
                break reading
            }
        }
        // After an event stream's head, everything that follows is its events, not responses.
        while responses.last?.headers["content-type"] != "text/event-stream", let end = HTTPClient.endOfHead(buffer) {
            guard let head = try? HTTPClient.parseHead(buffer[..<end]) else {
                Issue.record("unparsable response head: \(String(decoding: buffer.prefix(200), as: UTF8.self))")
                buffer.removeAll()
                break
            }
            let length = HTTPClient.contentLength(head.headers) ?? 0
            guard buffer.count >= end + length else { break }
            responses.append(HTTPClientResponse(status: head.status, headers: head.headers, body: Array(buffer[end..<end + length])))
            buffer.removeFirst(end + length)
        }
        return responses
    }
}

extension HTTPClientResponse {
    /// The body as a command's answer; nil when it is not one.
    var outcome: CommandOutcome? { try? CommandOutcome(parsing: body) }
}
