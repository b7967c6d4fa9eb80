import TenureJSON

/// `GET /v1/members`: the newest configuration this node stored, and whether it is committed.
///
/// `tenure member list`, `TenureClient.members()` and a node started with `--join` read it
/// (docs/membership.md).
public struct MembersDocument: JSONDocument, Equatable {
    /// One member of the configuration.
    public struct Member: Sendable, Equatable {
        public var id: String
        /// The peer address.
        public var address: String
        /// The API address, when known.
        public var api: String?
        /// False while it is a joining non-voter.
        public var voter: Bool

        public init(id: String, address: String, api: String?, voter: Bool) {
            self.id = id
            self.address = address
            self.api = api
            self.voter = voter
        }
    }

    /// The newest configuration entry this node stored (0: the one from `--peers`).
    public var index: UInt64
    /// The term of the leader that made that entry.
    public var term: UInt64
    /// The newest entry this node knows to be committed.
    public var committedIndex: UInt64
    /// `committedIndex >= index`.
    public var committed: Bool
    public var members: [Member]

    public init(index: UInt64, term: UInt64, committedIndex: UInt64, committed: Bool, members: [Member]) {
        self.index = index
        self.term = term
        self.committedIndex = committedIndex
        self.committed = committed
        self.members = members
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("index", index)
        object.add("term", term)
        object.add("committed_index", committedIndex)
        object.add("committed", committed)
        object.add("members", members.map { member -> JSONObject in
            var entry = JSONObject()
            entry.add("id", member.id)
            entry.add("address", member.address)
            entry.add("api", member.api)
            entry.add("voter", member.voter)
            return entry
        })
        return object
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        let fields = try JSONFields(json)
        index = try fields.required("index")
        term = try fields.required("term")
        committedIndex = try fields.required("committed_index")
        committed = try fields.required("committed")
        members = try fields.array("members") { entry throws(JSONDecodeError) in
            Member(id: try entry.required("id"), address: try entry.required("address"), api: try entry.nullable("api"),
                   voter: try entry.required("voter"))
        }
    }
}
