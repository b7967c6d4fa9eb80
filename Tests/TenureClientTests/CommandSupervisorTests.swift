import Testing
import TenureCore
@testable import TenureClient

/// `tenure run`'s decisions, with manual time: the command runs only inside the lease deadline,
/// and starts again when its node leads with a live lease after a lapse (issue 18).
@Suite struct CommandSupervisorTests {
    let t0 = Instant(nanoseconds: 1_000_000_000)
    let grace = Interval.milliseconds(100)

    func ms(_ value: Int64) -> Instant { t0 + .milliseconds(value) }

    /// A supervisor whose command runs in `token` with its deadline at `deadline` ms.
    func running(token: UInt64 = 7, deadline: Int64 = 250) -> CommandSupervisor {
        var supervisor = CommandSupervisor(grace: grace)
        let actions = supervisor.observeLease(token: token, deadline: ms(deadline), at: ms(0))
        #expect(actions == [.start(token: token, cause: .newTerm)])
        supervisor.started(pid: 100, at: ms(0))
        return supervisor
    }

    @Test("a lease with more than grace left starts the command; one with less does not")
    func startsOnlyWithRoomToRun() {
        var supervisor = CommandSupervisor(grace: grace)
        #expect(supervisor.observeLease(token: 3, deadline: ms(100), at: ms(0)).isEmpty)
        #expect(supervisor.state == "idle")
        #expect(supervisor.observeLease(token: 3, deadline: ms(101), at: ms(0)) == [.start(token: 3, cause: .newTerm)])
        supervisor.started(pid: 42, at: ms(0))
        #expect(supervisor.state == "running")
        #expect(supervisor.child?.killAt == ms(101))
    }

    @Test("SIGTERM goes grace before the deadline and SIGKILL at it; silence never moves it")
    func stopsByDeadline() {
        var supervisor = running(deadline: 250)
        #expect(supervisor.nextDeadline == ms(150))
        #expect(supervisor.advance(to: ms(149)).isEmpty)
        #expect(supervisor.advance(to: ms(150)) == [.terminate(pid: 100, cause: .leaseDeadline)])
        #expect(supervisor.nextDeadline == ms(250))
        #expect(supervisor.advance(to: ms(250)) == [.kill(pid: 100, cause: .leaseDeadline)])
        #expect(supervisor.nextDeadline == nil)
    }

    @Test("a renewal in the same token moves the deadline forward, never back")
    func renewalMovesDeadlineForward() {
        var supervisor = running(deadline: 250)
        #expect(supervisor.observeLease(token: 7, deadline: ms(400), at: ms(100)).isEmpty)
        #expect(supervisor.child?.killAt == ms(400))
        #expect(supervisor.observeLease(token: 7, deadline: ms(300), at: ms(110)).isEmpty)
        #expect(supervisor.child?.killAt == ms(400))
    }

    @Test("a lost lease stops the command at once: SIGTERM now, SIGKILL after grace")
    func lostLeaseStopsNow() {
        var supervisor = running(deadline: 900)
        #expect(supervisor.observeLease(token: nil, deadline: nil, at: ms(100)) == [.terminate(pid: 100, cause: .leaseLost)])
        #expect(supervisor.child?.killAt == ms(200))
        #expect(supervisor.advance(to: ms(200)) == [.kill(pid: 100, cause: .leaseLost)])
    }

    @Test("the defect of issue 18: after a lapse in the same term the command starts again on the renewed lease")
    func restartsAfterLapseInSameTerm() {
        var supervisor = running(token: 7, deadline: 250)
        _ = supervisor.advance(to: ms(150)) // SIGTERM: the renewal is late
        _ = supervisor.advance(to: ms(250)) // SIGKILL at the deadline
        // The command exits; the node still leads term 7 but its lease lapsed.
        #expect(supervisor.childExited(status: 137, at: ms(255)).isEmpty)
        #expect(supervisor.state == "idle")
        #expect(supervisor.stops[.leaseDeadline] == 1)
        // A later poll shows term 7 with a renewed lease: start again at once.
        #expect(supervisor.observeLease(token: 7, deadline: ms(600), at: ms(300)) == [.start(token: 7, cause: .leaseRenewed)])
        supervisor.started(pid: 101, at: ms(301))
        #expect(supervisor.child?.token == 7)
        #expect(supervisor.starts[.leaseRenewed] == 1)
        #expect(supervisor.restarts[.leaseDeadline] == 1)
        #expect(supervisor.lastChange == CommandSupervisor.Change(started: true, cause: "lease_renewed", token: 7, at: ms(301)))
    }

    @Test("a renewal that arrives after SIGTERM lets the stopping command exit, then starts it again")
    func renewalDuringStopRestartsAfterExit() {
        var supervisor = running(token: 7, deadline: 250)
        _ = supervisor.advance(to: ms(150))
        #expect(supervisor.observeLease(token: 7, deadline: ms(500), at: ms(160)).isEmpty)
        #expect(supervisor.state == "stopping")
        #expect(supervisor.childExited(status: 143, at: ms(170)) == [.start(token: 7, cause: .leaseRenewed)])
    }

