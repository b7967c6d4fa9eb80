import Testing
import TenurePOSIX

@testable import TenureCore
@testable import TenureNode

/// SIGTERM and SIGINT through the real runtime: `handle(_:now:)` is what the signal pipe's bytes
/// are turned into, and `turn` returning false is what makes `run()` exit.
@Suite("Runtime: shutdown on signals") struct RuntimeShutdownTests {
    @Test("A leader that gets SIGTERM resigns, hands over, and exits only once its successor leads")
    func leaderDrainsToSuccessor() throws {
        // Thesis 3.10: a leader leaving hands over with TimeoutNow so the cluster is without a leader only for one election round.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term
        let signalledAt = cluster.clocks[leader].now()

        runtime.handle(.terminate, now: signalledAt)
        guard case .draining(let term, let deadline) = runtime.state.shutdown.state else {
            Issue.record("a leader must drain on SIGTERM, not \(runtime.state.shutdown.state)")
            return
        }
        #expect(term == startTerm)
        #expect(deadline == signalledAt + cluster.options[leader].electionTimeoutMin)
        #expect(runtime.core.role == .follower, "the lease is given up at once")
        #expect(!runtime.core.isLeader(at: signalledAt))

        cluster.runUntil("the old leader exits", maxSteps: 400) { !cluster.isRunning(leader) }
        let exit = try #require(cluster.exited[leader])
        // It exited because it saw a successor of a later term, not because the deadline passed.
        #expect(exit.term == startTerm + 1)
        let successor = try #require(exit.leader)
        #expect(successor != cluster.ids[leader])
        #expect(exit.at < deadline, "the handover took until the drain deadline")
        // The handover was the TimeoutNow election, well before any election timeout could fire.
        #expect(exit.at - signalledAt < cluster.options[leader].electionTimeoutMin)

        // The remaining two keep a leader with a lease.
        let next = cluster.index(of: successor)
        cluster.runUntil("the successor holds a lease", maxSteps: 200) { cluster.leaseHolders == [next] }
        #expect(cluster.runtimes[next].core.term == startTerm + 1)
    }

    @Test("A draining leader whose successor never appears exits at the drain deadline")
    func leaderDrainDeadline() throws {
        // Thesis 3.10: a transfer that does not complete within an election timeout is abandoned; the process must not hang.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term
        let signalledAt = cluster.clocks[leader].now()
        runtime.handle(.terminate, now: signalledAt)
        let deadline = signalledAt + cluster.options[leader].electionTimeoutMin
        guard case .draining = runtime.state.shutdown.state else {
            Issue.record("a leader must drain on SIGTERM, not \(runtime.state.shutdown.state)")
            return
        }
        // Both followers freeze: the TimeoutNow is never read, nobody is elected.
        cluster.paused = Set(cluster.indices.filter { $0 != leader })

        let exitedInTime = cluster.runUntil("the old leader exits", maxSteps: 260) { !cluster.isRunning(leader) }
        let exit = try #require(cluster.exited[leader])
        #expect(exitedInTime)
        #expect(exit.at >= deadline, "exited before the drain deadline without a successor")
        #expect(exit.at < deadline + .milliseconds(2), "kept running past the drain deadline")
        #expect(exit.term == startTerm)
        #expect(exit.leader == nil)
    }

    @Test("A follower that gets SIGTERM exits at once and the leader carries on")
    func followerExitsAtOnce() throws {
        // A follower holds no lease and no one depends on it handing over (thesis 3.10 applies to leaders only).
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let follower = try #require(cluster.indices.first { $0 != leader })
        let term = cluster.runtimes[leader].core.term

        cluster.runtimes[follower].handle(.terminate, now: cluster.clocks[follower].now())
        guard case .finished = cluster.runtimes[follower].state.shutdown.state else {
            Issue.record("a follower must finish at once on SIGTERM, not \(cluster.runtimes[follower].state.shutdown.state)")
            return
        }
        #expect(!cluster.turn(follower), "the next turn must report the end")
        #expect(cluster.exited[follower]?.at == cluster.clocks[follower].now())

        // Two of three still form a quorum: the leader renews its lease in the same term.
        for _ in 0..<300 { cluster.step() }
        #expect(cluster.leaseHolders == [leader])
        #expect(cluster.runtimes[leader].core.term == term)
    }

    @Test("A second signal while handing over makes the leader exit at once")
    func secondSignalExits() throws {
        // An operator's second Ctrl-C must not wait for the handover (the runtime's documented shutdown contract).
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        runtime.handle(.terminate, now: cluster.clocks[leader].now())
        guard case .draining = runtime.state.shutdown.state else {
            Issue.record("a leader must drain on SIGTERM, not \(runtime.state.shutdown.state)")
            return
        }
        runtime.handle(.interrupt, now: cluster.clocks[leader].now())
        guard case .finished = runtime.state.shutdown.state else {
            Issue.record("a second signal must finish, not \(runtime.state.shutdown.state)")
            return
        }
        #expect(!cluster.turn(leader))
    }

    @Test("SIGHUP leaves a leader leading")
    func hangUpIgnored() throws {
        // SIGHUP is not a shutdown request: only SIGTERM and SIGINT start the handover.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let term = cluster.runtimes[leader].core.term
        cluster.runtimes[leader].handle(.hangUp, now: cluster.clocks[leader].now())
        guard case .running = cluster.runtimes[leader].state.shutdown.state else {
            Issue.record("SIGHUP changed the shutdown state to \(cluster.runtimes[leader].state.shutdown.state)")
            return
        }
        for _ in 0..<50 { cluster.step() }
        #expect(cluster.isRunning(leader))
        #expect(cluster.leaseHolders == [leader])
        #expect(cluster.runtimes[leader].core.term == term)
    }
}
