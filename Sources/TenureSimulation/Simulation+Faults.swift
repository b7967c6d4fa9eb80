import TenureCore

/// Applying the fault plan: partitions, weather, crashes, pauses and operator commands.
extension Simulation {
    mutating func apply(_ action: FaultAction) {
        guard faultsActive else { return }
        switch action {
        case .partition(let shape):
            stopFlapping()
            let (matrix, description) = resolve(shape)
            statistics.networkFaults += 1
            trace.record(.fault("partition: \(description)"), at: now)
            setBlocked(matrix)
        case .flap(let shape, let period, let until):
            stopFlapping()
            let (matrix, description) = resolve(shape)
            statistics.networkFaults += 1
            trace.record(.fault("flapping every \(formatMilliseconds(period)) until t=\(formatSeconds(until)): \(description)"), at: now)
            flapMatrix = matrix
            flapPeriodNanoseconds = period
            flapUntil = until
            flapIsApplied = true
            setBlocked(matrix)
            queue.schedule(.flap(episode: flapEpisode), at: now + period)
        case .heal:
            stopFlapping()
            trace.record(.fault("heal: every link works"), at: now)
            network.heal(now: now)
        case .weather(let weather, let name):
            trace.record(.fault("network weather: \(name)"), at: now)
            network.setWeather(weather)
        case .crash(let choice, let downtime):
            let node = resolve(choice)
            guard nodes[node].status != .down else { return }
            trace.record(.fault("crash n\(node + 1)\(isLeader(node) ? " (leader)" : "") for \(formatMilliseconds(downtime))"), at: now)
            crash(node, downtime: downtime)
        case .pause(let choice, let duration):
            let node = resolve(choice)
            guard nodes[node].status == .running else { return }
            pause(node, duration: duration)
        case .transferLeadership(let toSlowestClock):
            guard let leader = currentLeader(), nodes[leader].status == .running else { return }
            var target: NodeID?
            if toSlowestClock, let slowest = nodes.indices.min(by: { nodes[$0].clock.rate < nodes[$1].clock.rate }) {
                guard slowest != leader else { return }
                target = nodeIDs[slowest]
            }
            let (outcome, output) = nodes[leader].core!.transferLeadership(to: target, at: nodes[leader].instant(at: now))
            trace.record(.fault("operator asks n\(leader + 1) to transfer leadership to \(target?.rawValue ?? "the best peer"): \(outcome)"), at: now)
            carryOut(output, node: leader)
            finishStep(leader)
        case .resign:
            guard let leader = currentLeader(), nodes[leader].status == .running else { return }
            let (outcome, output) = nodes[leader].core!.resign(at: nodes[leader].instant(at: now))
            trace.record(.fault("operator asks n\(leader + 1) to resign: \(outcome)"), at: now)
            carryOut(output, node: leader)
            finishStep(leader)
        case .changeMembership(let pick, let second):
            changeMembership(pick: pick, second: second, attemptsLeft: 5)
        case .stopFaults:
            stopFaults()
        }
    }

    /// Asks the leader for one change: remove a voter (never the last), or add back a node that
    /// is no member; when it must first commit an entry of its term, asks again 50 ms later.
    mutating func changeMembership(pick: UInt64, second: Bool, attemptsLeft: Int) {
        guard faultsActive, let leader = currentLeader(), nodes[leader].status == .running, let core = nodes[leader].core else { return }
        let membership = core.membership
        let outsiders = nodeIDs.filter { !membership.contains($0) }
        let voters = membership.voters
        var changes: [MembershipChange] = []
        func draw(_ salt: UInt64) -> MembershipChange? {
            let value = pick &+ salt &* 0x9E37_79B9_7F4A_7C15
            if !outsiders.isEmpty && (voters.count <= 1 || value % 2 == 0) {
                let id = outsiders[Int(value / 2 % UInt64(outsiders.count))]
                return .add(Member(id: id, address: "", voter: false))
            }
            guard voters.count > 1 else { return nil }
            return .remove(voters[Int(value / 2 % UInt64(voters.count))])
        }
        if let first = draw(0) { changes.append(first) }
        if second, let next = draw(1), !changes.contains(next) { changes.append(next) }
        for (index, change) in changes.enumerated() {
            guard let core = nodes[leader].core, core.role == .leader else { return }
            let (outcome, output) = nodes[leader].core!.proposeMembershipChange(change, at: nodes[leader].instant(at: now))
            trace.record(.fault("operator asks n\(leader + 1) to \(describe(change)): \(outcome)"), at: now)
            carryOut(output, node: leader)
            finishStep(leader)
            if case .preparing = outcome, index == 0, attemptsLeft > 0 {
                queue.schedule(.retryMembership(pick: pick, second: second, attempts: attemptsLeft - 1), at: now + 50_000_000)
                return
            }
        }
    }

