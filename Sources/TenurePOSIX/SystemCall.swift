import Glibc

/// The one wrapper every system call of Tenure goes through.
///
/// It retries calls interrupted by a signal (`EINTR`), so no caller has to remember to, and it
/// traps on the errors that can only mean a bug in Tenure (a closed or never-opened descriptor, a
/// bad pointer), as swift-nio's `System.swift` does: carrying on after `EBADF` could write a vote
/// to the wrong file. Every other failure is the environment's and comes back as a `SystemError`.
public enum SystemCall {
    /// Runs `body` until it is not interrupted; returns its result, or throws for `-1`.
    @inline(__always)
    public static func run<Result: BinaryInteger>(_ name: @autoclosure () -> String, _ body: () -> Result) throws(SystemError) -> Result {
        let result = retrying(name(), body)
        guard result == -1 else { return result }
        let code = errno
        throw SystemError(name(), errno: code)
    }

    /// Like `run`, for calls whose failure the caller inspects through `errno` right away
    /// (non-blocking reads and writes, whose `EAGAIN` is a normal answer, not an error).
    @inline(__always)
    public static func retrying<Result: BinaryInteger>(_ name: @autoclosure () -> String, _ body: () -> Result) -> Result {
        while true {
            let result = body()
            guard result == -1 else { return result }
            let code = errno
            if code == EINTR { continue }
            trapOnProgrammerError(code, name())
            errno = code
            return result
        }
    }

    @inline(__always)
    static func trapOnProgrammerError(_ code: Int32, _ name: @autoclosure () -> String) {
        precondition(code != EBADF && code != EFAULT, "\(name()) failed with \(SystemError.text(of: code)): a descriptor or buffer Tenure passed is invalid (a bug)")
    }
}
