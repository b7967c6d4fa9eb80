import Foundation
import Glibc
import Testing
import TenurePOSIX

@testable import TenureCore
@testable import TenureNode

/// The runtime's persist-then-send rule, through real `NodeRuntime`s on loopback.
///
/// How each test would fail if the order were reversed (messages handed to the transport, then
/// the state saved): (a) the cluster's probe peeks, at the moment of every save, at the bytes
/// waiting in the peers' sockets; the vote requests (or grant) of the new state would already be
/// there, because a loopback write lands in the receiver's queue before `send` returns; and
/// (b) deterministically, `metrics.messagesSent` at the save would already include them, so
/// fewer than that many messages would follow the save in its turn.
@Suite("Runtime: persist before send") struct RuntimePersistenceTests {
    @Test("A candidate's new term and self-vote are durable before its vote requests leave")
    func campaignPersistsFirst() throws {
        // Raft §5.1/§5.2, thesis 3.8: currentTerm and votedFor are updated on stable storage before sending RequestVote.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let peers = cluster.ids.count - 1

        let campaigns = cluster.saves.filter { $0.isCampaign(of: cluster.ids[$0.node]) }
        #expect(!campaigns.isEmpty, "no campaign was saved")
        for save in campaigns {
            #expect(!save.failed)
            #expect(save.dependentOnWire.isEmpty, "vote requests of \(save.state) left before it was durable")
            let after = try #require(save.sentAtTurnEnd, "a campaign starts inside a turn")
            // The RequestVotes of this output were counted after the save returned.
            #expect(after - save.sentAtSave >= peers, "\(cluster.ids[save.node]) sent \(after - save.sentAtSave) message(s) after saving \(save.state)")
        }
        // The winner's campaign: its requests did go out in that same turn, after the save.
        let won = try #require(campaigns.last { $0.node == leader })
        #expect(won.state == HardState(term: cluster.runtimes[leader].core.term, votedFor: cluster.ids[leader]))
        // Sanity for the probe: it sees the requests on the wire right after the turn (the same
        // peek at save time is what would have caught them early).
        let requests = (won.onWireAtTurnEnd ?? []).filter {
            if case .requestVote(let request) = $0.message { !request.preVote && request.term == won.state.term } else { false }
        }
        #expect(!requests.isEmpty, "the probe did not see the vote requests after the turn: \(won.onWireAtTurnEnd ?? [])")
        for node in cluster.indices {
            #expect(cluster.runtimes[node].state.durableHardState == cluster.runtimes[node].core.hardState)
            #expect(cluster.memoryStore(node).saved.last == cluster.runtimes[node].core.hardState)
        }
    }

    @Test("A voter's adopted term and vote are durable before its grant leaves")
    func votePersistsFirst() throws {
        // Raft §5.2 / thesis 3.8: a server records its vote on stable storage before it responds to RequestVote.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())

        let votes = cluster.saves.filter { $0.isVote(of: cluster.ids[$0.node]) && $0.state.votedFor == cluster.ids[leader] }
        #expect(!votes.isEmpty, "no vote for the leader was saved")
        for save in votes {
            #expect(!save.failed)
            #expect(save.dependentOnWire.isEmpty, "a grant for \(save.state) left before it was durable")
            let after = try #require(save.sentAtTurnEnd, "a vote is cast inside a turn")
            #expect(after - save.sentAtSave >= 1, "\(cluster.ids[save.node]) sent nothing after saving its vote \(save.state)")
        }
        // The leader needed one grant: at least one voter both saved and was counted.
        let term = cluster.runtimes[leader].core.term
        let grantedVoters = cluster.indices.filter { $0 != leader && cluster.memoryStore($0).saved.contains(HardState(term: term, votedFor: cluster.ids[leader])) }
        #expect(!grantedVoters.isEmpty)
    }

