import Glibc

/// A failed system call, with the call's name and `errno`, for messages an operator can act on.
///
/// Environmental failures (a refused connection, a full disk) are typed and handled; programmer
/// errors trap instead (swift-nio's `IOError` draws the same line), see `SystemCall`.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(SystemError.text(of: errno))" }

    /// True when the call failed because a non-blocking descriptor had nothing to give or take.
    public var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }

    /// The text of an `errno` value, such as "Connection refused".
    public static func text(of code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// Well-known `errno` values the shell branches on, named so that no other module needs Glibc.
    public static let interrupted = EINTR
    public static let noSpace = ENOSPC
    public static let connectionRefused = ECONNREFUSED
    public static let noSuchFile = ENOENT
    public static let inProgress = EINPROGRESS

    /// True when the call failed for want of descriptors or buffers, which closing some frees.
    public var outOfResources: Bool { [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(errno) }
}
