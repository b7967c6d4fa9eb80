import Synchronization
import TenureCore
import TenurePOSIX
import TenureSupervision

/// Runs `--on-elected` and `--on-demoted` (keepalived's notify scripts, without their flaws): on a
/// thread of its own, in the order the node changed role, one at a time, each killed at its
/// timeout. The loop only queues a hook and later reads how it ended, so a hook that hangs
/// delays the next hook, never the election.
///
/// A hook is a notification, not a fence: by the time it runs the role may have changed again.
/// Safety comes from `tenure run` and fencing tokens.
final class HookRunner: Sendable {
    typealias Hook = HookQueue.Hook
    typealias Invocation = HookQueue.Invocation

    /// How one run ended, for the loop's log and metrics.
    struct Report: Sendable {
        var invocation: Invocation
        var outcome: ShellCommand.Outcome
    }

    let commands: [Hook: ShellCommand]
    let reports: Mailbox<Report>
    private let inbox: Mailbox<Invocation?>
    private let stopped = Mutex(false)

    init(onElected: String?, onDemoted: String?, timeout: Interval) throws(SystemError) {
        var commands: [Hook: ShellCommand] = [:]
        if let onElected { commands[.elected] = ShellCommand(command: onElected, timeout: timeout) }
        if let onDemoted { commands[.demoted] = ShellCommand(command: onDemoted, timeout: timeout) }
        self.commands = commands
        reports = try Mailbox()
        inbox = try Mailbox()
    }

    func start() throws(SystemError) {
        let thread = try JoinableThread.start { [self] in loop() }
        thread.detach()
    }

    /// Asks the thread to finish after the hook it is running (the rest of the queue is skipped).
    func stop() {
        stopped.withLock { $0 = true }
        inbox.post(nil)
    }

    /// The hooks a command was given for.
    var configured: Set<Hook> { Set(commands.keys) }

    /// From the loop: queues one run.
    func enqueue(_ invocation: Invocation) { inbox.post(invocation) }

    private func loop() {
        while true {
            for item in inbox.drain() {
                if stopped.withLock({ $0 }) { return }
                guard let invocation = item, let command = commands[invocation.hook] else { continue }
                reports.post(Report(invocation: invocation, outcome: command.run(environment: invocation.environment)))
            }
            if stopped.withLock({ $0 }) { return }
            _ = try? PollSet.wait(for: inbox.readEnd, .readable, timeoutMilliseconds: 1000)
        }
    }
}
