import Glibc
import Testing
import TenurePOSIX

@testable import TenureCore
@testable import TenureNode
@testable import TenureWire

/// A `HardStateStorage` that tells the cluster about each save before and after it happens, so a
/// test can look at the runtime (and at the wire) at the exact moment the state is made durable.
/// It wraps the in-memory store or the real file store alike.
final class ProbedStore: HardStateStorage {
    let inner: any HardStateStorage
    var beforeSave: ((HardState) -> Void)?
    var afterSave: ((HardState, HardStateStoreError?) -> Void)?

    init(_ inner: any HardStateStorage) { self.inner = inner }

    var location: String { inner.location }
    func load() throws(HardStateStoreError) -> HardState? { try inner.load() }

    func save(_ state: HardState) throws(HardStateStoreError) {
        beforeSave?(state)
        do {
            try inner.save(state)
        } catch {
            afterSave?(state, error)
            throw error
        }
        afterSave?(state, nil)
    }
}

/// Three (by default) real `NodeRuntime`s on an `InMemoryPeerNetwork`: real runtime, real API
/// server and real core, but the peers' messages travel through one in-process hub and each
/// node's time is a `ManualClock` the test moves.
///
/// No test hands out addresses: peer addresses are placeholders the hub never binds, and each API
/// listens on a port of 127.0.0.1 the kernel chose, so suites running in parallel never collide.
/// `step` moves the clocks and turns every node a few times with a zero poll timeout, so what one
/// node sent is read by the others in the same step. All loops are bounded.
///
/// Every save of every node is probed: at the moment `save` is called, the cluster looks at the
/// messages from the saving node that no other node has taken yet. A message that depends on the
/// state being saved (any non-pre-vote message of a term above the durable one; a granted vote for
/// the new vote) must not be there yet: that is the persist-then-send rule, seen from the network.
final class RuntimeCluster {
    static let start = Instant(nanoseconds: 1_000_000_000)

    /// One call of `HardStateStorage.save` by one node.
    struct SaveRecord {
        var node: Int
        var state: HardState
        /// The node's durable state just before this save.
        var durableBefore: HardState
        /// `metrics.messagesSent` of the saving node when `save` was called.
        var sentAtSave: Int
        /// Frames from the saving node that were unread in its peers' sockets when `save` was called.
        var onWireAtSave: [Envelope]
        /// Those of `onWireAtSave` that depend on `state`: each one is a broken persist-then-send rule.
        var dependentOnWire: [Envelope]
        var failed = false
        /// Which `turn` call the save happened in, if any (`nil`: outside a turn, e.g. in `handle`).
        var turnSerial: Int?
        /// `metrics.messagesSent` when that turn returned.
        var sentAtTurnEnd: Int?
        /// Frames from the saving node unread in its peers' sockets when that turn returned.
        var onWireAtTurnEnd: [Envelope]?

        /// A new term in which the node votes for itself: the save a campaign makes.
        func isCampaign(of id: NodeID) -> Bool { state.votedFor == id && state.term > durableBefore.term }
        /// A vote for another node that was not durable before.
        func isVote(of id: NodeID) -> Bool {
            guard let votedFor = state.votedFor, votedFor != id else { return false }
            return state != durableBefore
        }
    }

    /// How a node ended: its `turn` returned false (it was then stopped, as the process exits).
    struct ExitRecord {
        var at: Instant
        var step: Int
        var term: UInt64
        var leader: NodeID?
    }

    let ids: [NodeID]
    let network = InMemoryPeerNetwork()
    private(set) var options: [NodeOptions] = []
    private(set) var runtimes: [NodeRuntime] = []
    private(set) var clocks: [ManualClock] = []
    private(set) var stores: [ProbedStore] = []
    /// Nodes that are not turned: a frozen process whose sockets stay open and unread.
    var paused: Set<Int> = []
    /// Nodes whose clocks `step` does not move (tests move them by hand).
    var heldClocks: Set<Int> = []
    private(set) var exited: [Int: ExitRecord] = [:]
    private(set) var saves: [SaveRecord] = []
    private(set) var steps = 0
    /// (term, leader) pairs seen, to check election safety on every step.
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    private var turnSerial = 0
    private var currentTurn: (node: Int, serial: Int)?
    private var stopped = false

