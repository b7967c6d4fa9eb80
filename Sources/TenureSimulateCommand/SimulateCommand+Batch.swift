import Dispatch
import Synchronization
import TenureCommandLine
import TenureCore
import TenurePOSIX
import TenureSimulation

/// The batch: seeds shared out to parallel workers, with a progress line on standard error.
extension SimulateCommand {
    /// Shared progress of the workers.
    struct Progress {
        var completed = 0
        var statistics = SimulationStatistics()
        var failures: [SimulationResult] = []
    }

    static func runBatch(_ flags: Flags) -> Int32 {
        let options = flags.options
        let total = flags.seeds
        let jobs = min(flags.jobs, total)
        let started = MonotonicClock.now()
        let progress = Mutex(Progress())
        let next = Atomic<Int>(0)
        let interactive = Descriptor.isTerminal(2)
        print("simulating \(total) seed(s) of \(options.nodes) nodes, \(options.duration) each, on \(jobs) worker(s)\(options.excessDrift ? ", excess drift" : "")\(options.enabledMutations.isEmpty ? "" : ", mutations: " + options.enabledMutations.map(\.rawValue).joined(separator: ","))")
        Terminal.flush()

        let reporter = DispatchQueue(label: "progress")
        let finished = Atomic<Bool>(false)
        if !flags.quiet {
            reporter.async {
                var lastPrintedDecile = -1
                while !finished.load(ordering: .acquiring) {
                    Terminal.sleep(milliseconds: interactive ? 200 : 1000)
                    let (done, virtual, violations) = progress.withLock { ($0.completed, $0.statistics.virtualTime, $0.failures.count) }
                    let decile = done * 10 / max(total, 1)
                    if interactive || decile != lastPrintedDecile {
                        lastPrintedDecile = decile
                        printProgress(done: done, total: total, virtual: virtual, violations: violations, started: started, interactive: interactive)
                    }
                }
            }
        }

        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while true {
                let offset = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard offset < total else { return }
                var seedOptions = options
                seedOptions.seed = flags.firstSeed &+ UInt64(offset)
                let result = Simulator.run(seedOptions)
                progress.withLock { state in
                    state.completed += 1
                    state.statistics.merge(result.statistics)
                    if !result.passed { state.failures.append(result) }
                }
            }
        }
        finished.store(true, ordering: .releasing)
        reporter.sync {}

        let final = progress.withLock { $0 }
        let wall = MonotonicClock.now() - started
        if !flags.quiet && interactive { printProgress(done: total, total: total, virtual: final.statistics.virtualTime, violations: final.failures.count, started: started, interactive: interactive) }
        if interactive && !flags.quiet { Terminal.printError("") }
        for failure in final.failures.sorted(by: { $0.seed < $1.seed }).prefix(5) {
            print("")
            for violation in failure.violations {
                print("VIOLATION \(violation)")
                for line in violation.trace { print("  \(line)") }
            }
            print(failure.reproduceLine)
        }
        if final.failures.count > 5 { print("... and \(final.failures.count - 5) more failing seed(s): \(final.failures.map(\.seed).sorted().dropFirst(5).prefix(20).map(String.init).joined(separator: " "))") }
        printSummary(final, total: total, wall: wall)
        return final.failures.isEmpty ? 0 : 1
    }

    static func printProgress(done: Int, total: Int, virtual: Interval, violations: Int, started: Instant, interactive: Bool) {
        let wall = max(1e-9, Double((MonotonicClock.now() - started).nanoseconds) / 1e9)
        let width = 30
        let filled = total > 0 ? done * width / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let ratio = Double(virtual.nanoseconds) / 1e9 / wall
        let line = "[\(bar)] \(done)/\(total) seeds  \(format(Double(done) / wall, digits: 1)) seeds/s  simulated/wall \(format(ratio, digits: 0))x  violations \(violations)"
        if interactive {
            let bytes = Array(("\r" + line).utf8)
            Descriptor.writeAll(2, bytes)
        } else {
            print(line)
            Terminal.flush()
        }
    }
}
