/// The answer to an operator's transfer or resign command.
public enum LeadershipCommandOutcome: Hashable, Sendable {
    /// TimeoutNow went to `target`; the lease was given up first.
    case transferStarted(target: NodeID)
    /// The node stepped down; `handedTo` was told to campaign at once, when a peer was caught up.
    case resigned(handedTo: NodeID?)
    case notLeader(leader: NodeID?)
    case alreadyTransferring(target: NodeID)
    /// The requested or any target cannot take over now; the reason says why.
    case rejected(String)
}

extension ElectionCore {
    /// Hands leadership to `requested`, or to the most caught-up follower (thesis 3.10). The
    /// lease is given up before TimeoutNow is sent, because the target's election skips the
    /// voters' stickiness. If the target has not won within `electionTimeoutMin`, this node
    /// steps down rather than lead on without a lease.
    public mutating func transferLeadership(to requested: NodeID?, at instant: Instant) -> (LeadershipCommandOutcome, Output) {
        begin(at: instant)
        var output = Output()
        defer { checkInvariants() }
        expireLeaseIfDue(into: &output)
        guard let leadership else { return (.notLeader(leader: leader), output) }
        if let transfer = leadership.transfer { return (.alreadyTransferring(target: transfer.target), output) }
        let target: NodeID
        switch chooseTransferTarget(requested) {
        case .success(let chosen): target = chosen
        case .failure(let rejection): return (.rejected(rejection.reason), output)
        }
        relinquishLease(reason: .transfer, into: &output)
        self.leadership?.transfer = (target: target, deadline: now + configuration.electionTimeoutMin)
        output.record(.transferStarted(term: term, target: target))
        output.send(.timeoutNow(TimeoutNow(term: term)), from: id, to: target)
        return (.transferStarted(target: target), output)
    }

    /// Steps down now, first telling the most caught-up follower, if any, to campaign at once.
    /// Used by `POST /v1/resign` and on SIGTERM.
    public mutating func resign(at instant: Instant) -> (LeadershipCommandOutcome, Output) {
        begin(at: instant)
        var output = Output()
        defer { checkInvariants() }
        guard leadership != nil else { return (.notLeader(leader: leader), output) }
        expireLeaseIfDue(into: &output)
        relinquishLease(reason: .resign, into: &output)
        var handedTo: NodeID?
        if case .success(let target) = chooseTransferTarget(nil) {
            handedTo = target
            output.record(.transferStarted(term: term, target: target))
            output.send(.timeoutNow(TimeoutNow(term: term)), from: id, to: target)
        }
        stepDown(reason: .resign, into: &output)
        return (.resigned(handedTo: handedTo), output)
    }

    struct TransferRejection: Error { var reason: String }

    /// A follower is caught up when it acknowledged a round of the last heartbeat interval (the
    /// newest round or the one before it, without beats): it is alive and connected, and (Tenure
    /// has no log) nothing else can make it unfit to lead.
    func chooseTransferTarget(_ requested: NodeID?) -> Result<NodeID, TransferRejection> {
        guard let leadership else { return .failure(TransferRejection(reason: "\(id) is not the leader")) }
        let behind = configuration.roundsPerHeartbeat
        let threshold = leadership.round > behind ? leadership.round - behind : 0
        func caughtUp(_ peer: NodeID) -> Bool {
            let acknowledged = leadership.acknowledgedRound[peer, default: 0]
            return acknowledged > 0 && acknowledged >= threshold
        }
        if let requested {
            guard membership.isVoter(requested) else {
                return .failure(TransferRejection(reason: "\(requested) is not a voter of this cluster"))
            }
            guard requested != id else { return .failure(TransferRejection(reason: "\(id) is already the leader")) }
            guard caughtUp(requested) else {
                return .failure(TransferRejection(reason: "\(requested) has not acknowledged a recent heartbeat"))
            }
            guard !leadership.unhealthyPeers.contains(requested) else {
                return .failure(TransferRejection(reason: "\(requested) reports its application unhealthy"))
            }
            return .success(requested)
        }
        var candidates = peerVoters.filter { caughtUp($0) && !leadership.unhealthyPeers.contains($0) }
        // Prefer a follower whose acknowledgements are not overdue (φ below the suspicion threshold).
        let trusted = candidates.filter { (phi(of: $0, at: now) ?? 0) < PhiAccrualDetector.suspicionThreshold }
        if !trusted.isEmpty { candidates = trusted }
        guard let best = candidates.max(by: { lhs, rhs in
            let left = leadership.acknowledgedRound[lhs, default: 0], right = leadership.acknowledgedRound[rhs, default: 0]
            return left != right ? left < right : lhs > rhs
        }) else {
            return .failure(TransferRejection(reason: "no healthy follower has acknowledged a recent heartbeat"))
        }
        return .success(best)
    }
}

