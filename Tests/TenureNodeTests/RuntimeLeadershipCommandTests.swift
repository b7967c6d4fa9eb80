import Testing
import TenureJSON
import TenurePOSIX

@testable import TenureCore
@testable import TenureHTTP
@testable import TenureNode

/// `POST /v1/transfer` and `POST /v1/resign` through the real runtime and API server: the answer
/// is deferred until the handover took effect, or until it timed out.
///
/// The requests go over a raw keep-alive socket that the test reads without blocking between
/// turns, so manual time moves only when the test says and every outcome is deterministic.
@Suite("Runtime: deferred transfer and resign replies") struct RuntimeLeadershipCommandTests {
    /// Sends `requests` in one write and turns the cluster, clocks still, until the leader has
    /// routed the first of them (`routed` says when). Returns the open connection.
    private func submit(_ requests: [String], to node: Int, in cluster: RuntimeCluster,
                        sourceLocation: SourceLocation = #_sourceLocation, routed: () -> Bool) throws -> RawHTTPConnection {
        let connection = try RawHTTPConnection(to: cluster.apiAddress(node))
        connection.send(requests.joined())
        cluster.pump("the request reached \(cluster.ids[node])", sourceLocation: sourceLocation, routed)
        return connection
    }

    /// Steps the cluster (manual time moving) until `connection` holds `count` responses, then
    /// turns it with clocks still until they arrived whole. `check` runs before every step
    /// while fewer than `count` answers were received.
    @discardableResult
    private func awaitResponses(_ count: Int, on connection: RawHTTPConnection, in cluster: RuntimeCluster, maxSteps: Int,
                                sourceLocation: SourceLocation = #_sourceLocation,
                                beforeEachStep check: () -> Void = {}) -> [HTTPClientResponse] {
        cluster.runUntil("\(count) response(s)", maxSteps: maxSteps, sourceLocation: sourceLocation) {
            connection.receive()
            if connection.responses.count < count { check() }
            return connection.responses.count >= count
        }
        return connection.responses
    }

    @Test("A transfer is answered 200 only once the successor leads")
    func transferAnsweredWhenSuccessorLeads() throws {
        // Thesis 3.10: leadership transfer completes when the target wins the election the TimeoutNow started.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term
        let target = try #require(cluster.indices.first { $0 != leader })

        let connection = try submit([RawHTTPConnection.request("POST", "/v1/transfer?to=\(cluster.ids[target])")], to: leader, in: cluster) {
            runtime.state.pending.leadership.count == 1
        }
        #expect(runtime.core.transferTarget == cluster.ids[target])
        #expect(!connection.receivedAnything, "answered before the transfer finished")

        let responses = awaitResponses(1, on: connection, in: cluster, maxSteps: 300) {
            // The command leaves the queue (and its answer the node) only once the old leader sees a successor.
            if runtime.state.pending.leadership.isEmpty {
                let core = runtime.core
                #expect(core.term > startTerm && core.leader != nil && core.leader != core.id, "answered before a successor led")
            }
        }
        let response = try #require(responses.first)
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(response.outcome == .transferred(leader: cluster.ids[target].rawValue, term: startTerm + 1,
                                                 api: cluster.apiAddress(target).description))
        #expect(response.headers["connection"] == "keep-alive")
        #expect(runtime.state.pending.leadership.isEmpty)
        #expect(cluster.runtimes[target].core.role == .leader)
        #expect(cluster.runtimes[target].core.term == startTerm + 1)
    }

    @Test("A transfer whose target never takes over is answered 504 timed_out")
    func transferTimesOut() throws {
        // Thesis 3.10: a transfer not done within an election timeout is abandoned, and the client must be told so.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term
        let target = try #require(cluster.indices.first { $0 != leader })
        // The target freezes: it never reads the TimeoutNow.
        cluster.paused = [target]

        let connection = try submit([RawHTTPConnection.request("POST", "/v1/transfer?to=\(cluster.ids[target])")], to: leader, in: cluster) {
            runtime.state.pending.leadership.count == 1
        }
        let startedAt = cluster.clocks[leader].now()
        let responses = awaitResponses(1, on: connection, in: cluster, maxSteps: 300)
        let response = try #require(responses.first)
        let answeredAt = cluster.clocks[leader].now()
        #expect(response.status == 504, "\(response.bodyText)")
        #expect(response.outcome?.outcome == "timed_out")
        #expect(response.outcome?.error == "\(cluster.ids[target]) did not take over in time")
        #expect(response.outcome?.term == startTerm)
        // Not before the core gave up the transfer (one election timeout), not long after the command's deadline.
        let electionTimeoutMin = cluster.options[leader].electionTimeoutMin
        #expect(answeredAt - startedAt >= electionTimeoutMin)
        #expect(answeredAt - startedAt <= electionTimeoutMin + cluster.options[leader].heartbeatInterval + .milliseconds(2))
        #expect(runtime.state.pending.leadership.isEmpty)
        // Nobody took over in a later term meanwhile.
        #expect(cluster.indices.allSatisfy { cluster.runtimes[$0].core.term == startTerm })
    }