    @Test("A campaign whose term cannot be persisted sends nothing, is counted, and is persisted before the next message")
    func failedPersistHoldsMessages() throws {
        // Raft §5.2 / thesis 3.8: a term or vote that is not durable must not be announced; the shell retries the write before sending again.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        // The first campaign save of whichever node times out first fails, as on a full disk.
        var failedNode: Int?
        for node in cluster.indices {
            let store = cluster.memoryStore(node)
            let id = cluster.ids[node]
            store.onSave = { [unowned store] state in
                if failedNode == nil && state.votedFor == id {
                    failedNode = node
                    store.failingSaves = 1
                }
            }
        }
        cluster.runUntil("a failed campaign save", maxSteps: 600) { failedNode != nil }
        let node = try #require(failedNode)
        let runtime = cluster.runtimes[node]
        let failedIndex = try #require(cluster.saves.firstIndex { $0.node == node && $0.failed })
        let failed = cluster.saves[failedIndex]
        #expect(failed.isCampaign(of: cluster.ids[node]))
        #expect(runtime.metrics.persistFailures == 1)
        #expect(runtime.state.durableHardState == failed.durableBefore, "a failed save must not count as durable")
        #expect(cluster.memoryStore(node).saved.last == (failed.durableBefore == .initial ? nil : failed.durableBefore))
        // None of the campaign's vote requests left: not before, and not after the failed save.
        let leaked = (failed.onWireAtTurnEnd ?? []).filter {
            if case .requestVote(let request) = $0.message { !request.preVote && request.term == failed.state.term } else { false }
        }
        #expect(leaked.isEmpty, "vote requests of an unsaved term were sent: \(leaked)")

        let leader = try #require(cluster.runUntilStableLeader())
        // The store works again: the next save of that node came before any further message of it.
        let next = try #require(cluster.saves[(failedIndex + 1)...].first { $0.node == node }, "the node never saved again")
        #expect(!next.failed)
        #expect(next.sentAtSave == failed.sentAtSave, "\(cluster.ids[node]) sent \(next.sentAtSave - failed.sentAtSave) message(s) while its term was not durable")
        #expect(next.state.term >= failed.state.term)
        #expect(runtime.metrics.persistFailures == 1)
        for other in cluster.indices where other != node { #expect(cluster.runtimes[other].metrics.persistFailures == 0) }
        for index in cluster.indices {
            #expect(cluster.runtimes[index].state.durableHardState == cluster.runtimes[index].core.hardState)
            #expect(cluster.memoryStore(index).saved.last == cluster.runtimes[index].core.hardState)
        }
        _ = leader
        let text = runtime.metrics.render(role: runtime.core.role, term: runtime.core.term, isLeader: false, leaseRemaining: .zero, uptime: .zero)
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("tenure_persist_failures_total") && $0.hasSuffix(" 1") }, "persist failures not exported:\n\(text)")
    }
}

/// The file-backed `HardStateStore`, behind the `HardStateStorage` protocol, in a running cluster.
@Suite("Runtime: file-backed hard state") struct RuntimeFileStoreTests {
    private func temporaryDirectory() throws -> String {
        var template = Array("/tmp/tenure-runtime-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return try #require(created.map { String(cString: $0) })
    }

    @Test("A state file that cannot be written holds back every vote request until the disk recovers")
    func unwritableStateFile() throws {
        // Raft §5.2 / thesis 3.8: no RequestVote or grant may leave before its term and vote are on stable storage.
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directories = (0..<3).map { "\(root)/n\($0 + 1)" }
        let cluster = try RuntimeCluster(makeStore: { try HardStateStore(directory: directories[$0]) })
        defer { cluster.stop() }
        // Root ignores permissions, so block each node's temporary file with a non-empty directory.
        for directory in directories {
            try FileManager.default.createDirectory(atPath: directory + "/state.tmp/keep", withIntermediateDirectories: true)
        }
        for _ in 0..<450 { cluster.step() } // over two election timeouts: every node campaigns at least once

        #expect(cluster.leaseHolders.isEmpty)
        #expect(cluster.indices.contains { cluster.runtimes[$0].metrics.persistFailures > 0 })
        for node in cluster.indices {
            let metrics = cluster.runtimes[node].metrics
            // No real vote request ever reached anyone, so nobody decided on one.
            #expect(metrics.votesGranted + metrics.votesDenied == 0, "\(cluster.ids[node]) saw a vote request")
            #expect(cluster.runtimes[node].state.durableHardState == .initial)
            #expect(try HardStateStore(directory: directories[node]).load() == nil)
        }
        #expect(cluster.saves.allSatisfy { $0.failed })

        for directory in directories { try FileManager.default.removeItem(atPath: directory + "/state.tmp") }
        let leader = try #require(cluster.runUntilStableLeader())
        #expect(cluster.runtimes[leader].core.term >= 1)
        for node in cluster.indices {
            let runtime = cluster.runtimes[node]
            #expect(runtime.state.durableHardState == runtime.core.hardState)
            // A fresh store over the same directory reads what the running node believes.
            #expect(try HardStateStore(directory: directories[node]).load() == runtime.core.hardState)
        }
    }

    @Test("A node restarted on its state file resumes its term and vote and never votes twice in that term")
    func restartLoadsState() throws {
        // Raft §5.1 / thesis 3.8: currentTerm and votedFor survive restarts, so a server grants at most one vote per term.
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directories = (0..<3).map { "\(root)/n\($0 + 1)" }
        var before: [HardState] = []
        do {
            let cluster = try RuntimeCluster(makeStore: { try HardStateStore(directory: directories[$0]) })
            defer { cluster.stop() }
            _ = try #require(cluster.runUntilStableLeader())
            before = cluster.indices.map { cluster.runtimes[$0].core.hardState }
        }
        let cluster = try RuntimeCluster(makeStore: { try HardStateStore(directory: directories[$0]) })
        defer { cluster.stop() }
        #expect(cluster.indices.map { cluster.runtimes[$0].core.hardState } == before)
        let leader = try #require(cluster.runUntilStableLeader())
        let term = cluster.runtimes[leader].core.term
        #expect(term > before.map(\.term).max()!)
        for node in cluster.indices {
            // Every save after the restart moved forward: a later term, or a first vote in the same term.
            for save in cluster.saves(of: node) {
                #expect(save.state.term > save.durableBefore.term || (save.state.term == save.durableBefore.term && save.durableBefore.votedFor == nil))
            }
            #expect(try HardStateStore(directory: directories[node]).load() == cluster.runtimes[node].core.hardState)
        }
    }
}
