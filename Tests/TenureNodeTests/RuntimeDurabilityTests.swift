import Testing
import TenurePOSIX
import TenureAPI
import TenureJSON

@testable import TenureCore
@testable import TenureNode

/// A node whose term and vote cannot be made durable (issue 10, "disk full"): it shows clients
/// only durable state, says why, and recovers by itself.
@Suite("Runtime: state that cannot be made durable") struct RuntimeDurabilityTests {
    /// The status document as a client reads it: written by the node, decoded from its text.
    func status(_ cluster: RuntimeCluster, _ node: Int) throws -> StatusDocument {
        let runtime = cluster.runtimes[node]
        return try StatusDocument(parsing: runtime.statusDocument(now: cluster.clocks[node].now()).json)
    }

    @Test("A single voter that cannot persist its term never claims leadership of it, and leads once the write succeeds")
    func singleVoterWaitsForDurability() throws {
        // Thesis 3.8: a term must be on stable storage before it is acted on; a single voter sends no
        // message, so the shell must retry the write on its own and gate what clients see.
        let cluster = try RuntimeCluster(count: 1)
        defer { cluster.stop() }
        let store = cluster.memoryStore(0)
        store.failingSaves = 1_000_000
        cluster.runUntil("the core leads in memory", maxSteps: 2000) { cluster.runtimes[0].core.role == .leader }
        let runtime = cluster.runtimes[0]
        let now = cluster.clocks[0].now()
        #expect(runtime.core.isLeader(at: now), "the core itself believes it leads")
        #expect(!runtime.clientIsLeader(at: now))
        var answer = try status(cluster, 0)
        #expect(answer.isLeader == false)
        #expect(answer.fencingToken == nil)
        #expect(answer.term == 0, "clients see only the durable term")
        #expect(answer.leader == nil)
        #expect(answer.durable.ok == false)
        #expect(answer.durable.error?.contains("space") == true, "\(answer.durable)")
        #expect(answer.durable.failingForMilliseconds != nil)
        #expect(runtime.leaderResponse(now: now).status == 503)
        // The retries keep failing quietly; once the disk has room, the node recovers on its own.
        cluster.step(by: .milliseconds(350))
        #expect(!runtime.clientIsLeader(at: cluster.clocks[0].now()))
        store.failingSaves = 0
        cluster.runUntil("the term is durable again", maxSteps: 50, by: .milliseconds(10)) { runtime.stateIsDurable }
        cluster.runUntil("the node leads for clients", maxSteps: 200, by: .milliseconds(10)) { runtime.clientIsLeader(at: cluster.clocks[0].now()) }
        answer = try status(cluster, 0)
        #expect(answer.term == runtime.core.term && runtime.core.term >= 1)
        #expect(answer.fencingToken == runtime.core.term)
        #expect(answer.durable.ok == true)
        #expect(answer.durable.failingForMilliseconds == nil)
        #expect(store.saved.last == runtime.core.hardState)
    }

    @Test("A follower that cannot persist a newer term keeps showing the durable one, acknowledges nothing, and catches up when it can")
    func followerShowsOnlyDurableTerm() throws {
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let follower = (leader + 1) % 3
        let store = cluster.memoryStore(follower)
        let durableTerm = cluster.runtimes[follower].core.term
        store.failingSaves = 1_000_000
        // The leader hands over; the new term cannot be written on the full follower.
        let (_, output) = cluster.runtimes[leader].state.core.resign(at: cluster.clocks[leader].now())
        cluster.runtimes[leader].apply(output, now: cluster.clocks[leader].now())
        cluster.runUntil("a newer term in the follower's memory", maxSteps: 3000) { cluster.runtimes[follower].core.term > durableTerm }
        cluster.step(by: .milliseconds(50))
        let runtime = cluster.runtimes[follower]
        #expect(!runtime.stateIsDurable)
        let answer = try status(cluster, follower)
        #expect(answer.term == durableTerm, "a client must never see a term a crash would forget")
        #expect(answer.knownLeader == nil)
        store.failingSaves = 0
        cluster.runUntil("the follower's term is durable and shown", maxSteps: 200, by: .milliseconds(10)) {
            runtime.stateIsDurable && (try? status(cluster, follower))?.term == runtime.core.term
        }
    }
}
