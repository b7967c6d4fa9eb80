import TenureEvents
import TenureCore

/// The safety properties that the rules of docs/lease.md guarantee, as listed in docs/testing.md
/// ("Tier 2: deterministic simulation"), checked from what the cores did, after every step.
///
/// The checker reads only core state, output events and what left each node, never the cores'
/// private reasoning: a rule is broken when its consequence is visible, whatever the cause.
/// Node indices are small integers and per-node state lives in arrays, so the checks add
/// little to a step.
struct InvariantChecker {
    let nodeCount: Int
    let quorum: Int
    /// `electionTimeoutMin` on each node's own clock: how long a voter that heard a leader, or
    /// a restarted node, must refuse to vote.
    let stickinessWindowNanoseconds: Int64
    /// No message in flight is older than this; see the isolated-node check.
    let maximumMessageDelayNanoseconds: Int64

    private var leaderOfTerm: [UInt64: Int] = [:]
    /// The candidate each communicated vote went to (its own included), per voter and term:
    /// the rule the history checker applies too (TenureEvents).
    private var grantedVotes = VotesPerTermRule<Int, Int>()
    /// `durableVotes[node][term]`: every vote that ever reached the node's disk.
    private var durableVotes: [[UInt64: Int]]
    /// The highest term each node has claimed in a message that left it.
    private var maximumSentTerm: [UInt64]
    private var lastDurableTerm: [UInt64]
    /// The core's term after its previous step, within one incarnation.
    private var lastObservedTerm: [UInt64]
    private(set) var leases: LeaseLedger

    /// Violations found since the simulator last collected them.
    var found: [(kind: SimulationViolationKind, message: String)] = []

    init(nodeCount: Int, quorum: Int, stickinessWindowNanoseconds: Int64, maximumMessageDelayNanoseconds: Int64) {
        self.nodeCount = nodeCount
        self.quorum = quorum
        self.stickinessWindowNanoseconds = stickinessWindowNanoseconds
        self.maximumMessageDelayNanoseconds = maximumMessageDelayNanoseconds
        durableVotes = Array(repeating: [:], count: nodeCount)
        maximumSentTerm = Array(repeating: 0, count: nodeCount)
        lastDurableTerm = Array(repeating: 0, count: nodeCount)
        lastObservedTerm = Array(repeating: 0, count: nodeCount)
        leases = LeaseLedger(nodeCount: nodeCount)
    }

    private mutating func violation(_ kind: SimulationViolationKind, _ message: String) {
        found.append((kind, message))
    }

    // MARK: Terms

    /// After every step of a node: its term never goes down within one incarnation.
    @inline(__always)
    mutating func observeTerm(node: Int, term: UInt64) {
        if term < lastObservedTerm[node] {
            violation(.termRegression, "n\(node + 1)'s term went from \(lastObservedTerm[node]) down to \(term) without a restart")
        }
        lastObservedTerm[node] = term
    }

    /// A message left `node`: remember the highest term it claimed. A pre-vote request proposes
    /// the sender's term + 1 without adopting it, and a granted pre-vote echoes the candidate's
    /// proposed term, so neither claims a term of the sender.
    @inline(__always)
    mutating func noteSent(_ message: Message, by node: Int) {
        let claimed: UInt64
        switch message {
        case .requestVote(let request): claimed = request.preVote ? request.term - 1 : request.term
        case .voteResponse(let response) where response.preVote && response.granted: return
        default: claimed = message.term
        }
        if claimed > maximumSentTerm[node] { maximumSentTerm[node] = claimed }
    }

    /// A write reached the disk: durable terms never go down, and the disk never holds two
    /// different votes for one term.
    mutating func durable(node: Int, state: HardState) {
        if state.term < lastDurableTerm[node] {
            violation(.termRegression, "n\(node + 1) made term \(state.term) durable after term \(lastDurableTerm[node])")
        }
        lastDurableTerm[node] = state.term
        if let vote = state.votedFor {
            let candidate = nodeIndex(vote)
            if let earlier = durableVotes[node][state.term], earlier != candidate {
                violation(.doubleVote, "n\(node + 1)'s disk held a vote for n\(earlier + 1) and later for n\(candidate + 1) in term \(state.term)")
            }
            durableVotes[node][state.term] = candidate
        }
    }

