import Glibc

/// One blocking-style TCP connection for `HTTPClient`, with every wait bounded by a deadline.
///
/// The socket stays non-blocking and each send and receive first waits in `poll()`, so a node that
/// accepts but never answers (stopped with SIGSTOP, partitioned, wedged) turns into a timeout
/// instead of hanging the CLI. A `nil` deadline waits forever, which event streams need.
struct HTTPClientConnection {
    let descriptor: Int32
    let endpoint: String
    let timeoutMilliseconds: Int
    var deadline: ContinuousClock.Instant?

    /// Resolves `endpoint`, connects within `timeoutMilliseconds`, and starts the deadline clock.
    static func open(endpoint: String, timeoutMilliseconds: Int) throws(HTTPClientError) -> HTTPClientConnection {
        var address = try socketAddress(for: endpoint)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .connectFailed(endpoint, errno: errno) }
        let connection = HTTPClientConnection(
            descriptor: descriptor, endpoint: endpoint, timeoutMilliseconds: timeoutMilliseconds,
            deadline: .now + .milliseconds(max(timeoutMilliseconds, 0)))
        do throws(HTTPClientError) {
            let flags = fcntl(descriptor, F_GETFL)
            guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
                throw .connectFailed(endpoint, errno: errno)
            }
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if result != 0 {
                let code = errno
                // EINTR leaves the connect running in the background, exactly like EINPROGRESS.
                guard code == EINPROGRESS || code == EINTR else { throw .connectFailed(endpoint, errno: code) }
                try connection.wait(for: POLLOUT, timeoutDetail: "could not connect to \(endpoint) within \(timeoutMilliseconds) ms")
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
                    throw .connectFailed(endpoint, errno: errno)
                }
                if socketError != 0 { throw .connectFailed(endpoint, errno: socketError) }
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Parses `a.b.c.d:port` or `localhost:port` into an IPv4 socket address.
    static func socketAddress(for endpoint: String) throws(HTTPClientError) -> sockaddr_in {
        guard let colon = endpoint.lastIndex(of: ":") else { throw .invalidEndpoint(endpoint) }
        var host = String(endpoint[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        guard let port = UInt16(endpoint[endpoint.index(after: colon)...]), port != 0 else {
            throw .invalidEndpoint(endpoint)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw .invalidEndpoint(endpoint) }
        return address
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    /// Writes all of `bytes`, waiting for buffer space as needed. Never raises SIGPIPE.
    func sendAll(_ bytes: [UInt8]) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                try wait(for: POLLOUT, timeoutDetail: "\(endpoint) did not accept the request within \(timeoutMilliseconds) ms")
            default: throw .connectFailed(endpoint, errno: code)
            }
        }
    }

    /// Appends what one read returns to `buffer`; returns the byte count, 0 meaning end of stream.
    func receive(into buffer: inout [UInt8]) throws(HTTPClientError) -> Int {
        while true {
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if received >= 0 {
                buffer.append(contentsOf: chunk[0..<received])
                return received
            }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                try wait(for: POLLIN, timeoutDetail: "\(endpoint) did not answer within \(timeoutMilliseconds) ms")
            default: throw .connectFailed(endpoint, errno: code)
            }
        }
    }

    /// Waits until the socket is ready for `events` (or has an error to report) or the deadline passes.
    private func wait(for events: Int32, timeoutDetail: @autoclosure () -> String) throws(HTTPClientError) {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let remaining = deadline - .now
                guard remaining > .zero else { throw .timedOut(timeoutDetail()) }
                let (seconds, attoseconds) = remaining.components
                let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
                timeout = Int32(clamping: milliseconds)
            }
            var poller = pollfd(fd: descriptor, events: Int16(events), revents: 0)
            let ready = poll(&poller, 1, timeout)
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw .connectFailed(endpoint, errno: errno) }
        }
    }
}
