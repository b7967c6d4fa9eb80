import Testing
import TenurePOSIX

@testable import TenureCore
@testable import TenureNode

/// The real peer transport inside real runtimes: TCP connections with the authenticated
/// handshake, and lease beats as authenticated datagrams (the in-memory network stands in for
/// both everywhere else).
@Suite("Runtime: the real peer transport") struct RuntimeSocketTests {
    @Test("Three runtimes on real sockets elect a leader, and its lease is renewed by beats that arrive as datagrams")
    func socketsAndBeats() throws {
        let cluster = try RuntimeCluster(sockets: true)
        defer { cluster.stop() }
        let leader = try #require(cluster.runUntilStableLeader())
        // Real loopback needs real time to carry bytes: pump with small poll timeouts.
        let runtime = cluster.runtimes[leader]
        let beatsBefore = runtime.metrics.beatsSent
        for _ in 0..<40 {
            cluster.step(by: .milliseconds(5))
            for node in cluster.indices { cluster.turn(node, maximumWait: .milliseconds(1)) }
        }
        #expect(runtime.metrics.beatsSent > beatsBefore)
        let received = cluster.indices.filter { $0 != leader }.map { cluster.runtimes[$0].metrics.beatsReceived }
        #expect(received.allSatisfy { $0 > 0 }, "every follower received beats: \(received)")
        #expect(cluster.indices.allSatisfy { cluster.runtimes[$0].metrics.rejectedDatagrams.isEmpty }, "no datagram was refused")
        #expect(cluster.leaseHolders == [leader])
    }
}
