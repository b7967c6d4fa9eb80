import TenureCore

/// Decides which `--on-elected` / `--on-demoted` runs a role change calls for, and bounds how
/// many may be queued: the shell's hook thread only runs what this returns.
///
/// Hooks are notifications, not fences: by the time one runs the role may have changed again.
/// A node that flaps faster than its hooks finish drops (and counts) further runs rather than
/// building an unbounded backlog of stale notifications.
public struct HookQueue: Sendable {
    public enum Hook: String, Sendable, CaseIterable {
        case elected = "on_elected"
        case demoted = "on_demoted"

        public var flag: String { self == .elected ? "--on-elected" : "--on-demoted" }
    }

    /// One queued run: which hook, for which term, with the variables the script sees.
    public struct Invocation: Sendable, Equatable {
        public var hook: Hook
        public var term: UInt64
        public var environment: [String: String]

        public init(hook: Hook, term: UInt64, environment: [String: String]) {
            self.hook = hook
            self.term = term
            self.environment = environment
        }
    }

    public enum Decision: Equatable, Sendable {
        case none
        case run(Invocation)
        /// Too many runs are queued: this one is skipped (log and count it).
        case dropped(hook: Hook, term: UInt64, queued: Int)
    }

    public static let maximumQueued = 16
    /// The hooks that were given a command.
    public let configured: Set<Hook>
    /// Runs queued and not yet reported finished.
    public private(set) var inFlight = 0

    public init(configured: Set<Hook>) { self.configured = configured }

    /// The run `event` calls for: becoming leader runs `--on-elected`, leaving leadership runs
    /// `--on-demoted`; nothing else runs anything.
    public mutating func decide(for event: Event, selfID: NodeID, leader: NodeID?) -> Decision {
        guard case .roleChanged(let from, let to, let term, let reason) = event else { return .none }
        let hook: Hook
        if to == .leader {
            hook = .elected
        } else if from == .leader {
            hook = .demoted
        } else {
            return .none
        }
        guard configured.contains(hook) else { return .none }
        guard inFlight < Self.maximumQueued else { return .dropped(hook: hook, term: term, queued: inFlight) }
        inFlight += 1
        return .run(Invocation(hook: hook, term: term, environment: [
            "TENURE_NODE_ID": selfID.rawValue,
            "TENURE_HOOK": hook.rawValue,
            "TENURE_TERM": String(term),
            "TENURE_ROLE": to.rawValue,
            "TENURE_LEADER": (to == .leader ? selfID : leader)?.rawValue ?? "",
            "TENURE_CAUSE": reason.rawValue,
        ]))
    }

    /// One run finished (whatever its outcome).
    public mutating func finished() {
        precondition(inFlight > 0, "a hook run finished that was never queued")
        inFlight -= 1
    }
}
