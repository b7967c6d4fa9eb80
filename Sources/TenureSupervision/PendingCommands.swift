import TenureCore

/// Client requests answered later: a transfer or resign once a successor leads, a membership
/// change once a committed configuration reaches its goal. Each waits under the shell's own
/// ticket (the connection to answer on) until it settles or its deadline passes.
///
/// Pure, in the core's style: the shell registers a wait, feeds what the core now says with the
/// time, and carries out the settlements (answers) it gets back; `nextDeadline` is the next
/// instant a wait can time out or must propose again. Nothing here touches a socket.
public struct PendingCommands: Sendable {
    /// An operator command that changes leadership and is answered once it took effect.
    public enum LeadershipCommand: String, Sendable {
        case transfer, resign
    }

    public struct LeadershipWait: Equatable, Sendable {
        public var ticket: Int32
        public var kind: LeadershipCommand
        public var startTerm: UInt64
        public var target: NodeID?
        public var deadline: Instant
    }

    /// What a membership change waits for.
    public enum MembershipGoal: Equatable, Sendable {
        /// Done when `id` is a voter of a committed configuration.
        case voter(NodeID)
        /// Done when `id` is no member of a committed configuration.
        case absent(NodeID)
    }

    public struct MembershipWait: Equatable, Sendable {
        public var ticket: Int32
        public var change: MembershipChange
        public var goal: MembershipGoal
        public var deadline: Instant
        /// Set while the leader first commits an entry of its own term: propose again then.
        public var retryAt: Instant?
        /// The change is in an entry; only then can a committed configuration answer it.
        public var proposed = false
    }

    /// What the core says now, as far as the waits care.
    public struct View: Sendable {
        public var selfID: NodeID
        public var role: Role
        public var term: UInt64
        public var leader: NodeID?
        public var membership: MembershipConfiguration
        public var committedIndex: UInt64

        public init(selfID: NodeID, role: Role, term: UInt64, leader: NodeID?, membership: MembershipConfiguration, committedIndex: UInt64) {
            self.selfID = selfID
            self.role = role
            self.term = term
            self.leader = leader
            self.membership = membership
            self.committedIndex = committedIndex
        }
    }

    /// One answer to give, or a proposal to make again.
    public enum Settlement: Equatable, Sendable {
        /// A successor leads: the transfer or resign is done.
        case handedOver(ticket: Int32, kind: LeadershipCommand, leader: NodeID, term: UInt64)
        /// No successor in time, or the transfer ended without one.
        case handoverTimedOut(ticket: Int32, target: NodeID?, leader: NodeID?, term: UInt64)
        /// The configuration reached the change's goal and is committed.
        case membershipCommitted(ticket: Int32, index: UInt64, voters: [NodeID])
        case membershipTimedOut(ticket: Int32, index: UInt64)
        /// The leader has committed an entry of its own term by now: propose the change again
        /// and report back with `proposed`, `retry` or `settled`.
        case proposeAgain(ticket: Int32, change: MembershipChange)
    }

    /// How long a transfer or resign waits for a successor beyond the election timeout.
    public let leadershipTimeout: Interval
    /// How long a membership change waits to be committed.
    public static let membershipTimeout = Interval.seconds(15)

    public private(set) var leadership: [LeadershipWait] = []
    public private(set) var membership: [MembershipWait] = []

    /// `leadershipTimeout`: the election timeout plus a heartbeat interval, at the daemon's settings.
    public init(leadershipTimeout: Interval) {
        self.leadershipTimeout = leadershipTimeout
    }

    public var isEmpty: Bool { leadership.isEmpty && membership.isEmpty }
    /// One membership change at a time may be asked of this node.
    public var hasMembershipChange: Bool { !membership.isEmpty }

    public var nextDeadline: Instant? {
        var next: Instant?
        func consider(_ instant: Instant) { next = min(next ?? instant, instant) }
        for wait in leadership { consider(wait.deadline) }
        for wait in membership { consider(min(wait.deadline, wait.retryAt ?? wait.deadline)) }
        return next
    }

    // MARK: - Leadership

    /// A transfer or resign sent TimeoutNow to `target` in `startTerm`: answer once it leads.
    public mutating func awaitSuccessor(ticket: Int32, kind: LeadershipCommand, startTerm: UInt64, target: NodeID?, now: Instant) {
        leadership.append(LeadershipWait(ticket: ticket, kind: kind, startTerm: startTerm, target: target, deadline: now + leadershipTimeout))
    }

    // MARK: - Membership

    /// A membership change the shell is about to propose; `proposed`, `retry` or `settled`
    /// follows at once with the core's answer.
    public mutating func awaitMembership(ticket: Int32, change: MembershipChange, goal: MembershipGoal, now: Instant) {
        precondition(membership.allSatisfy { $0.ticket != ticket }, "ticket \(ticket) already waits for a membership change")
        membership.append(MembershipWait(ticket: ticket, change: change, goal: goal, deadline: now + Self.membershipTimeout))
    }

    /// The core put the change in an entry.
    public mutating func proposed(ticket: Int32) {
        guard let index = membership.firstIndex(where: { $0.ticket == ticket }) else { return }
        membership[index].proposed = true
        membership[index].retryAt = nil
    }

    /// The leader first commits an entry of its own term: propose again at `at`.
    public mutating func retry(ticket: Int32, at: Instant) {
        guard let index = membership.firstIndex(where: { $0.ticket == ticket }) else { return }
        membership[index].retryAt = at
    }

    /// The change was answered at once (refused): it waits no more.
    public mutating func settled(ticket: Int32) {
        membership.removeAll { $0.ticket == ticket }
    }

    // MARK: - Settling

    /// Every wait that can be answered now, or must propose again.
    public mutating func settle(_ view: View, at now: Instant) -> [Settlement] {
        var settlements: [Settlement] = []
        leadership.removeAll { wait in
            let successor = view.term > wait.startTerm ? view.leader : nil
            if let successor, successor != view.selfID {
                settlements.append(.handedOver(ticket: wait.ticket, kind: wait.kind, leader: successor, term: view.term))
                return true
            }
            // A transfer that ended (this node stepped down in the same term) has no successor coming.
            let abandoned = wait.kind == .transfer && view.role != .leader && view.term == wait.startTerm
            if now >= wait.deadline || abandoned {
                settlements.append(.handoverTimedOut(ticket: wait.ticket, target: wait.target, leader: view.leader, term: view.term))
                return true
            }
            return false
        }
        let committed = view.committedIndex >= view.membership.index
        membership.removeAll { wait in
            var reached: Bool
            switch wait.goal {
            case .voter(let id): reached = committed && view.membership.isVoter(id)
            case .absent(let id): reached = committed && !view.membership.contains(id)
            }
            reached = reached && wait.proposed
            if reached {
                settlements.append(.membershipCommitted(ticket: wait.ticket, index: view.membership.index, voters: view.membership.voters))
                return true
            }
            if now >= wait.deadline {
                settlements.append(.membershipTimedOut(ticket: wait.ticket, index: view.membership.index))
                return true
            }
            return false
        }
        for index in membership.indices {
            if let retryAt = membership[index].retryAt, now >= retryAt {
                membership[index].retryAt = nil
                settlements.append(.proposeAgain(ticket: membership[index].ticket, change: membership[index].change))
            }
        }
        return settlements
    }

    /// The shell lost the connection a wait would answer on.
    public mutating func forget(ticket: Int32) {
        leadership.removeAll { $0.ticket == ticket }
        membership.removeAll { $0.ticket == ticket }
    }
}
