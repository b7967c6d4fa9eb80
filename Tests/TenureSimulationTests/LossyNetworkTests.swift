import Testing
import TenureCore
@testable import TenureSimulation

/// Steady random loss on every link, as iptables' statistic match inflicts it on real nodes: TCP
/// retransmits a lost segment after its timeout and holds everything behind it, while beats
/// (datagrams) are lost one by one (issue 18, section 2). Counts are in virtual time, so these
/// checks are exact for their seeds, not timing-dependent.
@Suite("Lossy networks")
struct LossyNetworkTests {
    func run(loss: Double, beats: Int, seeds: ClosedRange<UInt64>) -> SimulationBatchResult {
        var options = SimulationOptions(nodes: 3, duration: .seconds(40))
        options.steadyLoss = loss
        options.beatsPerHeartbeat = beats
        return Simulator.run(options, seeds: seeds)
    }

    @Test("At 20% loss beats keep the lease renewed with 150 ms to spare, where heartbeats alone let it lapse")
    func beatsRideOutLoss() {
        let withBeats = run(loss: 0.2, beats: 4, seeds: 1...3)
        #expect(withBeats.statistics.violations == 0)
        #expect(withBeats.statistics.leaseLapses == 0)
        #expect(withBeats.statistics.lateRenewals == 0)
        #expect(withBeats.statistics.leaderChanges == 3, "one election per run, no leader change under the loss")
        let without = run(loss: 0.2, beats: 0, seeds: 1...3)
        #expect(without.statistics.violations == 0)
        #expect(without.statistics.leaseLapses > 0, "heartbeats on one TCP stream stall behind every lost segment")
    }

    @Test("At 30% loss with and without beats no invariant breaks, and a leader is known to all after the loss")
    func invariantsHoldAtThirtyPercent() {
        for beats in [0, 4] {
            let batch = run(loss: 0.3, beats: beats, seeds: 10...12)
            #expect(batch.statistics.violations == 0, "beats \(beats)")
            #expect(batch.statistics.recoveryTimes.count == 3, "beats \(beats)")
        }
    }

    @Test("A TCP stream under loss delivers in order, a lost message after a retransmission timeout that doubles")
    func streamModel() {
        var network = SimulatedNetwork(count: 2, longDelayMinimumNanoseconds: 1_000_000_000, maximumDelayNanoseconds: 10_000_000_000)
        var weather = NetworkWeather.calm
        weather.lossProbability = 0.5
        weather.streamsRetransmit = true
        network.setWeather(weather)
        var random = SeededRandomSource(seed: 11)
        var last: Int64 = 0
        var retransmitted = 0
        for send in 0..<200 {
            let now = Int64(send) * 10_000_000
            guard let arrival = network.streamArrival(from: 0, to: 1, now: now, using: &random) else { continue }
            #expect(arrival >= last, "no message overtakes an earlier one on the stream")
            if arrival - now >= SimulatedNetwork.retransmissionTimeoutNanoseconds { retransmitted += 1 }
            last = arrival
        }
        #expect(retransmitted > 50)
        #expect(network.streamClearAt[1] == last)
    }
}
