/// What the shell must carry out after one input, in order: persist, then send, then publish.
///
/// The messages are reachable only through `messages(afterPersisting:)`, which runs the persist
/// step first, so no shell can send a vote before it is durable by accident (etcd's `Ready`
/// states the same rule in a comment; here the type enforces it).
public struct Output: Sendable {
    /// The hard state to make durable, when this input changed it.
    public internal(set) var hardState: HardState?
    var pendingMessages: [Envelope] = []
    /// Decisions to log and publish, after the messages were handed over.
    public internal(set) var events: [Event] = []

    init() {}

    /// Persists (when needed) and then returns the messages to send. When `persist` throws, no
    /// message is returned: a vote or campaign that is not durable must not leave the process.
    public func messages(afterPersisting persist: (HardState) throws -> Void) rethrows -> [Envelope] {
        if let hardState { try persist(hardState) }
        return pendingMessages
    }

    /// The messages without persisting, for the simulator's `sendBeforePersist` mutation only.
    package var messagesIgnoringPersistence: [Envelope] { pendingMessages }

    /// How many messages wait behind the persist step.
    public var messageCount: Int { pendingMessages.count }

    /// True when there is nothing to do.
    public var isEmpty: Bool { hardState == nil && pendingMessages.isEmpty && events.isEmpty }

    mutating func send(_ message: Message, from: NodeID, to: NodeID) {
        pendingMessages.append(Envelope(from: from, to: to, message: message))
    }

    mutating func record(_ event: Event) { events.append(event) }

    mutating func persist(_ state: HardState) { hardState = state }
}
