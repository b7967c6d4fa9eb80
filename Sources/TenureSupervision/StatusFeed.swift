import TenureCore

/// When the node's two event streams get their next event: `/v1/watch` (one event per change of
/// leader or term, numbered) and `/v1/status/stream` (the whole status every `pushInterval` and
/// at once on a change, the history when it grew).
public struct StatusFeed: Sendable {
    /// Often enough for a lease countdown to look live (the page interpolates between events),
    /// rarely enough to cost nothing: one status document per follower per tick.
    public static let pushInterval = Interval.milliseconds(250)

    /// The (leader, term) last announced on `/v1/watch`, and that event's number.
    public private(set) var announced: (leader: NodeID?, term: UInt64)?
    public private(set) var watchSequence: UInt64 = 0
    /// When the next status event is due, events sent, and the history count last sent.
    public private(set) var nextPushAt = Instant.zero
    public private(set) var statusSequence: UInt64 = 0
    public private(set) var historyCountSent = 0
    /// Whether a status stream had a follower at the last push (or started since): lets each
    /// turn decide whether to wake for the next push without scanning every connection.
    public private(set) var followed = false

    public init() {}

    /// True when (leader, term) differs from what watchers last heard; records it and numbers
    /// the event (the shell broadcasts the watch event and pushes the status).
    public mutating func announce(leader: NodeID?, term: UInt64) -> Bool {
        if let announced, announced.leader == leader, announced.term == term { return false }
        announced = (leader, term)
        watchSequence += 1
        return true
    }

    /// A client started following the status stream.
    public mutating func streamStarted() { followed = true }

    /// What one push sends, decided at `now`.
    public struct Push: Equatable, Sendable {
        /// Nobody follows: send nothing.
        public var send: Bool
        public var includeHistory: Bool
    }

    /// A push is due (or forced by a change): reschedules the next one; `followers` is whether
    /// any connection follows the stream now, `historyCount` how many history entries exist.
    public mutating func push(followers: Bool, historyCount: Int, at now: Instant) -> Push {
        nextPushAt = now + Self.pushInterval
        followed = followers
        let grew = historyCount != historyCountSent
        historyCountSent = historyCount
        return Push(send: followers, includeHistory: followers && grew)
    }

    /// The number of the next status event.
    public mutating func nextStatusNumber() -> UInt64 {
        statusSequence += 1
        return statusSequence
    }

    /// The next push, while someone follows.
    public var nextDeadline: Instant? { followed ? nextPushAt : nil }
}
