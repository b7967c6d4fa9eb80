import TenureAPI
import TenureCore
import TenureHTTP
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
        let report: HealthPut
        do {
            report = try HealthPut(body: request.body)
        } catch {
            return .error(400, error.description)
        }
        metrics.healthReports += 1
        state.health.recordPush(healthy: report.healthy, reason: report.reason.map { String($0.prefix(200)) },
                                ttl: report.ttlMilliseconds.map { .milliseconds($0) }, at: now)
        reconcileHealth(now: now)
        return .document(200, healthDocument(now: now))
    }

    /// `GET /v1/health`, and `/v1/status` `health`.
    func healthDocument(now: Instant) -> HealthDocument {
        let health = state.health
        let reason = health.reason(at: now)
        return HealthDocument(
            healthy: reason == nil, reason: reason,
            check: options.healthCommand.map { "cmd: \($0)" } ?? options.healthURL.map { "url: http://\($0.endpoint)\($0.path)" },
            checksPassed: health.checks.passed, checksFailed: health.checks.failed,
            push: health.push.map { push in
                HealthDocument.Push(healthy: push.healthy, reason: push.reason,
                                    ttlRemainingMilliseconds: push.expiresAt.map { max(0, ($0 - now).nanoseconds / 1_000_000) })
            },
            stayingWithoutHealthySuccessor: core.role == .leader ? core.unhealthyWithoutSuccessor : nil)
    }
}