    private func describe(_ change: MembershipChange) -> String {
        switch change {
        case .add(let member): "add \(member.id)"
        case .promote(let id): "promote \(id)"
        case .remove(let id): "remove \(id)"
        }
    }

    /// The quiet period: every link heals, the weather calms, every node runs again.
    private mutating func stopFaults() {
        stopFlapping()
        trace.record(.fault("faults stop: heal, calm network, restart and resume every node"), at: now)
        faultsActive = false
        network.heal(now: now)
        network.setWeather(.calm)
        for node in nodes.indices {
            switch nodes[node].status {
            case .down: restart(node)
            case .paused: resume(node)
            case .running: break
            }
        }
        queue.schedule(.probe, at: now)
    }

    private mutating func setBlocked(_ matrix: [Bool]) {
        network.setBlocked(matrix, now: now)
        if let holder = failover.holder, !network.reachesQuorum(holder, quorum: checker.quorum) {
            failover.holderInTrouble(node: holder, now: now)
        }
    }

    private mutating func stopFlapping() {
        flapEpisode += 1
        flapMatrix = nil
    }

    mutating func toggleFlap(episode: Int) {
        guard faultsActive, episode == flapEpisode, let matrix = flapMatrix, now < flapUntil else { return }
        flapIsApplied.toggle()
        if flapIsApplied {
            setBlocked(matrix)
        } else {
            network.heal(now: now)
        }
        trace.record(.fault(flapIsApplied ? "flap: links cut again" : "flap: links restored"), at: now)
        queue.schedule(.flap(episode: episode), at: now + flapPeriodNanoseconds)
    }

    // MARK: Processes

    /// Kills the process: its core and everything not yet durable or sent are gone.
    mutating func crash(_ node: Int, downtime: Int64) {
        guard nodes[node].status != .down else { return }
        let (lostWrites, lostMessages) = nodes[node].storage.crash()
        statistics.crashes += 1
        statistics.messagesDropped += lostMessages + nodes[node].heldDeliveries.count
        checker.leaseEnded(node: node, now: now)
        failover.holderInTrouble(node: node, now: now)
        nodes[node].core = nil
        nodes[node].status = .down
        nodes[node].incarnation &+= 1
        nodes[node].wakeGeneration &+= 1
        nodes[node].armedDeadline = nil
        nodes[node].heldDeliveries.removeAll()
        trace.record(.crashed(node: node, lostWrites: lostWrites, lostMessages: lostMessages), at: now)
        queue.schedule(.restart(node: node, incarnation: nodes[node].incarnation), at: now + downtime)
        // Every peer's link notices the dead connection and reconnects within its backoff; the
        // crashed host refuses, unless a partition swallows the attempt (then: only a timeout).
        for peer in nodes.indices where peer != node && !network.isBlocked(from: peer, to: node) && !network.isBlocked(from: node, to: peer) {
            queue.schedule(.refused(node: peer, peer: node), at: now + random.integer(20_000_000, 120_000_000) + network.drawDelay(using: &random))
        }
    }

    /// Starts a new process from the durable state only, with a fresh start instant.
    mutating func restart(_ node: Int) {
        guard nodes[node].status == .down else { return }
        let state = nodes[node].storage.durable
        nodes[node].core = ElectionCore(configuration: nodes[node].configuration, hardState: state,
                                        now: nodes[node].instant(at: now), randomSeed: random.next())
        nodes[node].status = .running
        checker.restarted(node: node, state: state)
        trace.record(.restarted(node: node, term: state.term, vote: state.votedFor.map(nodeIndex)), at: now)
        armTimer(node)
    }

