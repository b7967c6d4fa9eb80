import TenureCore
import TenureHTTP
import TenureJSON
import TenurePOSIX
import TenureSupervision

/// Health-bound leadership in the shell: the pulled checks' results and the application's
/// pushed reports become one verdict, which the core is told whenever it changes.
extension NodeRuntime {
    /// Applies the checks that finished since the last turn.
    func collectHealthChecks(now: Instant) {
        guard let checker = healthChecker else { return }
        for result in checker.drain() {
            metrics.healthChecks[result.passed ? "pass" : "fail", default: 0] += 1
            if state.health.recordCheck(passed: result.passed, detail: result.detail) {
                log.info("health check \(result.passed ? "recovered" : "failing"): \(result.detail)")
            }
        }
        reconcileHealth(now: now)
    }

    /// Tells the core when the verdict changed (a check, a push, or a push's TTL running out).
    func reconcileHealth(now: Instant) {
        guard let change = state.health.reconcile(at: now) else { return }
        let (healthy, reason) = (change.healthy, change.reason)
        metrics.healthChanges[healthy ? "healthy" : "unhealthy", default: 0] += 1
        state.history.recordHealth(healthy: healthy, reason: reason, term: state.core.term, at: now, wallSeconds: WallClock.seconds())
        if healthy {
            log.info("application healthy again (no failback: leadership stays where it is)")
        } else {
            log.warning("application unhealthy: \(reason ?? "unknown"); this node will not campaign\(state.core.role == .leader ? " and hands over to a healthy follower" : "")")
        }
        eventLog?.write(.health, at: now) {
            $0.healthy = healthy
            $0.reason = reason
            $0.term = state.core.term
        }
        let wasLeader = state.core.role == .leader
        apply(state.core.updateHealth(healthy, at: now), now: now)
        if wasLeader, !healthy, state.core.unhealthyWithoutSuccessor {
            log.warning("no healthy follower to hand over to; staying leader")
        }
    }

    /// `PUT /v1/health {"healthy": false, "reason": "db down", "ttl_ms": 3000}`: 200 with the
    /// node's verdict; 400 and no change for anything else.
    func healthPut(_ request: HTTPRequest, now: Instant) -> HTTPResponse {
        guard let body = JSONValue.parse(request.body), body.object != nil else {
            return .json(400, errorJSON("body must be a JSON object such as {\"healthy\": false, \"reason\": \"db down\", \"ttl_ms\": 3000}"))
        }
        guard case .bool(let healthy)? = body["healthy"] else {
            return .json(400, errorJSON("'healthy' must be true or false"))
        }
        var reason: String?
        if let value = body["reason"] {
            guard case .string(let text) = value else { return .json(400, errorJSON("'reason' must be a string")) }
            reason = String(text.prefix(200))
        }
        var ttl: Interval?
        if let value = body["ttl_ms"] {
            guard let milliseconds = value.int64, milliseconds > 0, milliseconds <= 86_400_000 else {
                return .json(400, errorJSON("'ttl_ms' must be a whole number of milliseconds from 1 to 86400000"))
            }
            ttl = .milliseconds(milliseconds)
        }
        metrics.healthReports += 1
        state.health.recordPush(healthy: healthy, reason: reason, ttl: ttl, at: now)
        reconcileHealth(now: now)
        return .json(200, healthJSON(now: now))
    }

    func healthJSON(now: Instant) -> String {
        var object = JSONObject()
        let health = state.health
        let reason = health.reason(at: now)
        object.add("healthy", reason == nil)
        object.add("reason", reason)
        object.add("check", options.healthCommand.map { "cmd: \($0)" } ?? options.healthURL.map { "url: http://\($0.endpoint)\($0.path)" })
        object.add("checks_passed", health.checks.passed)
        object.add("checks_failed", health.checks.failed)
        if let push = health.push {
            var pushed = JSONObject()
            pushed.add("healthy", push.healthy)
            pushed.add("reason", push.reason)
            if let expiresAt = push.expiresAt {
                pushed.add("ttl_remaining_ms", max(0, (expiresAt - now).nanoseconds / 1_000_000))
            } else {
                pushed.add("ttl_remaining_ms", raw: "null")
            }
            object.add("push", raw: pushed.rendered)
        } else {
            object.add("push", raw: "null")
        }
        if core.role == .leader { object.add("staying_without_healthy_successor", core.unhealthyWithoutSuccessor) }
        return object.rendered
    }
}
