import TenureCore

/// The simulated shell: what a real node's I/O loop does with each core output, in order.
extension Simulation {
    /// Carries out one output: persist first; the messages leave once every write issued so far
    /// is durable (a later output's messages may depend on an earlier output's term); then the
    /// events are checked and traced. With the `sendBeforePersist` mutation the messages leave
    /// at once and the write becomes durable later, so a crash in between loses what was sent.
    mutating func carryOut(_ output: Output, node: Int) {
        var votes: [CastVote] = []
        var shieldedFrom: Int?
        for event in output.events {
            switch event {
            case .voteDecided(let decision) where decision.granted && !decision.preVote:
                votes.append(CastVote(term: decision.term, candidate: nodeIndex(decision.candidate)))
            case .voteDecided(let decision) where decision.reason == .leaderIsLive:
                shieldedFrom = nodeIndex(decision.candidate)
            case .termChanged(_, let to, let cause, _) where cause == .campaign || cause == .transfer:
                votes.append(CastVote(term: to, candidate: node)) // A candidate votes for itself.
            default:
                break
            }
        }

        let messages: [Envelope]
        let sendsAtOnce: Bool
        if options.mutations.sendBeforePersist {
            messages = output.messagesIgnoringPersistence
            if let state = output.hardState { issueWrite(state, node: node) }
            sendsAtOnce = true
        } else {
            messages = output.messages(afterPersisting: { state in issueWrite(state, node: node) })
            sendsAtOnce = !nodes[node].storage.hasPendingWrites
        }
        if !messages.isEmpty || !votes.isEmpty {
            let batch = OutgoingBatch(requiredWrite: nodes[node].storage.issuedWrite, messages: messages, votes: votes)
            if sendsAtOnce {
                release(batch, from: node)
            } else {
                nodes[node].storage.hold(batch)
            }
        }

        for event in output.events { observe(event, node: node) }

        if faultsActive {
            if !votes.isEmpty && random.chance(Self.targetedCrashProbability) {
                // Between deciding and being durable: where a missing persist step shows.
                scheduleTargetedCrash(node, within: 2_000_000, downtime: random.integer(1_000_000, 1_000_000_000),
                                      reason: .votedOrCampaigned)
            } else if let campaigner = shieldedFrom, random.chance(Self.shieldCrashProbability),
                      let retry = nodes[campaigner].armedDeadline {
                // A voter shielding a live leader's lease restarts just before the campaigner's
                // next attempt: only the restart embargo keeps it from handing the campaigner
                // the vote the lease relied on.
                let downtime = random.integer(1_000_000, 10_000_000)
                let retryAt = nodes[campaigner].clock.realTime(reaching: retry)
                let crashAt = max(now, retryAt - downtime - random.integer(0, 20_000_000))
                queue.schedule(.crash(node: node, incarnation: nodes[node].incarnation, downtime: downtime,
                                      reason: .shieldedLeader), at: crashAt)
            }
        }
    }

    /// Crashes `node` within `within` nanoseconds (FoundationDB's "buggify"), unless it crashed already.
    private mutating func scheduleTargetedCrash(_ node: Int, within: Int64, downtime: Int64, reason: TargetedCrashReason) {
        let delay = random.integer(0, within)
        queue.schedule(.crash(node: node, incarnation: nodes[node].incarnation, downtime: downtime, reason: reason),
                       at: now + delay)
    }

    /// Starts an fsync of `state`; it completes after 0.2-5 ms, after any write still in flight.
    private mutating func issueWrite(_ state: HardState, node: Int) {
        let latency = random.integer(200_000, 5_000_000)
        let (write, completesAt) = nodes[node].storage.issue(state, now: now, latency: latency)
        queue.schedule(.persisted(node: node, incarnation: nodes[node].incarnation, write: write), at: completesAt)
    }

    /// An fsync finished: the state is on disk, and messages that waited for it may leave
    /// (once the process runs again, if it is stopped).
    mutating func completeWrite(_ write: UInt64, node: Int, incarnation: UInt32) {
        guard nodes[node].incarnation == incarnation else { return } // Lost in a crash.
        let state = nodes[node].storage.complete(write)
        checker.durable(node: node, state: state)
        trace.record(.durable(node: node, term: state.term, vote: state.votedFor.map(nodeIndex)), at: now)
        if nodes[node].status == .running { releaseReadyBatches(node) }
    }

