@testable import TenureCore

// Shared vocabulary of the core tests: node names, the default timings, explicit message
// constructors and a few set-ups that several suites start from. Every helper drives the core
// through its public entry points with explicit instants, never through internal state.

let n1: NodeID = "n1"
let n2: NodeID = "n2"
let n3: NodeID = "n3"
let n4: NodeID = "n4"
let n5: NodeID = "n5"
let threeVoters: [NodeID] = [n1, n2, n3]
let fiveVoters: [NodeID] = [n1, n2, n3, n4, n5]

/// The default timings, spelled out so that expectations read as numbers.
let heartbeatInterval = Interval.milliseconds(100)
let electionTimeoutMin = Interval.milliseconds(1000)
let electionTimeoutMax = Interval.milliseconds(1100)
/// Three heartbeat intervals (well under the longest safe lease, 930.198019 ms).
let defaultLeaseDuration = Interval.milliseconds(300)
/// `1000 ms * 0.99 / 1.01 - 50 ms`, truncated to whole nanoseconds.
let longestSafeLease = Interval(nanoseconds: 930_198_019)
/// `300 ms * 1.01 / 0.99 + 50 ms`, rounded up to whole nanoseconds: how long a voter refuses
/// votes after the last heartbeat it accepted.
let defaultStickinessWindow = Interval(nanoseconds: 356_060_607)

extension Instant {
    static func milliseconds(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }
}

/// The paper's model: one round per heartbeat interval, no beats (the rule tests state each
/// rule in it). Beats have tests of their own (`BeatTests`).
func configuration(_ id: NodeID = n1, voters: [NodeID] = threeVoters, beatsPerHeartbeat: Int = 0) -> Configuration {
    Configuration(id: id, voters: voters, beatsPerHeartbeat: beatsPerHeartbeat)
}

/// A core that starts at `startedAt` with the default timings.
func makeCore(_ id: NodeID = n1, voters: [NodeID] = threeVoters, hardState: HardState = .initial,
              startedAt: Instant = .zero, seed: UInt64 = 1, beatsPerHeartbeat: Int = 0) -> ElectionCore {
    ElectionCore(configuration: configuration(id, voters: voters, beatsPerHeartbeat: beatsPerHeartbeat), hardState: hardState,
                 now: startedAt, randomSeed: seed)
}

// MARK: - Messages

func voteRequest(term: UInt64, preVote: Bool = false, transfer: Bool = false) -> Message {
    .requestVote(RequestVote(term: term, preVote: preVote, leadershipTransfer: transfer))
}

func voteResponse(term: UInt64, preVote: Bool = false, granted: Bool = true) -> Message {
    .voteResponse(VoteResponse(term: term, preVote: preVote, granted: granted))
}

func heartbeat(term: UInt64, round: UInt64) -> Message {
    .heartbeat(Heartbeat(term: term, round: round))
}

func heartbeatResponse(term: UInt64, round: UInt64, accepted: Bool = true) -> Message {
    .heartbeatResponse(HeartbeatResponse(term: term, round: round, accepted: accepted))
}

func timeoutNow(term: UInt64) -> Message {
    .timeoutNow(TimeoutNow(term: term))
}

// MARK: - Carrying out an output

/// What the shell did with one output, in the order the output type imposes: the hard state it
/// persisted, then the messages it was handed, then the events.
struct CarriedOut {
    var persisted: [HardState] = []
    var messages: [Envelope] = []
    var events: [Event]

    init(_ output: Output) {
        var persisted: [HardState] = []
        messages = output.messages(afterPersisting: { persisted.append($0) })
        self.persisted = persisted
        events = output.events
    }

    /// The messages addressed to `node`.
    func messages(to node: NodeID) -> [Message] {
        messages.filter { $0.to == node }.map(\.message)
    }

    /// The vote decisions this output reports.
    var voteDecisions: [VoteDecision] {
        events.compactMap { event in
            if case .voteDecided(let decision) = event { return decision }
            return nil
        }
    }

