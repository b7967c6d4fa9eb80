import TenureCore
import TenureHTTP
import TenureJSON
import TenurePOSIX

/// Membership changes in the shell (issue 11): the transport follows the core's configuration,
/// `GET/POST /v1/members` and `DELETE /v1/members/ID` drive single-server changes, and a node
/// started with `--join` learns the cluster's members before a leader adds it.
extension NodeRuntime {
    /// A change asked for over the API, answered once it is committed (or after `deadline`).
    struct PendingMembershipCommand {
        enum Goal: Equatable {
            /// Done when `id` is a voter of a committed configuration.
            case voter(NodeID)
            /// Done when `id` is no member of a committed configuration.
            case absent(NodeID)
        }
        var fd: Int32
        var change: MembershipChange
        var goal: Goal
        var deadline: Instant
        /// Set while the leader first commits an entry of its own term: propose again then.
        var retryAt: Instant?
        /// The change is in an entry; only then can a committed configuration answer it.
        var proposed = false
    }

    static let membershipCommandTimeout = Interval.seconds(15)

    /// The peer addresses of every other member, plus what `--join` taught a node not yet added.
    static func addresses(of membership: MembershipConfiguration, without id: NodeID,
                          bootstrap: [NodeID: SocketAddress]) -> [NodeID: SocketAddress] {
        var result: [NodeID: SocketAddress] = [:]
        for member in membership.members where member.id != id {
            if let address = SocketAddress(member.address) { result[member.id] = address }
        }
        if membership.members.count <= 1 {
            for (peer, address) in bootstrap where result[peer] == nil && peer != id { result[peer] = address }
        }
        return result
    }

    /// After each output: when the configuration changed, reconnect to its members and say so.
    func followMembership(now: Instant) {
        let membership = core.membership
        guard membership != appliedMembership else { return }
        appliedMembership = membership
        if membership.members.count > 1 { bootstrapPeers = [:] }
        transport.updatePeers(Self.addresses(of: membership, without: core.id, bootstrap: bootstrapPeers))
        log.info("configuration \(membership.index) of term \(membership.term): voters \(membership.voters.map(\.rawValue).joined(separator: ","))" +
                 (membership.nonVoters.isEmpty ? "" : ", non-voters \(membership.nonVoters.map(\.rawValue).joined(separator: ","))") +
                 (membership.isVoter(core.id) ? "" : membership.contains(core.id) ? "; this node does not vote yet" : "; this node is not a member"))
    }

    /// The API address clients should use for `node`: from the configuration, else from the flags.
    func apiAddress(of node: NodeID) -> String? {
        if let api = core.membership.member(node)?.api, !api.isEmpty { return api }
        return options.apiAddress(of: node)?.description
    }

    /// Whether `directory` holds a state file (a node that ran there before).
    public static func hasStoredState(in directory: String) -> Bool {
        (try? HardStateStore(directory: directory).load()) != nil
    }

