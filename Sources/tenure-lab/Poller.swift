import Synchronization
import TenureCommandLine
import TenureCore
import TenurePOSIX

/// The lab's one probe engine: one thread per endpoint, each polling on a fixed schedule of
/// absolute deadlines (so a slow answer does not shift every later poll), until told to stop, a
/// deadline passes, or some thread's sample satisfies the stop condition.
///
/// `tenure-lab probe` (histories for the partition suite) and `tenure-lab bench-probe` (timings
/// for the bench) both run on it; they differ only in what one poll asks and what they keep.
final class Poller<Sample: Sendable>: Sendable {
    private struct State: Sendable {
        var samples: [[Sample]]
        var stopped = false
    }

    private let interval: Interval
    private let retainSamples: Bool
    private let query: @Sendable (Int) -> Sample
    private let state: Mutex<State>
    private let threads = Mutex<[JoinableThread]>([])

    /// `query(index)` polls endpoint `index` once; `retainSamples: false` keeps nothing (for
    /// probes that run for minutes and hand each sample to `onSample` instead).
    init(endpointCount: Int, interval: Interval, retainSamples: Bool = true, query: @escaping @Sendable (Int) -> Sample) {
        self.interval = interval
        self.retainSamples = retainSamples
        self.query = query
        self.state = Mutex(State(samples: Array(repeating: [], count: endpointCount)))
    }

    func start(until deadline: Instant, onSample: @escaping @Sendable (Int, Sample) -> Void = { _, _ in },
               stopWhen condition: @escaping @Sendable (Sample) -> Bool) {
        let count = state.withLock { $0.samples.count }
        for index in 0..<count {
            do {
                let thread = try JoinableThread.start { [self] in
                    self.poll(index: index, deadline: deadline, onSample: onSample, condition: condition)
                }
                threads.withLock { $0.append(thread) }
            } catch {
                // A machine that cannot start one more thread ends the probe with status 1
                // (an environmental failure, not a measurement).
                Terminal.printError("tenure-lab: cannot start a polling thread: \(error)")
                ProcessEnvironment.exit(1)
            }
        }
    }

    private func poll(index: Int, deadline: Instant, onSample: (Int, Sample) -> Void, condition: (Sample) -> Bool) {
        var next = MonotonicClock.now()
        while true {
            if state.withLock({ $0.stopped }) || MonotonicClock.now() >= deadline { return }
            let sample = query(index)
            let hit = condition(sample)
            onSample(index, sample)
            state.withLock { state in
                if retainSamples { state.samples[index].append(sample) }
                if hit { state.stopped = true }
            }
            if hit { return }
            next = next + interval
            let now = MonotonicClock.now()
            if next < now { next = now } // Behind schedule (a slow answer): poll again at once.
            MonotonicClock.sleep(until: min(next, deadline))
        }
    }

    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Joins every polling thread.
    func wait() {
        let started = threads.withLock { list in
            defer { list = [] }
            return list
        }
        for thread in started { thread.join() }
    }

    func allSamples() -> [[Sample]] {
        state.withLock { $0.samples }
    }
}

extension Poller where Sample == ProbeSample {
    /// The bench's poller: each poll asks one endpoint who leads, in its system's terms.
    convenience init(settings: ProbeSettings) {
        self.init(endpointCount: settings.endpoints.count, interval: settings.interval) { index in
            ProbeQuery.sample(settings, index: index)
        }
    }
}
