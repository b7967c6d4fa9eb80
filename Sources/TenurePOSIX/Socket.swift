import Glibc

/// Thin wrappers over the socket calls the shell makes, all non-blocking.
///
/// One place retries `EINTR`, sets the options Tenure relies on (no Nagle delay, a TCP user
/// timeout so a black-holed peer is noticed, address reuse for a restarted node) and turns
/// failures into `SystemError`s: a socket whose option the kernel refuses is closed, and the
/// error names the option (SocketOption.swift).
public enum Socket {
    public static func makeStream() throws(SystemError) -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        return fd
    }

    /// Binds `fd` to `address`, closing it on failure.
    public static func bind(_ fd: Int32, to address: SocketAddress) throws(SystemError) {
        var socketAddress = address.socketAddress()
        let bound = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                SystemCall.retrying("bind") { Glibc.bind(fd, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard bound == 0 else {
            let error = SystemError("bind \(address)")
            Descriptor.close(fd)
            throw error
        }
    }

    /// A listening socket on `address`.
    public static func listen(on address: SocketAddress, backlog: Int32 = 128) throws(SystemError) -> Int32 {
        let fd = try makeStream()
        try require(.reuseAddress, 1, on: fd)
        try bind(fd, to: address)
        guard SystemCall.retrying("listen", { Glibc.listen(fd, backlog) }) == 0 else {
            let error = SystemError("listen \(address)")
            Descriptor.close(fd)
            throw error
        }
        return fd
    }

    /// Starts a non-blocking connect from `source` (port chosen by the kernel) to `destination`.
    /// Binding the source address is what lets iptables rules written by node address match.
    /// With `portPerDestination`, the source port is chosen at connect time for each destination
    /// rather than at bind time for the address, so one source address can hold more connections
    /// than the ephemeral range (the floods of tenure-lab peer-traffic).
    /// `userTimeoutMilliseconds` 0 keeps the kernel's default.
    public static func connect(from source: String?, to destination: SocketAddress,
                               userTimeoutMilliseconds: Int32, portPerDestination: Bool = false) throws(SystemError) -> Int32 {
        let fd = try makeStream()
        try require(.noDelay, 1, on: fd)
        try require(.userTimeoutMilliseconds, userTimeoutMilliseconds, on: fd)
        if portPerDestination { try require(.bindAddressNoPort, 1, on: fd) }
        if let source { try bind(fd, to: SocketAddress(host: source, port: 0)) }
        var remote = destination.socketAddress()
        let result = withUnsafePointer(to: &remote) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                SystemCall.retrying("connect") { Glibc.connect(fd, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        if result != 0 && errno != EINPROGRESS {
            let error = SystemError("connect \(destination)")
            Descriptor.close(fd)
            throw error
        }
        return fd
    }

    /// The pending error of a non-blocking connect, 0 when it succeeded.
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length)
        return value
    }

    /// Accepts one connection, or returns nil when none is waiting (or accept failed); throws,
    /// with the connection closed, when it cannot get TCP_NODELAY.
    public static func acceptConnection(_ listener: Int32) throws(SystemError) -> (fd: Int32, peerHost: String)? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                SystemCall.retrying("accept") { Glibc.accept(listener, generic, &length) }
            }
        }
        guard fd >= 0 else { return nil }
        Descriptor.makeNonBlocking(fd)
        try require(.noDelay, 1, on: fd)
        return (fd, SocketAddress.host(of: address))
    }

    /// `acceptConnection` for callers that cannot report its error: best effort, a connection
    /// that cannot get its options is closed and skipped, and the next waiting one returned.
    public static func accept(_ listener: Int32) -> (fd: Int32, peerHost: String)? {
        while true {
            do {
                return try acceptConnection(listener)
            } catch {
                continue
            }
        }
    }

    /// Reads into `buffer`; `.closed` at end of stream.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Descriptor.IOResult {
        Descriptor.read(fd, into: buffer)
    }

    /// Writes as much of `bytes[offset...]` as the socket takes; returns the bytes written,
    /// 0 when it would block, or nil when the connection failed. Never raises SIGPIPE.
    public static func write(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> Int? {
        guard offset < bytes.count else { return 0 }
        let count = bytes.withUnsafeBytes { raw in
            SystemCall.retrying("send") { send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL)) }
        }
        if count >= 0 { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
        return nil
    }

    /// A non-blocking UDP socket bound to `address` (the node's peer address: datagrams then
    /// leave from it, so iptables rules written by node address match them too).
    public static func bindDatagram(on address: SocketAddress) throws(SystemError) -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket (datagram)") }
        try require(.reuseAddress, 1, on: fd)
        try bind(fd, to: address)
        return fd
    }

    /// Sends one datagram; false when the kernel did not take it (no route, a full buffer).
    /// Datagrams are best effort: the caller counts the drop and moves on.
    public static func sendDatagram(_ fd: Int32, _ bytes: [UInt8], to destination: SocketAddress) -> Bool {
        var remote = destination.socketAddress()
        let sent = withUnsafePointer(to: &remote) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bytes.withUnsafeBytes { raw in
                    SystemCall.retrying("sendto") {
                        Glibc.sendto(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), generic,
                                     socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        return sent == bytes.count
    }

    /// Receives one datagram into `buffer`: its length and sender, or nil when none is waiting.
    /// A datagram longer than the buffer is reported with the buffer's length plus one, so the
    /// caller can refuse it as too large.
    public static func receiveDatagram(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, from: SocketAddress)? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                SystemCall.retrying("recvfrom") {
                    Glibc.recvfrom(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC), generic, &length)
                }
            }
        }
        guard count >= 0 else { return nil }
        return (min(count, buffer.count + 1), SocketAddress(host: SocketAddress.host(of: address), port: UInt16(bigEndian: address.sin_port)))
    }

    /// The port a bound socket got (the kernel's choice when bound to port 0).
    public static func localPort(_ fd: Int32) -> UInt16? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Shuts down both directions, so a peer blocked on the connection sees its end at once.
    public static func shutdownBoth(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Asks the kernel to deliver nothing more to this socket, while queued replies still leave.
    public static func shutdownReading(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RD)) }
}
