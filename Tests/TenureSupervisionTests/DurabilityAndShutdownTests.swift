import Testing
import TenureCore
@testable import TenureSupervision

/// A failed persist, the retry timer, and the shutdown drain, with manual time.
@Suite struct DurabilityAndShutdownTests {
    @Test("a failed persist starts one outage (logged once), retried every 100 ms until a write succeeds")
    func failedPersist() {
        var watch = DurabilityWatch()
        #expect(watch.failed("ENOSPC", at: ms(0)) == true)
        #expect(watch.failed("ENOSPC again", at: ms(10)) == false, "the same outage: log it once")
        #expect(watch.outage?.error == "ENOSPC again")
        #expect(watch.nextDeadline(stateIsDurable: false) == ms(100))
        #expect(watch.retryDue(stateIsDurable: false, at: ms(99)) == false)
        #expect(watch.retryDue(stateIsDurable: false, at: ms(100)) == true)
        #expect(watch.retryDue(stateIsDurable: false, at: ms(150)) == false)
        #expect(watch.retryDue(stateIsDurable: false, at: ms(200)) == true)
        #expect(watch.succeeded(at: ms(250)) == .milliseconds(250))
        #expect(watch.outage == nil)
        #expect(watch.succeeded(at: ms(260)) == nil)
        #expect(watch.nextDeadline(stateIsDurable: true) == nil)
        #expect(watch.retryDue(stateIsDurable: true, at: ms(900)) == false)
    }

    @Test("a follower exits at once on SIGTERM; a leader resigns and drains until its successor leads")
    func drain() {
        var follower = ShutdownSequence()
        #expect(follower.signalled(isLeader: false) == .exit)
        #expect(follower.isFinished)

        var leader = ShutdownSequence()
        #expect(leader.signalled(isLeader: true) == .resign)
        leader.resigned(handedOver: true, startTerm: 3, deadline: ms(1000))
        #expect(leader.nextDeadline == ms(1000))
        #expect(leader.turn(term: 3, leader: nil, selfID: n1, at: ms(10)) == nil)
        #expect(leader.turn(term: 4, leader: n2, selfID: n1, at: ms(20)) == .handedTo(n2, term: 4))
        #expect(leader.isFinished)
    }

    @Test("a drain ends at its deadline without a successor, at once with nobody to hand to, and on a second signal")
    func drainEnds() {
        var late = ShutdownSequence()
        _ = late.signalled(isLeader: true)
        late.resigned(handedOver: true, startTerm: 3, deadline: ms(1000))
        #expect(late.turn(term: 3, leader: nil, selfID: n1, at: ms(1000)) == .noSuccessor)

        var alone = ShutdownSequence()
        _ = alone.signalled(isLeader: true)
        alone.resigned(handedOver: false, startTerm: 3, deadline: ms(1000))
        #expect(alone.isFinished)

        var twice = ShutdownSequence()
        _ = twice.signalled(isLeader: true)
        twice.resigned(handedOver: true, startTerm: 3, deadline: ms(1000))
        #expect(twice.signalled(isLeader: false) == .exitNow)
        #expect(twice.isFinished)
    }

    @Test("the status feed announces each change of leader or term once, and pushes only while followed")
    func statusFeed() {
        var feed = StatusFeed()
        #expect(feed.announce(leader: n1, term: 2) == true)
        #expect(feed.announce(leader: n1, term: 2) == false)
        #expect(feed.announce(leader: nil, term: 3) == true)
        #expect(feed.watchSequence == 2)
        #expect(feed.push(followers: false, historyCount: 1, at: ms(0)) == StatusFeed.Push(send: false, includeHistory: false))
        #expect(feed.nextDeadline == nil, "nobody follows: no wake-ups")
        feed.streamStarted()
        #expect(feed.nextDeadline == ms(250))
        #expect(feed.push(followers: true, historyCount: 2, at: ms(250)) == StatusFeed.Push(send: true, includeHistory: true))
        #expect(feed.push(followers: true, historyCount: 2, at: ms(500)) == StatusFeed.Push(send: true, includeHistory: false))
    }

    @Test("one log line per key a minute")
    func logLimiter() {
        var limiter = LogLimiter()
        #expect(limiter.allows("a", at: ms(0)) == true)
        #expect(limiter.allows("a", at: ms(59_999)) == false)
        #expect(limiter.allows("b", at: ms(1)) == true)
        #expect(limiter.allows("a", at: ms(60_000)) == true)
    }
}
