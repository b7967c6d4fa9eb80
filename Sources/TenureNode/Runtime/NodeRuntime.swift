import TenureCore
import TenurePOSIX
import TenureSupervision
import TenureWire

/// Why the node could not start; printed as one line, exit status 1.
public struct StartupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The shell around one node's decisions: a single-threaded poll loop that feeds `NodeState`
/// (the election core and its supervisors) peer messages, API requests, check results and time,
/// and carries out what they decide (persist, then send, then publish).
///
/// It stores its I/O (clock, disk, peer network, API server, event log, the health-check and hook
/// threads, the signal pipe) and one `NodeState` value; every decision lives in that value, in
/// pure types with unit tests of their own. One thread owns everything, so there are no locks
/// and no races between "am I leader?" and the state that answers it. Nothing in the loop blocks
/// except the fsync of a new term or vote, which must finish before the messages that depend on it.
public final class NodeRuntime {
    let options: NodeOptions
    // I/O.
    let clock: any NodeClock
    let store: any HardStateStorage
    let transport: any PeerNetwork
    let api: APIServer
    let eventLog: EventLog?
    let healthChecker: HealthChecker?
    let hooks: HookRunner?
    /// `--api-token-file`: the bearer token that guards every request that changes something.
    let apiToken: APIToken?
    var signalFD: Int32 = -1
    private var pollSet = PollSet()
    private var pollTokens: [PollToken] = []
    /// When idle API connections are next reaped.
    var nextReapAt: Instant
    // Observability.
    let metrics = Metrics()
    let log: Log
    let startedAt: Instant
    /// Every decision: the core and the supervisors.
    public internal(set) var state: NodeState

    /// The election core, for reading (the shell mutates it only through `state.core`).
    public var core: ElectionCore { state.core }

    /// Opens the node's data directory and starts listening; `run()` then drives it.
    public convenience init(options: NodeOptions) throws(StartupError) {
        let store: HardStateStore
        do {
            store = try HardStateStore(directory: options.dataDirectory)
        } catch {
            throw StartupError("cannot use data directory \(options.dataDirectory): \(error)")
        }
        try self.init(options: options, clock: SystemClock(), store: store, seed: ProcessEnvironment.randomSeed())
    }

