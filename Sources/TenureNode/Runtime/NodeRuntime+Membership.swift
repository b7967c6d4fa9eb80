import TenureAPI
import TenureCore
import TenureHTTP
import TenureJSON
import TenurePOSIX
import TenureSupervision

/// Membership changes in the shell (issue 11): the transport follows the core's configuration,
/// `GET/POST /v1/members` and `DELETE /v1/members/ID` drive single-server changes, and a node
/// started with `--join` learns the cluster's members before a leader adds it.
extension NodeRuntime {
    /// The peer addresses of every other member, plus what `--join` taught a node not yet added.
    static func addresses(of membership: MembershipConfiguration, without id: NodeID,
                          bootstrap: [NodeID: String]) -> [NodeID: SocketAddress] {
        var result: [NodeID: SocketAddress] = [:]
        for member in membership.members where member.id != id {
            if let address = SocketAddress(member.address) { result[member.id] = address }
        }
        if membership.members.count <= 1 {
            for (peer, text) in bootstrap where result[peer] == nil && peer != id {
                if let address = SocketAddress(text) { result[peer] = address }
            }
        }
        return result
    }

    /// After each output: when the configuration changed, reconnect to its members and say so.
    func followMembership(now: Instant) {
        let membership = state.core.membership
        guard membership != state.appliedMembership else { return }
        state.appliedMembership = membership
        if membership.members.count > 1 { state.bootstrapPeers = [:] }
        transport.updatePeers(Self.addresses(of: membership, without: state.core.id, bootstrap: state.bootstrapPeers))
        log.info("configuration \(membership.index) of term \(membership.term): voters \(membership.voters.map(\.rawValue).joined(separator: ","))" +
                 (membership.nonVoters.isEmpty ? "" : ", non-voters \(membership.nonVoters.map(\.rawValue).joined(separator: ","))") +
                 (membership.isVoter(state.core.id) ? "" : membership.contains(state.core.id) ? "; this node does not vote yet" : "; this node is not a member"))
    }

    /// The API address clients should use for `node`: from the configuration, else from the flags.
    func apiAddress(of node: NodeID) -> String? {
        if let api = state.core.membership.member(node)?.api, !api.isEmpty { return api }
        return options.apiAddress(of: node)?.description
    }

    /// The configuration a node stored in `directory` before, nil when it has none yet (a fresh
    /// data directory, or a node that never received one). A damaged state file is an error, never
    /// "no state": the node must not start from a guess.
    public static func storedMembership(in directory: String) throws(StartupError) -> MembershipConfiguration? {
        do {
            return try HardStateStore(directory: directory).load()?.membership
        } catch {
            throw StartupError("cannot use data directory \(directory): \(error)")
        }
    }

    /// How long `--join` keeps asking for the cluster's members.
    public static let joinPatience = Interval.seconds(10)

    /// `--join`: the members the given API knows, asked every 500 ms for at most `joinPatience`.
    public static func fetchMembers(from endpoint: SocketAddress, id: NodeID, log: Log) throws(StartupError) -> [NodeID: SocketAddress] {
        var lastError = "no answer"
        let deadline = MonotonicClock.now() + joinPatience
        var attempt = 0
        while true {
            let remaining = deadline - MonotonicClock.now()
            if remaining <= .zero { break }
            if attempt > 0 { MonotonicClock.sleep(for: min(.milliseconds(500), remaining)) }
            attempt += 1
            let timeout = Int(max(1, min(1000, (deadline - MonotonicClock.now()).nanoseconds / 1_000_000)))
            do {
                let response = try HTTPClient.request(endpoint: endpoint.description, path: "/v1/members", timeoutMilliseconds: timeout)
                guard response.status == 200 else {
                    lastError = "HTTP \(response.status)"
                    continue
                }
                let members: MembersDocument
                do {
                    members = try MembersDocument(parsing: response.body)
                } catch {
                    lastError = "a malformed answer: \(error)"
                    continue
                }
                var result: [NodeID: SocketAddress] = [:]
                for member in members.members {
                    guard NodeID.isValid(member.id), let address = SocketAddress(member.address) else { continue }
                    result[NodeID(member.id)] = address
                }
                result[id] = nil
                guard !result.isEmpty else {
                    lastError = "it lists no other member"
                    continue
                }
                log.info("--join \(endpoint): the cluster's members are \(result.keys.sorted().map(\.rawValue).joined(separator: ",")); waiting for a leader to add this node")
                return result
            } catch {
                lastError = "\(error)"
            }
        }
        throw StartupError("--join \(endpoint): cannot learn the cluster's members within \(joinPatience) (\(lastError)); is it a member's API address?")
    }

    // MARK: - API

    /// `GET /v1/members`.
    func membersDocument() -> MembersDocument {
        let membership = state.core.membership
        return MembersDocument(
            index: membership.index, term: membership.term, committedIndex: state.core.committedIndex,
            committed: state.core.committedIndex >= membership.index,
            members: membership.members.map {
                MembersDocument.Member(id: $0.id.rawValue, address: $0.address, api: apiAddress(of: $0.id), voter: $0.voter)
            })
    }

