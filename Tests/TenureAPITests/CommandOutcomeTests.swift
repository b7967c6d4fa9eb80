import Testing
import TenureAPI
import TenureJSON

/// Every answer to transfer, resign and membership changes is one case of `CommandOutcome`, with
/// exactly the members the node writes for it.
@Suite struct CommandOutcomeTests {
    @Test("each answer decodes to its case, with its HTTP status, and encodes back to the same bytes", arguments: [
        (Golden.transferred, CommandOutcome.transferred(leader: "n3", term: 2, api: "127.0.0.13:7200"), 200),
        (Golden.resigned, .resigned(leader: "n1", term: 3, api: "127.0.0.11:7200"), 200),
        (Golden.resignedWithoutSuccessor, .resignedWithoutSuccessor(term: 7), 200),
        (Golden.notLeader, .notLeader(error: "n3 is not the leader", leader: "n2", api: "127.0.0.12:7200"), 409),
        (Golden.notLeaderUnknown, .notLeader(error: "n1 is not the leader", leader: nil, api: nil), 409),
        (Golden.alreadyTransferring, .alreadyTransferring(target: "n3"), 409),
        (Golden.rejectedTransfer, .rejected(error: "n9 is not a voter of this cluster"), 409),
        (Golden.rejectedMember, .rejected(error: "n3 is already a member"), 409),
        (Golden.timedOut, .timedOut(error: "n3 did not take over in time", leader: nil, term: 7), 504),
        (Golden.committed, .committed(index: 8, voters: ["n1", "n2", "n3", "n4"]), 200),
        (Golden.commitTimedOut, .commitTimedOut(error: "the change did not commit within 15000ms (is the new node running and caught up?)", index: 7), 504),
        (Golden.inProgress, .inProgress(error: "another membership change requested here is still in progress", leader: "n2", api: nil), 409),
    ])
    func answers(_ text: String, _ expected: CommandOutcome, _ status: Int) throws {
        let outcome = try roundTrip(text, as: CommandOutcome.self)
        #expect(outcome == expected)
        #expect(outcome.httpStatus == status)
        #expect(outcome.succeeded == (status == 200))
    }

    @Test("the shared members read without a switch")
    func accessors() {
        let notLeader = CommandOutcome.notLeader(error: "e", leader: "n2", api: "a")
        #expect(notLeader.outcome == "not_leader" && notLeader.leader == "n2" && notLeader.api == "a" && notLeader.error == "e")
        #expect(notLeader.term == nil && notLeader.index == nil && notLeader.voters == nil)
        #expect(CommandOutcome.committed(index: 3, voters: ["n1"]).voters == ["n1"])
        #expect(CommandOutcome.resignedWithoutSuccessor(term: 4).outcome == "resigned")
    }

    @Test("an unknown outcome, or a case missing one of its members, names the field")
    func errors() {
        #expect(decodeError(#"{"outcome":"exploded"}"#, as: CommandOutcome.self)
            == JSONDecodeError(field: "outcome", problem: "is not a known outcome: 'exploded'"))
        #expect(decodeError(#"{"outcome":"committed","index":8}"#, as: CommandOutcome.self) == JSONDecodeError(field: "voters", problem: "is missing"))
        #expect(decodeError(#"{"outcome":"transferred","leader":null,"term":2,"api":null}"#, as: CommandOutcome.self)
            == JSONDecodeError(field: "leader", problem: "must be a string"))
        #expect(decodeError(#"{"error":"x"}"#, as: CommandOutcome.self) == JSONDecodeError(field: "outcome", problem: "is missing"))
    }
}
