import TenureJSON

/// Why the client could not get an answer, phrased for an operator.
public enum TenureClientError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The node could not be reached or did not answer in time.
    case unreachable(endpoint: String, reason: String)
    /// The node answered, but not with what the API promises.
    case badAnswer(endpoint: String, status: Int, body: String)
    /// No endpoint knows a leader.
    case noLeader(highestTerm: UInt64)
    /// The request was refused (409, 401, 400, ...): the node's own words.
    case refused(endpoint: String, status: Int, body: String)
    /// The node answered with a document that is not what the API promises; `error` names the
    /// field (a node of another version, or a bug).
    case malformed(endpoint: String, error: JSONDecodeError)

    public var description: String {
        switch self {
        case .unreachable(let endpoint, let reason): "\(endpoint): down (\(reason))"
        case .badAnswer(let endpoint, let status, let body): "\(endpoint): unexpected answer HTTP \(status): \(body.prefix(200))"
        case .noLeader(let term): "no leader known (highest term seen: \(term))"
        case .refused(let endpoint, let status, let body): "\(endpoint) refused with HTTP \(status): \(body.prefix(300))"
        case .malformed(let endpoint, let error): "\(endpoint): malformed answer: \(error)"
        }
    }
}
