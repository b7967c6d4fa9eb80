import Foundation
import Glibc
import Synchronization

/// A one-connection HTTP server on 127.0.0.1 for `HTTPClient` tests.
///
/// It accepts one connection on a background thread, records the request head, writes the canned
/// response in the given pieces (so the client's incremental reading is exercised), optionally
/// waits for the client to hang up, and closes. Port 0 lets the kernel pick a free port, so tests
/// can run in parallel.
final class HTTPClientTestServer: Sendable {
    let port: UInt16
    var endpoint: String { "127.0.0.1:\(port)" }
    private let listener: Int32
    private let request = Mutex<String?>(nil)
    private let finished = Mutex(false)

    /// A listener with a backlog but no thread: connections complete and then nothing is answered.
    init(silent: Void) throws {
        (listener, port) = try Self.listen()
    }

    init(responsePieces: [[UInt8]], waitForClientToClose: Bool = false) throws {
        (listener, port) = try Self.listen()
        let listener = listener
        Thread { [self] in
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                received += buffer[0..<count]
            }
            request.withLock { $0 = String(decoding: received, as: UTF8.self) }
            for piece in responsePieces {
                _ = piece.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                usleep(2000)
            }
            if waitForClientToClose {
                while buffer.withUnsafeMutableBytes({ recv(connection, $0.baseAddress, $0.count, 0) }) > 0 {}
            }
            close(connection)
            finished.withLock { $0 = true }
        }.start()
    }

    convenience init(response: String) throws {
        try self.init(responsePieces: [Array(response.utf8)])
    }

    deinit { close(listener) }

    /// The request head the server received, once it has been read.
    var receivedRequest: String? { request.withLock { $0 } }

    /// Whether the server thread has closed its connection.
    var isFinished: Bool { finished.withLock { $0 } }

    private static func listen() throws -> (Int32, UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestServerError(errno: errno) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound, Glibc.listen(descriptor, 8) == 0 else {
            let code = errno
            close(descriptor)
            throw TestServerError(errno: code)
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    /// A port on which nothing listens: bound (so no one else takes it) but never listening,
    /// so connecting is refused. Close the returned descriptor when done.
    static func refusingPort() throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestServerError(errno: errno) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw TestServerError(errno: errno) }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// A socket call failed while setting up a test server.
struct TestServerError: Error {
    var errno: Int32
}
