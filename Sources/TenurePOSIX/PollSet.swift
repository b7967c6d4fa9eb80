import Glibc

/// What a poll loop waits for on a descriptor, and what it was told.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(POLLIN))
    public static let writable = PollEvents(rawValue: Int16(POLLOUT))
    public static let error = PollEvents(rawValue: Int16(POLLERR))
    public static let hangUp = PollEvents(rawValue: Int16(POLLHUP))
    public static let invalid = PollEvents(rawValue: Int16(POLLNVAL))
}

/// The descriptors of one `poll(2)` call, reused from one loop turn to the next.
///
/// A value type over `[pollfd]`, so the loop that owns it needs no Glibc and allocates nothing
/// per turn once the array has grown to the number of connections.
public struct PollSet {
    private var descriptors: [pollfd] = []

    public init() {}

    public var count: Int { descriptors.count }

    public mutating func removeAll() { descriptors.removeAll(keepingCapacity: true) }

    public mutating func add(_ fd: Int32, _ events: PollEvents) {
        descriptors.append(pollfd(fd: fd, events: events.rawValue, revents: 0))
    }

    /// Waits at most `timeoutMilliseconds` (-1: forever); returns how many descriptors are ready.
    /// An interrupting signal is not an error: it answers 0, and the loop goes round again.
    public mutating func wait(timeoutMilliseconds: Int32) throws(SystemError) -> Int {
        let ready = Glibc.poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
        if ready < 0 {
            let code = errno
            if code == EINTR { return 0 }
            SystemCall.trapOnProgrammerError(code, "poll")
            throw SystemError("poll", errno: code)
        }
        return Int(ready)
    }

    /// What happened to the descriptor added at `index` (empty when nothing did).
    public func events(at index: Int) -> PollEvents { PollEvents(rawValue: descriptors[index].revents) }

    /// Waits until `fd` has one of `events` or `timeoutMilliseconds` passed; returns what it has.
    public static func wait(for fd: Int32, _ events: PollEvents, timeoutMilliseconds: Int32) throws(SystemError) -> PollEvents {
        var set = PollSet()
        set.add(fd, events)
        return try set.wait(timeoutMilliseconds: timeoutMilliseconds) > 0 ? set.events(at: 0) : []
    }
}
