import Synchronization

/// A flag one thread sets and another polls: how a consumer that stopped listening tells the
/// thread reading an event stream to close it.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
