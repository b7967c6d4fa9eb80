import TenureCore

/// SIGTERM or SIGINT: a follower exits at once; a leader gives up its lease, hands over, and
/// waits briefly for its successor before exiting, so clients see the new leader at once.
public struct ShutdownSequence: Sendable {
    public enum State: Equatable, Sendable {
        case running
        /// Resigned; waiting for the successor to be elected before exiting.
        case draining(startTerm: UInt64, deadline: Instant)
        case finished
    }

    public private(set) var state: State = .running

    public init() {}

    public var isFinished: Bool { state == .finished }

    /// What the shell must do for a signal.
    public enum Step: Equatable, Sendable {
        /// Not the leader: exit now.
        case exit
        /// The leader: resign (core), then report the outcome with `resigned`.
        case resign
        /// A second signal while handing over: exit now.
        case exitNow
        case ignore
    }

    public mutating func signalled(isLeader: Bool) -> Step {
        switch state {
        case .running:
            if isLeader { return .resign }
            state = .finished
            return .exit
        case .draining:
            state = .finished
            return .exitNow
        case .finished:
            return .ignore
        }
    }

    /// The resign was done; with a successor told to campaign, wait for it until `deadline`.
    public mutating func resigned(handedOver: Bool, startTerm: UInt64, deadline: Instant) {
        state = handedOver ? .draining(startTerm: startTerm, deadline: deadline) : .finished
    }

    /// How the drain ended, for the log.
    public enum Ending: Equatable, Sendable {
        case handedTo(NodeID, term: UInt64)
        case noSuccessor
    }

    /// While draining: finished once another node leads a later term, or at the deadline.
    public mutating func turn(term: UInt64, leader: NodeID?, selfID: NodeID, at now: Instant) -> Ending? {
        guard case .draining(let startTerm, let deadline) = state else { return nil }
        if term > startTerm, let leader, leader != selfID {
            state = .finished
            return .handedTo(leader, term: term)
        }
        if now >= deadline {
            state = .finished
            return .noSuccessor
        }
        return nil
    }

    public var nextDeadline: Instant? {
        if case .draining(_, let deadline) = state { return deadline }
        return nil
    }
}
