import Glibc

/// The write end of the self-pipe that turns SIGTERM and SIGINT into a readable descriptor.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Delivers termination signals to the poll loop as readable bytes (the self-pipe trick), so
/// shutdown runs on the loop's thread, in order with everything else, never inside a handler.
enum SignalPipe {
    /// Installs handlers for SIGTERM and SIGINT and returns the read end to poll.
    static func install() throws(SystemError) -> Int32 {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SystemError("pipe") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        signalPipeWriteEnd = ends[1]
        let handler: @convention(c) (Int32) -> Void = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(signalPipeWriteEnd, &byte, 1)
        }
        signal(SIGTERM, handler)
        signal(SIGINT, handler)
        signal(SIGPIPE, SIG_IGN)
        return ends[0]
    }

    /// Reads the signals that arrived since the last call.
    static func drain(_ fd: Int32) -> [Int32] {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return count > 0 ? bytes[0..<count].map { Int32($0) } : []
    }
}