    @Test("a stop because the node lost its lease also restarts when the same term's lease returns")
    func restartsAfterLeaseLostInSameTerm() {
        var supervisor = running(token: 7, deadline: 900)
        _ = supervisor.observeLease(token: nil, deadline: nil, at: ms(100))
        _ = supervisor.childExited(status: 143, at: ms(120))
        #expect(supervisor.observeLease(token: 7, deadline: ms(450), at: ms(150)) == [.start(token: 7, cause: .leaseRenewed)])
        #expect(supervisor.restarts.isEmpty) // counted when the start is confirmed
        supervisor.started(pid: 102, at: ms(151))
        #expect(supervisor.restarts[.leaseLost] == 1)
    }

    @Test("a lapse never lets the command start while no live lease is seen")
    func noStartWithoutLiveLease() {
        var supervisor = running(token: 7, deadline: 250)
        _ = supervisor.advance(to: ms(250))
        _ = supervisor.childExited(status: 137, at: ms(260))
        // Time passes with no answer: the old deadline is behind us, nothing starts.
        #expect(supervisor.advance(to: ms(400)).isEmpty)
        #expect(supervisor.observeLease(token: 7, deadline: ms(250), at: ms(500)).isEmpty)
        #expect(supervisor.state == "idle")
    }

    @Test("a command that exits on its own resigns and does not run again in that term, but runs in the next")
    func commandExitHandsOver() {
        var supervisor = running(token: 7, deadline: 250)
        #expect(supervisor.childExited(status: 1, at: ms(50)) == [.resign])
        #expect(supervisor.stops[.commandExited] == 1)
        #expect(supervisor.observeLease(token: 7, deadline: ms(400), at: ms(60)).isEmpty)
        #expect(supervisor.observeLease(token: 9, deadline: ms(400), at: ms(70)) == [.start(token: 9, cause: .newTerm)])
    }

    @Test("a new term while the old term's command stops: the old one is stopped first, then the new one starts")
    func newTermWaitsForOldCommand() {
        var supervisor = running(token: 7, deadline: 250)
        #expect(supervisor.observeLease(token: 8, deadline: ms(500), at: ms(100)) == [.terminate(pid: 100, cause: .leaseLost)])
        #expect(supervisor.childExited(status: 143, at: ms(110)) == [.start(token: 8, cause: .newTerm)])
    }

    @Test("a spawn failure is not retried in the same term")
    func spawnFailureNotRetried() {
        var supervisor = CommandSupervisor(grace: grace)
        _ = supervisor.observeLease(token: 3, deadline: ms(300), at: ms(0))
        supervisor.spawnFailed(at: ms(0))
        #expect(supervisor.observeLease(token: 3, deadline: ms(400), at: ms(50)).isEmpty)
        #expect(supervisor.stops[.spawnFailed] == 1)
    }

    @Test("a signal is forwarded; the runner exits when the command is gone, resigning while it leads")
    func signalForwardedThenExit() {
        var supervisor = running(token: 7, deadline: 250)
        #expect(supervisor.exitRequested(at: ms(10)) == [.forwardSignal(pid: 100)])
        #expect(supervisor.childExited(status: 143, at: ms(20)) == [.resign, .exit(status: 0)])
        #expect(supervisor.stops[.signal] == 1)
    }

    @Test("a command that ignores the signal is killed 4 s later, or at the deadline if that is sooner")
    func signalGraceThenKill() {
        var supervisor = running(token: 7, deadline: 60_000)
        _ = supervisor.observeLease(token: 7, deadline: ms(60_000), at: ms(0))
        _ = supervisor.exitRequested(at: ms(10))
        #expect(supervisor.nextDeadline == ms(4010))
        #expect(supervisor.advance(to: ms(4010)) == [.kill(pid: 100, cause: .signal)])
    }

    @Test("with no command running a signal exits at once (resigning only while the lease holds)")
    func signalWhileIdle() {
        var supervisor = CommandSupervisor(grace: grace)
        #expect(supervisor.exitRequested(at: ms(0)) == [.exit(status: 0)])
    }

    @Test("--once: the command's exit ends the runner with its status")
    func onceExitsWithStatus() {
        var supervisor = CommandSupervisor(grace: grace, once: true)
        _ = supervisor.observeLease(token: 2, deadline: ms(300), at: ms(0))
        supervisor.started(pid: 5, at: ms(0))
        #expect(supervisor.childExited(status: 4, at: ms(10)) == [.resign, .exit(status: 4)])
    }

    @Test("after a signal no command starts, even when a lease is seen")
    func noStartAfterSignal() {
        var supervisor = CommandSupervisor(grace: grace)
        _ = supervisor.exitRequested(at: ms(0))
        #expect(supervisor.observeLease(token: 2, deadline: ms(900), at: ms(1)).isEmpty)
    }
}
