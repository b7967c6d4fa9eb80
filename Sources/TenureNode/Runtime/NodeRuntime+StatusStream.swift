import TenureCore
import TenureHTTP

/// `GET /v1/status/stream`: the status page's live feed. Every follower gets the node's whole
/// status (the `/v1/status` document) every `statusPushInterval` and at once when the leader or
/// term changes, and the leadership history whenever it grows, so the page needs no polling.
extension NodeRuntime {
    /// Often enough for a lease countdown to look live (the page interpolates between events),
    /// rarely enough to cost nothing: one status document per follower per tick.
    static let statusPushInterval = Interval.milliseconds(250)

    /// What a new follower of the stream gets first: the head, a reconnect delay for the
    /// browser (1 s, so a page notices a restarted node quickly), the status and the history.
    func statusStreamStart(now: Instant) -> [UInt8] {
        HTTPResponse.eventStreamHead + Array("retry: 1000\n\n".utf8) + statusEventBytes(now: now) + historyEventBytes()
    }

    /// Sends the status to every follower of the stream (and the history when it changed);
    /// does nothing but reschedule while nobody follows. The one place that scans the API
    /// connections for followers: at most every `statusPushInterval`, never per request.
    func pushStatus(now: Instant) {
        nextStatusPushAt = now + Self.statusPushInterval
        statusStreamFollowed = api.hasStreams(of: .status)
        guard statusStreamFollowed else {
            statusHistoryCount = history.recordedCount
            return
        }
        var bytes = statusEventBytes(now: now)
        if history.recordedCount != statusHistoryCount { bytes += historyEventBytes() }
        statusHistoryCount = history.recordedCount
        api.broadcast(bytes, to: .status)
    }

    private func statusEventBytes(now: Instant) -> [UInt8] {
        statusSequence += 1
        return HTTPResponse.eventStreamEvent(id: statusSequence, event: "status", data: statusJSON(now: now))
    }

    private func historyEventBytes() -> [UInt8] {
        HTTPResponse.eventStreamEvent(id: statusSequence, event: "history", data: history.json)
    }
}