    /// `--join`: the members the given API knows, retried for up to 10 s at start.
    public static func fetchMembers(from endpoint: SocketAddress, id: NodeID, log: Log) throws(StartupError) -> [NodeID: SocketAddress] {
        var lastError = "no answer"
        for attempt in 0..<20 {
            if attempt > 0 { MonotonicClock.sleep(for: .milliseconds(500)) }
            do {
                let response = try HTTPClient.request(endpoint: endpoint.description, path: "/v1/members", timeoutMilliseconds: 1000)
                guard response.status == 200, let json = JSONValue.parse(response.body), let members = json["members"]?.array else {
                    lastError = "HTTP \(response.status)"
                    continue
                }
                var result: [NodeID: SocketAddress] = [:]
                for member in members {
                    guard let text = member["id"]?.string, NodeID.isValid(text), let address = member["address"]?.string.flatMap(SocketAddress.init) else { continue }
                    result[NodeID(text)] = address
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
        throw StartupError("--join \(endpoint): cannot learn the cluster's members (\(lastError)); is it a member's API address?")
    }

    // MARK: - API

    /// `GET /v1/members`.
    func membersJSON() -> String {
        let membership = core.membership
        var object = JSONObject()
        object.add("index", membership.index)
        object.add("term", membership.term)
        object.add("committed_index", core.committedIndex)
        object.add("committed", core.committedIndex >= membership.index)
        let members = membership.members.map { member -> String in
            var entry = JSONObject()
            entry.add("id", member.id.rawValue)
            entry.add("address", member.address)
            entry.add("api", apiAddress(of: member.id))
            entry.add("voter", member.voter)
            return entry.rendered
        }
        object.add("members", raw: "[" + members.joined(separator: ",") + "]")
        return object.rendered
    }

    /// `POST /v1/members {"id": "n4", "address": "127.0.0.14:7100", "api": "127.0.0.14:7200"}`.
    func addMember(_ request: HTTPRequest, fd: Int32, now: Instant) -> APIReply {
        guard let body = JSONValue.parse(request.body), body.object != nil else {
            return .response(.json(400, errorJSON("body must be a JSON object such as {\"id\": \"n4\", \"address\": \"127.0.0.14:7100\", \"api\": \"127.0.0.14:7200\"}")))
        }
        guard let idText = body["id"]?.string, NodeID.isValid(idText) else {
            return .response(.json(400, errorJSON("'id' must be a node id (1-64 letters, digits, '-' or '_')")))
        }
        guard let addressText = body["address"]?.string, let address = SocketAddress(addressText) else {
            return .response(.json(400, errorJSON("'address' must be the new node's peer address, IPv4 HOST:PORT")))
        }
        var api = ""
        if let value = body["api"] {
            guard let text = value.string, let parsed = SocketAddress(text) else {
                return .response(.json(400, errorJSON("'api' must be the new node's API address, IPv4 HOST:PORT")))
            }
            api = parsed.description
        }
        let id = NodeID(idText)
        let member = Member(id: id, address: address.description, api: api, voter: false)
        return proposeMembership(.add(member), goal: .voter(id), fd: fd, now: now)
    }

    /// `DELETE /v1/members/ID`.
    func removeMember(_ idText: String, fd: Int32, now: Instant) -> APIReply {
        guard NodeID.isValid(idText) else { return .response(.json(400, errorJSON("'\(idText)' is not a node id"))) }
        return proposeMembership(.remove(NodeID(idText)), goal: .absent(NodeID(idText)), fd: fd, now: now)
    }

    private func proposeMembership(_ change: MembershipChange, goal: PendingMembershipCommand.Goal, fd: Int32, now: Instant) -> APIReply {
        guard pendingMembershipCommands.isEmpty else {
            return .response(conflict("another membership change requested here is still in progress"))
        }
        // Refuse an impossible change at once, even while the leader first commits an entry of
        // its term (otherwise "remove n9" of a non-member would look done when that commits).
        if core.role == .leader, case .failure(let rejection) = core.membership.applying(change) {
            var object = JSONObject()
            object.add("outcome", "rejected")
            object.add("error", rejection.reason)
            return .response(.json(409, object.rendered))
        }
        var command = PendingMembershipCommand(fd: fd, change: change, goal: goal, deadline: now + Self.membershipCommandTimeout)
        if let answer = propose(&command, now: now) { return .response(answer) }
        pendingMembershipCommands.append(command)
        return .deferred
    }

    /// Proposes the command's change; a response when it is settled at once (refused), nil
    /// when it is on its way (or waits for the leader's own-term entry).
    private func propose(_ command: inout PendingMembershipCommand, now: Instant) -> HTTPResponse? {
        let (outcome, output) = core.proposeMembershipChange(command.change, at: now)
        apply(output, now: now)
        switch outcome {
        case .proposed(let entry):
            command.retryAt = nil
            command.proposed = true
            log.info("proposed configuration \(entry.index): \(describe(command.change))")
            return nil
        case .preparing:
            command.retryAt = now + options.heartbeatInterval
            return nil
        case .notLeader(let leader):
            var object = JSONObject()
            object.add("outcome", "not_leader")
            object.add("error", "\(core.id) is not the leader")
            object.add("leader", leader?.rawValue)
            object.add("api", leader.flatMap { apiAddress(of: $0) })
            return .json(409, object.rendered)
        case .inProgress(let reason):
            return conflict(reason)
        case .rejected(let reason):
            var object = JSONObject()
            object.add("outcome", "rejected")
            object.add("error", reason)
            return .json(409, object.rendered)
        }
    }

    private func conflict(_ reason: String) -> HTTPResponse {
        var object = JSONObject()
        object.add("outcome", "in_progress")
        object.add("error", reason)
        object.add("leader", core.leader?.rawValue)
        object.add("api", core.leader.flatMap { apiAddress(of: $0) })
        return .json(409, object.rendered)
    }

    private func describe(_ change: MembershipChange) -> String {
        switch change {
        case .add(let member): "add \(member.id) at \(member.address) as a non-voter"
        case .promote(let id): "promote \(id)"
        case .remove(let id): "remove \(id)"
        }
    }

    /// Answers membership commands whose goal a committed configuration reached, retries those
    /// waiting for the leader's own-term entry, and times out the rest.
    func settleMembershipCommands(now: Instant) {
        guard !pendingMembershipCommands.isEmpty else { return }
        let commands = pendingMembershipCommands
        pendingMembershipCommands = []
        var remaining: [PendingMembershipCommand] = []
        for var command in commands {
            let membership = core.membership
            let committed = core.committedIndex >= membership.index
            var reached = false
            switch command.goal {
            case .voter(let id): reached = committed && membership.isVoter(id)
            case .absent(let id): reached = committed && !membership.contains(id)
            }
            reached = reached && command.proposed
            if reached {
                var object = JSONObject()
                object.add("outcome", "committed")
                object.add("index", membership.index)
                object.add("voters", raw: "[" + membership.voters.map { "\"\($0)\"" }.joined(separator: ",") + "]")
                api.complete(command.fd, with: .json(200, object.rendered), metrics: metrics, route: route)
            } else if now >= command.deadline {
                var object = JSONObject()
                object.add("outcome", "timed_out")
                object.add("error", "the change did not commit within \(Self.membershipCommandTimeout) (is the new node running and caught up?)")
                object.add("index", membership.index)
                api.complete(command.fd, with: .json(504, object.rendered), metrics: metrics, route: route)
            } else if let retryAt = command.retryAt, now >= retryAt {
                if let answer = propose(&command, now: now) {
                    api.complete(command.fd, with: answer, metrics: metrics, route: route)
                } else {
                    remaining.append(command)
                }
            } else {
                remaining.append(command)
            }
        }
        pendingMembershipCommands = remaining + pendingMembershipCommands
    }
}