    /// A runtime with its clock, storage, random seed and (for tests) peer network chosen by the
    /// caller: tests inject a `ManualClock`, an `InMemoryHardStateStore` and an in-memory network.
    /// Tests that run several runtimes in one process pass `installSignalHandlers: false`, so
    /// the process keeps its own handlers and no runtime leaks a pipe.
    init(options: NodeOptions, clock: any NodeClock, store: any HardStateStorage, seed: UInt64,
         installSignalHandlers: Bool = true,
         network makeNetwork: ((_ security: PeerSecurity, _ peers: [NodeID: SocketAddress]) -> any PeerNetwork)? = nil) throws(StartupError) {
        guard let own = options.peers.first(where: { $0.id == options.id }) else {
            throw StartupError("--peers does not name this node (\(options.id)): it needs its own peer address")
        }
        do {
            try options.configuration.validate()
        } catch {
            throw StartupError("invalid settings: \(error)")
        }
        self.options = options
        self.clock = clock
        self.store = store
        self.log = Log(node: options.id.rawValue, minimumLevel: options.logLevel)
        let now = clock.now()
        self.startedAt = now
        self.nextReapAt = now + .seconds(1)
        let loaded: HardState?
        do {
            loaded = try store.load()
        } catch {
            throw StartupError(error.description)
        }
        let hardState = loaded ?? .initial
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
        let initial: MembershipConfiguration
        var bootstrap: [NodeID: String] = [:]
        if options.join != nil {
            initial = MembershipConfiguration(index: 0, term: 0, members: [
                Member(id: options.id, address: own.address.description, api: options.api.description, voter: false),
            ])
            if hardState.membership == nil { bootstrap = options.joinMembers.mapValues(\.description) }
        } else {
            initial = .initial(voters: options.peers.map(\.id), addresses: Dictionary(uniqueKeysWithValues: options.peers.map {
                ($0.id, (address: $0.address.description, api: options.apiAddress(of: $0.id)?.description ?? ""))
            }))
        }
        let core = ElectionCore(configuration: options.configuration, hardState: hardState, now: now, randomSeed: seed, initialMembership: initial)
        if let stored = hardState.membership, options.join == nil, Set(stored.voters) != Set(initial.voters) || stored.members.map(\.address).sorted() != initial.members.map(\.address).sorted() {
            log.warning("--peers (\(initial.members.map { "\($0.id)=\($0.address)" }.joined(separator: ","))) differs from the stored configuration \(stored.index) (\(stored.members.map { "\($0.id)=\($0.address)\($0.voter ? "" : " non-voter")" }.joined(separator: ","))); the stored one wins")
        }
        guard options.peerKeyFile != nil || options.insecurePeers else {
            throw StartupError("no --peer-key-file: make a cluster key with `tenure keygen > peer.key`, copy it to every node and pass --peer-key-file peer.key (or --insecure-peers for a throwaway test cluster)")
        }
        let security: PeerSecurity
        do {
            security = try PeerSecurity(keyFile: options.insecurePeers ? nil : options.peerKeyFile)
        } catch {
            throw StartupError("\(error)")
        }
        do {
            apiToken = try options.apiTokenFile.map { path throws(KeyringError) in try APIToken(path: path) }
        } catch {
            throw StartupError("\(error)")
        }
        let check: HealthChecker.Check? = options.healthCommand.map { .command($0) }
            ?? options.healthURL.map { .url(endpoint: $0.endpoint, path: $0.path) }
        if let check {
            do {
                healthChecker = try HealthChecker(check: check, nodeID: options.id.rawValue, interval: options.healthInterval, timeout: options.healthTimeout)
            } catch {
                throw StartupError("cannot set up the health check: \(error)")
            }
        } else {
            healthChecker = nil
        }
        if options.onElected != nil || options.onDemoted != nil {
            do {
                hooks = try HookRunner(onElected: options.onElected, onDemoted: options.onDemoted, timeout: options.hookTimeout)
            } catch {
                throw StartupError("cannot set up the hooks: \(error)")
            }
        } else {
            hooks = nil
        }
        state = NodeState(core: core, durableHardState: hardState,
                          pending: PendingCommands(leadershipTimeout: options.electionTimeoutMin + options.heartbeatInterval),
                          health: HealthState(rise: options.healthRise, fall: options.healthFall),
                          hooks: HookQueue(configured: hooks?.configured ?? []), bootstrapPeers: bootstrap)
        let peerAddresses = Self.addresses(of: core.membership, without: options.id, bootstrap: bootstrap)
        if let makeNetwork {
            transport = makeNetwork(security, peerAddresses)
        } else {
            transport = PeerTransport(selfID: options.id, listenAddress: own.address, peerAddresses: peerAddresses,
                                      clusterID: options.clusterID, configuration: options.configuration, security: security,
                                      seed: seed ^ 0x5EED, log: log)
        }
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
        if installSignalHandlers {
            do {
                signalFD = try SignalPipe.install([.terminate, .interrupt, .hangUp])
            } catch {
                transport.shutdown()
                api.shutdown()
                throw StartupError("cannot install signal handlers: \(error)")
            }
        }
        ProcessEnvironment.raiseDescriptorLimit()
        do {
            try healthChecker?.start()
            try hooks?.start()
        } catch {
            transport.shutdown()
            api.shutdown()
            throw StartupError("cannot start the health check or hooks thread: \(error)")
        }
        eventLog?.write(.start, at: now) {
            $0.loadedTerm = hardState.term
            $0.votedFor = hardState.votedFor?.rawValue
            $0.state = loaded == nil ? "missing" : "ok"
        }
        if security.insecure {
            log.warning("--insecure-peers: peer connections are NOT authenticated; any local process can forge elections. Use --peer-key-file outside of tests")
        }
        log.info("started: peers on \(transport.listenAddress), API on \(options.api), \(hardState), \(loaded == nil ? "fresh data directory" : "state loaded"); lease \(options.configuration.leaseDuration), election timeout [\(options.electionTimeoutMin), \(options.electionTimeoutMax))")
    }

    /// A runtime with a caller's clock and store on real sockets (`PeerTransport`).
    public convenience init(options: NodeOptions, clock: any NodeClock, store: any HardStateStorage, seed: UInt64,
                            installSignalHandlers: Bool = true) throws(StartupError) {
        try self.init(options: options, clock: clock, store: store, seed: seed, installSignalHandlers: installSignalHandlers, network: nil)
    }

