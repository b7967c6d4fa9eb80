import Synchronization
import TenurePOSIX

/// The exit status of `tenure watch`, handed from the task that reads the stream to the main
/// thread that waits for it (the CLI has no run loop to park on).
final class WatchResult: Sendable {
    private let status = Mutex<Int32?>(nil)

    func finish(_ value: Int32) { status.withLock { $0 = value } }

    /// Waits until `finish` was called; checks every 20 ms.
    func wait() -> Int32 {
        while true {
            if let value = status.withLock({ $0 }) { return value }
            MonotonicClock.sleep(for: .milliseconds(20))
        }
    }
}
