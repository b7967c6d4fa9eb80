import Glibc

/// A joinable POSIX thread, for tools that poll several endpoints at once.
///
/// The node itself is single-threaded by design (one poll loop owns everything); only the lab's
/// probes and tests start threads, through this one wrapper.
public struct JoinableThread: @unchecked Sendable {
    private let thread: pthread_t

    /// Starts `body` on a new thread.
    public static func start(_ body: @escaping @Sendable () -> Void) throws(SystemError) -> JoinableThread {
        let box = Unmanaged.passRetained(ThreadStart(body))
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, box.toOpaque())
        guard created == 0 else {
            box.release()
            throw SystemError("pthread_create", errno: created)
        }
        return JoinableThread(thread: thread)
    }

    /// Lets the thread run on without anyone joining it; its resources are freed when it ends.
    public func detach() { _ = pthread_detach(thread) }

    /// Waits for the thread to finish.
    public func join() {
        let result = pthread_join(thread, nil)
        precondition(result == 0, "pthread_join failed: \(SystemError.text(of: result))")
    }
}

/// A closure boxed so it can cross into `pthread_create`.
private final class ThreadStart: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
