import Testing
import TenureCore
@testable import TenureSupervision

/// Answers given later: transfers and resigns once a successor leads, membership changes once
/// committed, with manual time (cases that only the bash tests reached before).
@Suite struct PendingCommandsTests {
    func view(role: Role = .leader, term: UInt64 = 3, leader: NodeID? = n1, membership: MembershipConfiguration = threeNodes,
              committedIndex: UInt64 = 0) -> PendingCommands.View {
        PendingCommands.View(selfID: n1, role: role, term: term, leader: leader, membership: membership, committedIndex: committedIndex)
    }

    @Test("a deferred transfer is answered once another node leads a later term")
    func transferAnsweredOnSuccessor() {
        var pending = PendingCommands(leadershipTimeout: .milliseconds(1100))
        pending.awaitSuccessor(ticket: 7, kind: .transfer, startTerm: 3, target: n2, now: ms(0))
        #expect(pending.nextDeadline == ms(1100))
        #expect(pending.settle(view(), at: ms(10)).isEmpty, "still leading its own term: wait")
        #expect(pending.settle(view(role: .follower, term: 4, leader: nil), at: ms(20)).isEmpty, "a new term but no leader known yet")
        #expect(pending.settle(view(role: .follower, term: 4, leader: n2), at: ms(30))
                    == [.handedOver(ticket: 7, kind: .transfer, leader: n2, term: 4)])
        #expect(pending.isEmpty)
    }

    @Test("a deferred transfer times out at its deadline, and at once when the leader stepped down in the same term")
    func transferTimesOut() {
        var pending = PendingCommands(leadershipTimeout: .milliseconds(1100))
        pending.awaitSuccessor(ticket: 1, kind: .transfer, startTerm: 3, target: n2, now: ms(0))
        pending.awaitSuccessor(ticket: 2, kind: .resign, startTerm: 3, target: n3, now: ms(0))
        #expect(pending.settle(view(), at: ms(1099)).isEmpty)
        #expect(pending.settle(view(), at: ms(1100)) == [
            .handoverTimedOut(ticket: 1, target: n2, leader: n1, term: 3),
            .handoverTimedOut(ticket: 2, target: n3, leader: n1, term: 3),
        ])
        pending.awaitSuccessor(ticket: 3, kind: .transfer, startTerm: 3, target: n2, now: ms(2000))
        #expect(pending.settle(view(role: .follower, term: 3, leader: nil), at: ms(2001))
                    == [.handoverTimedOut(ticket: 3, target: n2, leader: nil, term: 3)])
    }

    @Test("a resign whose node stepped down in the same term waits for the successor (its TimeoutNow is on its way)")
    func resignWaitsAfterStepDown() {
        var pending = PendingCommands(leadershipTimeout: .milliseconds(1100))
        pending.awaitSuccessor(ticket: 4, kind: .resign, startTerm: 3, target: n2, now: ms(0))
        #expect(pending.settle(view(role: .follower, term: 3, leader: nil), at: ms(5)).isEmpty)
    }

    @Test("a membership change is answered only once proposed, committed and at its goal")
    func membershipCommitted() {
        var pending = PendingCommands(leadershipTimeout: .seconds(1))
        let member = Member(id: NodeID("n4"), address: "127.0.0.14:7100", voter: false)
        pending.awaitMembership(ticket: 9, change: .add(member), goal: .voter(member.id), now: ms(0))
        #expect(pending.hasMembershipChange)
        let withN4 = MembershipConfiguration(index: 2, term: 3, members: threeNodes.members + [Member(id: member.id, address: member.address, voter: true)])
        #expect(pending.settle(view(membership: withN4, committedIndex: 2), at: ms(1)).isEmpty, "not proposed yet")
        pending.proposed(ticket: 9)
        #expect(pending.settle(view(membership: withN4, committedIndex: 1), at: ms(2)).isEmpty, "not committed yet")
        #expect(pending.settle(view(membership: withN4, committedIndex: 2), at: ms(3))
                    == [.membershipCommitted(ticket: 9, index: 2, voters: withN4.voters)])
        #expect(!pending.hasMembershipChange)
    }

    @Test("a change waiting for the leader's own-term entry is proposed again at its retry time; all time out after 15 s")
    func membershipRetryAndTimeout() {
        var pending = PendingCommands(leadershipTimeout: .seconds(1))
        pending.awaitMembership(ticket: 5, change: .remove(n3), goal: .absent(n3), now: ms(0))
        pending.retry(ticket: 5, at: ms(100))
        #expect(pending.nextDeadline == ms(100))
        #expect(pending.settle(view(), at: ms(99)).isEmpty)
        #expect(pending.settle(view(), at: ms(100)) == [.proposeAgain(ticket: 5, change: .remove(n3))])
        #expect(pending.settle(view(), at: ms(101)).isEmpty, "proposed again once, not every turn")
        pending.proposed(ticket: 5)
        #expect(pending.settle(view(), at: ms(15_000)) == [.membershipTimedOut(ticket: 5, index: 0)])
    }

    @Test("a refused change and a closed connection wait no more")
    func settledAndForgotten() {
        var pending = PendingCommands(leadershipTimeout: .seconds(1))
        pending.awaitMembership(ticket: 5, change: .remove(n3), goal: .absent(n3), now: ms(0))
        pending.settled(ticket: 5)
        pending.awaitSuccessor(ticket: 6, kind: .resign, startTerm: 1, target: nil, now: ms(0))
        pending.forget(ticket: 6)
        #expect(pending.isEmpty)
        #expect(pending.nextDeadline == nil)
    }
}