    /// Builds and starts the nodes. `makeStore` gives each node its storage (in memory by
    /// default); `configure` may change a node's options after the test timings are set.
    /// `sockets`: the real `PeerTransport` (TCP and UDP on ports of 127.0.0.1 the kernel chose)
    /// instead of the in-memory network, for the tests of the transport path itself.
    init(count: Int = 3, sockets: Bool = false,
         makeStore: (Int) throws -> any HardStateStorage = { _ in InMemoryHardStateStore() },
         configure: (Int, inout NodeOptions) -> Void = { _, _ in }) throws {
        ids = (1...count).map { NodeID("n\($0)") }
        let peers = try ids.indices.map { (id: ids[$0], address: sockets ? try Self.freeAPIAddress() : Self.peerAddress($0)) }
        let apis = try ids.indices.map { _ in try Self.freeAPIAddress() }
        do {
            for index in ids.indices {
                var nodeOptions = NodeOptions(id: ids[index], peers: peers, api: apis[index], dataDirectory: "/nonexistent/tenure-test")
                for other in ids.indices where other != index { nodeOptions.peerAPIs[ids[other]] = apis[other] }
                nodeOptions.heartbeatInterval = .milliseconds(20)
                nodeOptions.electionTimeoutMin = .milliseconds(200)
                nodeOptions.electionTimeoutMax = .milliseconds(220)
                nodeOptions.logLevel = .error
                nodeOptions.peerKeyFile = try Self.keyFile()
                configure(index, &nodeOptions)
                try nodeOptions.configuration.validate()
                let clock = ManualClock(start: Self.start)
                let store = ProbedStore(try makeStore(index))
                store.beforeSave = { [weak self] state in self?.probeSave(node: index, state: state) }
                store.afterSave = { [weak self] state, error in self?.finishSave(node: index, state: state, error: error) }
                let network = self.network
                let seed = UInt64(count) &* 1_000_003 &+ UInt64(index) &* 7_919
                let runtime = sockets
                    ? try NodeRuntime(options: nodeOptions, clock: clock, store: store, seed: seed, installSignalHandlers: false)
                    : try NodeRuntime(options: nodeOptions, clock: clock, store: store, seed: seed, installSignalHandlers: false,
                                              network: { security, peerAddresses in
                                                  network.transport(for: nodeOptions.id, listenAddress: Self.peerAddress(index), security: security,
                                                                    peers: peerAddresses)
                                              })
                options.append(nodeOptions)
                clocks.append(clock)
                stores.append(store)
                runtimes.append(runtime)
            }
        } catch {
            stop()
            throw error
        }
    }

    /// A placeholder peer address for node `index`: valid, unique, never bound.
    static func peerAddress(_ index: Int) -> SocketAddress { SocketAddress(host: "127.0.0.1", port: UInt16(40_001 + index)) }

