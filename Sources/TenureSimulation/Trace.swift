import TenureCore

/// Why a message did not arrive.
enum DropReason: String {
    case partition = "partition"
    case loss = "loss"
    case recipientDown = "recipient down"
}

/// One step of a run, stored as plain values and formatted only when someone reads it.
///
/// Formatting a line per step would cost more than the simulation itself; recording small
/// values and formatting on demand keeps the ring buffer nearly free.
enum TraceEntry {
    case sent(from: Int, to: Int, message: Message, delay: Int64, duplicate: Bool)
    case dropped(from: Int, to: Int, message: Message, reason: DropReason)
    case delivered(from: Int, to: Int, message: Message)
    case held(from: Int, to: Int, message: Message)
    case roleChanged(node: Int, role: Role, term: UInt64, reason: RoleChangeReason)
    case termChanged(node: Int, from: UInt64, to: UInt64, cause: TermChangeCause)
    case leaderChanged(node: Int, leader: Int?, term: UInt64)
    case electionStarted(node: Int, term: UInt64, preVote: Bool, transfer: Bool)
    case voteDecided(node: Int, candidate: Int, term: UInt64, preVote: Bool, granted: Bool, reason: VoteReason)
    case leaseExtended(node: Int, term: UInt64, realExpiry: Int64, acquired: Bool)
    case leaseLost(node: Int, term: UInt64, reason: LeaseLossReason)
    case transfer(node: Int, term: UInt64, target: Int, abandoned: Bool)
    case durable(node: Int, term: UInt64, vote: Int?)
    case crashed(node: Int, lostWrites: Int, lostMessages: Int)
    case restarted(node: Int, term: UInt64, vote: Int?)
    case paused(node: Int, until: Int64)
    case resumed(node: Int, heldDeliveries: Int)
    case fault(String)
    /// Context that is neither a fault nor a step: clock rates, liveness milestones.
    case note(String)
    case violation(SimulationViolationKind, String)
}

/// The run's memory of what happened: a ring buffer of the last lines for violation reports,
/// and, when asked for, every line.
struct TraceRecorder {
    static let ringCapacity = 60

    private var ring: [(time: Int64, entry: TraceEntry)] = []
    private var ringNext = 0
    private(set) var full: [(time: Int64, entry: TraceEntry)] = []
    let recordsFull: Bool

    init(recordsFull: Bool) {
        self.recordsFull = recordsFull
        ring.reserveCapacity(Self.ringCapacity)
    }

    /// Records `entry`. Routine entries (heartbeat traffic, lease renewals) go to the full trace
    /// only, so the ring buffer keeps the last elections, faults and losses rather than the
    /// last half second of heartbeats.
    @inline(__always)
    mutating func record(_ value: TraceEntry, at time: Int64, routine: Bool = false) {
        if routine && !recordsFull { return }
        if recordsFull { full.append((time, value)) }
        if routine { return }
        if ring.count < Self.ringCapacity {
            ring.append((time, value))
        } else {
            ring[ringNext] = (time, value)
        }
        ringNext = (ringNext + 1) % Self.ringCapacity
    }

    /// The ring buffer's lines, oldest first.
    func recentLines() -> [String] {
        let ordered = ring.count < Self.ringCapacity ? ring : Array(ring[ringNext...] + ring[..<ringNext])
        return ordered.map { formatTraceLine(time: $0.time, entry: $0.entry) }
    }

    func fullLines() -> [String] { full.map { formatTraceLine(time: $0.time, entry: $0.entry) } }
}

/// `t=12.345s n2 leader term 7 (election_won)` and the like.
func formatTraceLine(time: Int64, entry: TraceEntry) -> String {
    "t=\(formatSeconds(time)) " + describe(entry)
}

private func name(_ node: Int) -> String { "n\(node + 1)" }

