import Glibc

/// The write end of the self-pipe that turns signals into a readable descriptor.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Delivers signals to a poll loop as readable bytes (the self-pipe trick), so shutdown and key
/// reloads run on the loop's thread, in order with everything else, never inside a handler.
public enum SignalPipe {
    /// The signals a Tenure process handles, named so that callers need no Glibc.
    public enum Signal: Int32, Sendable, CaseIterable {
        case terminate = 15 // SIGTERM
        case interrupt = 2 // SIGINT
        case hangUp = 1 // SIGHUP
        public var name: String {
            switch self {
            case .terminate: "SIGTERM"
            case .interrupt: "SIGINT"
            case .hangUp: "SIGHUP"
            }
        }
    }

    /// Installs handlers for `signals` (and ignores SIGPIPE); returns the read end to poll.
    /// A second call (tests start several runtimes in one process) moves delivery to its new pipe.
    public static func install(_ signals: [Signal] = [.terminate, .interrupt]) throws(SystemError) -> Int32 {
        let ends = try Descriptor.pipe()
        signalPipeWriteEnd = ends.write
        let handler: @convention(c) (Int32) -> Void = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = Glibc.write(signalPipeWriteEnd, &byte, 1)
        }
        for signal in signals { Glibc.signal(signal.rawValue, handler) }
        Glibc.signal(SIGPIPE, SIG_IGN)
        return ends.read
    }

    /// Reads the signals that arrived since the last call.
    public static func drain(_ fd: Int32) -> [Signal] {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard case .bytes(let count) = Descriptor.read(fd, into: &bytes) else { return [] }
        return bytes[0..<count].compactMap { Signal(rawValue: Int32($0)) }
    }
}
