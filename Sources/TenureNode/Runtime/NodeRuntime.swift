import Glibc
import TenureCore
import TenureWire

/// Why the node could not start; printed as one line, exit status 1.
public struct StartupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The shell around one `ElectionCore`: a single-threaded poll loop that feeds the core peer
/// messages and time, and carries out its outputs (persist, then send, then publish).
///
/// One thread owns everything (core, sockets, disk, API), so there are no locks and no races
/// between "am I leader?" and the state that answers it. Nothing in the loop blocks except the
/// fsync of a new term or vote, which must finish before the messages that depend on it leave.
public final class NodeRuntime {
    let options: NodeOptions
    var core: ElectionCore
    let store: HardStateStore
    var durableHardState: HardState
    let transport: PeerTransport
    let api: APIServer
    let metrics = Metrics()
    let log: Log
    let eventLog: EventLog?
    var history = LeadershipHistory()
    let startedAt: Instant
    var signalFD: Int32 = -1

    /// The (leader, term) last announced to watchers, and the sequence number of that event.
    var announced: (leader: NodeID?, term: UInt64)?
    var watchSequence: UInt64 = 0
    /// API requests waiting for a transfer or resign to finish.
    var pendingCommands: [PendingCommand] = []
    var shutdown: ShutdownState = .running
    var nextReapAt: Instant

    struct PendingCommand {
        var fd: Int32
        var kind: String
        var startTerm: UInt64
        var target: NodeID?
        var deadline: Instant
    }

    enum ShutdownState {
        case running
        /// Resigned on SIGTERM; waiting briefly for the successor to be elected before exiting.
        case draining(startTerm: UInt64, deadline: Instant)
        case finished
    }

    public init(options: NodeOptions) throws(StartupError) {
        self.options = options
        self.log = Log(node: options.id.rawValue, minimumLevel: options.logLevel)
        let now = MonotonicClock.now()
        self.startedAt = now
        self.nextReapAt = now + .seconds(1)
        do {
            store = try HardStateStore(directory: options.dataDirectory)
        } catch {
            throw StartupError("cannot use data directory \(options.dataDirectory): \(error)")
        }
        let loaded: HardState?
        do {
            loaded = try store.load()
        } catch {
            throw StartupError(error.description)
        }
        let hardState = loaded ?? .initial
        durableHardState = hardState
        let seed = NodeRuntime.randomSeed()
        let boot = String(seed % 0xFFFF_FFFF, radix: 16)
        if let path = options.eventLogPath {
            do {
                eventLog = try EventLog(path: path, node: options.id, boot: boot)
            } catch {
                throw StartupError("cannot open event log: \(error)")
            }
        } else {
            eventLog = nil
        }
        core = ElectionCore(configuration: options.configuration, hardState: hardState, now: now, randomSeed: seed)
        var addresses: [NodeID: SocketAddress] = [:]
        for peer in options.peers { addresses[peer.id] = peer.address }
        transport = PeerTransport(selfID: options.id, peerAddresses: addresses, clusterID: options.clusterID,
                                  configuration: options.configuration, seed: seed ^ 0x5EED, log: log)
        api = APIServer(address: options.api, log: log)
        do {
            try transport.start()
        } catch {
            throw StartupError("cannot listen for peers on \(transport.listenAddress): \(error)")
        }
        do {
            try api.start()
        } catch {
            transport.shutdown()
            throw StartupError("cannot listen for API clients on \(options.api): \(error)")
        }
        do {
            signalFD = try SignalPipe.install()
        } catch {
            throw StartupError("cannot install signal handlers: \(error)")
        }
        NodeRuntime.raiseFileLimit()
        eventLog?.write("start", at: now) {
            $0.add("loaded_term", hardState.term)
            $0.add("loaded_voted_for", hardState.votedFor?.rawValue)
            $0.add("state", loaded == nil ? "missing" : "ok")
        }
        log.info("started: peers on \(transport.listenAddress), API on \(options.api), \(hardState), \(loaded == nil ? "fresh data directory" : "state loaded"); lease \(options.configuration.leaseDuration), election timeout [\(options.electionTimeoutMin), \(options.electionTimeoutMax))")
    }