    /// Runs until SIGTERM or SIGINT; returns the process exit status.
    public func run() -> Int32 {
        publishChanges(now: clock.now())
        while true {
            do {
                if try !turn(maximumWait: nil) { break }
            } catch {
                log.error("poll failed: \(error)")
                return 1
            }
        }
        stop()
        return 0
    }

    /// One turn of the loop: act on every deadline that passed, wait for descriptors at most
    /// until the next deadline (or `maximumWait`), and dispatch what is ready. False once the
    /// node has finished shutting down. Tests call it directly with a `ManualClock`.
    public func turn(maximumWait: Interval?) throws(SystemError) -> Bool {
        let now = clock.now()
        if now >= state.core.nextDeadline { apply(state.core.advance(to: now), now: now) }
        retryPersistIfDue(now: now)
        let linkDeadline = transport.maintain(now: now)
        if let leader = state.core.leader, leader != state.core.id { noteRefusal(from: leader, now: now) }
        settlePendingCommands(now: now)
        releaseHeldTransfer(now: now)
        reconcileHealth(now: now)
        if now >= state.feed.nextPushAt { pushStatus(now: now) }
        if now >= nextReapAt {
            api.reap(now: now)
            nextReapAt = now + .seconds(1)
        }
        switch state.shutdown.turn(term: state.core.term, leader: state.core.leader, selfID: state.core.id, at: now) {
        case .handedTo(let leader, let term)?: log.info("handed leadership to \(leader) in term \(term); exiting")
        case .noSuccessor?: log.warning("no successor seen before the shutdown deadline; exiting")
        case nil: break
        }
        if state.shutdown.isFinished { return false }

        var wakeAt = min(state.nextDeadline(at: now), nextReapAt)
        if let linkDeadline { wakeAt = min(wakeAt, linkDeadline) }
        var wait = max(Interval.zero, wakeAt - now)
        if let maximumWait { wait = min(wait, maximumWait) }
        if transport.hasDeliveries { wait = .zero }

        collectDescriptors()
        // Round up, so the loop never wakes just before a deadline and spins.
        let timeoutMilliseconds = Int32(min(Int64(Int32.max), (wait.nanoseconds + 999_999) / 1_000_000))
        let ready = try pollSet.wait(timeoutMilliseconds: timeoutMilliseconds)
        let readyAt = clock.now()
        for delivery in transport.takeDeliveries(now: readyAt) {
            receive(delivery, now: readyAt)
            if state.shutdown.isFinished { return false }
        }
        guard ready > 0 else { return true }
        for index in 0..<pollSet.count {
            let events = pollSet.events(at: index)
            guard !events.isEmpty else { continue }
            dispatch(pollTokens[index], events: events, now: readyAt)
            if state.shutdown.isFinished { break }
        }
        return !state.shutdown.isFinished
    }

    /// Closes every socket and records the stop; the runtime is done after this.
    public func stop() {
        healthChecker?.stop()
        hooks?.stop()
        if signalFD >= 0 {
            Descriptor.close(signalFD)
            signalFD = -1
        }
        transport.shutdown()
        api.shutdown()
        eventLog?.write(.stop, at: clock.now()) { $0.term = state.core.term }
    }

    enum PollToken {
        case signal
        case peer(PeerPollToken)
        case apiListener
        case api(Int32)
        case health
        case hooks
    }

    private func collectDescriptors() {
        pollSet.removeAll()
        pollTokens.removeAll(keepingCapacity: true)
        func add(_ fd: Int32, _ events: PollEvents, _ token: PollToken) {
            pollSet.add(fd, events)
            pollTokens.append(token)
        }
        if signalFD >= 0 { add(signalFD, .readable, .signal) }
        for registration in transport.pollRegistrations() { add(registration.fd, registration.events, .peer(registration.token)) }
        add(api.listener, .readable, .apiListener)
        if let healthChecker { add(healthChecker.readEnd, .readable, .health) }
        if let hooks { add(hooks.reports.readEnd, .readable, .hooks) }
        for (fd, connection) in api.connections { add(fd, api.pollEvents(for: connection), .api(fd)) }
    }