    /// `POST /v1/members {"id": "n4", "address": "127.0.0.14:7100", "api": "127.0.0.14:7200"}`.
    func addMember(_ request: HTTPRequest, fd: Int32, now: Instant) -> APIReply {
        let body: MemberRequest
        do {
            body = try MemberRequest(body: request.body, isNodeID: NodeID.isValid, isAddress: { SocketAddress($0) != nil })
        } catch {
            return .response(.error(400, error.description))
        }
        let id = NodeID(body.id)
        let address = SocketAddress(body.address)!.description
        let api = body.api.flatMap(SocketAddress.init)?.description ?? ""
        let member = Member(id: id, address: address, api: api, voter: false)
        return proposeMembership(.add(member), goal: .voter(id), fd: fd, now: now)
    }

    /// `DELETE /v1/members/ID`.
    func removeMember(_ idText: String, fd: Int32, now: Instant) -> APIReply {
        guard NodeID.isValid(idText) else { return .response(.error(400, "'\(idText)' is not a node id")) }
        return proposeMembership(.remove(NodeID(idText)), goal: .absent(NodeID(idText)), fd: fd, now: now)
    }

    private func proposeMembership(_ change: MembershipChange, goal: PendingCommands.MembershipGoal, fd: Int32, now: Instant) -> APIReply {
        guard !state.pending.hasMembershipChange else {
            return .response(conflict("another membership change requested here is still in progress"))
        }
        // Refuse an impossible change at once, even while the leader first commits an entry of
        // its term (otherwise "remove n9" of a non-member would look done when that commits).
        if state.core.role == .leader, case .failure(let rejection) = state.core.membership.applying(change) {
            return .response(answer(.rejected(error: rejection.reason)))
        }
        state.pending.awaitMembership(ticket: fd, change: change, goal: goal, now: now)
        if let answer = propose(change, ticket: fd, now: now) { return .response(answer) }
        return .deferred
    }

    /// Proposes the change waiting under `ticket`; a response when it is settled at once
    /// (refused), nil when it is on its way (or waits for the leader's own-term entry).
    private func propose(_ change: MembershipChange, ticket: Int32, now: Instant) -> HTTPResponse? {
        let (outcome, output) = state.core.proposeMembershipChange(change, at: now)
        apply(output, now: now)
        switch outcome {
        case .proposed(let entry):
            state.pending.proposed(ticket: ticket)
            log.info("proposed configuration \(entry.index): \(describe(change))")
            return nil
        case .preparing:
            state.pending.retry(ticket: ticket, at: now + options.heartbeatInterval)
            return nil
        case .notLeader(let leader):
            state.pending.settled(ticket: ticket)
            return answer(.notLeader(error: "\(state.core.id) is not the leader", leader: leader?.rawValue,
                                     api: leader.flatMap { apiAddress(of: $0) }))
        case .inProgress(let reason):
            state.pending.settled(ticket: ticket)
            return conflict(reason)
        case .rejected(let reason):
            state.pending.settled(ticket: ticket)
            return answer(.rejected(error: reason))
        }
    }

    private func conflict(_ reason: String) -> HTTPResponse {
        answer(.inProgress(error: reason, leader: state.core.leader?.rawValue, api: state.core.leader.flatMap { apiAddress(of: $0) }))
    }

    /// A command's answer with its status.
    func answer(_ outcome: CommandOutcome) -> HTTPResponse { .document(outcome.httpStatus, outcome) }

    private func describe(_ change: MembershipChange) -> String {
        switch change {
        case .add(let member): "add \(member.id) at \(member.address) as a non-voter"
        case .promote(let id): "promote \(id)"
        case .remove(let id): "remove \(id)"
        }
    }

    /// Answers the waits `PendingCommands` settled: transfers and resigns once a successor
    /// leads, membership changes once committed; proposes again where it says so.
    func settlePendingCommands(now: Instant) {
        guard !state.pending.isEmpty else { return }
        for settlement in state.pending.settle(state.pendingView, at: now) {
            switch settlement {
            case .handedOver(let ticket, let kind, let leader, let term):
                let leaderAPI = apiAddress(of: leader)
                let outcome: CommandOutcome = kind == .resign ? .resigned(leader: leader.rawValue, term: term, api: leaderAPI)
                                                              : .transferred(leader: leader.rawValue, term: term, api: leaderAPI)
                api.complete(ticket, with: answer(outcome), metrics: metrics, route: route)
            case .handoverTimedOut(let ticket, let target, let leader, let term):
                let outcome = CommandOutcome.timedOut(error: "\(target?.rawValue ?? "the target") did not take over in time",
                                                      leader: leader?.rawValue, term: term)
                api.complete(ticket, with: answer(outcome), metrics: metrics, route: route)
            case .membershipCommitted(let ticket, let index, let voters):
                api.complete(ticket, with: answer(.committed(index: index, voters: voters.map(\.rawValue))), metrics: metrics, route: route)
            case .membershipTimedOut(let ticket, let index):
                let outcome = CommandOutcome.commitTimedOut(
                    error: "the change did not commit within \(PendingCommands.membershipTimeout) (is the new node running and caught up?)",
                    index: index)
                api.complete(ticket, with: answer(outcome), metrics: metrics, route: route)
            case .proposeAgain(let ticket, let change):
                if let answer = propose(change, ticket: ticket, now: now) {
                    api.complete(ticket, with: answer, metrics: metrics, route: route)
                }
            }
        }
    }
}