    /// A node restarted from disk: it must not have forgotten a term it told others about.
    mutating func restarted(node: Int, state: HardState) {
        if state.term < maximumSentTerm[node] {
            violation(.termRegression, "n\(node + 1) restarted in term \(state.term) from disk, but had sent messages in term \(maximumSentTerm[node]) before its crash")
        }
        lastObservedTerm[node] = state.term
    }

    // MARK: Votes and leaders

    /// A vote left `voter` (a granted vote response, or a candidate's requests carrying its vote
    /// for itself): one candidate per term per voter, across restarts.
    mutating func recordVote(voter: Int, term: UInt64, candidate: Int) {
        if let earlier = grantedVotes.record(voter: voter, term: term, candidate: candidate) {
            violation(.doubleVote, "n\(voter + 1) voted for n\(earlier + 1) and for n\(candidate + 1) in term \(term)")
        }
    }

    /// `node` became leader of `term`: nobody else led that term, and a majority voted for it.
    mutating func becameLeader(node: Int, term: UInt64, voters: Set<Int>? = nil, quorum membershipQuorum: Int? = nil) {
        let quorum = membershipQuorum ?? self.quorum
        if let other = leaderOfTerm[term], other != node {
            violation(.twoLeadersInTerm, "n\(node + 1) became leader of term \(term), which n\(other + 1) already led")
        } else {
            leaderOfTerm[term] = node
        }
        var votes = 0
        for voter in 0..<nodeCount where (voters?.contains(voter) ?? true) && grantedVotes.candidate(of: voter, in: term) == node { votes += 1 }
        // A candidate's vote for itself leaves with its first request; a single voter sends none,
        // so its own vote counts once it is recorded in memory (the write is checked elsewhere).
        if voters?.contains(node) == true, grantedVotes.candidate(of: node, in: term) == nil { votes += 1 }
        if votes < quorum {
            violation(.leaderWithoutMajority, "n\(node + 1) became leader of term \(term) with \(votes) communicated vote(s), fewer than the quorum \(quorum)")
        }
    }

    // MARK: Pre-Vote

    /// `node` raised its term by campaigning. If it has been cut off from every peer, both ways,
    /// for longer than any message can be in flight (counting from its last resume, when it
    /// processed the deliveries queued while paused), nothing it heard can justify that: only
    /// a node without Pre-Vote does it (thesis 9.6).
    mutating func campaigned(node: Int, term: UInt64, now: Int64, isolatedSince: Int64?, lastResumeAt: Int64) {
        guard let isolatedSince else { return }
        let cutOffSince = max(isolatedSince, lastResumeAt)
        guard now - cutOffSince > maximumMessageDelayNanoseconds else { return }
        violation(.isolatedTermIncrease, "n\(node + 1) campaigned in term \(term) although it has been cut off from every peer since t=\(formatSeconds(isolatedSince)), longer than the maximum message delay \(formatMilliseconds(maximumMessageDelayNanoseconds))")
    }

    // MARK: Leases

    /// `node`'s lease of `term` began or grew; it is valid for real instants `< realEnd`.
    mutating func leaseExtended(node: Int, term: UInt64, now: Int64, realEnd: Int64, acquired: Bool) {
        if let overlap = leases.extend(node: node, term: term, now: now, realEnd: realEnd, acquired: acquired) {
            violation(.leaseOverlap, "n\(node + 1)'s lease of term \(term) [t=\(formatSeconds(overlap.new.start)), t=\(formatSeconds(overlap.new.end))) overlaps n\(overlap.other.node + 1)'s lease of term \(overlap.other.term) [t=\(formatSeconds(overlap.other.start)), t=\(formatSeconds(overlap.other.end))) by \(formatMilliseconds(overlap.length)) of real time")
        }
    }

    mutating func leaseEnded(node: Int, now: Int64) { leases.end(node: node, now: now) }

