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

    /// A follower is caught up when it acknowledged the newest round or the one before it: it is
    /// alive and connected, and (Tenure has no log) nothing else can make it unfit to lead.
    func chooseTransferTarget(_ requested: NodeID?) -> Result<NodeID, TransferRejection> {
        guard let leadership else { return .failure(TransferRejection(reason: "\(id) is not the leader")) }
        let threshold = leadership.round > 0 ? leadership.round - 1 : 0
        func caughtUp(_ peer: NodeID) -> Bool {
            let acknowledged = leadership.acknowledgedRound[peer, default: 0]
            return acknowledged > 0 && acknowledged >= threshold
        }
        if let requested {
            guard configuration.voters.contains(requested) else {
                return .failure(TransferRejection(reason: "\(requested) is not a voter of this cluster"))
            }
            guard requested != id else { return .failure(TransferRejection(reason: "\(id) is already the leader")) }
            guard caughtUp(requested) else {
                return .failure(TransferRejection(reason: "\(requested) has not acknowledged a recent heartbeat"))
            }
            return .success(requested)
        }
        let candidates = configuration.peers.filter(caughtUp)
        guard let best = candidates.max(by: { lhs, rhs in
            let left = leadership.acknowledgedRound[lhs, default: 0], right = leadership.acknowledgedRound[rhs, default: 0]
            return left != right ? left < right : lhs > rhs
        }) else {
            return .failure(TransferRejection(reason: "no follower has acknowledged a recent heartbeat"))
        }
        return .success(best)
    }
}
