import TenureAPI
import TenureJSON

/// Membership changes from Swift (issue 11): the same requests `tenure member` sends.
extension TenureClient {
    /// `GET /v1/members` from the first endpoint that answers: the configuration it has stored.
    public func members() throws(TenureClientError) -> MembersAnswer {
        var lastError: TenureClientError?
        for endpoint in endpoints {
            do throws(TenureClientError) {
                let answer = try get("/v1/members", from: endpoint)
                let text = String(decoding: answer.body, as: UTF8.self)
                guard answer.status == 200 else { throw .refused(endpoint: endpoint, status: answer.status, body: text) }
                return MembersAnswer(document: try decode(MembersDocument.self, answer.body, from: endpoint), text: text)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? .noLeader(highestTerm: 0)
    }

    /// Adds `id` as a non-voter that the leader promotes once it has caught up; returns when the
    /// promotion is committed (the node must be running with `--join` by then).
    public func addMember(id: String, address: String, api: String?) throws(TenureClientError) -> CommandAnswer {
        let body = MemberRequest(id: id, address: address, api: api)
        return try membershipCommand("POST", "/v1/members", body: Array(body.json.utf8))
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
            if attempt == 0, answer.status == 409, case .notLeader(_, _, let next?)? = try? CommandOutcome(parsing: answer.body), next != api {
                api = next
                continue
            }
            return try commandAnswer(answer, from: api)
        }
        throw .noLeader(highestTerm: leader.term)
    }
}
