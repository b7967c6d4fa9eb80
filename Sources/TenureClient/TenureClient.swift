import TenureAPI
import TenureCore
import TenureHTTP
import TenureJSON
import TenurePOSIX

/// What a Swift application imports to ask Tenure who leads, and whether it may act as leader.
///
/// Standard library and Glibc only (no Foundation). Every call is bounded by `timeout` per
/// endpoint and asks the endpoints in order, so a dead node costs at most one timeout. The CLI's
/// client commands and `tenure run` are built on it.
public struct TenureClient: Sendable {
    public var endpoints: [String]
    public var timeout: Interval
    /// Sent as `Authorization: Bearer` on requests that change leadership or health.
    public var apiToken: String?

    public init(endpoints: [String], timeout: Interval = .seconds(1), apiToken: String? = nil) {
        precondition(!endpoints.isEmpty, "a client needs at least one endpoint")
        self.endpoints = endpoints
        self.timeout = timeout
        self.apiToken = apiToken
    }

    var timeoutMilliseconds: Int { Int(max(1, timeout.nanoseconds / 1_000_000)) }

    /// One raw answer, for the commands that print what a node said.
    public func get(_ path: String, from endpoint: String) throws(TenureClientError) -> (status: Int, body: [UInt8]) {
        try send("GET", path, to: endpoint)
    }

    func send(_ method: String, _ path: String, to endpoint: String, body: [UInt8] = [],
              timeoutMilliseconds override: Int? = nil) throws(TenureClientError) -> (status: Int, body: [UInt8]) {
        var headers: [(String, String)] = []
        if let apiToken, method != "GET" { headers.append(("Authorization", "Bearer \(apiToken)")) }
        if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
        do {
            let response = try HTTPClient.request(method: method, endpoint: endpoint, path: path, body: body, headers: headers,
                                                  timeoutMilliseconds: override ?? timeoutMilliseconds)
            return (response.status, response.body)
        } catch {
            throw .unreachable(endpoint: endpoint, reason: error.description)
        }
    }

    /// The status of the node at `endpoint`. `runner` (`running` or `idle`) tells the node what
    /// a `tenure run` beside it is doing, so it can hold a handover until the work stopped.
    public func status(of endpoint: String, runner: String? = nil) throws(TenureClientError) -> NodeStatus {
        try status(of: endpoint, report: runner.map { RunnerReport(state: $0) })
    }

    /// The status of the node at `endpoint`, telling it the whole state of the `tenure run`
    /// beside it: the node holds a handover while the command runs and shows the rest.
    public func status(of endpoint: String, report: RunnerReport?) throws(TenureClientError) -> NodeStatus {
        let query = report.map { "?" + $0.queryItems.map { "\($0.0)=\($0.1)" }.joined(separator: "&") } ?? ""
        let answer = try get("/v1/status" + query, from: endpoint)
        let text = String(decoding: answer.body, as: UTF8.self)
        guard answer.status == 200 else { throw .badAnswer(endpoint: endpoint, status: answer.status, body: text) }
        return NodeStatus(document: try decode(StatusDocument.self, answer.body, from: endpoint), text: text)
    }

    /// A document of the API from `endpoint`'s answer; `malformed` naming the field when it is not one.
    func decode<Document: JSONDocument>(_ type: Document.Type, _ body: [UInt8], from endpoint: String) throws(TenureClientError) -> Document {
        do {
            return try Document(parsing: body)
        } catch {
            throw .malformed(endpoint: endpoint, error: error)
        }
    }

    /// Every endpoint's status or the reason it has none, in the order of `endpoints`.
    public func statuses() -> [(endpoint: String, result: Result<NodeStatus, TenureClientError>)] {
        endpoints.map { endpoint in
            do throws(TenureClientError) {
                return (endpoint, .success(try status(of: endpoint)))
            } catch {
                return (endpoint, .failure(error))
            }
        }
    }