    mutating func releaseReadyBatches(_ node: Int) {
        for batch in nodes[node].storage.takeReleasable() { release(batch, from: node) }
    }

    /// The batch leaves the node: its votes now count, its messages enter the network.
    private mutating func release(_ batch: OutgoingBatch, from node: Int) {
        for vote in batch.votes { checker.recordVote(voter: node, term: vote.term, candidate: vote.candidate) }
        for envelope in batch.messages { transmit(envelope.message, from: node, to: nodeIndex(envelope.to)) }
    }

    /// Puts one message on the network: a cut link or random loss drops it; otherwise it
    /// arrives after a random delay, sometimes twice.
    private mutating func transmit(_ message: Message, from: Int, to: Int) {
        statistics.messagesSent += 1
        checker.noteSent(message, by: from)
        let routine = isRoutine(message)
        if network.isBlocked(from: from, to: to) {
            statistics.messagesDropped += 1
            trace.record(.dropped(from: from, to: to, message: message, reason: .partition), at: now, routine: routine)
            return
        }
        if network.weather.streamsRetransmit && !travelsAsDatagram(message) {
            // One TCP stream per link: retransmitted after a loss, never overtaken, never duplicated.
            guard let arrival = network.streamArrival(from: from, to: to, now: now, using: &random) else {
                statistics.messagesDropped += 1
                trace.record(.dropped(from: from, to: to, message: message, reason: .loss), at: now, routine: routine)
                return
            }
            queue.schedule(.deliver(from: from, to: to, message: message), at: arrival)
            trace.record(.sent(from: from, to: to, message: message, delay: arrival - now, duplicate: false), at: now, routine: true)
            return
        }
        let loss = network.lossProbability(from: from, to: to)
        if loss > 0 && random.chance(loss) {
            statistics.messagesDropped += 1
            trace.record(.dropped(from: from, to: to, message: message, reason: .loss), at: now, routine: routine)
            return
        }
        let delay = network.drawDelay(using: &random)
        queue.schedule(.deliver(from: from, to: to, message: message), at: now + delay)
        trace.record(.sent(from: from, to: to, message: message, delay: delay, duplicate: false), at: now, routine: true)
        let duplicateProbability = network.weather.duplicateProbability
        if duplicateProbability > 0 && random.chance(duplicateProbability) {
            let copyDelay = network.drawDelay(using: &random)
            statistics.messagesDuplicated += 1
            queue.schedule(.deliver(from: from, to: to, message: message), at: now + copyDelay)
            trace.record(.sent(from: from, to: to, message: message, delay: copyDelay, duplicate: true), at: now, routine: routine)
        }
    }

    /// A message arrives: a dead node drops it, a stopped node queues it, a running one reacts.
    mutating func deliver(_ message: Message, from: Int, to: Int) {
        switch nodes[to].status {
        case .down:
            statistics.messagesDropped += 1
            trace.record(.dropped(from: from, to: to, message: message, reason: .recipientDown), at: now, routine: isRoutine(message))
            // The crashed node's host refuses the connection; the sender learns it after one trip
            // back, unless the way back is cut (then it sees only a timeout, like a partition).
            if !network.isBlocked(from: to, to: from) {
                queue.schedule(.refused(node: from, peer: to), at: now + network.drawDelay(using: &random))
            }
        case .paused:
            nodes[to].heldDeliveries.append((from: from, message: message))
            trace.record(.held(from: from, to: to, message: message), at: now, routine: isRoutine(message))
        case .running:
            statistics.messagesDelivered += 1
            let envelope = Envelope(from: nodeIDs[from], to: nodeIDs[to], message: message)
            let instant = nodes[to].instant(at: now)
            let output = nodes[to].core!.receive(envelope, at: instant)
            trace.record(.delivered(from: from, to: to, message: message), at: now,
                         routine: isRoutine(message) && output.events.allSatisfy(isRoutine))
            carryOut(output, node: to)
            finishStep(to)
        }
    }

    /// Beats and their answers: the shell sends them as datagrams, lost one by one.
    @inline(__always)
    private func travelsAsDatagram(_ message: Message) -> Bool {
        switch message {
        case .heartbeat(let heartbeat): heartbeat.beat
        case .heartbeatResponse(let response): response.beat
        default: false
        }
    }

