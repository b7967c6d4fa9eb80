import Testing
import TenureCore
import TenurePOSIX
@testable import TenureNode

@Suite("Hooks and shell commands")
struct HookRunnerTests {
    /// Waits (at most 10 s) until `count` reports arrived, polling the runner's descriptor.
    func collect(_ runner: HookRunner, count: Int) -> [HookRunner.Report] {
        var reports: [HookRunner.Report] = []
        let deadline = MonotonicClock.now() + .seconds(10)
        while reports.count < count, MonotonicClock.now() < deadline {
            _ = try? PollSet.wait(for: runner.reports.readEnd, .readable, timeoutMilliseconds: 100)
            reports += runner.reports.drain()
        }
        return reports
    }

    @Test("a command's exit status is reported, and a hanging one is killed with its group at the timeout")
    func shellCommandOutcomes() {
        let ok = ShellCommand(command: "exit 0", timeout: .seconds(5)).run(environment: [:])
        #expect(ok.succeeded && ok.result == "ok" && !ok.timedOut)
        let failed = ShellCommand(command: "exit 3", timeout: .seconds(5)).run(environment: [:])
        #expect(failed.status == 3 && failed.result == "failed" && failed.summary == "exit status 3")
        let hung = ShellCommand(command: "sleep 30 & sleep 30", timeout: .milliseconds(200)).run(environment: [:])
        #expect(hung.timedOut && hung.status == nil && hung.result == "timeout")
        #expect(hung.duration >= .milliseconds(200) && hung.duration < .seconds(10))
        #expect(hung.summary.hasPrefix("timed out after"))
    }

    @Test("hooks run one at a time, in the order queued, with their variables")
    func orderAndEnvironment() throws {
        let path = "/tmp/tenure-hook-test-\(ProcessEnvironment.processID).log"
        _ = ChildProcess.runShell("rm -f \(path)")
        defer { _ = ChildProcess.runShell("rm -f \(path)") }
        // Each run sleeps a little, so runs that overlapped would interleave their two lines.
        let script = "echo \"start $TENURE_HOOK $TENURE_TERM $TENURE_ROLE\" >> \(path); sleep 0.02; echo end >> \(path)"
        let runner = try HookRunner(onElected: script, onDemoted: script, timeout: .seconds(5))
        try runner.start()
        defer { runner.stop() }
        for term in 1...6 {
            let hook: HookRunner.Hook = term % 2 == 1 ? .elected : .demoted
            runner.enqueue(HookRunner.Invocation(hook: hook, term: UInt64(term), environment: [
                "TENURE_HOOK": hook.rawValue, "TENURE_TERM": String(term), "TENURE_ROLE": hook == .elected ? "leader" : "follower",
            ]))
        }
        let reports = collect(runner, count: 6)
        #expect(reports.map(\.invocation.term) == [1, 2, 3, 4, 5, 6])
        #expect(reports.allSatisfy { $0.outcome.succeeded })
        let lines = Files.readText(path) ?? ""
        var expected = ""
        for term in 1...6 {
            expected += term % 2 == 1 ? "start on_elected \(term) leader\nend\n" : "start on_demoted \(term) follower\nend\n"
        }
        #expect(lines == expected)
    }

    @Test("a hook given for one role only is not run for the other")
    func onlyGivenHooks() throws {
        let runner = try HookRunner(onElected: "true", onDemoted: nil, timeout: .seconds(1))
        #expect(runner.configured == [.elected])
    }
}