    /// Runs until SIGTERM or SIGINT; returns the process exit status.
    public func run() -> Int32 {
        var descriptors: [pollfd] = []
        var tokens: [PollToken] = []
        publishChanges(now: MonotonicClock.now())
        while true {
            var now = MonotonicClock.now()
            if now >= core.nextDeadline { apply(core.advance(to: now), now: now) }
            let linkDeadline = transport.maintain(now: now)
            settlePendingCommands(now: now)
            if now >= nextReapAt {
                api.reap(now: now)
                nextReapAt = now + .seconds(1)
            }
            if case .draining(let startTerm, let deadline) = shutdown {
                if (core.term > startTerm && core.leader != nil && core.leader != core.id) || now >= deadline {
                    if core.term > startTerm, let leader = core.leader {
                        log.info("handed leadership to \(leader) in term \(core.term); exiting")
                    } else {
                        log.warning("no successor seen before the shutdown deadline; exiting")
                    }
                    shutdown = .finished
                }
            }
            if case .finished = shutdown { break }

            var wakeAt = min(core.nextDeadline, nextReapAt)
            if let linkDeadline { wakeAt = min(wakeAt, linkDeadline) }
            for command in pendingCommands { wakeAt = min(wakeAt, command.deadline) }
            if case .draining(_, let deadline) = shutdown { wakeAt = min(wakeAt, deadline) }

            collectDescriptors(into: &descriptors, tokens: &tokens)
            let wait = max(Interval.zero, wakeAt - now)
            // Round up, so the loop never wakes just before a deadline and spins.
            let timeoutMilliseconds = Int32(min(Int64(Int32.max), (wait.nanoseconds + 999_999) / 1_000_000))
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
            if ready < 0 && errno != EINTR {
                log.error("poll failed: \(errorText(errno))")
                return 1
            }
            now = MonotonicClock.now()
            guard ready > 0 else { continue }
            for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                dispatch(tokens[index], events: descriptor.revents, now: now)
                if case .finished = shutdown { break }
            }
        }
        transport.shutdown()
        api.shutdown()
        eventLog?.write("stop", at: MonotonicClock.now()) { $0.add("term", core.term) }
        return 0
    }

    enum PollToken {
        case signal
        case peerListener
        case inbound(Int32)
        case link(Int)
        case apiListener
        case api(Int32)
    }

    private func collectDescriptors(into descriptors: inout [pollfd], tokens: inout [PollToken]) {
        descriptors.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
        func add(_ fd: Int32, _ events: Int16, _ token: PollToken) {
            descriptors.append(pollfd(fd: fd, events: events, revents: 0))
            tokens.append(token)
        }
        add(signalFD, Int16(POLLIN), .signal)
        add(transport.listener, Int16(POLLIN), .peerListener)
        for fd in transport.inbound.keys { add(fd, Int16(POLLIN), .inbound(fd)) }
        for (index, link) in transport.links.enumerated() {
            if let fd = link.descriptor, link.pollEvents != 0 { add(fd, link.pollEvents, .link(index)) }
        }
        add(api.listener, Int16(POLLIN), .apiListener)
        for (fd, connection) in api.connections { add(fd, api.pollEvents(for: connection), .api(fd)) }
    }

    private func dispatch(_ token: PollToken, events: Int16, now: Instant) {
        switch token {
        case .signal:
            for number in SignalPipe.drain(signalFD) { handleSignal(number, now: now) }
        case .peerListener:
            transport.acceptConnections(now: now, onReject: { rejection, host in reject(rejection, host: host, now: now) })
        case .inbound(let fd):
            let envelopes = transport.readInbound(fd: fd, now: now, onReject: { rejection, host in reject(rejection, host: host, now: now) })
            for envelope in envelopes {
                metrics.messagesReceived += 1
                if case .heartbeat = envelope.message { metrics.heartbeatsReceived += 1 }
                apply(core.receive(envelope, at: now), now: now)
            }
        case .link(let index):
            transport.links[index].handle(events: events, now: now, log: log)
        case .apiListener:
            api.acceptConnections(now: now)
        case .api(let fd):
            api.handle(fd: fd, events: events, now: now, metrics: metrics, route: route)
        }
    }

    private func reject(_ rejection: PeerInputRejection, host: String, now: Instant) {
        metrics.rejectedPeerInput[rejection.reason, default: 0] += 1
        let hint = rejection.reason == "cluster_mismatch"
            ? " (another --cluster name, or different --election-timeout minimum, --lease or --clock-drift: every node must agree on them)" : ""
        log.warning("refused peer input from \(host): \(rejection)\(hint); connection closed")
        eventLog?.write("reject", at: now) {
            $0.add("peer", host)
            $0.add("reason", rejection.reason)
            $0.add("detail", rejection.description)
        }
    }

    private func handleSignal(_ number: Int32, now: Instant) {
        switch shutdown {
        case .running:
            let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
            guard core.role == .leader else {
                log.info("\(name): not the leader; exiting")
                shutdown = .finished
                return
            }
            let startTerm = core.term
            let (outcome, output) = core.resign(at: now)
            apply(output, now: now)
            log.info("\(name) on the leader: gave up the lease, \(outcome)")
            if case .resigned(handedTo: .some) = outcome {
                shutdown = .draining(startTerm: startTerm, deadline: now + options.electionTimeoutMin)
            } else {
                shutdown = .finished
            }
        case .draining:
            log.info("second signal while handing over; exiting now")
            shutdown = .finished
        case .finished:
            break
        }
    }

    /// Carries out one core output: persist, then send, then publish (DESIGN.md, "Layers").
    func apply(_ output: Output, now: Instant) {
        let messages: [Envelope]
        do {
            if output.hardState == nil, core.hardState != durableHardState, output.messageCount > 0 {
                // A previous write failed: make the state these messages depend on durable first.
                try persist(core.hardState)
            }
            messages = try output.messages(afterPersisting: persist)
        } catch {
            metrics.persistFailures += 1
            log.error("\(error); the \(output.messageCount) message(s) that depend on it were not sent")
            eventLog?.write("persist_fail", at: now) {
                $0.add("term", core.hardState.term)
                $0.add("voted_for", core.hardState.votedFor?.rawValue)
                $0.add("error", "\(error)")
            }
            messages = []
        }
        for envelope in messages {
            metrics.messagesSent += 1
            if case .heartbeat = envelope.message { metrics.heartbeatsSent += 1 }
            if !transport.send(envelope, now: now) { metrics.messagesDropped += 1 }
        }
        if !output.events.isEmpty {
            let wall = MonotonicClock.wallSeconds()
            for event in output.events {
                metrics.record(event)
                eventLog?.write(event, at: now)
                history.record(event, at: now, wallSeconds: wall)
                logDecision(event)
            }
        }
        publishChanges(now: now)
    }

    private func persist(_ state: HardState) throws(HardStateStoreError) {
        let started = MonotonicClock.now()
        try store.save(state)
        let finished = MonotonicClock.now()
        durableHardState = state
        metrics.persistLatency.observe(finished - started)
        eventLog?.write("persist_ok", at: finished) {
            $0.add("term", state.term)
            $0.add("voted_for", state.votedFor?.rawValue)
            $0.add("latency_ns", (finished - started).nanoseconds)
        }
    }

    private func logDecision(_ event: Event) {
        switch event {
        case .roleChanged(let from, let to, let term, let reason):
            log.info("\(from.rawValue) -> \(to.rawValue) in term \(term) (\(reason.rawValue))")
        case .leaseLost(let term, let reason):
            log.info("lease lost in term \(term) (\(reason.rawValue))")
        case .leaseExtended(let term, _, _, _, true):
            log.info("lease acquired in term \(term)")
        case .leaderChanged(let leader?, let term) where leader != core.id:
            log.info("following \(leader) in term \(term)")
        case .transferStarted(let term, let target):
            log.info("handing leadership of term \(term) to \(target)")
        default:
            break
        }
    }

    /// Announces a change of leader or term to watchers.
    func publishChanges(now: Instant) {
        let current = (leader: core.leader, term: core.term)
        if let announced, announced.leader == current.leader, announced.term == current.term { return }
        announced = current
        watchSequence += 1
        api.broadcast(watchEventBytes())
    }

    static func randomSeed() -> UInt64 {
        var seed: UInt64 = 0
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = withUnsafeMutableBytes(of: &seed) { read(fd, $0.baseAddress, 8) }
            close(fd)
        }
        if seed == 0 { seed = UInt64(bitPattern: MonotonicClock.now().nanoseconds) ^ UInt64(getpid()) }
        return seed
    }

    /// Many API clients need many descriptors; take what the hard limit allows.
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = min(limit.rlim_max, 65536)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