    /// The lease just extended to `realEnd` must end before a quorum could vote for anyone
    /// else: every node counts that cannot vote until then (it heard a leader, or restarted,
    /// less than `electionTimeoutMin` ago on its own clock, or is down and will restart under
    /// the embargo), and the leader itself counts. This is the premise of thesis 6.4.1; the
    /// overlap check sees its failure only when an election happens to race the lease.
    mutating func checkLeaseCoverage(leader: Int, term: UInt64, realEnd: Int64, nodes: [SimulatedNode],
                                     voters: Set<Int>? = nil, quorum membershipQuorum: Int? = nil) {
        let quorum = membershipQuorum ?? self.quorum
        // The leader counts itself only while it votes in its configuration (a removed leader does not).
        var covering = voters.map { $0.contains(leader) ? 1 : 0 } ?? 1
        for index in nodes.indices where index != leader && (voters?.contains(index) ?? true) {
            let node = nodes[index]
            guard let core = node.core else {
                covering += 1 // Down: it will restart under the embargo, after the lease ends.
                continue
            }
            var refusesUntil = core.startedAt.nanoseconds + stickinessWindowNanoseconds
            if let heard = core.lastHeartbeatAt { refusesUntil = max(refusesUntil, heard.nanoseconds + stickinessWindowNanoseconds) }
            if node.clock.realTime(reaching: refusesUntil) >= realEnd { covering += 1 }
        }
        // Broken when the voters not bound could form a majority on their own (for an odd
        // number of voters that is "fewer than a quorum bound"; for an even number, half suffice).
        let voterCount = voters?.count ?? nodeCount
        if voterCount - covering >= quorum {
            violation(.leaseBeyondQuorumPromise, "n\(leader + 1)'s lease of term \(term) runs until t=\(formatSeconds(realEnd)), but only \(covering) of \(voterCount) voter(s) are bound not to vote until then: the other \(voterCount - covering) could elect a leader (quorum \(quorum))")
        }
    }
}

/// Every lease as an interval of real time, to find leases of different terms that overlap.
///
/// A lease is claimed from the real instant the leader acquired it until its expiry converted
/// to real time through the leader's clock; a loss, step-down or crash truncates it at that
/// instant. Intervals that ended before now cannot overlap any later claim (an overlap with an
/// interval still open was found when the later of the two began or grew), so they are pruned.
struct LeaseLedger {
    struct Lease {
        var node: Int
        var term: UInt64
        var start: Int64
        var end: Int64
    }

    struct Overlap {
        var new: Lease
        var other: Lease
        var length: Int64
    }

    private var active: [Lease?]
    private var ended: [Lease] = []

    init(nodeCount: Int) { active = Array(repeating: nil, count: nodeCount) }

    /// The lease `node` holds, if any.
    func lease(of node: Int) -> Lease? { active[node] }

    mutating func extend(node: Int, term: UInt64, now: Int64, realEnd: Int64, acquired: Bool) -> Overlap? {
        if var current = active[node], current.term == term, !acquired {
            current.end = max(current.end, realEnd)
            active[node] = current
        } else {
            end(node: node, now: now)
            active[node] = Lease(node: node, term: term, start: now, end: realEnd)
            ended.removeAll { $0.end <= now }
        }
        guard let lease = active[node] else { return nil }
        for other in active.indices where other != node {
            if let candidate = active[other], let overlap = Self.overlap(lease, candidate) { return overlap }
        }
        for candidate in ended where candidate.node != node {
            if let overlap = Self.overlap(lease, candidate) { return overlap }
        }
        return nil
    }

    mutating func end(node: Int, now: Int64) {
        guard var lease = active[node] else { return }
        lease.end = min(lease.end, now)
        active[node] = nil
        if lease.end > lease.start { ended.append(lease) }
    }

    private static func overlap(_ lease: Lease, _ other: Lease) -> Overlap? {
        // Same term: two leaders, checked elsewhere; the rule compares different terms only.
        guard let length = LeaseOverlapRule.overlap(term: lease.term, lease.start, lease.end, term: other.term, other.start, other.end) else {
            return nil
        }
        return Overlap(new: lease, other: other, length: length)
    }
}