    /// Heartbeat traffic that went as expected: kept out of the violation ring buffer.
    @inline(__always)
    private func isRoutine(_ message: Message) -> Bool {
        switch message {
        case .heartbeat: true
        case .heartbeatResponse(let response): response.accepted
        default: false
        }
    }

    /// A lease renewal: routine as long as the lease did not begin with it.
    @inline(__always)
    private func isRoutine(_ event: Event) -> Bool {
        if case .leaseExtended(_, _, _, _, let acquired) = event { return !acquired }
        return false
    }

    /// Checks and traces one event of `node`'s output.
    private mutating func observe(_ event: Event, node: Int) {
        switch event {
        case .roleChanged(_, let role, let term, let reason):
            trace.record(.roleChanged(node: node, role: role, term: term, reason: reason), at: now)
            if role == .leader {
                statistics.leaderChanges += 1
                let membership = nodes[node].core!.membership
                checker.becameLeader(node: node, term: term, voters: Set(membership.voters.map(nodeIndex)), quorum: membership.quorumSize)
            }
        case .termChanged(let from, let to, let cause, _):
            trace.record(.termChanged(node: node, from: from, to: to, cause: cause), at: now)
            // A node that is its configuration's only voter is the whole cluster: it needs nobody.
            if cause == .campaign, nodes[node].core!.membership.voters != [nodeIDs[node]] {
                checker.campaigned(node: node, term: to, now: now, isolatedSince: network.isolatedSince[node],
                                   lastResumeAt: nodes[node].lastResumeAt)
            }
        case .leaderChanged(let leader, let term):
            trace.record(.leaderChanged(node: node, leader: leader.map(nodeIndex), term: term), at: now)
        case .electionStarted(let term, let preVote, let transfer):
            if preVote { statistics.preVotesStarted += 1 } else { statistics.electionsStarted += 1 }
            trace.record(.electionStarted(node: node, term: term, preVote: preVote, transfer: transfer), at: now)
        case .voteDecided(let decision):
            trace.record(.voteDecided(node: node, candidate: nodeIndex(decision.candidate), term: decision.term,
                                      preVote: decision.preVote, granted: decision.granted, reason: decision.reason), at: now)
        case .leaseExtended(let term, _, _, let expiresAt, let acquired):
            let realEnd = nodes[node].clock.realTime(reaching: expiresAt.nanoseconds)
            if !acquired, let previous = lastLeaseEnd[node], previous - now < SimulationStatistics.lateRenewalThreshold.nanoseconds {
                statistics.lateRenewals += 1
            }
            lastLeaseEnd[node] = realEnd
            trace.record(.leaseExtended(node: node, term: term, realExpiry: realEnd, acquired: acquired), at: now, routine: !acquired)
            checker.leaseExtended(node: node, term: term, now: now, realEnd: realEnd, acquired: acquired)
            let membership = nodes[node].core!.membership
            checker.checkLeaseCoverage(leader: node, term: term, realEnd: realEnd, nodes: nodes,
                                       voters: Set(membership.voters.map(nodeIndex)), quorum: membership.quorumSize)
            if acquired { failover.leaseAcquired(node: node, term: term, now: now, statistics: &statistics) }
        case .leaseLost(let term, let reason):
            trace.record(.leaseLost(node: node, term: term, reason: reason), at: now)
            if reason == .expired {
                statistics.leaseLapses += 1
                statistics.lateRenewals += 1
            }
            lastLeaseEnd[node] = nil
            checker.leaseEnded(node: node, now: now)
            failover.holderInTrouble(node: node, now: now)
        case .transferStarted(let term, let target):
            trace.record(.transfer(node: node, term: term, target: nodeIndex(target), abandoned: false), at: now)
        case .transferAbandoned(let term, let target):
            trace.record(.transfer(node: node, term: term, target: nodeIndex(target), abandoned: true), at: now)
        case .membershipChanged(let entry):
            trace.record(.note("n\(node + 1) stores configuration \(entry.index) of term \(entry.term): voters \(entry.voters.map(\.rawValue).joined(separator: ","))\(entry.nonVoters.isEmpty ? "" : ", non-voters " + entry.nonVoters.map(\.rawValue).joined(separator: ","))"), at: now)
        case .membershipCommitted(let entry):
            statistics.membershipChanges += 1
            trace.record(.note("n\(node + 1) commits configuration \(entry.index)"), at: now)
        }
    }
}
