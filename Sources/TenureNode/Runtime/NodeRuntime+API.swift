import TenureAPI
import TenureHTTP
import TenureCore
import TenureJSON
import TenureRelease
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
            return .response(.error(404, "no such endpoint: \(request.path)"))
        }
        let changesLeadership = Self.postRoutes.contains(request.path) || (request.path == "/v1/health" && request.method == "PUT")
        if changesLeadership, let refusal = unauthorized(request) { return refusal }
        switch request.path {
        case "/v1/leader": return .response(leaderResponse(now: now))
        case "/v1/status": return .response(.document(200, statusDocument(now: now)))
        case "/v1/history": return .response(.document(200, state.history.document))
        case "/v1/watch": return .eventStream(initial: HTTPResponse.eventStreamHead + watchEventBytes(), kind: .leader)
        case "/v1/status/stream":
            return .eventStream(initial: statusStreamStart(now: now), kind: .status)
        case "/ui": return .response(StatusPage.response)
        case "/healthz": return .response(.document(200, LivenessDocument()))
        case "/readyz":
            let readiness = ReadinessDocument(leader: leaderDocument(now: now))
            return .response(.document(readiness.httpStatus, readiness))
        case "/metrics":
            let lease = state.core.leaseExpiresAt.map { max(.zero, $0 - now) } ?? .zero
            var response = HTTPResponse.text(200, metrics.render(role: core.role, term: clientTerm, isLeader: clientIsLeader(at: now),
                                                                  leaseRemaining: clientIsLeader(at: now) ? lease : .zero, uptime: now - startedAt,
                                                                  durable: stateIsDurable,
                                                                  peerAuthFailures: transport.ledger.byReason,
                                                                  phi: core.peers.compactMap { peer in core.phi(of: peer, at: now).map { (peer.rawValue, $0) } },
                                                                  runner: attachedRunner(at: now),
                                                                  eventLogLatency: eventLog?.latency, eventLogSlowest: eventLog?.slowest ?? .zero))
            response.contentType = "text/plain; version=0.0.4; charset=utf-8"
            return .response(response)
        case "/v1/health":
            return .response(request.method == "PUT" ? healthPut(request, now: now) : .document(200, healthDocument(now: now)))
        case "/v1/transfer": return transfer(to: request.query["to"], fd: fd, now: now)
        case "/v1/resign": return resign(fd: fd, now: now)
        default: return .response(.error(404, "no such endpoint: \(request.path)"))
        }
    }

    /// `/v1/members` (GET, POST) and `/v1/members/ID` (DELETE); changes need the API token.
    private func membersRoute(_ request: HTTPRequest, _ fd: Int32, now: Instant) -> APIReply {
        let isList = request.path == "/v1/members"
        let id = isList ? nil : String(request.path.dropFirst("/v1/members/".count))
        switch (request.method, id) {
        case ("GET", nil), ("HEAD", nil): return .response(.document(200, membersDocument()))
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
        var response = HTTPResponse.error(401, "\(request.method) \(request.path) needs Authorization: Bearer <the token in --api-token-file> (the CLI sends the first line of $TENURE_API_TOKEN_FILE)")
        response.headers.append(("WWW-Authenticate", "Bearer realm=\"tenure\""))
        return .response(response)
    }

    private func methodNotAllowed(_ allowed: String) -> APIReply {
        var response = HTTPResponse.error(405, "method not allowed; use \(allowed)")
        response.headers.append(("Allow", allowed))
        return .response(response)
    }

    /// `GET /v1/leader`: the leader when this node leads with a valid lease or heard the leader
    /// within `electionTimeoutMin` (200); none otherwise (503).
    func leaderDocument(now: Instant) -> LeaderDocument {
        let leader = clientKnownLeader(at: now)
        return LeaderDocument(leader: leader?.rawValue, term: clientTerm, api: leader.flatMap { apiAddress(of: $0) })
    }

    /// The `/v1/leader` answer, with its status.
    func leaderResponse(now: Instant) -> HTTPResponse {
        let document = leaderDocument(now: now)
        return .document(document.httpStatus, document)
    }

    /// `GET /v1/status`: this node's whole view at `now`.
    func statusDocument(now: Instant) -> StatusDocument {
        let isLeader = clientIsLeader(at: now)
        let remaining = isLeader ? (core.leaseExpiresAt! - now) : .zero
        let membership = core.membership
        var peers: [String: PeerStatus] = [:]
        for peer in core.peers {
            let auth = transport.ledger.entries[peer.rawValue]
            peers[peer.rawValue] = PeerStatus(
                address: transport.peerAddresses[peer]?.description, api: apiAddress(of: peer),
                lastContactMilliseconds: core.lastContact[peer].map { (now - $0).nanoseconds / 1_000_000 },
                connected: transport.isConnected(to: peer),
                phi: core.phi(of: peer, at: now).map { ($0 * 100).rounded() / 100 },
                auth: transport.security.insecure ? "off" : transport.ledger.state(of: peer),
                authFailures: auth?.failures ?? 0,
                lastAuthFailure: auth?.lastReason.map { "\($0): \(auth?.lastDetail ?? "")" },
                healthy: core.role == .leader ? !core.unhealthyPeers.contains(peer) : nil,
                acknowledgedRound: core.role == .leader ? core.acknowledgedRounds[peer] ?? 0 : nil)
        }
        let configuration = core.configuration
        let settings = ConfigSettings(
            heartbeatIntervalMilliseconds: configuration.heartbeatInterval.milliseconds,
            electionTimeoutMinMilliseconds: configuration.electionTimeoutMin.milliseconds,
            electionTimeoutMaxMilliseconds: configuration.electionTimeoutMax.milliseconds,
            leaseMilliseconds: configuration.leaseDuration.milliseconds, clockDriftBound: configuration.clockDriftBound,
            beatsPerHeartbeat: configuration.beatsPerHeartbeat,
            roundIntervalMilliseconds: Double(configuration.roundInterval.nanoseconds / 1000) / 1000)
        return StatusDocument(
            id: core.id.rawValue, role: core.role.rawValue, term: clientTerm, leader: clientLeader?.rawValue,
            knownLeader: clientKnownLeader(at: now)?.rawValue, votedFor: state.durableHardState.votedFor?.rawValue,
            isLeader: isLeader, leaseRemainingMilliseconds: Double(remaining.nanoseconds / 1000) / 1000,
            fencingToken: isLeader ? clientTerm : nil, nowMonotonicNanoseconds: now.nanoseconds,
            leaseExpiresMonotonicNanoseconds: isLeader ? core.leaseExpiresAt?.nanoseconds : nil,
            uptimeMilliseconds: (now - startedAt).nanoseconds / 1_000_000, api: options.api.description,
            configIndex: membership.index, configCommitted: core.committedIndex >= membership.index,
            voter: membership.isVoter(core.id), member: membership.contains(core.id),
            voters: membership.voters.map(\.rawValue), nonVoters: membership.nonVoters.map(\.rawValue),
            peerAuth: transport.security.insecure ? "off" : "on", clusterID: String(options.clusterID, radix: 16),
            apiAuth: apiToken == nil ? "off" : "on", wireVersion: Int(FrameCodec.wireVersion),
            peerKeyIDs: transport.security.keyring.map { $0.keys.map(\.idText) },
            peers: peers, config: settings, health: healthDocument(now: now), durable: durabilityDocument(now: now),
            nodes: nodeReports(now: now), version: TenureRelease.release, runner: runnerDocument(now: now, isLeader: isLeader),
            commit: TenureRelease.commit, clusterVersion: clusterVersion.description)
    }

    /// `/v1/status` `runner`: the `tenure run` beside this node, as its last poll reported it.
    /// `work_down` is true while this node leads with a live lease and an attached runner's
    /// command is not running: the singleton work is down although leadership is fine.
    func runnerDocument(now: Instant, isLeader: Bool) -> RunnerDocument {
        let attached = attachedRunner(at: now)
        return RunnerDocument(
            attached: attached != nil, running: runnerIsRunning, handoverHeld: state.handover.held != nil,
            workDown: isLeader && attached != nil && attached?.state != "running",
            reported: state.handover.runner.map {
                RunnerDocument.Reported(report: $0.report, lastSeenMilliseconds: (now - $0.lastSeen).nanoseconds / 1_000_000)
            })
    }

    func watchEventBytes() -> [UInt8] {
        let announced = state.feed.announced
        let event = WatchEvent(sequence: state.feed.watchSequence, leader: announced?.leader?.rawValue,
                               term: announced?.term ?? clientTerm, api: announced?.leader.flatMap { apiAddress(of: $0) },
                               role: core.role.rawValue, monotonicNanoseconds: clock.now().nanoseconds)
        return HTTPResponse.eventStreamEvent(id: state.feed.watchSequence, event: "leader", data: event.json)
    }

    private func transfer(to targetText: String?, fd: Int32, now: Instant) -> APIReply {
        var target: NodeID?
        if let targetText {
            guard NodeID.isValid(targetText) else { return .response(.error(400, "'to' must be a node id")) }
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
        let answer: CommandOutcome
        switch outcome {
        case .transferStarted(let target), .resigned(handedTo: .some(let target)):
            state.pending.awaitSuccessor(ticket: fd, kind: kind, startTerm: startTerm, target: target, now: now)
            return .deferred
        case .resigned(handedTo: nil):
            answer = .resignedWithoutSuccessor(term: core.term)
        case .notLeader(let leader):
            answer = .notLeader(error: "\(core.id) is not the leader", leader: leader?.rawValue, api: leader.flatMap { apiAddress(of: $0) })
        case .alreadyTransferring(let target):
            answer = .alreadyTransferring(target: target.rawValue)
        case .rejected(let reason):
            answer = .rejected(error: reason)
        }
        return .response(.document(answer.httpStatus, answer))
    }
}
