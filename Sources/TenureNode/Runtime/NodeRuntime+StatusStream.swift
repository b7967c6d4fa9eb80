import TenureCore
import TenureJSON
import TenureHTTP
import TenureSupervision

/// `GET /v1/status/stream`: the status page's live feed, scheduled by `StatusFeed`. Every
/// follower gets the node's whole status (the `/v1/status` document) every
/// `StatusFeed.pushInterval` and at once when the leader or term changes, and the leadership
/// history whenever it grows, so the page needs no polling.
extension NodeRuntime {
    /// What a new follower of the stream gets first: the head, a reconnect delay for the
    /// browser (1 s, so a page notices a restarted node quickly), the status and the history.
    func statusStreamStart(now: Instant) -> [UInt8] {
        state.feed.streamStarted()
        return HTTPResponse.eventStreamHead + Array("retry: 1000\n\n".utf8) + statusEventBytes(now: now) + historyEventBytes()
    }

    /// Sends the status to every follower of the stream (and the history when it changed); does
    /// nothing but reschedule while nobody follows. The one place that scans the API connections
    /// for followers: at most every push interval, never per request.
    func pushStatus(now: Instant) {
        let push = state.feed.push(followers: api.hasStreams(of: .status), historyCount: state.history.recordedCount, at: now)
        guard push.send else { return }
        var bytes = statusEventBytes(now: now)
        if push.includeHistory { bytes += historyEventBytes() }
        api.broadcast(bytes, to: .status)
    }

    private func statusEventBytes(now: Instant) -> [UInt8] {
        let number = state.feed.nextStatusNumber()
        return HTTPResponse.eventStreamEvent(id: number, event: "status", data: statusDocument(now: now).json)
    }

    private func historyEventBytes() -> [UInt8] {
        HTTPResponse.eventStreamEvent(id: state.feed.statusSequence, event: "history", data: state.history.document.json)
    }
}
