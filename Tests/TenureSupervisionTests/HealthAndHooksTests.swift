import Testing
import TenureCore
@testable import TenureSupervision

/// Health reconcile and hook decisions, with manual time.
@Suite struct HealthAndHooksTests {
    @Test("the core hears the verdict only when it changes: a failing check past its fall count, then its recovery")
    func reconcileOnChange() {
        var health = HealthState(rise: 2, fall: 2)
        #expect(health.reconcile(at: ms(0)) == nil)
        _ = health.recordCheck(passed: false, detail: "exit 1")
        #expect(health.reconcile(at: ms(1)) == nil, "one failure is below the fall count")
        _ = health.recordCheck(passed: false, detail: "exit 1")
        #expect(health.reconcile(at: ms(2)) == HealthState.Change(healthy: false, reason: "check failed: exit 1"))
        #expect(health.reconcile(at: ms(3)) == nil)
        _ = health.recordCheck(passed: true, detail: "")
        _ = health.recordCheck(passed: true, detail: "")
        #expect(health.reconcile(at: ms(4)) == HealthState.Change(healthy: true, reason: nil))
    }

    @Test("a pushed report that runs out of its TTL turns the verdict unhealthy at its expiry, with no new input")
    func pushExpires() {
        var health = HealthState(rise: 1, fall: 1)
        health.recordPush(healthy: true, reason: nil, ttl: .milliseconds(3000), at: ms(0))
        #expect(health.reconcile(at: ms(1)) == nil)
        #expect(health.nextDeadline(after: ms(1)) == ms(3000))
        #expect(health.reconcile(at: ms(3000)) == HealthState.Change(healthy: false, reason: "no health report within its ttl"))
        #expect(health.nextDeadline(after: ms(3000)) == nil)
    }

    @Test("becoming leader runs --on-elected, leaving leadership --on-demoted, nothing else runs anything")
    func hookDecisions() {
        var hooks = HookQueue(configured: [.elected, .demoted])
        let elected = hooks.decide(for: .roleChanged(from: .candidate, to: .leader, term: 4, reason: .electionWon), selfID: n1, leader: n1)
        guard case .run(let invocation) = elected else {
            Issue.record("no run for an election: \(elected)")
            return
        }
        #expect(invocation.hook == .elected)
        #expect(invocation.environment["TENURE_TERM"] == "4")
        #expect(invocation.environment["TENURE_LEADER"] == "n1")
        #expect(hooks.decide(for: .roleChanged(from: .follower, to: .candidate, term: 5, reason: .heartbeatTimeout), selfID: n1, leader: nil) == .none)
        guard case .run(let demoted) = hooks.decide(for: .roleChanged(from: .leader, to: .follower, term: 5, reason: .higherTermSeen), selfID: n1, leader: n2) else {
            Issue.record("no run for a demotion")
            return
        }
        #expect(demoted.environment["TENURE_LEADER"] == "n2")
        #expect(hooks.inFlight == 2)
        hooks.finished()
        #expect(hooks.inFlight == 1)
    }

    @Test("beyond 16 queued runs further ones are dropped, and only hooks that were given run")
    func hookBound() {
        var hooks = HookQueue(configured: [.elected])
        let event = Event.roleChanged(from: .candidate, to: .leader, term: 1, reason: .electionWon)
        for _ in 0..<HookQueue.maximumQueued { _ = hooks.decide(for: event, selfID: n1, leader: n1) }
        #expect(hooks.decide(for: event, selfID: n1, leader: n1) == .dropped(hook: .elected, term: 1, queued: 16))
        #expect(hooks.decide(for: .roleChanged(from: .leader, to: .follower, term: 2, reason: .resign), selfID: n1, leader: nil) == .none)
    }
}