    @Test("A resign is answered 200 once a successor leads")
    func resignAnsweredWhenSuccessorLeads() throws {
        // Thesis 3.10: the resigning leader names the most caught-up follower with TimeoutNow; the reply reports who leads now.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term

        let connection = try submit([RawHTTPConnection.request("POST", "/v1/resign")], to: leader, in: cluster) {
            runtime.state.pending.leadership.count == 1
        }
        #expect(runtime.core.role == .follower, "a resign steps down at once")
        #expect(!connection.receivedAnything, "answered before a successor led")
        let responses = awaitResponses(1, on: connection, in: cluster, maxSteps: 300)
        let response = try #require(responses.first)
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(response.outcome?.outcome == "resigned")
        #expect(response.outcome?.term == startTerm + 1)
        let successor = try #require(response.outcome?.leader)
        #expect(successor != cluster.ids[leader].rawValue)
        #expect(cluster.runtimes[cluster.index(of: NodeID(successor))].core.role == .leader)
    }

    @Test("A resign whose successor never appears is answered 504 timed_out at its deadline")
    func resignTimesOut() throws {
        // Thesis 3.10: the handover may fail (the target is gone); the operator is told so instead of waiting forever.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term
        // Both followers freeze: nobody reads the TimeoutNow and nobody can be elected.
        cluster.paused = Set(cluster.indices.filter { $0 != leader })

        let connection = try submit([RawHTTPConnection.request("POST", "/v1/resign")], to: leader, in: cluster) {
            runtime.state.pending.leadership.count == 1
        }
        let resignedAt = cluster.clocks[leader].now()
        let deadline = resignedAt + cluster.options[leader].electionTimeoutMin + cluster.options[leader].heartbeatInterval
        let responses = awaitResponses(1, on: connection, in: cluster, maxSteps: 300) {
            #expect(cluster.clocks[leader].now() < deadline || runtime.state.pending.leadership.isEmpty, "still queued after its deadline")
        }
        let response = try #require(responses.first)
        let answeredAt = cluster.clocks[leader].now()
        #expect(response.status == 504, "\(response.bodyText)")
        #expect(response.outcome?.outcome == "timed_out")
        #expect(response.outcome?.term == startTerm)
        #expect(response.outcome?.leader == nil && response.outcome != nil)
        #expect(answeredAt >= deadline)
        #expect(answeredAt <= deadline + .milliseconds(2))
        #expect(runtime.state.pending.leadership.isEmpty)
    }

