import TenureJSON

/// The answer to a command that changes leadership or membership: `POST /v1/transfer`,
/// `POST /v1/resign`, `POST /v1/members` and `DELETE /v1/members/ID`.
///
/// One case per answer, each with exactly the members the node writes for it (docs/api.md), so
/// the node cannot write, and a client cannot expect, a member that does not belong to the
/// answer. The accessors below give the members shared by several answers without a switch.
public enum CommandOutcome: JSONDocument, Equatable {
    /// A transfer's successor leads in a higher term (200).
    case transferred(leader: String, term: UInt64, api: String?)
    /// A resign's successor leads in a higher term (200).
    case resigned(leader: String, term: UInt64, api: String?)
    /// A resign with no follower to hand to: the node stepped down (200).
    case resignedWithoutSuccessor(term: UInt64)
    /// This node does not lead; ask `api` (409).
    case notLeader(error: String, leader: String?, api: String?)
    /// A transfer to `target` is in progress (409).
    case alreadyTransferring(target: String)
    /// The core refused it (409).
    case rejected(error: String)
    /// No successor of a transfer or resign in time (504).
    case timedOut(error: String, leader: String?, term: UInt64)
    /// A membership change is committed (200).
    case committed(index: UInt64, voters: [String])
    /// A membership change did not commit in time (504).
    case commitTimedOut(error: String, index: UInt64)
    /// Another membership change is in progress (409).
    case inProgress(error: String, leader: String?, api: String?)

    /// The `outcome` member.
    public var outcome: String {
        switch self {
        case .transferred: "transferred"
        case .resigned, .resignedWithoutSuccessor: "resigned"
        case .notLeader: "not_leader"
        case .alreadyTransferring: "already_transferring"
        case .rejected: "rejected"
        case .timedOut, .commitTimedOut: "timed_out"
        case .committed: "committed"
        case .inProgress: "in_progress"
        }
    }

    /// The HTTP status the node answers with.
    public var httpStatus: Int {
        switch self {
        case .transferred, .resigned, .resignedWithoutSuccessor, .committed: 200
        case .notLeader, .alreadyTransferring, .rejected, .inProgress: 409
        case .timedOut, .commitTimedOut: 504
        }
    }

    public var leader: String? {
        switch self {
        case .transferred(let leader, _, _), .resigned(let leader, _, _): leader
        case .notLeader(_, let leader, _), .timedOut(_, let leader, _), .inProgress(_, let leader, _): leader
        default: nil
        }
    }

    public var term: UInt64? {
        switch self {
        case .transferred(_, let term, _), .resigned(_, let term, _), .resignedWithoutSuccessor(let term), .timedOut(_, _, let term): term
        default: nil
        }
    }

    public var api: String? {
        switch self {
        case .transferred(_, _, let api), .resigned(_, _, let api), .notLeader(_, _, let api), .inProgress(_, _, let api): api
        default: nil
        }
    }

    public var error: String? {
        switch self {
        case .notLeader(let error, _, _), .rejected(let error), .timedOut(let error, _, _), .commitTimedOut(let error, _),
             .inProgress(let error, _, _): error
        default: nil
        }
    }

    public var index: UInt64? {
        switch self {
        case .committed(let index, _), .commitTimedOut(_, let index): index
        default: nil
        }
    }

    public var voters: [String]? {
        if case .committed(_, let voters) = self { return voters }
        return nil
    }

    /// True for the answers that report success (status 200).
    public var succeeded: Bool { httpStatus == 200 }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("outcome", outcome)
        switch self {
        case .transferred(let leader, let term, let api), .resigned(let leader, let term, let api):
            object.add("leader", leader)
            object.add("term", term)
            object.add("api", api)
        case .resignedWithoutSuccessor(let term):
            object.addNull("leader")
            object.add("term", term)
        case .notLeader(let error, let leader, let api), .inProgress(let error, let leader, let api):
            object.add("error", error)
            object.add("leader", leader)
            object.add("api", api)
        case .alreadyTransferring(let target):
            object.add("target", target)
        case .rejected(let error):
            object.add("error", error)
        case .timedOut(let error, let leader, let term):
            object.add("error", error)
            object.add("leader", leader)
            object.add("term", term)
        case .committed(let index, let voters):
            object.add("index", index)
            object.add("voters", voters)
        case .commitTimedOut(let error, let index):
            object.add("error", error)
            object.add("index", index)
        }
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        let outcome = try fields.required("outcome", as: String.self)
        switch outcome {
        case "transferred":
            self = .transferred(leader: try fields.required("leader"), term: try fields.required("term"), api: try fields.nullable("api"))
        case "resigned":
            if let leader = try fields.nullable("leader", as: String.self) {
                self = .resigned(leader: leader, term: try fields.required("term"), api: try fields.nullable("api"))
            } else {
                self = .resignedWithoutSuccessor(term: try fields.required("term"))
            }
        case "not_leader":
            self = .notLeader(error: try fields.required("error"), leader: try fields.nullable("leader"), api: try fields.nullable("api"))
        case "already_transferring":
            self = .alreadyTransferring(target: try fields.required("target"))
        case "rejected":
            self = .rejected(error: try fields.required("error"))
        case "timed_out" where fields.contains("index"):
            self = .commitTimedOut(error: try fields.required("error"), index: try fields.required("index"))
        case "timed_out":
            self = .timedOut(error: try fields.required("error"), leader: try fields.nullable("leader"), term: try fields.required("term"))
        case "committed":
            self = .committed(index: try fields.required("index"), voters: try fields.required("voters"))
        case "in_progress":
            self = .inProgress(error: try fields.required("error"), leader: try fields.nullable("leader"), api: try fields.nullable("api"))
        default:
            throw JSONDecodeError(field: fields.name("outcome"), problem: "is not a known outcome: '\(outcome)'")
        }
    }
}
