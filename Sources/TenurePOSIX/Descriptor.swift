import Glibc

/// Reading, writing and closing file descriptors, the calls every layer above needs.
///
/// Non-blocking reads and writes answer with an `IOResult` rather than throwing, because "would
/// block" and "closed" are the normal rhythm of a poll loop, not failures.
public enum Descriptor {
    /// What a non-blocking read or write did.
    public enum IOResult: Equatable, Sendable {
        /// This many bytes moved (never zero for a read: that is `.closed`).
        case bytes(Int)
        /// Nothing to read, or no room to write, right now.
        case wouldBlock
        /// The other end closed the stream (reads only).
        case closed
        /// The descriptor failed with this `errno`.
        case failed(Int32)
    }

    /// Closes `fd`. Closing is never retried on `EINTR` (Linux has released the descriptor).
    public static func close(_ fd: Int32) {
        precondition(fd >= 0, "closing a negative descriptor")
        let result = Glibc.close(fd)
        if result == -1 { SystemCall.trapOnProgrammerError(errno, "close(\(fd))") }
    }

    /// Reads into `buffer`; `.closed` at end of stream.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        let count = SystemCall.retrying("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
        if count > 0 { return .bytes(count) }
        if count == 0 { return .closed }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
        return .failed(errno)
    }

    /// Reads into `buffer` (resized to its capacity); the bytes read are `buffer[0..<n]`.
    public static func read(_ fd: Int32, into buffer: inout [UInt8]) -> IOResult {
        buffer.withUnsafeMutableBytes { read(fd, into: $0) }
    }

    /// Writes as much of `bytes` as the descriptor takes right now.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard bytes.count > 0 else { return .bytes(0) }
        let count = SystemCall.retrying("write") { Glibc.write(fd, bytes.baseAddress, bytes.count) }
        if count >= 0 { return .bytes(count) }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
        return .failed(errno)
    }

    /// Writes all of `bytes` to a blocking descriptor (a file, a terminal); false if it failed.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                switch write(fd, UnsafeRawBufferPointer(rebasing: raw[offset...])) {
                case .bytes(let count): offset += count
                case .wouldBlock, .closed, .failed: return false
                }
            }
            return true
        }
    }

    /// Makes `fd` non-blocking and close-on-exec.
    public static func makeNonBlocking(_ fd: Int32) {
        _ = SystemCall.retrying("fcntl") { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        _ = SystemCall.retrying("fcntl") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    /// A non-blocking, close-on-exec pipe: (read end, write end).
    public static func pipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        _ = try SystemCall.run("pipe") { Glibc.pipe(&ends) }
        makeNonBlocking(ends[0])
        makeNonBlocking(ends[1])
        return (ends[0], ends[1])
    }

    /// True when `fd` is a terminal (for choosing between a live view and plain lines).
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}