    private func dispatch(_ token: PollToken, events: PollEvents, now: Instant) {
        switch token {
        case .signal:
            for signal in SignalPipe.drain(signalFD) { handle(signal, now: now) }
        case .peer(let peerToken):
            let deliveries = transport.handle(peerToken, events: events, now: now, log: log,
                                              onReject: { rejection, host in reject(rejection, host: host, now: now) },
                                              onDatagramReject: { rejection, host in rejectDatagram(rejection, host: host, now: now) })
            for delivery in deliveries { receive(delivery, now: now) }
            if case .link(let peer) = peerToken { noteRefusal(from: peer, now: now) }
        case .apiListener:
            metrics.httpConnectionsEvicted += api.acceptConnections(now: now)
        case .api(let fd):
            api.handle(fd: fd, events: events, now: now, metrics: metrics, route: route)
        case .health:
            collectHealthChecks(now: now)
        case .hooks:
            collectHookReports()
        }
    }

    /// One message from a peer: its reports join the gossip table, then the core decides.
    private func receive(_ delivery: PeerDelivery, now: Instant) {
        metrics.messagesReceived += 1
        if delivery.datagram {
            if case .heartbeat = delivery.envelope.message { metrics.beatsReceived += 1 }
        } else {
            state.reports.absorb(delivery.reports, from: delivery.envelope.from, selfID: state.core.id, membership: state.core.membership, at: now)
            if case .heartbeat = delivery.envelope.message { metrics.heartbeatsReceived += 1 }
        }
        apply(state.core.receive(delivery.envelope, at: now), now: now)
    }

    /// A refused connection to the leader's port is evidence its process is gone: the core may
    /// campaign once the stickiness window since its last heartbeat has passed.
    func noteRefusal(from peer: NodeID, now: Instant) {
        guard transport.takeRefusal(from: peer) != nil, peer == state.core.leader, state.core.role == .follower else { return }
        log.info("\(peer)'s peer port refused a connection: its process is gone; campaigning once \(state.core.configuration.stickinessWindow) since its last heartbeat have passed")
        apply(state.core.peerProcessGone(peer, at: now), now: now)
    }

    private func reject(_ rejection: PeerInputRejection, host: String, now: Instant) {
        metrics.rejectedPeerInput[rejection.reason, default: 0] += 1
        // Counted always, logged at most once a minute per address and reason: a flood of junk
        // must not flood the log too.
        guard state.rejections.allows("\(host)|\(rejection.reason)", at: now) else { return }
        let hint = rejection.reason == "cluster_mismatch"
            ? " (another --cluster name, or different --election-timeout minimum, --lease or --clock-drift: every node must agree on them)" : ""
        log.warning("refused peer input from \(host): \(rejection)\(hint); connection closed (logged at most once a minute per address and reason; tenure_malformed_frames_total counts every one)")
        eventLog?.write(.reject, at: now) {
            $0.peer = host
            $0.reason = rejection.reason
            $0.detail = rejection.description
        }
    }

    /// A datagram that was dropped: counted always, logged at most once a minute per address and
    /// reason. Nothing else changes: a datagram has no connection to close.
    private func rejectDatagram(_ rejection: PeerInputRejection, host: String, now: Instant) {
        metrics.rejectedDatagrams[rejection.reason, default: 0] += 1
        guard state.rejections.allows("datagram|\(host)|\(rejection.reason)", at: now) else { return }
        log.warning("dropped a peer datagram from \(host): \(rejection) (logged at most once a minute per address and reason; tenure_peer_datagrams_rejected_total counts every one)")
    }

    /// SIGTERM or SIGINT: a leader gives up its lease and hands over before exiting.
    func handle(_ signal: SignalPipe.Signal, now: Instant) {
        if signal == .hangUp {
            reloadPeerKeys()
            return
        }
        let name = signal.name
        switch state.shutdown.signalled(isLeader: state.core.role == .leader) {
        case .exit:
            log.info("\(name): not the leader; exiting")
        case .resign:
            let startTerm = state.core.term
            let (outcome, output) = state.core.resign(at: now)
            apply(output, now: now)
            log.info("\(name) on the leader: gave up the lease, \(outcome)")
            var handedOver = false
            if case .resigned(handedTo: .some) = outcome { handedOver = true }
            state.shutdown.resigned(handedOver: handedOver, startTerm: startTerm, deadline: now + options.electionTimeoutMin)
        case .exitNow:
            log.info("second signal while handing over; exiting now")
        case .ignore:
            break
        }
    }