    /// The leader of the highest term any endpoint knows a fresh leader for.
    public func leader() throws(TenureClientError) -> LeaderInfo {
        var best: LeaderInfo?
        var highestTerm: UInt64 = 0
        var failures: [TenureClientError] = []
        for endpoint in endpoints {
            do throws(TenureClientError) {
                let answer = try get("/v1/leader", from: endpoint)
                let document = try decode(LeaderDocument.self, answer.body, from: endpoint)
                highestTerm = max(highestTerm, document.term)
                if answer.status == 200, let id = document.leader, document.term >= (best?.term ?? 0) {
                    best = LeaderInfo(id: id, term: document.term, api: document.api)
                }
            } catch {
                failures.append(error)
            }
        }
        if let best { return best }
        if failures.count == endpoints.count, let first = failures.first { throw first }
        throw .noLeader(highestTerm: highestTerm)
    }

    /// Asks the leader to hand over (to `target`, or to the most caught-up follower) and waits
    /// until a successor leads; returns the node's JSON answer.
    public func transfer(to target: String? = nil) throws(TenureClientError) -> CommandAnswer {
        let path = target.map { "/v1/transfer?to=\($0)" } ?? "/v1/transfer"
        return try leadershipCommand(path)
    }

    /// Asks the leader to step down and hand over; returns the node's JSON answer.
    public func resign() throws(TenureClientError) -> CommandAnswer { try leadershipCommand("/v1/resign") }

    /// Sends a command to the node at `endpoint` (the local node, for `tenure run`).
    public func resign(at endpoint: String, runner: String? = nil) throws(TenureClientError) -> CommandAnswer {
        let answer = try send("POST", runner.map { "/v1/resign?runner=\($0)" } ?? "/v1/resign", to: endpoint, timeoutMilliseconds: 5000)
        return try commandAnswer(answer, from: endpoint)
    }

    private func leadershipCommand(_ path: String) throws(TenureClientError) -> CommandAnswer {
        let leader = try leader()
        guard let api = leader.api else { throw .noLeader(highestTerm: leader.term) }
        let answer = try send("POST", path, to: api, timeoutMilliseconds: 5000)
        return try commandAnswer(answer, from: api)
    }

    /// A 200 answer as a typed outcome; any other status is `refused`, with the node's words.
    func commandAnswer(_ answer: (status: Int, body: [UInt8]), from endpoint: String) throws(TenureClientError) -> CommandAnswer {
        let text = String(decoding: answer.body, as: UTF8.self)
        guard answer.status == 200 else { throw .refused(endpoint: endpoint, status: answer.status, body: text) }
        return CommandAnswer(outcome: try decode(CommandOutcome.self, answer.body, from: endpoint), text: text)
    }

    /// Leadership changes as they happen, from `/v1/watch` (server-sent events). When the node
    /// it listens to goes away, it moves to the next endpoint, at most `reconnects` times, and
    /// finishes by throwing the last error.
    public func leadershipChanges(reconnects: Int = 100) -> AsyncThrowingStream<LeadershipChange, any Error> {
        let endpoints = self.endpoints
        let timeout = timeoutMilliseconds
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LeadershipChange.self, throwing: (any Error).self)
        let cancelled = CancellationFlag()
        continuation.onTermination = { _ in cancelled.set() }
        do {
            // Detached: the thread ends by itself when the consumer stops listening.
            let reader = try JoinableThread.start {
                var lastError: TenureClientError?
                for attempt in 0..<max(1, reconnects) where !cancelled.isSet {
                    let endpoint = endpoints[attempt % endpoints.count]
                    do {
                        var malformed: JSONDecodeError?
                        try HTTPClient.streamEvents(endpoint: endpoint, path: "/v1/watch", timeoutMilliseconds: timeout) { _, data in
                            guard !cancelled.isSet else { return false }
                            let event: WatchEvent
                            do throws(JSONDecodeError) {
                                event = try WatchEvent(parsing: data)
                            } catch {
                                malformed = error
                                return false
                            }
                            let change = LeadershipChange(sequence: event.sequence, leader: event.leader, term: event.term,
                                                          api: event.api, endpoint: endpoint)
                            if case .terminated = continuation.yield(change) { return false }
                            return true
                        }
                        lastError = malformed.map { .malformed(endpoint: endpoint, error: $0) }
                            ?? .unreachable(endpoint: endpoint, reason: "stream ended")
                    } catch {
                        lastError = .unreachable(endpoint: endpoint, reason: "\(error)")
                        MonotonicClock.sleep(for: .milliseconds(200))
                    }
                }
                continuation.finish(throwing: lastError)
            }
            reader.detach()
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }
}