private func describe(_ message: Message) -> String {
    switch message {
    case .requestVote(let request):
        return "\(request.preVote ? "pre_vote_request" : "vote_request") t\(request.term)\(request.leadershipTransfer ? " transfer" : "")"
    case .voteResponse(let response):
        return "\(response.preVote ? "pre_vote_response" : "vote_response") t\(response.term) \(response.granted ? "granted" : "denied")"
    case .heartbeat(let heartbeat):
        return "heartbeat t\(heartbeat.term) r\(heartbeat.round)"
    case .heartbeatResponse(let response):
        return "heartbeat_response t\(response.term) r\(response.round) \(response.accepted ? "ok" : "rejected")"
    case .timeoutNow(let order):
        return "timeout_now t\(order.term)"
    }
}

private func describe(_ entry: TraceEntry) -> String {
    switch entry {
    case .sent(let from, let to, let message, let delay, let duplicate):
        return "\(name(from))->\(name(to)) \(describe(message)) \(duplicate ? "duplicated" : "sent"), arrives in \(formatMilliseconds(delay))"
    case .dropped(let from, let to, let message, let reason):
        return "\(name(from))->\(name(to)) \(describe(message)) dropped (\(reason.rawValue))"
    case .delivered(let from, let to, let message):
        return "\(name(from))->\(name(to)) \(describe(message)) delivered"
    case .held(let from, let to, let message):
        return "\(name(from))->\(name(to)) \(describe(message)) queued (recipient paused)"
    case .roleChanged(let node, let role, let term, let reason):
        return "\(name(node)) \(role.rawValue) term \(term) (\(reason.rawValue))"
    case .termChanged(let node, let from, let to, let cause):
        return "\(name(node)) term \(from) -> \(to) (\(cause.rawValue))"
    case .leaderChanged(let node, let leader, let term):
        return leader.map { "\(name(node)) follows \(name($0)) in term \(term)" } ?? "\(name(node)) knows no leader in term \(term)"
    case .electionStarted(let node, let term, let preVote, let transfer):
        return "\(name(node)) starts \(preVote ? "pre-vote" : "election") for term \(term)\(transfer ? " (transfer)" : "")"
    case .voteDecided(let node, let candidate, let term, let preVote, let granted, let reason):
        let what = preVote ? "pre-vote" : "vote"
        return granted ? "\(name(node)) grants \(what) to \(name(candidate)) in term \(term)"
            : "\(name(node)) refuses \(what) to \(name(candidate)) in term \(term) (\(reason.rawValue))"
    case .leaseExtended(let node, let term, let realExpiry, let acquired):
        return "\(name(node)) lease \(acquired ? "acquired" : "extended") term \(term) until t=\(formatSeconds(realExpiry))"
    case .leaseLost(let node, let term, let reason):
        return "\(name(node)) lease lost term \(term) (\(reason.rawValue))"
    case .transfer(let node, let term, let target, let abandoned):
        return "\(name(node)) \(abandoned ? "abandons transfer" : "transfers leadership") to \(name(target)) in term \(term)"
    case .durable(let node, let term, let vote):
        return "\(name(node)) durable: term \(term), vote \(vote.map(name) ?? "none")"
    case .crashed(let node, let lostWrites, let lostMessages):
        return "CRASH \(name(node)) (lost \(lostWrites) unsynced write(s), \(lostMessages) unsent message(s))"
    case .restarted(let node, let term, let vote):
        return "RESTART \(name(node)) from disk: term \(term), vote \(vote.map(name) ?? "none")"
    case .paused(let node, let until):
        return "PAUSE \(name(node)) until t=\(formatSeconds(until))"
    case .resumed(let node, let heldDeliveries):
        return "RESUME \(name(node)) (\(heldDeliveries) queued deliveries)"
    case .fault(let description):
        return "FAULT \(description)"
    case .note(let text):
        return text
    case .violation(let kind, let message):
        return "VIOLATION \(kind.rawValue): \(message)"
    }
}
