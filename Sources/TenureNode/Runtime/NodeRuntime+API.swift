import TenureHTTP
import TenureCore
import TenureJSON
import TenureSupervision
import TenureWire

/// The client API's routes: what each endpoint answers, computed at the moment of the request.
extension NodeRuntime {
    /// Built once: the leader-query path should not allocate route tables per request.
    static let getRoutes: Set<String> = ["/v1/leader", "/v1/status", "/v1/watch", "/v1/status/stream", "/v1/history", "/ui", "/healthz", "/readyz", "/metrics"]
    /// Routes that answer GET and PUT.
    static let readWriteRoutes: Set<String> = ["/v1/health"]
    static let postRoutes: Set<String> = ["/v1/transfer", "/v1/resign"]

    func route(_ request: HTTPRequest, _ fd: Int32) -> APIReply {
        let now = clock.now()
        noteRunner(request.query, now: now)
        if request.path == "/v1/members" || request.path.hasPrefix("/v1/members/") {
            return membersRoute(request, fd, now: now)
        }
        if Self.getRoutes.contains(request.path) {
            guard request.method == "GET" || request.method == "HEAD" else { return methodNotAllowed("GET") }
        } else if Self.readWriteRoutes.contains(request.path) {
            guard request.method == "GET" || request.method == "HEAD" || request.method == "PUT" else { return methodNotAllowed("GET, PUT") }
        } else if Self.postRoutes.contains(request.path) {
            guard request.method == "POST" else { return methodNotAllowed("POST") }
        } else {
            return .response(.json(404, errorJSON("no such endpoint: \(request.path)")))
        }
        let changesLeadership = Self.postRoutes.contains(request.path) || (request.path == "/v1/health" && request.method == "PUT")
        if changesLeadership, let refusal = unauthorized(request) { return refusal }
        switch request.path {
        case "/v1/leader": return .response(leaderResponse(now: now))
        case "/v1/status": return .response(.json(200, statusJSON(now: now)))
        case "/v1/history": return .response(.json(200, state.history.json))
        case "/v1/watch": return .eventStream(initial: HTTPResponse.eventStreamHead + watchEventBytes(), kind: .leader)
        case "/v1/status/stream":
            return .eventStream(initial: statusStreamStart(now: now), kind: .status)
        case "/ui": return .response(StatusPage.response)
        case "/healthz": return .response(.json(200, "{\"status\":\"ok\"}"))
        case "/readyz":
            let leader = clientKnownLeader(at: now)
            var object = JSONObject()
            object.add("ready", leader != nil)
            object.add("leader", leader?.rawValue)
            object.add("term", clientTerm)
            return .response(.json(leader != nil ? 200 : 503, object.rendered))
        case "/metrics":
            let lease = state.core.leaseExpiresAt.map { max(.zero, $0 - now) } ?? .zero
            var response = HTTPResponse.text(200, metrics.render(role: core.role, term: clientTerm, isLeader: clientIsLeader(at: now),
                                                                  leaseRemaining: clientIsLeader(at: now) ? lease : .zero, uptime: now - startedAt,
                                                                  durable: stateIsDurable,
                                                                  peerAuthFailures: transport.ledger.byReason,
                                                                  phi: core.peers.compactMap { peer in core.phi(of: peer, at: now).map { (peer.rawValue, $0) } },
                                                                  runner: attachedRunner(at: now)))
            response.contentType = "text/plain; version=0.0.4; charset=utf-8"
            return .response(response)
        case "/v1/health":
            return .response(request.method == "PUT" ? healthPut(request, now: now) : .json(200, healthJSON(now: now)))
        case "/v1/transfer": return transfer(to: request.query["to"], fd: fd, now: now)
        case "/v1/resign": return resign(fd: fd, now: now)
        default: return .response(.json(404, errorJSON("no such endpoint: \(request.path)")))
        }
    }

    /// `/v1/members` (GET, POST) and `/v1/members/ID` (DELETE); changes need the API token.
    private func membersRoute(_ request: HTTPRequest, _ fd: Int32, now: Instant) -> APIReply {
        let isList = request.path == "/v1/members"
        let id = isList ? nil : String(request.path.dropFirst("/v1/members/".count))
        switch (request.method, id) {
        case ("GET", nil), ("HEAD", nil): return .response(.json(200, membersJSON()))
        case ("POST", nil), ("DELETE", .some):
            if let refusal = unauthorized(request) { return refusal }
            return id.map { removeMember($0, fd: fd, now: now) } ?? addMember(request, fd: fd, now: now)
        default:
            return methodNotAllowed(isList ? "GET, POST" : "DELETE")
        }
    }

