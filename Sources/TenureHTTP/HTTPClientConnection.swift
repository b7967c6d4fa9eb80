import TenurePOSIX

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
        guard let address = SocketAddress(endpoint) else { throw .invalidEndpoint(endpoint) }
        let descriptor: Int32
        do {
            descriptor = try Socket.connect(from: nil, to: address, userTimeoutMilliseconds: 0)
        } catch {
            throw .connectFailed(endpoint, errno: error.errno)
        }
        let connection = HTTPClientConnection(
            descriptor: descriptor, endpoint: endpoint, timeoutMilliseconds: timeoutMilliseconds,
            deadline: .now + .milliseconds(max(timeoutMilliseconds, 0)))
        do throws(HTTPClientError) {
            try connection.wait(for: .writable, timeoutDetail: "could not connect to \(endpoint) within \(timeoutMilliseconds) ms")
            let socketError = Socket.pendingError(descriptor)
            if socketError != 0 { throw .connectFailed(endpoint, errno: socketError) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    func close() {
        Descriptor.close(descriptor)
    }

    /// Writes all of `bytes`, waiting for buffer space as needed. Never raises SIGPIPE.
    func sendAll(_ bytes: [UInt8]) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            guard let sent = Socket.write(descriptor, bytes, from: offset) else {
                throw .connectFailed(endpoint, errno: Socket.pendingError(descriptor))
            }
            if sent > 0 {
                offset += sent
            } else {
                try wait(for: .writable, timeoutDetail: "\(endpoint) did not accept the request within \(timeoutMilliseconds) ms")
            }
        }
    }

    /// Appends what one read returns to `buffer`; returns the byte count, 0 meaning end of stream.
    func receive(into buffer: inout [UInt8]) throws(HTTPClientError) -> Int {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            switch Descriptor.read(descriptor, into: &chunk) {
            case .bytes(let received):
                buffer.append(contentsOf: chunk[0..<received])
                return received
            case .closed:
                return 0
            case .wouldBlock:
                try wait(for: .readable, timeoutDetail: "\(endpoint) did not answer within \(timeoutMilliseconds) ms")
            case .failed(let code):
                throw .connectFailed(endpoint, errno: code)
            }
        }
    }

    /// Waits until the socket is ready for `events` (or has an error to report) or the deadline passes.
    private func wait(for events: PollEvents, timeoutDetail: @autoclosure () -> String) throws(HTTPClientError) {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let remaining = deadline - .now
                guard remaining > .zero else { throw .timedOut(timeoutDetail()) }
                let (seconds, attoseconds) = remaining.components
                let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
                timeout = Int32(clamping: milliseconds)
            }
            do {
                if try !PollSet.wait(for: descriptor, events, timeoutMilliseconds: timeout).isEmpty { return }
            } catch {
                throw .connectFailed(endpoint, errno: error.errno)
            }
        }
    }
}
