import Testing
@testable import TenureCore

/// φ-accrual suspicion (Hayashibara et al. 2004, Akka's approximation), checked against values
/// computed independently (Python's `math`, the same published formula).
@Suite("Phi accrual")
struct PhiAccrualTests {
    func close(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool { abs(a - b) <= relative * max(1, abs(b)) }

    @Test("The formula matches independently computed values", arguments: [
        (150.0, 200.0, 25.0, 0.009998761629963108),
        (250.0, 200.0, 25.0, 1.6428278854871123),
        (300.0, 200.0, 25.0, 4.736694582705181),
        (400.0, 200.0, 25.0, 21.241600212221336),
        (1200.0, 1000.0, 100.0, 1.6428278854871123),
    ])
    func formula(elapsed: Double, mean: Double, deviation: Double, expected: Double) {
        let value = PhiAccrualDetector.phi(elapsed: elapsed * 1e6, mean: mean * 1e6, standardDeviation: deviation * 1e6)
        #expect(close(value, expected), "\(value) vs \(expected)")
    }

    @Test("The elementary functions match the C library's values")
    func elementaryFunctions() {
        #expect(close(PhiAccrualDetector.exponential(3.7), 40.4473043600674, relative: 1e-13))
        #expect(close(PhiAccrualDetector.exponential(-20.5), 1.2501528663867426e-09, relative: 1e-12))
        #expect(close(PhiAccrualDetector.logarithm10(12345.678), 4.091514945509202, relative: 1e-13))
        #expect(close(PhiAccrualDetector.logarithm10(0.001234), -2.908684840302777, relative: 1e-13))
        #expect(PhiAccrualDetector.exponential(-800) == 0 && PhiAccrualDetector.exponential(800) == .infinity)
    }

    @Test("Regular arrivals keep φ low; silence raises it; the interval after a suspicion is not recorded")
    func detector() {
        var detector = PhiAccrualDetector(expectedInterval: .milliseconds(100), acceptablePause: .milliseconds(100),
                                          minimumStandardDeviation: .milliseconds(25))
        #expect(detector.sampleCount == 2 && detector.meanNanoseconds == 100_000_000)
        var t = Instant.zero
        for _ in 0..<50 {
            t = t + .milliseconds(100)
            detector.arrived(at: t)
        }
        #expect(detector.phi(at: t + .milliseconds(100)) < 0.1)
        #expect(detector.phi(at: t + .milliseconds(300)) > 4)
        #expect(detector.phi(at: t + .milliseconds(500)) > PhiAccrualDetector.suspicionThreshold)
        let samples = detector.sampleCount
        detector.arrived(at: t + .seconds(2))  // after an outage: not a sample of the link
        #expect(detector.sampleCount == samples)
        detector.arrived(at: t + .seconds(2) + .milliseconds(100))
        #expect(detector.sampleCount == samples + 1)
    }

    @Test("A follower's φ of its leader grows with silence, and a stall of its own loop suspects nobody (Cassandra's guard)")
    func followerAndLocalStall() {
        var core = follower(heardAt: .zero + electionTimeoutMin)
        var t = Instant.zero + electionTimeoutMin
        for round in 2...20 {
            t = t + heartbeatInterval
            _ = core.deliver(heartbeat(term: 1, round: UInt64(round)), from: n1, at: t)
        }
        #expect((core.phi(of: n1, at: t + heartbeatInterval) ?? 99) < 1)
        #expect((core.phi(of: n1, at: t + heartbeatInterval * 5) ?? 0) > PhiAccrualDetector.suspicionThreshold)
        #expect(core.phi(of: n3, at: t) == nil, "no regular messages from another follower")
        // The node's own loop wakes far past its deadline: the silence was its own.
        _ = core.tick(to: core.nextDeadline + .seconds(3))
        #expect(core.phi(of: n1, at: core.now) == nil)
    }

    @Test("A leader hands over to a follower it does not suspect, even when another would be chosen first")
    func transferAvoidsSuspects() {
        var (core, t) = leaderWithLease()
        var now = t
        for round in 1...10 {
            if round > 1 {
                now = now + heartbeatInterval
                _ = core.tick(to: now)
            }
            _ = core.deliver(heartbeatResponse(term: 1, round: UInt64(round)), from: n2, at: now)
            _ = core.deliver(heartbeatResponse(term: 1, round: UInt64(round)), from: n3, at: now)
        }
        // Both acknowledged the newest round (both caught up), and n2 wins the tie without φ; but
        // n2 has been silent for 600 ms while n3 acknowledged again 50 ms ago.
        _ = core.deliver(heartbeatResponse(term: 1, round: 10), from: n3, at: now + .milliseconds(550))
        let at = now + .milliseconds(600)
        #expect((core.phi(of: n2, at: at) ?? 0) > PhiAccrualDetector.suspicionThreshold)
        #expect((core.phi(of: n3, at: at) ?? 99) < 1)
        let (outcome, _) = core.transferLeadership(to: nil, at: at)
        #expect(outcome == .transferStarted(target: n3))
    }
}