    /// 401 for a request that changes leadership, health or membership without the API token
    /// (nil when no token is configured or the request carries it).
    private func unauthorized(_ request: HTTPRequest) -> APIReply? {
        guard let apiToken, !apiToken.admits(request.header("Authorization")) else { return nil }
        metrics.httpUnauthorized += 1
        var response = HTTPResponse.json(401, errorJSON("\(request.method) \(request.path) needs Authorization: Bearer <the token in --api-token-file> (the CLI sends the first line of $TENURE_API_TOKEN_FILE)"))
        response.headers.append(("WWW-Authenticate", "Bearer realm=\"tenure\""))
        return .response(response)
    }

    private func methodNotAllowed(_ allowed: String) -> APIReply {
        var response = HTTPResponse.json(405, errorJSON("method not allowed; use \(allowed)"))
        response.headers.append(("Allow", allowed))
        return .response(response)
    }

    /// 200 with the leader when this node leads with a valid lease or heard the leader within
    /// `electionTimeoutMin`; 503 otherwise.
    func leaderResponse(now: Instant) -> HTTPResponse {
        var object = JSONObject()
        if let leader = clientKnownLeader(at: now) {
            object.add("leader", leader.rawValue)
            object.add("term", clientTerm)
            object.add("api", apiAddress(of: leader))
            return .json(200, object.rendered)
        }
        object.addNull("leader")
        object.add("term", clientTerm)
        return .json(503, object.rendered)
    }

