import Glibc

/// A failed system call, with the call's name and `errno`, for messages an operator can act on.
///
/// Environmental failures (a refused connection, a full disk) are typed and handled; programmer
/// errors trap instead (swift-nio's `IOError` draws the same line).
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(errorText(errno))" }
}

/// Runs a system call, retrying while it was interrupted by a signal.
@inline(__always)
func retryingInterrupts<Result: BinaryInteger>(_ body: () -> Result) -> Result {
    while true {
        let result = body()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}

/// The text of an `errno` value, such as "Connection refused".
func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    var length = 0
    while text[length] != 0 { length += 1 }
    return text.withMemoryRebound(to: UInt8.self, capacity: length) { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) }
}