    /// SIGSTOP: no timer fires and no delivery is processed until the resume.
    private mutating func pause(_ node: Int, duration: Int64) {
        statistics.pauses += 1
        nodes[node].pauseCount += 1
        nodes[node].status = .paused
        nodes[node].wakeGeneration &+= 1
        nodes[node].armedDeadline = nil
        failover.holderInTrouble(node: node, now: now)
        trace.record(.paused(node: node, until: now + duration), at: now)
        queue.schedule(.resume(node: node, pause: nodes[node].pauseCount), at: now + duration)
    }

    /// SIGCONT: the queued deliveries are processed first, in arrival order, then the timer.
    mutating func resume(_ node: Int) {
        guard nodes[node].status == .paused else { return }
        nodes[node].status = .running
        nodes[node].lastResumeAt = now
        let held = nodes[node].heldDeliveries
        nodes[node].heldDeliveries.removeAll()
        trace.record(.resumed(node: node, heldDeliveries: held.count), at: now)
        for delivery in held { queue.schedule(.deliver(from: delivery.from, to: node, message: delivery.message), at: now) }
        releaseReadyBatches(node)
        armTimer(node)
    }

    // MARK: Choosing targets

    /// The node that leads in the highest term, if any process (running or stopped) leads.
    func currentLeader() -> Int? {
        var best: (node: Int, term: UInt64)?
        for node in nodes.indices {
            guard let core = nodes[node].core, core.role == .leader else { continue }
            if best == nil || core.term > best!.term { best = (node, core.term) }
        }
        return best?.node
    }

    func isLeader(_ node: Int) -> Bool { nodes[node].core?.role == .leader }

    private func resolve(_ choice: NodeChoice) -> Int {
        switch choice {
        case .node(let node): node
        case .leader(let fallback): currentLeader() ?? fallback
        }
    }

    /// The cut links of `shape` and a description for the trace.
    private func resolve(_ shape: PartitionShape) -> (matrix: [Bool], description: String) {
        let count = nodes.count
        var matrix = Array(repeating: false, count: count * count)
        func cut(_ from: Int, _ to: Int) { if from != to { matrix[from * count + to] = true } }
        func names(_ members: [Int]) -> String { "{" + members.map { "n\($0 + 1)" }.joined(separator: ",") + "}" }
        switch shape {
        case .groups(let groupOf):
            for from in 0..<count { for to in 0..<count where groupOf[from] != groupOf[to] { cut(from, to) } }
            let groups = (0...(groupOf.max() ?? 0)).map { group in (0..<count).filter { groupOf[$0] == group } }.filter { !$0.isEmpty }
            return (matrix, "groups " + groups.map(names).joined(separator: " "))
        case .oneWay(let sources):
            for from in 0..<count where sources[from] { for to in 0..<count where !sources[to] { cut(from, to) } }
            let from = (0..<count).filter { sources[$0] }, to = (0..<count).filter { !sources[$0] }
            return (matrix, "one-way: \(names(from)) cannot reach \(names(to))")
        case .link(let from, let to):
            cut(from, to)
            return (matrix, "link n\(from + 1) -> n\(to + 1) cut")
        case .bridge(let bridge, let sideOf):
            let sides = [0, 1].map { side in (0..<count).filter { $0 != bridge && sideOf[$0] == side } }
            for from in sides[0] { for to in sides[1] { cut(from, to); cut(to, from) } }
            return (matrix, "bridge n\(bridge + 1) between \(names(sides[0])) and \(names(sides[1]))")
        case .pair(let first, let second):
            cut(first, second)
            cut(second, first)
            return (matrix, "n\(first + 1) and n\(second + 1) cannot reach each other")
        case .isolate(let choice):
            let node = resolve(choice)
            for peer in 0..<count { cut(node, peer); cut(peer, node) }
            return (matrix, "isolate n\(node + 1)\(isLeader(node) ? " (leader)" : "")")
        case .leaderOutgoing(let fallback):
            let node = currentLeader() ?? fallback
            for peer in 0..<count { cut(node, peer) }
            return (matrix, "nobody hears n\(node + 1)\(isLeader(node) ? " (leader)" : ""), it hears everyone")
        case .leaderIncoming(let fallback):
            let node = currentLeader() ?? fallback
            for peer in 0..<count { cut(peer, node) }
            return (matrix, "n\(node + 1)\(isLeader(node) ? " (leader)" : "") hears nobody, everyone hears it")
        }
    }
}
