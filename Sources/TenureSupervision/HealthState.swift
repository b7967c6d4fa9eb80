import TenureCore

/// What the node believes about its application's health, from its own checks and from the
/// application's reports.
///
/// Pulled checks pass through hysteresis (`rise` passes in a row to become healthy, `fall`
/// failures in a row to become unhealthy, as keepalived and Consul do), so one slow check does
/// not move leadership. A pushed report holds until its TTL passes; an expired report counts as
/// unhealthy: the application stopped saying it is alive. The node is healthy only when both
/// agree (a source that was never used counts as healthy).
public struct HealthState: Sendable {
    public let rise: Int
    public let fall: Int
    public private(set) var pullHealthy = true
    public private(set) var pullReason: String?
    private var passesInARow = 0
    private var failuresInARow = 0
    public private(set) var checks = (passed: 0, failed: 0)

    /// The application's latest report, and until when it holds.
    public private(set) var push: (healthy: Bool, reason: String?, expiresAt: Instant?)?

    public init(rise: Int, fall: Int) {
        precondition(rise >= 1 && fall >= 1, "rise and fall count at least one check")
        self.rise = rise
        self.fall = fall
    }

    /// Records one pulled check; true when the pulled verdict changed.
    public mutating func recordCheck(passed: Bool, detail: String) -> Bool {
        let before = pullHealthy
        if passed {
            checks.passed += 1
            passesInARow += 1
            failuresInARow = 0
            if !pullHealthy && passesInARow >= rise { pullHealthy = true; pullReason = nil }
        } else {
            checks.failed += 1
            failuresInARow += 1
            passesInARow = 0
            if pullHealthy && failuresInARow >= fall { pullHealthy = false; pullReason = detail }
            if !pullHealthy { pullReason = detail }
        }
        return before != pullHealthy
    }

    /// Records the application's own report; `ttl` nil means it holds until the next one.
    public mutating func recordPush(healthy: Bool, reason: String?, ttl: Interval?, at now: Instant) {
        push = (healthy, reason, ttl.map { now + $0 })
    }

    /// When the pushed report runs out, if it does.
    public var pushExpiresAt: Instant? { push?.expiresAt }

    public func isHealthy(at now: Instant) -> Bool { reason(at: now) == nil }

    /// Why the node is unhealthy, or nil when it is healthy.
    public func reason(at now: Instant) -> String? {
        if !pullHealthy { return "check failed: \(pullReason ?? "unknown")" }
        if let push {
            if let expiresAt = push.expiresAt, now >= expiresAt { return "no health report within its ttl" }
            if !push.healthy { return "application reports: \(push.reason ?? "unhealthy")" }
        }
        return nil
    }

    /// The verdict the core was last told, to tell it again only when it changes.
    public private(set) var toldCore = true

    /// A change of verdict the core must hear: `updateHealth(healthy)`, logged with `reason`.
    public struct Change: Equatable, Sendable {
        public var healthy: Bool
        public var reason: String?
    }

    /// Compares the verdict at `now` (a check, a push, or a push's TTL running out) with what
    /// the core was last told; returns the change to tell it, if any.
    public mutating func reconcile(at now: Instant) -> Change? {
        let healthy = isHealthy(at: now)
        guard healthy != toldCore else { return nil }
        toldCore = healthy
        return Change(healthy: healthy, reason: reason(at: now))
    }

    /// When `reconcile` next has work without any new input: a push's TTL running out.
    public func nextDeadline(after now: Instant) -> Instant? {
        guard let expiry = pushExpiresAt, expiry > now else { return nil }
        return expiry
    }
}
