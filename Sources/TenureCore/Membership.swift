/// One member of the cluster: its id, where its peers and clients reach it, and whether it votes.
///
/// Addresses are opaque text to the core (it never dials anything); they travel with the
/// configuration so that a node that joins learns how to reach every other one.
public struct Member: Hashable, Sendable, CustomStringConvertible {
    public var id: NodeID
    /// The peer address, `HOST:PORT`.
    public var address: String
    /// The client API address, `HOST:PORT` (may be empty when unknown).
    public var api: String
    public var voter: Bool

    public init(id: NodeID, address: String, api: String = "", voter: Bool) {
        self.id = id
        self.address = address
        self.api = api
        self.voter = voter
    }

    public var description: String { "\(id)\(voter ? "" : " (non-voter)")" }
}

/// The cluster's membership at one point of its history: entry `index` of the sequence of
/// configurations, created by the leader of `term` (Raft thesis chapter 4, single-server changes).
///
/// Tenure has no log, so each node keeps only the newest entry it stored, committed or not, and
/// uses it for elections and quorums (thesis 4.1: "a server always uses the latest configuration
/// in its log"). Entries are ordered like log entries, by (term, index); a voter grants its vote
/// only to a candidate whose entry is at least as up to date as its own (thesis 4.2 with 3.6.1).
public struct MembershipConfiguration: Hashable, Sendable, CustomStringConvertible {
    public var index: UInt64
    public var term: UInt64
    /// Sorted by id; ids are unique.
    public private(set) var members: [Member]

    public init(index: UInt64, term: UInt64, members: [Member]) {
        precondition(Set(members.map(\.id)).count == members.count, "a member appears twice in \(members)")
        self.index = index
        self.term = term
        self.members = members.sorted { $0.id < $1.id }
    }

    /// The configuration `--peers` describes: every node a voter, entry 0 of term 0.
    public static func initial(voters: [NodeID], addresses: [NodeID: (address: String, api: String)] = [:]) -> MembershipConfiguration {
        MembershipConfiguration(index: 0, term: 0, members: voters.map {
            Member(id: $0, address: addresses[$0]?.address ?? "", api: addresses[$0]?.api ?? "", voter: true)
        })
    }

    public var voters: [NodeID] { members.filter(\.voter).map(\.id) }
    public var nonVoters: [NodeID] { members.filter { !$0.voter }.map(\.id) }
    public var ids: [NodeID] { members.map(\.id) }

    public func member(_ id: NodeID) -> Member? { members.first { $0.id == id } }
    public func contains(_ id: NodeID) -> Bool { member(id) != nil }
    public func isVoter(_ id: NodeID) -> Bool { member(id)?.voter == true }

    /// Votes (or acknowledgements) a majority of the voters needs.
    public var quorumSize: Int { voters.count / 2 + 1 }

    /// Whether this entry is at least as up to date as `other` (compared like a log's last entry).
    public func isAtLeastAsUpToDate(as other: MembershipConfiguration) -> Bool { isAtLeastAsUpToDate(term: other.term, index: other.index) }

    public func isAtLeastAsUpToDate(term otherTerm: UInt64, index otherIndex: UInt64) -> Bool {
        term != otherTerm ? term > otherTerm : index >= otherIndex
    }

    /// The members after `change`, or why the change cannot be made.
    public func applying(_ change: MembershipChange) -> Result<[Member], MembershipChangeRejection> {
        var next = members
        switch change {
        case .add(let member):
            guard !contains(member.id) else { return .failure(.init("\(member.id) is already a member")) }
            guard !members.contains(where: { $0.address == member.address && !member.address.isEmpty }) else {
                return .failure(.init("\(member.address) is already \(members.first { $0.address == member.address }!.id)'s address"))
            }
            // A new member always starts without a vote; the leader promotes it once it has caught up.
            next.append(Member(id: member.id, address: member.address, api: member.api, voter: false))
        case .promote(let id):
            guard let index = next.firstIndex(where: { $0.id == id }) else { return .failure(.init("\(id) is not a member")) }
            guard !next[index].voter else { return .failure(.init("\(id) already votes")) }
            next[index].voter = true
        case .remove(let id):
            guard let index = next.firstIndex(where: { $0.id == id }) else { return .failure(.init("\(id) is not a member")) }
            guard !(next[index].voter && voters.count == 1) else { return .failure(.init("\(id) is the only voter; a cluster needs one")) }
            next.remove(at: index)
        }
        return .success(next)
    }

    public var description: String {
        "configuration \(index) (term \(term)): " + members.map(\.description).joined(separator: ", ")
    }
}

/// One single-server change (thesis 4.2): at most one voter added or removed per entry, so any
/// majority of the old configuration and any majority of the new one share a voter.
public enum MembershipChange: Hashable, Sendable {
    /// Joins as a non-voter; the leader promotes it when it has caught up.
    case add(Member)
    case promote(NodeID)
    case remove(NodeID)
}

public struct MembershipChangeRejection: Error, Hashable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// The answer to a proposed membership change.
public enum MembershipChangeOutcome: Hashable, Sendable {
    /// The new entry is stored on the leader and on its way to the others.
    case proposed(MembershipConfiguration)
    case notLeader(leader: NodeID?)
    /// Another change is not committed yet.
    case inProgress(String)
    /// This leader first commits an entry of its own term (thesis 4.2.3); propose again shortly.
    case preparing(String)
    case rejected(String)
}
