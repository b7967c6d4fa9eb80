import TenureCore
import TenurePOSIX
import TenureWire

/// The connections of one flood (`peer-traffic idle` and `hello-flood`), with counts of what
/// happened to them, for cluster/e2e-security's ports-that-cannot-be-starved checks.
///
/// Connections go round-robin over the targets. `duration` keeps opening new ones as fast as
/// possible for that long (up to `count`, unlimited then by default); `keep` holds at most that
/// many (the oldest is closed first; also when the process runs out of descriptors); `reopen`
/// replaces each one the node closes while held, so that `count` stay open; `hold` counts from
/// the start. SIGTERM or SIGINT ends a flood early, with its counts.
struct PeerFlood {
    var kind: String
    var source: String
    var targets: [SocketAddress]
    var count: Int
    var duration: Interval?
    var hold: Interval
    var keep: Int
    var reopen: Bool
    /// What each connection sends first (a hello for hello-flood; nothing for idle).
    var firstBytes: () -> [UInt8]

    private var held: [Int32] = []   // oldest first
    private var opened = 0, failed = 0, closedByNode = 0, dropped = 0
    private var nextTarget = 0

    init(kind: String, source: String, targets: [SocketAddress], count: Int, duration: Interval?, hold: Interval, keep: Int,
         reopen: Bool, firstBytes: @escaping () -> [UInt8]) {
        self.kind = kind
        self.source = source
        self.targets = targets
        self.count = count
        self.duration = duration
        self.hold = hold
        self.keep = keep
        self.reopen = reopen
        self.firstBytes = firstBytes
    }

    /// Runs the flood and prints its one line of counts.
    mutating func run() {
        ProcessEnvironment.raiseDescriptorLimit()
        let signals = (try? SignalPipe.install([.terminate, .interrupt])) ?? -1
        let start = MonotonicClock.now()
        let holdUntil = start + hold
        let openUntil = duration.map { start + $0 }
        let limit = count > 0 ? count : (openUntil == nil ? 1 : Int.max)
        var attempts = 0
        var stopped = false
        while !stopped, attempts < limit, openUntil.map({ MonotonicClock.now() < $0 }) ?? true {
            attempts += 1
            openOne()
            if attempts % 64 == 0 {
                _ = reap(timeoutMilliseconds: 0)
                stopped = signals >= 0 && !SignalPipe.drain(signals).isEmpty
            }
        }
        while !stopped, MonotonicClock.now() < holdUntil {
            let gone = reap(timeoutMilliseconds: 50, signals: signals, stopped: &stopped)
            if reopen { for _ in 0..<gone { openOne() } }
        }
        _ = reap(timeoutMilliseconds: 0)
        let seconds = Double((MonotonicClock.now() - start).nanoseconds) / 1e9
        let tenths = (seconds * 10).rounded() / 10
        print("\(kind) from \(source) to \(targets.map(\.description).joined(separator: ",")): opened \(opened) connections in \(tenths) s "
              + "(\(failed) failed to connect, \(closedByNode) closed by the node, \(dropped) dropped by us, \(held.count) still open)")
        ProcessEnvironment.flushOutput()
        for fd in held { Descriptor.close(fd) }
    }

    /// Opens one connection to the next target; when descriptors run out, drops the oldest and
    /// tries once more.
    private mutating func openOne() {
        let target = targets[nextTarget % targets.count]
        nextTarget += 1
        var connection: PeerConnection?
        for _ in 0..<2 {
            do {
                connection = try PeerConnection.open(from: source, to: target, timeoutMilliseconds: 1000, portPerDestination: true)
                break
            } catch {
                if error.outOfResources, dropOldest() { continue }
                break
            }
        }
        guard let connection else {
            failed += 1
            return
        }
        opened += 1
        let bytes = firstBytes()
        if !bytes.isEmpty { connection.send(bytes) }
        held.append(connection.fd)
        if keep > 0, held.count > keep { _ = dropOldest() }
    }

    private mutating func dropOldest() -> Bool {
        guard !held.isEmpty else { return false }
        Descriptor.close(held.removeFirst())
        dropped += 1
        return true
    }

    /// Forgets the connections the node closed (what they sent first is dropped); returns how many.
    private mutating func reap(timeoutMilliseconds: Int32) -> Int {
        var stopped = false
        return reap(timeoutMilliseconds: timeoutMilliseconds, signals: -1, stopped: &stopped)
    }

    private mutating func reap(timeoutMilliseconds: Int32, signals: Int32, stopped: inout Bool) -> Int {
        var set = PollSet()
        for fd in held { set.add(fd, .readable) }
        if signals >= 0 { set.add(signals, .readable) }
        guard (try? set.wait(timeoutMilliseconds: timeoutMilliseconds)) ?? 0 > 0 else { return 0 }
        if signals >= 0, !set.events(at: held.count).isEmpty, !SignalPipe.drain(signals).isEmpty { stopped = true }
        var gone: Set<Int32> = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        for (index, fd) in held.enumerated() where !set.events(at: index).isEmpty {
            switch Descriptor.read(fd, into: &buffer) {
            case .bytes, .wouldBlock: continue   // a challenge or a refusal; the close comes later
            case .closed, .failed: gone.insert(fd)
            }
        }
        guard !gone.isEmpty else { return 0 }
        for fd in gone { Descriptor.close(fd) }
        held.removeAll { gone.contains($0) }
        closedByNode += gone.count
        return gone.count
    }
}
