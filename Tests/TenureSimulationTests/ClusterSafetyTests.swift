import Testing
import TenureCore
@testable import TenureSimulation

/// Batches of seeds under every kind of fault: nothing may break, and a leader must come back
/// once the faults stop (docs/testing.md, "Tier 2: deterministic simulation").
@Suite("Simulated clusters under faults")
struct ClusterSafetyTests {
    /// Runs `seeds` and expects no violation and a leader in every run; returns the batch.
    @discardableResult
    private func expectHealthy(nodes: Int, seeds: ClosedRange<UInt64>, duration: Interval) -> SimulationBatchResult {
        let options = SimulationOptions(nodes: nodes, duration: duration)
        let batch = Simulator.run(options, seeds: seeds)
        for failure in batch.failures {
            Issue.record("\(failure.report)")
        }
        #expect(batch.statistics.runs == seeds.count)
        #expect(batch.statistics.leaderChanges >= seeds.count, "every run elects at least one leader")
        #expect(batch.statistics.recoveryTimes.count == seeds.count, "every run finds a leader known to all after the faults stop")
        #expect(batch.statistics.crashes > 0 && batch.statistics.networkFaults > 0 && batch.statistics.pauses > 0)
        #expect(batch.statistics.messagesDropped > 0 && batch.statistics.messagesDuplicated > 0)
        return batch
    }

    @Test("Three-node clusters keep every safety rule under partitions, loss, delays, crashes and pauses")
    func threeNodeSeeds() {
        expectHealthy(nodes: 3, seeds: 1...150, duration: .seconds(30))
    }

    @Test("Five-node clusters keep every safety rule under partitions, loss, delays, crashes and pauses")
    func fiveNodeSeeds() {
        expectHealthy(nodes: 5, seeds: 1...150, duration: .seconds(30))
    }

    @Test("Seven-node clusters keep every safety rule")
    func sevenNodeSeeds() {
        expectHealthy(nodes: 7, seeds: 1000...1009, duration: .seconds(25))
    }

    @Test("A 101-node cluster elects a leader and keeps every safety rule")
    func largestCluster() {
        let result = Simulator.run(SimulationOptions(nodes: 101, duration: .seconds(12), seed: 7))
        #expect(result.passed, "\(result.report)")
        #expect(result.statistics.leaderChanges >= 1)
        #expect(result.statistics.recoveryTimes.count == 1)
    }

    @Test("After the faults stop, a leader known to every node appears within the liveness bound")
    func livenessAfterFaults() {
        let options = SimulationOptions(nodes: 5, duration: .seconds(40))
        let batch = Simulator.run(options, seeds: 100...119)
        #expect(batch.passed, "\(batch.failures.map(\.report).joined(separator: "\n\n"))")
        #expect(batch.statistics.recoveryTimes.count == 20)
        let bound = options.livenessBound
        for recovery in batch.statistics.recoveryTimes {
            #expect(recovery <= bound, "recovered \(recovery) after the faults stopped; bound \(bound)")
        }
    }

    @Test("Failovers are measured and most complete within a few election timeouts")
    func failoverDistribution() {
        let batch = Simulator.run(SimulationOptions(nodes: 5, duration: .seconds(30)), seeds: 200...219)
        #expect(batch.passed)
        #expect(batch.statistics.failoverTimes.count >= 10)
        let median = try! #require(batch.statistics.failoverPercentile(0.5))
        #expect(median > .milliseconds(100) && median < .seconds(4), "median failover \(median)")
        #expect(batch.statistics.summary.contains("failover ("))
    }

    @Test("One seed gives one exact history: same trace, same statistics")
    func determinism() {
        var options = SimulationOptions(nodes: 5, duration: .seconds(20), seed: 42)
        options.recordFullTrace = true
        let first = Simulator.run(options)
        let second = Simulator.run(options)
        #expect(first.trace.count > 1000)
        #expect(first.trace == second.trace)
        #expect(first.statistics == second.statistics)
        options.seed = 43
        let other = Simulator.run(options)
        #expect(other.trace != first.trace, "a different seed gives a different history")
    }

    @Test("Recording the full trace does not change the history")
    func traceDoesNotPerturb() {
        var options = SimulationOptions(nodes: 3, duration: .seconds(20), seed: 9)
        let quiet = Simulator.run(options)
        options.recordFullTrace = true
        let traced = Simulator.run(options)
        #expect(quiet.statistics == traced.statistics)
        #expect(quiet.trace.isEmpty)
        #expect(traced.trace.allSatisfy { $0.hasPrefix("t=") })
        #expect(traced.trace.contains { $0.contains(" leader term ") })
    }
}
