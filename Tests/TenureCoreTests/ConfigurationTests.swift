import Testing
@testable import TenureCore

/// The configuration relations the safety argument needs, each rejected with a message that
/// names the values (docs/lease.md, "The configuration relations" and rule 3; thesis 6.4.1 on
/// clock drift).
@Suite("Configuration")
struct ConfigurationTests {
    func message(of configuration: Configuration) -> String? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return error.description
        }
    }

    @Test("The defaults are valid (docs/lease.md, rule 3)")
    func defaultsValid() throws {
        try Configuration(id: n1, voters: threeVoters).validate()
        try Configuration(id: n1, voters: [n1]).validate()
    }

    @Test("The longest safe lease with the defaults is 1000 ms x 0.99 / 1.01 - 50 ms, about 930.2 ms (thesis 6.4.1)")
    func maximumSafeLease() {
        let configuration = Configuration(id: n1, voters: threeVoters, leaseDuration: longestSafeLease)
        #expect(configuration.maximumSafeLeaseDuration == longestSafeLease)
        #expect(abs(configuration.maximumSafeLeaseDuration.milliseconds - 930.198) < 0.001)
        #expect((try? configuration.validate()) != nil)
        // lease x (1 + drift) < electionTimeoutMin x (1 - drift), with the margin to spare.
        let lease = Double(configuration.leaseDuration.nanoseconds)
        let window = Double(configuration.electionTimeoutMin.nanoseconds)
        #expect(lease * 1.01 + Double(configuration.leaseSafetyMargin.nanoseconds) * 1.01 <= window * 0.99)
    }

    @Test("The default lease is three heartbeat intervals but at least 300 ms, or the longest safe lease when that is shorter")
    func defaultLease() {
        let defaults = Configuration(id: n1, voters: threeVoters)
        #expect(defaults.leaseDuration == defaultLeaseDuration)
        #expect(defaults.leaseDuration == defaults.heartbeatInterval * 3)
        #expect(defaults.stickinessWindow == defaultStickinessWindow)
        #expect((try? defaults.validate()) != nil)
        // Slow heartbeats against a tight election timeout: three intervals would be unsafe, so the cap holds.
        let tight = Configuration(id: n1, voters: threeVoters, heartbeatInterval: .milliseconds(330),
                                  electionTimeoutMin: .milliseconds(1000), electionTimeoutMax: .milliseconds(1100))
        #expect(tight.leaseDuration == tight.maximumSafeLeaseDuration)
        #expect(tight.stickinessWindow <= tight.electionTimeoutMin)
        #expect((try? tight.validate()) != nil)
        // Fast heartbeats: never below 300 ms while that is safe, so `tenure run` has time to act.
        let fast = Configuration(id: n1, voters: threeVoters, heartbeatInterval: .milliseconds(50),
                                 electionTimeoutMin: .milliseconds(500), electionTimeoutMax: .milliseconds(600))
        #expect(fast.leaseDuration == .milliseconds(300))
        let faster = Configuration(id: n1, voters: threeVoters, heartbeatInterval: .milliseconds(50),
                                   electionTimeoutMin: .milliseconds(300), electionTimeoutMax: .milliseconds(330))
        #expect(faster.leaseDuration == faster.maximumSafeLeaseDuration, "the floor never overrides safety")
        // The override still wins.
        let explicit = Configuration(id: n1, voters: threeVoters, leaseDuration: .milliseconds(500))
        #expect(explicit.leaseDuration == .milliseconds(500))
    }

    @Test("A lease longer than the safe maximum is rejected with both values named (thesis 6.4.1)")
    func leaseTooLong() {
        let configuration = Configuration(id: n1, voters: threeVoters, leaseDuration: .milliseconds(950))
        let text = message(of: configuration)
        #expect(text?.contains("lease 950ms is unsafe") == true)
        #expect(text?.contains("930.198019ms") == true)
        #expect(text?.contains("1000ms") == true)
        #expect(text?.contains("0.01") == true)
    }

    @Test("A lease at most the safe maximum is accepted and used (thesis 6.4.1)")
    func safeLeaseOverride() throws {
        let configuration = Configuration(id: n1, voters: threeVoters, leaseDuration: .milliseconds(500))
        try configuration.validate()
        #expect(configuration.leaseDuration == .milliseconds(500))
    }

    @Test("A lease no longer than one heartbeat interval is rejected, naming both (thesis 6.4.1)")
    func leaseTooShort() {
        let text = message(of: Configuration(id: n1, voters: threeVoters, leaseDuration: .milliseconds(100)))
        #expect(text?.contains("lease 100ms must be longer than the heartbeat interval 100ms") == true)
    }

    @Test("An election timeout maximum not above the minimum is rejected with both values (thesis 3.4)")
    func electionTimeoutMaxNotAboveMin() {
        let text = message(of: Configuration(id: n1, voters: threeVoters, electionTimeoutMin: .milliseconds(1000),
                                             electionTimeoutMax: .milliseconds(1000)))
        #expect(text?.contains("election timeout maximum 1000ms must be greater than the minimum 1000ms") == true)
    }

    @Test("An election timeout minimum under three heartbeat intervals is rejected with the values (thesis 3.4)")
    func electionTimeoutMinTooShort() {
        let text = message(of: Configuration(id: n1, voters: threeVoters, heartbeatInterval: .milliseconds(100),
                                             electionTimeoutMin: .milliseconds(250), electionTimeoutMax: .milliseconds(400)))
        #expect(text?.contains("election timeout minimum 250ms must be at least 3 heartbeat intervals (300ms)") == true)
    }

    @Test("A node id outside the voters is rejected, naming the id and the voters (fixed membership, thesis 4)")
    func idNotAmongVoters() {
        let text = message(of: Configuration(id: n4, voters: threeVoters))
        #expect(text == "node id 'n4' is not among the voters n1,n2,n3")
    }

    @Test("Duplicate voters are rejected, naming the voters (quorum counting, paper 5.2)")
    func duplicateVoters() {
        let text = message(of: Configuration(id: n1, voters: [n1, n2, n2]))
        #expect(text == "voters contain a duplicate id: n1,n2,n2")
    }

    @Test("A non-positive heartbeat interval is rejected (thesis 3.4)")
    func zeroHeartbeat() {
        let text = message(of: Configuration(id: n1, voters: threeVoters, heartbeatInterval: .zero))
        #expect(text == "heartbeat interval 0ms must be positive")
    }

    @Test("A clock drift bound outside [0, 0.5) is rejected with its value (thesis 6.4.1)")
    func driftOutOfRange() {
        #expect(message(of: Configuration(id: n1, voters: threeVoters, clockDriftBound: 0.5)) == "clock drift bound 0.5 must be in [0, 0.5)")
        #expect(message(of: Configuration(id: n1, voters: threeVoters, clockDriftBound: -0.1)) == "clock drift bound -0.1 must be in [0, 0.5)")
    }

    @Test("A margin that leaves no safe lease longer than a heartbeat is rejected with the derivation (thesis 6.4.1)")
    func marginTooLarge() {
        let text = message(of: Configuration(id: n1, voters: threeVoters, leaseSafetyMargin: .milliseconds(900)))
        #expect(text?.contains("the longest safe lease") == true)
        #expect(text?.contains("margin 900ms") == true)
        #expect(text?.contains("heartbeat interval 100ms") == true)
    }

    @Test("Voters are kept sorted and the quorum is a strict majority (paper 5.2)")
    func quorum() {
        #expect(Configuration(id: n1, voters: [n3, n1, n2]).voters == threeVoters)
        #expect(Configuration(id: n1, voters: [n1]).quorumSize == 1)
        #expect(Configuration(id: n1, voters: [n1, n2]).quorumSize == 2)
        #expect(Configuration(id: n1, voters: threeVoters).quorumSize == 2)
        #expect(Configuration(id: n1, voters: [n1, n2, n3, n4]).quorumSize == 3)
        #expect(Configuration(id: n1, voters: fiveVoters).quorumSize == 3)
        #expect(Configuration(id: n2, voters: threeVoters).peers == [n1, n3])
    }

    @Test("The election retry window is [heartbeatInterval, heartbeatInterval + spread) (thesis 9.3)")
    func retryWindow() {
        let configuration = Configuration(id: n1, voters: threeVoters)
        #expect(configuration.electionRetryMin == .milliseconds(100))
        #expect(configuration.electionRetryMax == .milliseconds(200))
        #expect(configuration.electionTimeoutMax == electionTimeoutMax)
    }
}

