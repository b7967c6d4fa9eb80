/// Everything nodes say to each other. Raft without a log: votes and heartbeats only.
///
/// Every message carries the sender's term; the core applies the term rules once, before it
/// dispatches by role (thesis 3.3, as etcd-io/raft does in `Step`).
public enum Message: Hashable, Sendable {
    /// A request for a vote (thesis 3.4) or, with `preVote`, for a promise to vote (thesis 9.6).
    case requestVote(RequestVote)
    /// The answer to `requestVote`.
    case voteResponse(VoteResponse)
    /// The leader's AppendEntries-style heartbeat, numbered by round so acknowledgements can
    /// name the round they answer and the lease can be measured from its send time (thesis 6.4.1).
    case heartbeat(Heartbeat)
    /// A follower's acknowledgement of one heartbeat round.
    case heartbeatResponse(HeartbeatResponse)
    /// The leader's order to a chosen follower to start an election at once (thesis 3.10).
    case timeoutNow(TimeoutNow)

    /// The term the sender had (or, for a pre-vote, proposes).
    public var term: UInt64 {
        switch self {
        case .requestVote(let request): request.term
        case .voteResponse(let response): response.term
        case .heartbeat(let heartbeat): heartbeat.term
        case .heartbeatResponse(let response): response.term
        case .timeoutNow(let order): order.term
        }
    }

    /// A short name for logs and metrics.
    public var kindName: String {
        switch self {
        case .requestVote(let request): request.preVote ? "pre_vote_request" : "vote_request"
        case .voteResponse(let response): response.preVote ? "pre_vote_response" : "vote_response"
        case .heartbeat(let heartbeat): heartbeat.beat ? "beat" : "heartbeat"
        case .heartbeatResponse(let response): response.beat ? "beat_response" : "heartbeat_response"
        case .timeoutNow: "timeout_now"
        }
    }
}

public struct RequestVote: Hashable, Sendable {
    /// For a pre-vote: the term the candidate would campaign in (its current term + 1),
    /// which it has not adopted. For a vote: the candidate's new current term.
    public var term: UInt64
    public var preVote: Bool
    /// Set when the election was ordered by the leader with TimeoutNow: voters then skip the
    /// stickiness check, which is safe because that leader gave up its lease first.
    public var leadershipTransfer: Bool
    /// The candidate's newest membership entry: a voter whose own is more up to date refuses
    /// (thesis 4.2, with the election restriction of 3.6.1), so a winner holds every committed change.
    public var membershipTerm: UInt64
    public var membershipIndex: UInt64
    /// The candidate campaigns early because its leader's process is gone (a refused
    /// connection). Voters do not act on it (only a simulator mutation does); it is there for
    /// the trace and the logs.
    public var leaderGone: Bool

    public init(term: UInt64, preVote: Bool, leadershipTransfer: Bool = false, membershipTerm: UInt64 = 0, membershipIndex: UInt64 = 0,
                leaderGone: Bool = false) {
        self.term = term
        self.preVote = preVote
        self.leadershipTransfer = leadershipTransfer
        self.membershipTerm = membershipTerm
        self.membershipIndex = membershipIndex
        self.leaderGone = leaderGone
    }
}

public struct VoteResponse: Hashable, Sendable {
    /// The voter's term; for a granted pre-vote, the term of the request it answers.
    public var term: UInt64
    public var preVote: Bool
    public var granted: Bool

    public init(term: UInt64, preVote: Bool, granted: Bool) {
        self.term = term
        self.preVote = preVote
        self.granted = granted
    }
}

public struct Heartbeat: Hashable, Sendable {
    public var term: UInt64
    /// Strictly increasing within one leadership; starts at 1.
    public var round: UInt64
    /// The leader's newest membership entry, named by (term, index); the whole entry rides along
    /// until the follower acknowledges it has stored it.
    public var membershipTerm: UInt64
    public var membershipIndex: UInt64
    public var membership: MembershipConfiguration?
    /// The newest entry a majority of its configuration stored.
    public var committedIndex: UInt64
    /// A beat: a round between (and beside) the full heartbeats, which the shell carries as a
    /// datagram so that no lost segment on the peer connection holds it back. It never carries
    /// the membership entry; everything else it says is a heartbeat's.
    public var beat: Bool

    public init(term: UInt64, round: UInt64, membershipTerm: UInt64 = 0, membershipIndex: UInt64 = 0,
                membership: MembershipConfiguration? = nil, committedIndex: UInt64 = 0, beat: Bool = false) {
        precondition(!beat || membership == nil, "a beat never carries the membership entry")
        self.term = term
        self.round = round
        self.membershipTerm = membership?.term ?? membershipTerm
        self.membershipIndex = membership?.index ?? membershipIndex
        self.membership = membership
        self.committedIndex = committedIndex
        self.beat = beat
    }
}

public struct HeartbeatResponse: Hashable, Sendable {
    public var term: UInt64
    /// The round acknowledged; meaningful only when `accepted`.
    public var round: UInt64
    /// False when the sender of the heartbeat was behind (a stale leader); `term` then tells it the
    /// newer term so it steps down.
    public var accepted: Bool
    /// The follower's application health: a leader hands over only to a healthy follower.
    public var healthy: Bool
    /// The membership entry the follower has stored, after handling this heartbeat.
    public var membershipTerm: UInt64
    public var membershipIndex: UInt64
    /// The answer to a beat: the shell carries it back as a datagram too.
    public var beat: Bool

    public init(term: UInt64, round: UInt64, accepted: Bool, healthy: Bool = true, membershipTerm: UInt64 = 0, membershipIndex: UInt64 = 0,
                beat: Bool = false) {
        self.term = term
        self.round = round
        self.accepted = accepted
        self.healthy = healthy
        self.membershipTerm = membershipTerm
        self.membershipIndex = membershipIndex
        self.beat = beat
    }
}

public struct TimeoutNow: Hashable, Sendable {
    public var term: UInt64

    public init(term: UInt64) { self.term = term }
}

/// A message with its sender and recipient: what the shell carries between nodes.
public struct Envelope: Hashable, Sendable, CustomStringConvertible {
    public var from: NodeID
    public var to: NodeID
    public var message: Message

    public init(from: NodeID, to: NodeID, message: Message) {
        self.from = from
        self.to = to
        self.message = message
    }

    public var description: String { "\(from)->\(to) \(message.kindName) t\(message.term)" }
}