extension ElectionCore {
    /// How long a node waits, after starting and after becoming leader, before any voluntary
    /// handover for health: the maximum election timeout, so a node that just came up or just
    /// won cannot flap leadership on its first failed check.
    public var healthHandoverDelay: Interval { configuration.electionTimeoutMax }

    /// The shell reports the application's health (its checks, with their rise/fall hysteresis,
    /// or the application's own push). Health only makes a node step aside or not try; it never
    /// lets a voter grant earlier than its own clock allows (docs/lease.md, "Safety never depends
    /// on a hint").
    public mutating func updateHealth(_ healthy: Bool, at instant: Instant) -> Output {
        begin(at: instant)
        var output = Output()
        defer { checkInvariants() }
        expireLeaseIfDue(into: &output)
        self.healthy = healthy
        handOverIfUnhealthy(into: &output)
        return output
    }

    /// An unhealthy leader past its startup grace and minimum time in office hands leadership to
    /// the most caught-up healthy follower; with none, it stays leader (and says so in status).
    /// There is no failback: a healthy node never takes leadership back on its own.
    mutating func handOverIfUnhealthy(into output: inout Output) {
        guard !healthy, let leadership, leadership.transfer == nil,
              now >= startedAt + healthHandoverDelay, now >= leadership.startedAt + healthHandoverDelay,
              case .success(let target) = chooseTransferTarget(nil) else { return }
        relinquishLease(reason: .transfer, into: &output)
        self.leadership?.transfer = (target: target, deadline: now + configuration.electionTimeoutMin)
        output.record(.transferStarted(term: term, target: target))
        output.send(.timeoutNow(TimeoutNow(term: term)), from: id, to: target)
    }

    /// Followers whose latest acknowledgement reported their application unhealthy (leader only).
    public var unhealthyPeers: Set<NodeID> { leadership?.unhealthyPeers ?? [] }

    /// True when this node is an unhealthy leader that has no healthy follower to hand over to.
    public var unhealthyWithoutSuccessor: Bool {
        guard !healthy, leadership != nil else { return false }
        if case .success = chooseTransferTarget(nil) { return false }
        return true
    }
}

extension ElectionCore {
    /// Proposes one single-server change (thesis 4.2): at most one voter added or removed per
    /// entry, a new change only once the previous entry is committed, and only after this leader
    /// committed an entry of its own term (thesis 4.2.3). The entry is stored (durably, before
    /// the heartbeats that carry it) and travels on the heartbeat path.
    public mutating func proposeMembershipChange(_ change: MembershipChange, at instant: Instant) -> (MembershipChangeOutcome, Output) {
        begin(at: instant)
        var output = Output()
        defer { checkInvariants() }
        expireLeaseIfDue(into: &output)
        guard let leadership, leadership.transfer == nil else { return (.notLeader(leader: leadership == nil ? leader : nil), output) }
        let latest = membership
        if !configuration.mutations.allowConcurrentMembershipChanges {
            guard latest.term == term else {
                // A leader must commit an entry of its own term before its first change (the
                // thesis's correction to single-server changes, 4.2.3). Tenure has no log, so the
                // entry restates the configuration; committing it commits every earlier one.
                self.leadership?.restatingIndex = latest.index + 1
                storeMembership(MembershipConfiguration(index: latest.index + 1, term: term, members: latest.members), into: &output)
                return (.preparing("\(id) first commits configuration \(membership.index) of its term \(term); retry shortly"), output)
            }
            guard committedIndex >= latest.index else {
                // The leader's own restating entry still committing is no conflict: retry.
                if latest.index == leadership.restatingIndex {
                    return (.preparing("configuration \(latest.index) of term \(term) is committing; retry shortly"), output)
                }
                return (.inProgress("configuration \(latest.index) is not committed yet"), output)
            }
        }
        if case .remove(let removed) = change, removed == id, latest.voters.count <= 2 {
            // Of two voters, the other alone would form the new configuration; if this leader
            // stored the removal and then failed before the other did, the other could never win
            // (this node, outside its own newest configuration, neither campaigns nor votes for an
            // older one). Hand leadership over first; the new leader removes this node safely.
            return (.rejected("\(id) leads a two-voter configuration: transfer leadership first (tenure transfer), then remove it"), output)
        }
        switch latest.applying(change) {
        case .failure(let rejection):
            return (.rejected(rejection.reason), output)
        case .success(let members):
            storeMembership(MembershipConfiguration(index: latest.index + 1, term: term, members: members), into: &output)
            return (.proposed(membership), output)
        }
    }
}
