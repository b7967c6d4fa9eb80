import Testing
import TenureCore
@testable import TenureSimulation

/// The simulator's own building blocks: clocks, the event queue, the disk and the lease ledger.
@Suite("Simulator building blocks")
struct SimulatorPartsTests {
    @Test("A drifting clock converts deadlines back to the first real instant that reaches them")
    func clockInverse() {
        var random = SeededRandomSource(seed: 3)
        for _ in 0..<2000 {
            let clock = SimulatedClock(offsetNanoseconds: random.integer(0, 1_000_000_000_000),
                                       rate: random.uniform(0.7, 1.3))
            let real = random.integer(0, 100_000_000_000)
            let local = clock.local(at: real)
            let back = clock.realTime(reaching: local)
            #expect(back <= real)
            #expect(clock.local(at: back) >= local)
            #expect(back == 0 || clock.local(at: back - 1) < local)
        }
    }

    @Test("The event queue orders by time and breaks ties by scheduling order")
    func queueOrder() {
        var queue = EventQueue()
        var random = SeededRandomSource(seed: 5)
        var expected: [(Int64, Int)] = []
        for index in 0..<500 {
            let time = random.integer(0, 20)
            queue.schedule(.fault(index: index), at: time)
            expected.append((time, index))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [Int] = []
        while let entry = queue.popNext() {
            guard case .fault(let index) = entry.action else { continue }
            popped.append(index)
        }
        #expect(popped == expected.map(\.1))
    }

    @Test("A crash keeps what was durable and loses writes in flight and the messages behind them")
    func storageCrash() {
        var storage = SimulatedStorage()
        let first = storage.issue(HardState(term: 1, votedFor: "n2"), now: 0, latency: 1_000)
        _ = storage.complete(first.write)
        let second = storage.issue(HardState(term: 2, votedFor: nil), now: 1_500, latency: 1_000)
        #expect(second.completesAt == 2_500)
        let third = storage.issue(HardState(term: 3, votedFor: nil), now: 1_600, latency: 100)
        #expect(third.completesAt == 2_600, "one fsync at a time: a write completes after the one before it")
        storage.hold(OutgoingBatch(requiredWrite: second.write, messages: [
            Envelope(from: "n1", to: "n2", message: .heartbeatResponse(HeartbeatResponse(term: 2, round: 1, accepted: false))),
        ], votes: []))
        #expect(storage.takeReleasable().isEmpty)
        let lost = storage.crash()
        #expect(lost.lostWrites == 2 && lost.lostMessages == 1)
        #expect(storage.durable == HardState(term: 1, votedFor: "n2"))
        #expect(!storage.hasPendingWrites)
    }

    @Test("Messages wait for every write issued before them")
    func storageRelease() {
        var storage = SimulatedStorage()
        let write = storage.issue(HardState(term: 3, votedFor: nil), now: 0, latency: 500)
        storage.hold(OutgoingBatch(requiredWrite: write.write, messages: [], votes: [CastVote(term: 3, candidate: 1)]))
        _ = storage.complete(write.write)
        #expect(storage.takeReleasable().count == 1)
    }

    @Test("Leases of different terms that share real time are an overlap; a truncated lease is not")
    func leaseLedger() {
        var ledger = LeaseLedger(nodeCount: 3)
        #expect(ledger.extend(node: 0, term: 1, now: 0, realEnd: 1_000, acquired: true) == nil)
        ledger.end(node: 0, now: 400)
        #expect(ledger.extend(node: 1, term: 2, now: 500, realEnd: 1_500, acquired: true) == nil)
        #expect(ledger.extend(node: 1, term: 2, now: 600, realEnd: 1_700, acquired: false) == nil)
        let overlap = ledger.extend(node: 2, term: 3, now: 1_600, realEnd: 2_000, acquired: true)
        #expect(overlap?.other.node == 1)
        #expect(overlap?.length == 100)
    }

    @Test("The isolated-node rule waits out the longest message delay and the last resume")
    func isolatedNodeRule() {
        var checker = InvariantChecker(nodeCount: 3, quorum: 2, stickinessWindowNanoseconds: 1_000, maximumMessageDelayNanoseconds: 100)
        checker.campaigned(node: 0, term: 2, now: 150, isolatedSince: 100, lastResumeAt: .min)
        checker.campaigned(node: 0, term: 2, now: 350, isolatedSince: 100, lastResumeAt: 300)
        checker.campaigned(node: 0, term: 2, now: 350, isolatedSince: nil, lastResumeAt: .min)
        #expect(checker.found.isEmpty)
        checker.campaigned(node: 0, term: 2, now: 201, isolatedSince: 100, lastResumeAt: .min)
        #expect(checker.found.map(\.kind) == [.isolatedTermIncrease])
    }

    @Test("A vote is one candidate per term per voter, and a restart may not forget a term it sent")
    func votesAndTerms() {
        var checker = InvariantChecker(nodeCount: 3, quorum: 2, stickinessWindowNanoseconds: 1_000, maximumMessageDelayNanoseconds: 100)
        checker.recordVote(voter: 0, term: 4, candidate: 1)
        checker.recordVote(voter: 0, term: 4, candidate: 1)
        #expect(checker.found.isEmpty)
        checker.recordVote(voter: 0, term: 4, candidate: 2)
        #expect(checker.found.map(\.kind) == [.doubleVote])
        checker.found.removeAll()
        checker.noteSent(.requestVote(RequestVote(term: 6, preVote: true)), by: 1)
        checker.restarted(node: 1, state: HardState(term: 5))
        #expect(checker.found.isEmpty, "a pre-vote proposes term + 1 without claiming it")
        checker.noteSent(.heartbeatResponse(HeartbeatResponse(term: 6, round: 1, accepted: false)), by: 1)
        checker.restarted(node: 1, state: HardState(term: 5))
        #expect(checker.found.map(\.kind) == [.termRegression])
    }

    @Test("Options are validated with messages that name the values")
    func optionValidation() {
        #expect(throws: ConfigurationError.self) { try SimulationOptions(nodes: 2).validate() }
        #expect(throws: ConfigurationError.self) { try SimulationOptions(nodes: 102).validate() }
        #expect(throws: ConfigurationError.self) {
            try SimulationOptions(electionTimeoutMin: .milliseconds(200)).validate()
        }
        #expect(throws: Never.self) { try SimulationOptions(nodes: 101).validate() }
    }

    @Test("The reproduce line names every option that differs from the defaults")
    func reproduceCommand() {
        var options = SimulationOptions(nodes: 3, duration: .milliseconds(1500), seed: 77, electionTimeoutMax: .milliseconds(1500))
        options.excessDrift = true
        options.enable(.sendBeforePersist)
        #expect(options.reproduceCommand == "tenure-lab simulate --nodes 3 --seed 77 --duration 1500ms --trace --election-timeout-max 1500ms --excess-drift --mutation send-before-persist")
        #expect(SimulationOptions().quietPeriod >= .seconds(10))
        #expect(SimulationOptions().quietPeriod >= SimulationOptions().livenessBound)
    }
}
