import TenureCore
import TenurePOSIX
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
    let clock: any NodeClock
    let store: any HardStateStorage
    var durableHardState: HardState
    let transport: PeerTransport
    let api: APIServer
    let metrics = Metrics()
    let log: Log
    let eventLog: EventLog?
    var history = LeadershipHistory()
    let startedAt: Instant
    var signalFD: Int32 = -1
    private var pollSet = PollSet()
    private var pollTokens: [PollToken] = []

    /// The (leader, term) last announced to watchers, and the sequence number of that event.
    var announced: (leader: NodeID?, term: UInt64)?
    var watchSequence: UInt64 = 0
    /// The status page's feed: when the next status event is due, events sent, and the history
    /// count its followers last saw.
    var nextStatusPushAt = Instant.zero
    var statusSequence: UInt64 = 0
    var statusHistoryCount = 0
    /// Whether a status stream had a follower at the last push (or started since): lets each
    /// turn decide whether to wake for the next push without scanning every API connection.
    var statusStreamFollowed = false
    /// API requests waiting for a transfer or resign to finish.
    var pendingCommands: [PendingCommand] = []
    /// The `tenure run` beside this node, a handover waiting for it, and the last lease end.
    var runner: RunnerAttachment?
    var heldTransfer: HeldTransfer?
    var lastLeaseExpiry: Instant?
    /// The application's health: pulled checks (on their own thread) and pushed reports.
    var health: HealthState
    let healthChecker: HealthChecker?
    /// `--api-token-file`: the bearer token that guards transfer, resign, health reports and
    /// membership changes.
    let apiToken: APIToken?
    /// `--on-elected` / `--on-demoted`, run on their own thread; runs queued and not yet reported.
    let hooks: HookRunner?
    var hooksInFlight = 0
    /// The members a joining node learned from `--join`, until a leader's configuration names it.
    var bootstrapPeers: [NodeID: SocketAddress] = [:]
    /// The configuration the transport was last set up for.
    var appliedMembership: MembershipConfiguration
    /// `POST /v1/members` and `DELETE /v1/members/ID` waiting for their change to commit.
    var pendingMembershipCommands: [PendingMembershipCommand] = []
    /// Every other node's newest health report, and this node's load average sample.
    var peerReports: [NodeID: KnownReport] = [:]
    var loadSample: (milli: UInt32?, at: Instant) = (nil, Instant(nanoseconds: 0))
    var shutdown: ShutdownState = .running
    var nextReapAt: Instant
    /// Set while the term and vote cannot be made durable; the write is retried on a timer.
    var persistOutage: (since: Instant, error: String)?
    var nextPersistRetryAt = Instant.zero
    /// When each (address, reason) of refused peer input was last logged.
    var rejectionLoggedAt: [String: Instant] = [:]

    /// An operator command that changes leadership and is answered once it took effect.
    enum LeadershipCommand: String {
        case transfer, resign
    }

    struct PendingCommand {
        var fd: Int32
        var kind: LeadershipCommand
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

    /// A runtime with its clock, storage and random seed chosen by the caller (tests inject a
    /// `ManualClock` and an `InMemoryHardStateStore`).
    /// Tests that run several runtimes in one process pass `installSignalHandlers: false`, so
    /// the process keeps its own handlers and no runtime leaks a pipe.
    public init(options: NodeOptions, clock: any NodeClock, store: any HardStateStorage, seed: UInt64,
                installSignalHandlers: Bool = true) throws(StartupError) {
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
        durableHardState = hardState
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
        var bootstrap: [NodeID: SocketAddress] = [:]
        if options.join != nil {
            initial = MembershipConfiguration(index: 0, term: 0, members: [
                Member(id: options.id, address: options.peers.first { $0.id == options.id }!.address.description,
                       api: options.api.description, voter: false),
            ])
            if hardState.membership == nil { bootstrap = options.joinMembers }
        } else {
            initial = .initial(voters: options.peers.map(\.id), addresses: Dictionary(uniqueKeysWithValues: options.peers.map {
                ($0.id, (address: $0.address.description, api: options.apiAddress(of: $0.id)?.description ?? ""))
            }))
        }
        bootstrapPeers = bootstrap
        core = ElectionCore(configuration: options.configuration, hardState: hardState, now: now, randomSeed: seed, initialMembership: initial)
        appliedMembership = core.membership
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
        transport = PeerTransport(selfID: options.id, listenAddress: options.peers.first { $0.id == options.id }!.address,
                                  peerAddresses: Self.addresses(of: core.membership, without: options.id, bootstrap: bootstrap),
                                  clusterID: options.clusterID, configuration: options.configuration, security: security,
                                  seed: seed ^ 0x5EED, log: log)
        api = APIServer(address: options.api, log: log)
        health = HealthState(rise: options.healthRise, fall: options.healthFall)
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
        if now >= core.nextDeadline { apply(core.advance(to: now), now: now) }
        retryPersistIfDue(now: now)
        let linkDeadline = transport.maintain(now: now)
        if let leader = core.leader, leader != core.id { noteRefusal(from: leader, now: now) }
        settlePendingCommands(now: now)
        settleMembershipCommands(now: now)
        releaseHeldTransfer(now: now)
        reconcileHealth(now: now)
        if now >= nextStatusPushAt { pushStatus(now: now) }
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
        if case .finished = shutdown { return false }

        var wakeAt = min(core.nextDeadline, nextReapAt)
        if statusStreamFollowed { wakeAt = min(wakeAt, nextStatusPushAt) }
        if let linkDeadline { wakeAt = min(wakeAt, linkDeadline) }
        for command in pendingCommands { wakeAt = min(wakeAt, command.deadline) }
        for command in pendingMembershipCommands { wakeAt = min(wakeAt, min(command.deadline, command.retryAt ?? command.deadline)) }
        if let heldTransfer { wakeAt = min(wakeAt, heldTransfer.until) }
        if let expiry = health.pushExpiresAt, expiry > now { wakeAt = min(wakeAt, expiry) }
        if !stateIsDurable { wakeAt = min(wakeAt, nextPersistRetryAt) }
        if case .draining(_, let deadline) = shutdown { wakeAt = min(wakeAt, deadline) }
        var wait = max(Interval.zero, wakeAt - now)
        if let maximumWait { wait = min(wait, maximumWait) }

        collectDescriptors()
        // Round up, so the loop never wakes just before a deadline and spins.
        let timeoutMilliseconds = Int32(min(Int64(Int32.max), (wait.nanoseconds + 999_999) / 1_000_000))
        let ready = try pollSet.wait(timeoutMilliseconds: timeoutMilliseconds)
        guard ready > 0 else { return true }
        let readyAt = clock.now()
        for index in 0..<pollSet.count {
            let events = pollSet.events(at: index)
            guard !events.isEmpty else { continue }
            dispatch(pollTokens[index], events: events, now: readyAt)
            if case .finished = shutdown { break }
        }
        if case .finished = shutdown { return false }
        return true
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
        eventLog?.write(.stop, at: clock.now()) { $0.term = core.term }
    }

    enum PollToken {
        case signal
        case peerListener
        case datagrams
        case inbound(Int32)
        case link(NodeID)
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
        add(transport.listener, .readable, .peerListener)
        if transport.datagramSocket >= 0 { add(transport.datagramSocket, .readable, .datagrams) }
        for fd in transport.inbound.keys { add(fd, .readable, .inbound(fd)) }
        for link in transport.links {
            if let fd = link.descriptor, !link.pollEvents.isEmpty { add(fd, link.pollEvents, .link(link.peer)) }
        }
        add(api.listener, .readable, .apiListener)
        if let healthChecker { add(healthChecker.readEnd, .readable, .health) }
        if let hooks { add(hooks.reports.readEnd, .readable, .hooks) }
        for (fd, connection) in api.connections { add(fd, api.pollEvents(for: connection), .api(fd)) }
    }

    private func dispatch(_ token: PollToken, events: PollEvents, now: Instant) {
        switch token {
        case .signal:
            for signal in SignalPipe.drain(signalFD) { handle(signal, now: now) }
        case .peerListener:
            transport.acceptConnections(now: now, onReject: { rejection, host in reject(rejection, host: host, now: now) })
        case .datagrams:
            for envelope in transport.readDatagrams(now: now, onReject: { rejection, host in rejectDatagram(rejection, host: host, now: now) }) {
                metrics.messagesReceived += 1
                if case .heartbeat = envelope.message { metrics.beatsReceived += 1 }
                apply(core.receive(envelope, at: now), now: now)
            }
        case .inbound(let fd):
            let frames = transport.readInbound(fd: fd, now: now, onReject: { rejection, host in reject(rejection, host: host, now: now) })
            for frame in frames {
                let envelope = frame.envelope
                absorbReports(frame, now: now)
                metrics.messagesReceived += 1
                if case .heartbeat = envelope.message { metrics.heartbeatsReceived += 1 }
                apply(core.receive(envelope, at: now), now: now)
            }
        case .link(let peer):
            transport.link(for: peer)?.handle(events: events, now: now, log: log)
            noteRefusal(from: peer, now: now)
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

    /// A refused connection to the leader's port is evidence its process is gone: the core may
    /// campaign once the stickiness window since its last heartbeat has passed.
    func noteRefusal(from peer: NodeID, now: Instant) {
        guard transport.link(for: peer)?.takeRefusal() != nil, peer == core.leader, core.role == .follower else { return }
        log.info("\(peer)'s peer port refused a connection: its process is gone; campaigning once \(core.configuration.stickinessWindow) since its last heartbeat have passed")
        apply(core.peerProcessGone(peer, at: now), now: now)
    }

    private func reject(_ rejection: PeerInputRejection, host: String, now: Instant) {
        metrics.rejectedPeerInput[rejection.reason, default: 0] += 1
        // Counted always, logged at most once a minute per address and reason: a flood of junk
        // must not flood the log too.
        let key = "\(host)|\(rejection.reason)"
        if let last = rejectionLoggedAt[key], now - last < .seconds(60) { return }
        if rejectionLoggedAt.count >= 1024 { rejectionLoggedAt.removeAll() }
        rejectionLoggedAt[key] = now
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
        let key = "datagram|\(host)|\(rejection.reason)"
        if let last = rejectionLoggedAt[key], now - last < .seconds(60) { return }
        if rejectionLoggedAt.count >= 1024 { rejectionLoggedAt.removeAll() }
        rejectionLoggedAt[key] = now
        log.warning("dropped a peer datagram from \(host): \(rejection) (logged at most once a minute per address and reason; tenure_peer_datagrams_rejected_total counts every one)")
    }

    /// SIGTERM or SIGINT: a leader gives up its lease and hands over before exiting.
    func handle(_ signal: SignalPipe.Signal, now: Instant) {
        if signal == .hangUp {
            reloadPeerKeys()
            return
        }
        switch shutdown {
        case .running:
            let name = signal.name
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
            if output.hardState == nil, core.hardState != durableHardState, output.messageCount > 0 {
                // A previous write failed: make the state these messages depend on durable first.
                try persist(core.hardState)
            }
            messages = try output.messages(afterPersisting: persist)
        } catch {
            metrics.persistFailures += 1
            notePersistFailure("\(error)", now: now)
            log.debug("\(error); the \(output.messageCount) message(s) that depend on it were not sent")
            eventLog?.write(.persistFailed, at: now) {
                $0.term = core.hardState.term
                $0.votedFor = core.hardState.votedFor?.rawValue
                $0.error = "\(error)"
            }
            messages = []
        }
        var relayed: [PeerReport]?
        func relaying() -> [PeerReport] {
            if let relayed { return relayed }
            let built = relayedReports(now: now)
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
            if !transport.send(envelope, reports: reports(for: envelope, relaying: relaying(), now: now), now: now) { metrics.messagesDropped += 1 }
        }
        if !output.events.isEmpty {
            let wall = WallClock.seconds()
            for event in output.events {
                if case .leaseExtended(_, _, _, let expiresAt, _) = event { lastLeaseExpiry = expiresAt }
                metrics.record(event)
                eventLog?.write(event, at: now)
                history.record(event, at: now, wallSeconds: wall, healthy: core.healthy)
                logDecision(event)
                queueHooks(for: event)
            }
        }
        followMembership(now: now)
        publishChanges(now: now)
    }

    private func persist(_ state: HardState) throws(HardStateStoreError) { try persistNow(state) }

    /// Writes and syncs `state`; on success it is the durable state.
    func persistNow(_ state: HardState) throws(HardStateStoreError) {
        let started = clock.now()
        try store.save(state)
        let finished = clock.now()
        durableHardState = state
        notePersistRecovered(now: finished)
        metrics.persistLatency.observe(finished - started)
        eventLog?.write(.persistOK, at: finished) {
            $0.term = state.term
            $0.votedFor = state.votedFor?.rawValue
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
        let current = (leader: clientLeader, term: clientTerm)
        if let announced, announced.leader == current.leader, announced.term == current.term { return }
        announced = current
        watchSequence += 1
        api.broadcast(watchEventBytes(), to: .leader)
        pushStatus(now: now)
    }
}