    @Test("A transfer asked of a follower is refused at once with the leader's address")
    func transferOnFollowerRefused() throws {
        // Only the leader can hand over (thesis 3.10); a follower redirects instead of queueing the command.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let follower = try #require(cluster.indices.first { $0 != leader })
        let connection = try RawHTTPConnection(to: cluster.apiAddress(follower))
        connection.send(RawHTTPConnection.request("POST", "/v1/transfer"))
        cluster.pump("an immediate answer") { connection.receive().count == 1 }
        let response = try #require(connection.responses.first)
        #expect(response.status == 409)
        #expect(response.outcome == .notLeader(error: "\(cluster.ids[follower]) is not the leader", leader: cluster.ids[leader].rawValue,
                                               api: cluster.apiAddress(leader).description))
        #expect(cluster.runtimes[follower].state.pending.leadership.isEmpty)
    }

    @Test("A request pipelined behind a deferred transfer is routed only after the transfer is answered")
    func pipelinedBehindTransfer() throws {
        // HTTP/1.1 answers pipelined requests in order (RFC 9112 §9.3.2); the second must see the state after the transfer.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term
        let requestsBefore = runtime.metrics.httpRequests

        let connection = try submit([RawHTTPConnection.request("POST", "/v1/transfer"), RawHTTPConnection.request("POST", "/v1/resign")],
                                    to: leader, in: cluster) { runtime.state.pending.leadership.count == 1 }
        // The resign behind it has not been routed: it would otherwise have run on the leader.
        #expect(runtime.metrics.httpRequests == requestsBefore + 1)
        let responses = awaitResponses(2, on: connection, in: cluster, maxSteps: 300)
        #expect(responses.count == 2)
        guard responses.count == 2 else { return }
        #expect(responses[0].status == 200, "\(responses[0].bodyText)")
        #expect(responses[0].outcome?.outcome == "transferred")
        let successor = try #require(responses[0].outcome?.leader)
        // Routed after the transfer took effect: the old leader is a follower, and says who leads.
        #expect(responses[1].status == 409, "\(responses[1].bodyText)")
        #expect(responses[1].outcome?.outcome == "not_leader")
        #expect(responses[1].outcome?.leader == successor)
        #expect(runtime.metrics.httpRequests == requestsBefore + 2)
        #expect(cluster.runtimes[cluster.index(of: NodeID(successor))].core.term == startTerm + 1)
    }

    @Test("A command pipelined behind a timed-out resign is queued while the queue is settled, and answered too")
    func pipelinedCommandQueuedDuringSettle() throws {
        // The regression fixed in settlePendingCommands: completing a reply routes the next pipelined request, which may defer again.
        //
        // Choreography (each node has its own clock): the leader L resigns towards a frozen target, so
        // the resign waits for its deadline (electionTimeoutMin + heartbeat). Meanwhile L wins the next
        // term itself with the third node's vote, before that deadline. When the deadline passes L is
        // leader again: the resign is answered 504, and completing it routes the pipelined second
        // resign on a leader, which defers and appends to the queue being settled. With the old code
        // that second command was dropped and its client never got an answer.
        let cluster = try RuntimeCluster()
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        let runtime = cluster.runtimes[leader]
        let startTerm = runtime.core.term
        let heartbeat = cluster.options[leader].heartbeatInterval
        let electionTimeoutMin = cluster.options[leader].electionTimeoutMin
        // Resign picks this target; it freezes and never reads the TimeoutNow.
        guard case .success(let targetID) = runtime.core.chooseTransferTarget(nil) else {
            Issue.record("no caught-up follower to resign to")
            return
        }
        let target = cluster.index(of: targetID)
        let voter = try #require(cluster.indices.first { $0 != leader && $0 != target })
        cluster.paused = [target]
        cluster.heldClocks = Set(cluster.indices)

        let connection = try submit([RawHTTPConnection.request("POST", "/v1/resign"), RawHTTPConnection.request("POST", "/v1/resign")],
                                    to: leader, in: cluster) { runtime.state.pending.leadership.count == 1 }
        let resignedAt = cluster.clocks[leader].now()
        let firstDeadline = try #require(runtime.state.pending.leadership.first?.deadline)
        #expect(firstDeadline == resignedAt + electionTimeoutMin + heartbeat)
        #expect(runtime.core.role == .follower)

        // The voter's stickiness window ends exactly now (by its clock), before its own election timeout.
        let heard = try #require(cluster.runtimes[voter].core.lastHeartbeatAt)
        cluster.advance(voter, to: heard + electionTimeoutMin)
        #expect(cluster.runtimes[voter].core.nextDeadline > cluster.clocks[voter].now(), "the voter would campaign itself")
        // L's election timeout fires (it is below resignedAt + electionTimeoutMax = the resign's deadline).
        let campaignAt = runtime.core.nextDeadline
        #expect(campaignAt < firstDeadline)
        cluster.advance(leader, to: campaignAt)
        cluster.pump("the old leader leads again in the next term") {
            runtime.core.role == .leader && runtime.core.term == startTerm + 1
                && runtime.core.chooseTransferTarget(cluster.ids[voter]).isSuccess
        }
        #expect(runtime.state.pending.leadership.count == 1, "the first resign is still waiting")
        #expect(!connection.receivedAnything)

        // The resign's deadline passes while L leads: 504 for it, and the second resign defers.
        cluster.advance(leader, to: firstDeadline)
        cluster.advance(voter, to: cluster.clocks[voter].now() + (firstDeadline - campaignAt))
        cluster.heldClocks = [target]
        let responses = awaitResponses(2, on: connection, in: cluster, maxSteps: 300)
        #expect(responses.count == 2, "the command pipelined behind the first was lost")
        guard responses.count == 2 else { return }
        #expect(responses[0].status == 504, "\(responses[0].bodyText)")
        #expect(responses[0].outcome?.outcome == "timed_out")
        #expect(responses[0].outcome?.leader == cluster.ids[leader].rawValue)
        #expect(responses[1].status == 200, "\(responses[1].bodyText)")
        #expect(responses[1].outcome?.outcome == "resigned")
        #expect(responses[1].outcome?.leader == cluster.ids[voter].rawValue)
        #expect(responses[1].outcome?.term == startTerm + 2)
        #expect(runtime.state.pending.leadership.isEmpty)
    }
}
