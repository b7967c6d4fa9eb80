import Testing
import TenureAPI
import TenureJSON

/// `/v1/leader`, `/readyz`, `/healthz`, `/v1/watch` data and `/v1/history`: the documents clients
/// poll to learn who leads, each read and written through its one type.
@Suite struct LeadershipDocumentTests {
    @Test("/v1/leader names a leader with its API, or none without one")
    func leader() throws {
        let known = try roundTrip(Golden.leader, as: LeaderDocument.self)
        #expect(known == LeaderDocument(leader: "n2", term: 1, api: "127.0.0.12:7200") && known.httpStatus == 200)
        let none = try roundTrip(Golden.noLeader, as: LeaderDocument.self)
        #expect(none == LeaderDocument(leader: nil, term: 3) && none.httpStatus == 503)
        #expect(LeaderDocument(leader: "n2", term: 1).json == #"{"leader":"n2","term":1,"api":null}"#)
        #expect(decodeError(#"{"leader":"n2","term":1}"#, as: LeaderDocument.self) == JSONDecodeError(field: "api", problem: "is missing"))
        #expect(decodeError(#"{"leader":null}"#, as: LeaderDocument.self) == JSONDecodeError(field: "term", problem: "is missing"))
    }

    @Test("/readyz is ready exactly when /v1/leader names a leader; /healthz says ok")
    func readinessAndLiveness() throws {
        let ready = try roundTrip(Golden.ready, as: ReadinessDocument.self)
        #expect(ready == ReadinessDocument(leader: LeaderDocument(leader: "n2", term: 1, api: "x")) && ready.httpStatus == 200)
        let notReady = try roundTrip(Golden.notReady, as: ReadinessDocument.self)
        #expect(notReady == ReadinessDocument(leader: LeaderDocument(leader: nil, term: 3)) && notReady.httpStatus == 503)
        #expect(try roundTrip(Golden.liveness, as: LivenessDocument.self) == LivenessDocument())
    }

    @Test("a /v1/watch event, with and without a leader")
    func watch() throws {
        let event = try roundTrip(Golden.watch, as: WatchEvent.self)
        #expect(event.sequence == 2 && event.leader == "n2" && event.role == "follower" && event.monotonicNanoseconds == 3_270_496_546_609)
        #expect(try roundTrip(Golden.watchNoLeader, as: WatchEvent.self).api == nil)
        #expect(decodeError(#"{"seq":-1}"#, as: WatchEvent.self) == JSONDecodeError(field: "seq", problem: "must be a non-negative integer"))
    }

    @Test("/v1/history writes `leader` only on leader_changed (null when lost), `from` and `to` only where they apply")
    func history() throws {
        let history = try roundTrip(Golden.history, as: HistoryDocument.self)
        #expect(history.changes.count == 5)
        #expect(history.changes[0].leader == "n1" && history.changes[0].from == nil)
        #expect(history.changes[1].from == "candidate" && history.changes[1].to == "leader" && history.changes[1].leader == nil)
        #expect(history.changes[2].event == "leader_changed" && history.changes[2].leader == nil)
        #expect(history.changes[0].unixTime == 1_796_685_841.0563173)
        let health = try roundTrip(Golden.historyOfHealth, as: HistoryDocument.self)
        #expect(health.changes[1].to == "n3" && health.changes[1].cause == "unhealthy")
        #expect(try roundTrip(Golden.emptyHistory, as: HistoryDocument.self).changes.isEmpty)
        let missingLeader = Golden.history.replacingFirst(#""leader":"n1","#, with: "")
        #expect(decodeError(missingLeader, as: HistoryDocument.self) == JSONDecodeError(field: "changes[0].leader", problem: "is missing"))
    }

    @Test("the health document, pushed or pulled, leader or not")
    func health() throws {
        try roundTrip(Golden.health, as: HealthDocument.self)
        #expect(try roundTrip(Golden.healthLeader, as: HealthDocument.self).stayingWithoutHealthySuccessor == false)
        let pushed = try roundTrip(Golden.healthPushed, as: HealthDocument.self)
        #expect(pushed.push == HealthDocument.Push(healthy: false, reason: "db \"down\"", ttlRemainingMilliseconds: 3000))
        #expect(try roundTrip(Golden.healthPushedWithoutTTL, as: HealthDocument.self).push?.ttlRemainingMilliseconds == nil)
        let missingTTL = Golden.healthPushed.replacingFirst(#","ttl_remaining_ms":3000"#, with: "")
        #expect(decodeError(missingTTL, as: HealthDocument.self) == JSONDecodeError(field: "push.ttl_remaining_ms", problem: "is missing"))
    }
}
