import Testing
import TenureAPI
import TenureCore
@testable import TenureSupervision

/// The handover held while `tenure run`'s command runs, with manual time.
@Suite struct HandoverHoldTests {
    let timeoutNow = Envelope(from: n1, to: n2, message: .timeoutNow(TimeoutNow(term: 3)))
    let running = RunnerReport(state: "running", pid: 42, token: 3, lastChange: "started", lastCause: "new_term")
    let idle = RunnerReport(state: "idle", token: 3, lastChange: "stopped", lastCause: "lease_lost")

    @Test("without a running runner nothing is held")
    func nothingToHold() {
        var hold = HandoverHold()
        #expect(hold.hold(timeoutNow, term: 3, lastLeaseExpiry: ms(300), cap: ms(800), at: ms(0)) == false)
        _ = hold.runnerReported(idle, at: ms(0))
        #expect(hold.hold(timeoutNow, term: 3, lastLeaseExpiry: ms(300), cap: ms(800), at: ms(0)) == false)
    }

    @Test("a held TimeoutNow goes as soon as the runner reports its command stopped")
    func releasedWhenRunnerStops() {
        var hold = HandoverHold()
        _ = hold.runnerReported(running, at: ms(0))
        #expect(hold.hold(timeoutNow, term: 3, lastLeaseExpiry: ms(300), cap: ms(800), at: ms(10)) == true)
        #expect(hold.release(term: 3, at: ms(20)) == nil)
        _ = hold.runnerReported(idle, at: ms(30))
        #expect(hold.release(term: 3, at: ms(30)) == .send(timeoutNow, runnerStopped: true))
        #expect(hold.held == nil)
    }

    @Test("a runner that never reports again: the hold is released at the end of the last lease")
    func releasedAtLeaseEnd() {
        var hold = HandoverHold()
        _ = hold.runnerReported(running, at: ms(0))
        #expect(hold.hold(timeoutNow, term: 3, lastLeaseExpiry: ms(300), cap: ms(800), at: ms(10)) == true)
        #expect(hold.nextDeadline == ms(300))
        #expect(hold.release(term: 3, at: ms(299)) == nil)
        #expect(hold.release(term: 3, at: ms(300)) == .send(timeoutNow, runnerStopped: false))
    }

    @Test("the hold never outlasts its cap, and a runner silent for a second counts as gone")
    func capAndAttachment() {
        var hold = HandoverHold()
        _ = hold.runnerReported(running, at: ms(0))
        #expect(hold.hold(timeoutNow, term: 3, lastLeaseExpiry: ms(5000), cap: ms(800), at: ms(10)) == true)
        #expect(hold.nextDeadline == ms(800))
        #expect(hold.runnerIsRunning(at: ms(999)))
        #expect(!hold.runnerIsRunning(at: ms(1000)))
        #expect(hold.release(term: 3, at: ms(1000)) == .send(timeoutNow, runnerStopped: true))
    }

    @Test("a held TimeoutNow of a term this node left is dropped")
    func droppedOnNewTerm() {
        var hold = HandoverHold()
        _ = hold.runnerReported(running, at: ms(0))
        _ = hold.hold(timeoutNow, term: 3, lastLeaseExpiry: ms(300), cap: ms(800), at: ms(10))
        #expect(hold.release(term: 4, at: ms(20)) == .drop)
        #expect(hold.held == nil)
    }

    @Test("a runner's start or stop is news once; repeats of the same report are not")
    func runnerChanges() {
        var hold = HandoverHold()
        #expect(hold.runnerReported(running, at: ms(0)) == HandoverHold.RunnerChange(change: "started", cause: "new_term", token: 3, pid: 42))
        #expect(hold.runnerReported(running, at: ms(20)) == nil)
        #expect(hold.runnerReported(idle, at: ms(40))?.cause == "lease_lost")
    }
}