    /// SIGHUP: re-reads `--peer-key-file` (keys rotate without a restart) and `--api-token-file`.
    func reloadPeerKeys() {
        if let apiToken {
            if let error = apiToken.reload() { log.error("SIGHUP: \(error); keeping the token in use") } else { log.info("SIGHUP: API token re-read") }
        }
        let security = transport.security
        guard !security.insecure else {
            log.info("SIGHUP: no --peer-key-file to re-read")
            return
        }
        if let error = security.reload() {
            log.error("SIGHUP: \(error); keeping the keys in use")
        } else if let keyring = security.keyring {
            log.info("SIGHUP: peer keys re-read: signing with \(keyring.signing.idText), accepting \(keyring.keys.map(\.idText).joined(separator: ", "))")
        }
    }

    /// Carries out one core output: persist, then send, then publish (docs/architecture.md,
    /// "Persist, then send, then publish").
    func apply(_ output: Output, now: Instant) {
        let messages: [Envelope]
        do {
            if output.hardState == nil, !state.stateIsDurable, output.messageCount > 0 {
                // A previous write failed: make the state these messages depend on durable first.
                try persistNow(state.core.hardState)
            }
            messages = try output.messages(afterPersisting: persistNow)
        } catch {
            metrics.persistFailures += 1
            notePersistFailure("\(error)", now: now)
            log.debug("\(error); the \(output.messageCount) message(s) that depend on it were not sent")
            eventLog?.write(.persistFailed, at: now) {
                $0.term = state.core.hardState.term
                $0.votedFor = state.core.hardState.votedFor?.rawValue
                $0.error = "\(error)"
            }
            messages = []
        }
        var relayed: [PeerReport]?
        func relaying() -> [PeerReport] {
            if let relayed { return relayed }
            let built = state.reports.relayed(own: ownReport(now: now), at: now)
            relayed = built
            return built
        }
        for envelope in messages {
            if DatagramCodec.carries(envelope.message) {
                // A beat or its answer: best effort, on the datagram socket.
                if case .heartbeat = envelope.message { metrics.beatsSent += 1 }
                if !transport.sendDatagram(envelope) { metrics.datagramsDropped += 1 }
                continue
            }
            if holdForRunner(envelope, now: now) { continue }
            metrics.messagesSent += 1
            if case .heartbeat = envelope.message { metrics.heartbeatsSent += 1 }
            let reports = PeerReportTable.reports(for: envelope, own: ownReport(now: now), relaying: relaying())
            if !transport.send(envelope, reports: reports, now: now) { metrics.messagesDropped += 1 }
        }
        if !output.events.isEmpty {
            let wall = WallClock.seconds()
            for event in output.events {
                if case .leaseExtended(_, _, _, let expiresAt, _) = event { state.lastLeaseExpiry = expiresAt }
                metrics.record(event)
                eventLog?.write(event, at: now)
                state.history.record(event, at: now, wallSeconds: wall, healthy: state.core.healthy)
                logDecision(event)
                queueHooks(for: event)
            }
        }
        followMembership(now: now)
        publishChanges(now: now)
    }

    /// Writes and syncs `state`; on success it is the durable state.
    func persistNow(_ hardState: HardState) throws(HardStateStoreError) {
        let started = clock.now()
        try store.save(hardState)
        let finished = clock.now()
        state.durableHardState = hardState
        notePersistRecovered(now: finished)
        metrics.persistLatency.observe(finished - started)
        eventLog?.write(.persistOK, at: finished) {
            $0.term = hardState.term
            $0.votedFor = hardState.votedFor?.rawValue
            $0.latencyNanoseconds = (finished - started).nanoseconds
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
        case .leaderChanged(let leader?, let term) where leader != state.core.id:
            log.info("following \(leader) in term \(term)")
        case .transferStarted(let term, let target):
            log.info("handing leadership of term \(term) to \(target)")
        default:
            break
        }
    }

    /// Announces a change of leader or term to watchers.
    func publishChanges(now: Instant) {
        guard state.feed.announce(leader: state.clientLeader, term: state.clientTerm) else { return }
        api.broadcast(watchEventBytes(), to: .leader)
        pushStatus(now: now)
    }
}
