import TenureCore
import TenureEvents
import TenurePOSIX

/// The node's JSON-lines event log (`--event-log FILE`): one `EventRecord` per decision, stamped
/// with `CLOCK_MONOTONIC` nanoseconds so the partition suite can line up nodes on one machine.
///
/// This is the record the history checker reads; it says what the node did, not why a human
/// should care (that is the plain log's job). The schema lives in TenureEvents, next to the
/// readers' decoder, so writer and readers cannot drift apart.
final class EventLog {
    private let fd: Int32
    let node: NodeID
    /// A random id per process start, so restarts are told apart in one file.
    let boot: String
    /// How long each record took to encode and write (`tenure_event_log_write_seconds`): the log
    /// is written on the loop thread, so this is time no message was handled.
    private(set) var latency = Metrics.LatencySummary()
    /// The longest single write so far.
    private(set) var slowest = Interval.zero

    init(path: String, node: NodeID, boot: String) throws(SystemError) {
        self.fd = try Files.openForAppending(path)
        self.node = node
        self.boot = boot
    }

    deinit { Descriptor.close(fd) }

    /// Writes one record of `kind`; `fill` sets its fields. One write(2) per line (O_APPEND).
    func write(_ kind: EventKind, at instant: Instant, _ fill: (inout EventRecord) -> Void) {
        var record = EventRecord(ts: instant.nanoseconds, node: node.rawValue, boot: boot, kind: kind)
        fill(&record)
        write(record)
    }

    /// Writes a core event.
    func write(_ event: Event, at instant: Instant) {
        write(EventRecord(event, ts: instant.nanoseconds, node: node.rawValue, boot: boot))
    }

    private func write(_ record: EventRecord) {
        let started = MonotonicClock.now()
        Descriptor.writeAll(fd, Array((record.jsonLine + "\n").utf8))
        let took = MonotonicClock.now() - started
        latency.observe(took)
        slowest = max(slowest, took)
    }
}
