import Testing
import TenureCore
import TenureJSON
@testable import TenureClient

/// The lease guard acts by deadline: only answers showing a renewed lease extend it.
@Suite struct LeaseGuardTests {
    func status(leader: Bool, term: UInt64 = 3, remainingMilliseconds: Double = 900) -> NodeStatus {
        var document = NodeStatusTests.document()
        document.role = leader ? "leader" : "follower"
        document.term = term
        document.isLeader = leader
        document.leaseRemainingMilliseconds = leader ? remainingMilliseconds : 0
        document.fencingToken = leader ? term : nil
        return NodeStatus(document: document)
    }

    let sent = Instant(nanoseconds: 10_000_000_000)

    @Test("the deadline is the send time plus the remaining lease, less drift and margin")
    func deadlineFromSendTime() {
        var guardian = LeaseGuard(safetyMargin: .milliseconds(50), clockDriftBound: 0.01)
        guardian.observe(status(leader: true, remainingMilliseconds: 1000), sentAt: sent)
        // 1000 ms * 0.99 = 990 ms, minus 50 ms: 940 ms after the request left.
        #expect(guardian.deadline == sent + .milliseconds(940))
        #expect(guardian.term == 3)
        #expect(guardian.mayActAsLeader(at: sent + .milliseconds(939)))
        #expect(!guardian.mayActAsLeader(at: sent + .milliseconds(940)))
    }

    @Test("silence never extends the lease: without a new answer the deadline runs out")
    func silenceRunsOut() {
        var guardian = LeaseGuard()
        guardian.observe(status(leader: true), sentAt: sent)
        let deadline = guardian.deadline!
        #expect(!guardian.mayActAsLeader(at: deadline + .seconds(60)))
        #expect(guardian.remaining(at: deadline) == .zero)
    }

    @Test("an older answer never moves the deadline back, a renewal moves it forward")
    func onlyForward() {
        var guardian = LeaseGuard()
        guardian.observe(status(leader: true, remainingMilliseconds: 900), sentAt: sent + .milliseconds(100))
        let later = guardian.deadline!
        guardian.observe(status(leader: true, remainingMilliseconds: 900), sentAt: sent)
        #expect(guardian.deadline == later)
        guardian.observe(status(leader: true, remainingMilliseconds: 900), sentAt: sent + .milliseconds(200))
        #expect(guardian.deadline! > later)
    }

    @Test("an answer that says not leader, or names another term, ends the lease at once")
    func revocation() {
        var guardian = LeaseGuard()
        guardian.observe(status(leader: true, term: 3), sentAt: sent)
        guardian.observe(status(leader: false, term: 4), sentAt: sent + .milliseconds(10))
        #expect(!guardian.mayActAsLeader(at: sent + .milliseconds(11)))
        #expect(guardian.term == nil)
        guardian.observe(status(leader: true, term: 5, remainingMilliseconds: 100), sentAt: sent + .milliseconds(20))
        #expect(guardian.term == 5)
        let expected: Instant = sent + Interval.milliseconds(20 + 99 - 50)
        #expect(guardian.deadline == expected)
    }

    @Test("a lease too short for the margin gives no permission at all")
    func tooShort() {
        var guardian = LeaseGuard(safetyMargin: .milliseconds(50))
        guardian.observe(status(leader: true, remainingMilliseconds: 40), sentAt: sent)
        #expect(!guardian.mayActAsLeader(at: sent))
    }
}
