import TenureJSON

/// Membership changes from Swift (issue 11): the same requests `tenure member` sends.
extension TenureClient {
    /// `GET /v1/members` from the first endpoint that answers: the configuration it has stored.
    public func members() throws(TenureClientError) -> CommandAnswer {
        var lastError: TenureClientError?
        for endpoint in endpoints {
            do throws(TenureClientError) {
                let answer = try get("/v1/members", from: endpoint)
                let text = String(decoding: answer.body, as: UTF8.self)
                guard answer.status == 200 else { throw .refused(endpoint: endpoint, status: answer.status, body: text) }
                return CommandAnswer(json: JSONValue.parse(answer.body) ?? .null, text: text)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? .noLeader(highestTerm: 0)
    }

    /// Adds `id` as a non-voter that the leader promotes once it has caught up; returns when the
    /// promotion is committed (the node must be running with `--join` by then).
    public func addMember(id: String, address: String, api: String?) throws(TenureClientError) -> CommandAnswer {
        var body = JSONObject()
        body.add("id", id)
        body.add("address", address)
        if let api { body.add("api", api) }
        return try membershipCommand("POST", "/v1/members", body: Array(body.rendered.utf8))
    }

    /// Removes `id`; returns when the change is committed.
    public func removeMember(id: String) throws(TenureClientError) -> CommandAnswer {
        try membershipCommand("DELETE", "/v1/members/\(id)", body: [])
    }

    /// Sends to the leader; a node that answers 409 `not_leader` with the leader's API is
    /// followed once (a redirect).
    private func membershipCommand(_ method: String, _ path: String, body: [UInt8]) throws(TenureClientError) -> CommandAnswer {
        let leader = try leader()
        guard var api = leader.api else { throw .noLeader(highestTerm: leader.term) }
        for attempt in 0..<2 {
            let answer = try send(method, path, to: api, body: body, timeoutMilliseconds: 20_000)
            let text = String(decoding: answer.body, as: UTF8.self)
            let json = JSONValue.parse(answer.body) ?? .null
            if answer.status == 200 { return CommandAnswer(json: json, text: text) }
            if attempt == 0, answer.status == 409, json["outcome"]?.string == "not_leader", let next = json["api"]?.string, next != api {
                api = next
                continue
            }
            throw .refused(endpoint: api, status: answer.status, body: text)
        }
        throw .noLeader(highestTerm: leader.term)
    }
}
