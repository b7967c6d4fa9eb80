import Synchronization
import TenurePOSIX

/// Results handed from a background thread to the poll loop: a locked list, plus one byte on a
/// pipe per result so the loop wakes in `poll` instead of checking on a timer.
///
/// The loop owns everything else in the node; background threads touch nothing but this.
final class Mailbox<Item: Sendable>: Sendable {
    /// The loop polls this descriptor for readability.
    let readEnd: Int32
    private let writeEnd: Int32
    private let items = Mutex<[Item]>([])

    init() throws(SystemError) {
        let ends = try Descriptor.pipe()
        readEnd = ends.read
        writeEnd = ends.write
    }

    /// From a background thread: hands one item to the loop and wakes it.
    func post(_ item: Item) {
        items.withLock { $0.append(item) }
        Descriptor.writeAll(writeEnd, [1])
    }

    /// On the loop: everything posted since the last call, oldest first.
    func drain() -> [Item] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while case .bytes = Descriptor.read(readEnd, into: &buffer) {}
        return items.withLock { list in
            defer { list = [] }
            return list
        }
    }
}