    /// The role changes this output reports, as (from, to, reason).
    var roleChanges: [RoleChange] {
        events.compactMap { event in
            if case .roleChanged(let from, let to, _, let reason) = event { return RoleChange(from: from, to: to, reason: reason) }
            return nil
        }
    }

    var leaseExtensions: [Instant] {
        events.compactMap { event in
            if case .leaseExtended(_, _, _, let expiresAt, _) = event { return expiresAt }
            return nil
        }
    }

    var leaseLosses: [LeaseLossReason] {
        events.compactMap { event in
            if case .leaseLost(_, let reason) = event { return reason }
            return nil
        }
    }
}

struct RoleChange: Hashable {
    var from: Role
    var to: Role
    var reason: RoleChangeReason
}

extension ElectionCore {
    /// Delivers `message` from `sender` to this core at `instant` and carries out the output.
    mutating func deliver(_ message: Message, from sender: NodeID, at instant: Instant) -> CarriedOut {
        CarriedOut(receive(Envelope(from: sender, to: id, message: message), at: instant))
    }

    /// Advances to `instant` and carries out the output.
    mutating func tick(to instant: Instant) -> CarriedOut {
        CarriedOut(advance(to: instant))
    }
}

// MARK: - Set-ups

/// n1 wins term 1: it times out at its first deadline (after the restart embargo), and just
/// enough peers grant the pre-vote and then the vote, all at that instant. Heartbeat round 1
/// leaves at the returned instant; nobody has acknowledged it yet.
func electedLeader(voters: [NodeID] = threeVoters, seed: UInt64 = 1, beatsPerHeartbeat: Int = 0) -> (core: ElectionCore, electedAt: Instant) {
    var core = makeCore(n1, voters: voters, seed: seed, beatsPerHeartbeat: beatsPerHeartbeat)
    let electedAt = core.nextDeadline
    _ = core.advance(to: electedAt)
    let granters = core.configuration.peers.prefix(core.configuration.quorumSize - 1)
    for peer in granters {
        _ = core.receive(Envelope(from: peer, to: n1, message: voteResponse(term: 1, preVote: true)), at: electedAt)
    }
    for peer in granters {
        _ = core.receive(Envelope(from: peer, to: n1, message: voteResponse(term: 1)), at: electedAt)
    }
    precondition(core.role == .leader && core.term == 1, "set-up failed: n1 is \(core.role) in term \(core.term)")
    return (core, electedAt)
}

/// An elected n1 of a three-node cluster whose round 1 n2 acknowledged at once: it holds a
/// lease that runs until `electedAt + leaseDuration`.
func leaderWithLease(seed: UInt64 = 1) -> (core: ElectionCore, electedAt: Instant) {
    var (core, electedAt) = electedLeader(seed: seed)
    _ = core.receive(Envelope(from: n2, to: n1, message: heartbeatResponse(term: 1, round: 1)), at: electedAt)
    precondition(core.leaseExpiresAt == electedAt + defaultLeaseDuration, "set-up failed: no lease")
    return (core, electedAt)
}

/// A core `id` that follows n1 in `term`, having accepted round 1 from it at `heardAt`
/// (which must be at or after the end of its restart embargo, `electionTimeoutMin`).
func follower(_ id: NodeID = n2, voters: [NodeID] = threeVoters, term: UInt64 = 1, heardAt: Instant,
              seed: UInt64 = 1, beatsPerHeartbeat: Int = 0) -> ElectionCore {
    var core = makeCore(id, voters: voters, seed: seed, beatsPerHeartbeat: beatsPerHeartbeat)
    _ = core.receive(Envelope(from: n1, to: id, message: heartbeat(term: term, round: 1)), at: heardAt)
    precondition(core.role == .follower && core.leader == n1 && core.term == term, "set-up failed")
    return core
}