    func statusJSON(now: Instant) -> String {
        let isLeader = clientIsLeader(at: now)
        var object = JSONObject()
        object.add("id", core.id.rawValue)
        object.add("role", core.role.rawValue)
        object.add("term", clientTerm)
        object.add("leader", clientLeader?.rawValue)
        object.add("known_leader", clientKnownLeader(at: now)?.rawValue)
        object.add("voted_for", state.durableHardState.votedFor?.rawValue)
        object.add("is_leader", isLeader)
        let remaining = isLeader ? (core.leaseExpiresAt! - now) : .zero
        object.add("lease_remaining_ms", Double(remaining.nanoseconds / 1000) / 1000)
        if isLeader { object.add("fencing_token", clientTerm) }
        object.add("now_monotonic_ns", now.nanoseconds)
        if isLeader, let expiry = core.leaseExpiresAt {
            object.add("lease_expires_monotonic_ns", expiry.nanoseconds)
        } else {
            object.add("lease_expires_monotonic_ns", raw: "null")
        }
        object.add("uptime_ms", (now - startedAt).nanoseconds / 1_000_000)
        object.add("api", options.api.description)
        let membership = core.membership
        object.add("config_index", membership.index)
        object.add("config_committed", core.committedIndex >= membership.index)
        object.add("voter", membership.isVoter(core.id))
        object.add("member", membership.contains(core.id))
        object.add("voters", raw: "[" + membership.voters.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        object.add("non_voters", raw: "[" + membership.nonVoters.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        object.add("peer_auth", transport.security.insecure ? "off" : "on")
        object.add("cluster_id", String(options.clusterID, radix: 16))
        object.add("api_auth", apiToken == nil ? "off" : "on")
        object.add("wire_version", Int(FrameCodec.wireVersion))
        if let keyring = transport.security.keyring {
            object.add("peer_key_ids", raw: "[" + keyring.keys.map { "\"\($0.idText)\"" }.joined(separator: ",") + "]")
        }
        var peers = JSONObject()
        for peer in core.peers {
            var entry = JSONObject()
            entry.add("address", transport.peerAddresses[peer]?.description)
            entry.add("api", apiAddress(of: peer))
            if let contact = core.lastContact[peer] {
                entry.add("last_contact_ms", (now - contact).nanoseconds / 1_000_000)
            } else {
                entry.add("last_contact_ms", raw: "null")
            }
            entry.add("connected", transport.isConnected(to: peer))
            if let phi = core.phi(of: peer, at: now) {
                entry.add("phi", (phi * 100).rounded() / 100)
            } else {
                entry.add("phi", raw: "null")
            }
            let auth = transport.ledger.entries[peer.rawValue]
            entry.add("auth", transport.security.insecure ? "off" : transport.ledger.state(of: peer))
            entry.add("auth_failures", auth?.failures ?? 0)
            entry.add("last_auth_failure", auth?.lastReason.map { "\($0): \(auth?.lastDetail ?? "")" })
            if core.role == .leader { entry.add("healthy", !core.unhealthyPeers.contains(peer)) }
            if core.role == .leader { entry.add("acknowledged_round", core.acknowledgedRounds[peer] ?? 0) }
            peers.add(peer.rawValue, raw: entry.rendered)
        }
        object.add("peers", raw: peers.rendered)
        var settings = JSONObject()
        settings.add("heartbeat_interval_ms", core.configuration.heartbeatInterval.milliseconds)
        settings.add("election_timeout_min_ms", core.configuration.electionTimeoutMin.milliseconds)
        settings.add("election_timeout_max_ms", core.configuration.electionTimeoutMax.milliseconds)
        settings.add("lease_ms", core.configuration.leaseDuration.milliseconds)
        settings.add("clock_drift_bound", core.configuration.clockDriftBound)
        settings.add("beats_per_heartbeat", core.configuration.beatsPerHeartbeat)
        settings.add("round_interval_ms", Double(core.configuration.roundInterval.nanoseconds / 1000) / 1000)
        object.add("config", raw: settings.rendered)
        object.add("health", raw: healthJSON(now: now))
        object.add("durable", raw: durabilityJSON(now: now))
        object.add("nodes", raw: nodesJSON(now: now))
        object.add("version", TenureVersion.current)
        object.add("runner", raw: runnerJSON(now: now, isLeader: isLeader))
        return object.rendered
    }

    /// `/v1/status` `runner`: the `tenure run` beside this node, as its last poll reported it.
    /// `work_down` is true while this node leads with a live lease and an attached runner's
    /// command is not running: the singleton work is down although leadership is fine.
    func runnerJSON(now: Instant, isLeader: Bool) -> String {
        var attachment = JSONObject()
        let attached = attachedRunner(at: now)
        attachment.add("attached", attached != nil)
        attachment.add("running", runnerIsRunning)
        attachment.add("handover_held", state.handover.held != nil)
        attachment.add("work_down", isLeader && attached != nil && attached?.state != "running")
        if let runner = state.handover.runner {
            attachment.add("last_seen_ms", (now - runner.lastSeen).nanoseconds / 1_000_000)
            runner.report.addFields(to: &attachment)
        }
        return attachment.rendered
    }

    func watchEventBytes() -> [UInt8] {
        var object = JSONObject()
        let announced = state.feed.announced
        object.add("seq", state.feed.watchSequence)
        object.add("leader", announced?.leader?.rawValue)
        object.add("term", announced?.term ?? clientTerm)
        object.add("api", announced?.leader.flatMap { apiAddress(of: $0) })
        object.add("role", core.role.rawValue)
        object.add("monotonic_ns", clock.now().nanoseconds)
        return HTTPResponse.eventStreamEvent(id: state.feed.watchSequence, event: "leader", data: object.rendered)
    }

    private func transfer(to targetText: String?, fd: Int32, now: Instant) -> APIReply {
        var target: NodeID?
        if let targetText {
            guard NodeID.isValid(targetText) else { return .response(.json(400, errorJSON("'to' must be a node id"))) }
            target = NodeID(targetText)
        }
        let startTerm = state.core.term
        let (outcome, output) = state.core.transferLeadership(to: target, at: now)
        apply(output, now: now)
        return commandReply(outcome, kind: .transfer, fd: fd, startTerm: startTerm, now: now)
    }

    private func resign(fd: Int32, now: Instant) -> APIReply {
        let startTerm = state.core.term
        let (outcome, output) = state.core.resign(at: now)
        apply(output, now: now)
        return commandReply(outcome, kind: .resign, fd: fd, startTerm: startTerm, now: now)
    }

    private func commandReply(_ outcome: LeadershipCommandOutcome, kind: PendingCommands.LeadershipCommand, fd: Int32, startTerm: UInt64, now: Instant) -> APIReply {
        var object = JSONObject()
        switch outcome {
        case .transferStarted(let target), .resigned(handedTo: .some(let target)):
            state.pending.awaitSuccessor(ticket: fd, kind: kind, startTerm: startTerm, target: target, now: now)
            return .deferred
        case .resigned(handedTo: nil):
            object.add("outcome", "resigned")
            object.addNull("leader")
            object.add("term", core.term)
            return .response(.json(200, object.rendered))
        case .notLeader(let leader):
            object.add("outcome", "not_leader")
            object.add("error", "\(core.id) is not the leader")
            object.add("leader", leader?.rawValue)
            object.add("api", leader.flatMap { apiAddress(of: $0) })
            return .response(.json(409, object.rendered))
        case .alreadyTransferring(let target):
            object.add("outcome", "already_transferring")
            object.add("target", target.rawValue)
            return .response(.json(409, object.rendered))
        case .rejected(let reason):
            object.add("outcome", "rejected")
            object.add("error", reason)
            return .response(.json(409, object.rendered))
        }
    }
}