    /// An address of 127.0.0.1 whose port the kernel just handed out (and that is free again).
    static func freeAPIAddress() throws -> SocketAddress {
        let fd = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0))
        defer { Descriptor.close(fd) }
        guard let port = Socket.localPort(fd) else { throw KeyFileError() }
        return SocketAddress(host: "127.0.0.1", port: port)
    }

    /// A cluster key shared by every test runtime (peer authentication is on, as in production);
    /// a static let, so parallel tests write it exactly once.
    static let sharedKeyFile: String? = {
        let path = "/tmp/tenure-runtime-tests-\(ProcessEnvironment.processID).key"
        _ = ChildProcess.runShell("rm -f \(path)")
        return Files.append("4f" + String(repeating: "a5", count: 31) + "\n", to: path) ? path : nil
    }()

    static func keyFile() throws -> String {
        guard let path = sharedKeyFile else { throw KeyFileError() }
        return path
    }

    struct KeyFileError: Error {}

    var indices: Range<Int> { ids.indices }
    func index(of id: NodeID) -> Int { ids.firstIndex(of: id)! }
    func apiAddress(_ node: Int) -> SocketAddress { options[node].api }
    func memoryStore(_ node: Int) -> InMemoryHardStateStore { stores[node].inner as! InMemoryHardStateStore }
    func isRunning(_ node: Int) -> Bool { exited[node] == nil }

    /// Closes every node's sockets. Safe to call twice.
    func stop() {
        guard !stopped else { return }
        stopped = true
        for index in runtimes.indices where exited[index] == nil { runtimes[index].stop() }
    }

    // MARK: - Driving

    /// One `turn` of one node (a no-op once it exited). When `turn` returns false the node is
    /// stopped, as `run()` does before the process exits.
    @discardableResult
    func turn(_ node: Int, maximumWait: Interval = .zero) -> Bool {
        guard exited[node] == nil else { return false }
        turnSerial += 1
        let serial = turnSerial
        currentTurn = (node, serial)
        let running: Bool
        do {
            running = try runtimes[node].turn(maximumWait: maximumWait)
        } catch {
            Issue.record("turn of \(ids[node]) failed: \(error)")
            running = true
        }
        currentTurn = nil
        let runtime = runtimes[node]
        for index in saves.indices where saves[index].turnSerial == serial {
            saves[index].sentAtTurnEnd = runtime.metrics.messagesSent
            saves[index].onWireAtTurnEnd = unreadEnvelopes(from: node)
        }
        if !running {
            exited[node] = ExitRecord(at: clocks[node].now(), step: steps, term: runtime.core.term, leader: runtime.core.leader)
            runtime.stop()
        }
        checkElectionSafety()
        return running
    }

    /// Turns every running, unpaused node `passes` times without moving any clock.
    func settle(passes: Int = 3) {
        for _ in 0..<passes {
            for node in indices where !paused.contains(node) { turn(node) }
        }
    }

    /// Moves every clock not held by `interval`, then settles.
    func step(by interval: Interval = .milliseconds(1), passes: Int = 3) {
        steps += 1
        for node in indices where !heldClocks.contains(node) && exited[node] == nil { clocks[node].advance(by: interval) }
        settle(passes: passes)
    }

    /// Steps until `condition` holds, at most `maxSteps` times; records an issue when it never does.
    @discardableResult
    func runUntil(_ what: String, maxSteps: Int, by interval: Interval = .milliseconds(1),
                  sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) -> Bool {
        for _ in 0..<maxSteps {
            if condition() { return true }
            step(by: interval)
        }
        if condition() { return true }
        Issue.record("not reached within \(maxSteps) steps: \(what)\n\(summary)", sourceLocation: sourceLocation)
        return false
    }

    /// Turns the unpaused nodes with a small real poll timeout and every clock still, until
    /// `condition` holds: for waiting on something outside the cluster (a test's HTTP client)
    /// without letting manual time pass. At most `maxIterations` rounds (a few ms each).
    @discardableResult
    func pump(_ what: String, maxIterations: Int = 2000, sourceLocation: SourceLocation = #_sourceLocation,
              _ condition: () -> Bool) -> Bool {
        for _ in 0..<maxIterations {
            if condition() { return true }
            for node in indices where !paused.contains(node) { turn(node, maximumWait: .milliseconds(1)) }
        }
        if condition() { return true }
        Issue.record("not reached within \(maxIterations) pump rounds: \(what)\n\(summary)", sourceLocation: sourceLocation)
        return false
    }

    /// Moves one node's clock forward to `instant` (no-op if it is already there).
    func advance(_ node: Int, to instant: Instant) {
        let now = clocks[node].now()
        if instant > now { clocks[node].advance(by: instant - now) }
    }

    // MARK: - Leadership

    /// The running nodes that hold a valid lease right now (by their own clocks).
    var leaseHolders: [Int] {
        indices.filter { exited[$0] == nil && runtimes[$0].core.isLeader(at: clocks[$0].now()) }
    }

    /// The leader when exactly one running node holds a lease and every other running, unpaused
    /// node follows it in its term.
    var stableLeader: Int? {
        let holders = leaseHolders
        guard holders.count == 1, let leader = holders.first else { return nil }
        let core = runtimes[leader].core
        for node in indices where node != leader && exited[node] == nil && !paused.contains(node) {
            let other = runtimes[node].core
            guard other.role == .follower, other.term == core.term, other.leader == core.id else { return nil }
        }
        return leader
    }

    /// Steps until there is a stable leader whose followers all acknowledged a recent heartbeat
    /// (so it can transfer to any of them); returns it, or nil after recording an issue.
    func runUntilStableLeader(maxSteps: Int = 2000, sourceLocation: SourceLocation = #_sourceLocation) -> Int? {
        let reached = runUntil("a stable leader", maxSteps: maxSteps, sourceLocation: sourceLocation) {
            guard let leader = stableLeader else { return false }
            let core = runtimes[leader].core
            return indices.allSatisfy { node in
                node == leader || exited[node] != nil || paused.contains(node)
                    || core.chooseTransferTarget(ids[node]).isSuccess
            }
        }
        return reached ? stableLeader : nil
    }

    /// Two leaders in one term would be a safety bug; check after every turn.
    private func checkElectionSafety() {
        for node in indices where exited[node] == nil {
            let core = runtimes[node].core
            guard core.role == .leader else { continue }
            if let other = leaderOfTerm[core.term], other != core.id {
                Issue.record("two leaders in term \(core.term): \(other) and \(core.id)")
            }
            leaderOfTerm[core.term] = core.id
        }
    }

    var summary: String {
        indices.map { node in
            let core = runtimes[node].core
            let state = exited[node] != nil ? "exited" : paused.contains(node) ? "paused" : "running"
            return "  \(ids[node]) \(state) \(core.role.rawValue) term \(core.term) voted \(core.votedFor?.rawValue ?? "-") leader \(core.leader?.rawValue ?? "-") at \((clocks[node].now() - Self.start).milliseconds)ms"
        }.joined(separator: "\n")
    }

    // MARK: - The persist-then-send probe

    /// Messages from `sender` that its peers have not taken yet.
    func unreadEnvelopes(from sender: Int) -> [Envelope] { network.unread(from: ids[sender]) }

    /// Whether `envelope`, sent by a node whose durable state was `durable`, depends on `state`
    /// (which it is about to save): any message carrying a term above the durable one, except
    /// granted pre-votes (they echo the proposed term) and pre-vote requests, which propose the
    /// sender's term + 1 and so depend only on that term; and a granted real vote that `state`
    /// records for the first time.
    static func depends(_ envelope: Envelope, on state: HardState, durable: HardState) -> Bool {
        switch envelope.message {
        case .requestVote(let request) where request.preVote: return request.term > durable.term + 1
        case .voteResponse(let response) where response.preVote && response.granted: return false
        case .voteResponse(let response) where !response.preVote && response.granted:
            if response.term == state.term, state.votedFor == envelope.to, durable != state { return true }
        default: break
        }
        return envelope.message.term > durable.term
    }

    private func probeSave(node: Int, state: HardState) {
        let runtime = runtimes.indices.contains(node) ? runtimes[node] : nil
        // During init the runtime does not exist yet; it never saves before it starts.
        guard let runtime else { return }
        let durable = runtime.state.durableHardState
        let onWire = unreadEnvelopes(from: node)
        let dependent = onWire.filter { Self.depends($0, on: state, durable: durable) }
        var record = SaveRecord(node: node, state: state, durableBefore: durable, sentAtSave: runtime.metrics.messagesSent,
                                onWireAtSave: onWire, dependentOnWire: dependent)
        if let currentTurn, currentTurn.node == node { record.turnSerial = currentTurn.serial }
        saves.append(record)
        for envelope in dependent {
            Issue.record("\(ids[node]) is saving \(state) (durable: \(durable)) but \(envelope) already left")
        }
    }

    private func finishSave(node: Int, state: HardState, error: HardStateStoreError?) {
        guard let last = saves.lastIndex(where: { $0.node == node }), saves[last].state == state else { return }
        saves[last].failed = error != nil
    }

    func saves(of node: Int) -> [SaveRecord] { saves.filter { $0.node == node } }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
}
