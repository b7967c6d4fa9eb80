import TenureCore
import TenurePOSIX

/// Durable storage of a node's term and vote, as the runtime needs it.
///
/// A protocol so that the runtime's persist-before-send rule can be tested with a store that
/// records the order of operations or fails on demand; production uses `HardStateStore`.
public protocol HardStateStorage: AnyObject {
    /// Where the state lives, for messages.
    var location: String { get }
    /// The saved state, or nil when none was ever saved.
    func load() throws(HardStateStoreError) -> HardState?
    /// Makes `state` durable; when this returns, it survives a crash.
    func save(_ state: HardState) throws(HardStateStoreError)
}

/// An in-memory `HardStateStorage` for tests: it keeps every saved state in order and can be
/// told to fail the next saves, as a full disk would.
public final class InMemoryHardStateStore: HardStateStorage {
    public private(set) var saved: [HardState] = []
    /// How many of the next saves fail with `ENOSPC`.
    public var failingSaves = 0
    /// Called at the start of every save, before it succeeds or fails (for order checks).
    public var onSave: ((HardState) -> Void)?
    private let initial: HardState?

    public init(initial: HardState? = nil) { self.initial = initial }

    public var location: String { "memory" }

    public func load() throws(HardStateStoreError) -> HardState? { saved.last ?? initial }

    public func save(_ state: HardState) throws(HardStateStoreError) {
        onSave?(state)
        if failingSaves > 0 {
            failingSaves -= 1
            throw .writeFailed(path: location, step: "write", errno: SystemError.noSpace)
        }
        saved.append(state)
    }
}
