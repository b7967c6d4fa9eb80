/// Incremental parser for a `text/event-stream` body (the WHATWG Server-Sent Events format).
///
/// Kept apart from the socket code (`HTTPClient.streamEvents` in TenureHTTP) so the line and
/// field rules (CR, LF or CRLF line ends, `:` comments, one optional space after the colon,
/// multi-line `data`) can be tested on plain bytes.
package struct HTTPEventParser: Sendable {
    /// One dispatched event: its `data` lines joined with LF, and its `id` if the event set one.
    package struct Event: Equatable, Sendable {
        package var id: String?
        package var data: String

        package init(id: String?, data: String) {
            self.id = id
            self.data = data
        }
    }

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var id: String?
    /// A CR ended the previous line, so an LF right after it is the same line end.
    private var afterCR = false

    package init() {}

    /// Consumes `bytes` and returns the events they complete, in order.
    package mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == HTTPASCII.lf, afterCR {
                afterCR = false
                continue
            }
            afterCR = byte == HTTPASCII.cr
            if byte == HTTPASCII.lf || byte == HTTPASCII.cr {
                if let event = finishLine() { events.append(event) }
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func finishLine() -> Event? {
        guard !line.isEmpty else {
            // A blank line dispatches the event; an event without data is dropped, per the spec.
            defer {
                data.removeAll(keepingCapacity: true)
                hasData = false
                id = nil
            }
            guard hasData else { return nil }
            return Event(id: id, data: String(decoding: data, as: UTF8.self))
        }
        if line.first == HTTPASCII.colon { return nil }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: HTTPASCII.colon) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == HTTPASCII.space { value = value.dropFirst() }
        } else {
            name = line[...]
            value = []
        }
        if name.elementsEqual("data".utf8) {
            if hasData { data.append(HTTPASCII.lf) }
            data.append(contentsOf: value)
            hasData = true
        } else if name.elementsEqual("id".utf8), !value.contains(0) {
            id = String(decoding: value, as: UTF8.self)
        }
        return nil
    }
}
