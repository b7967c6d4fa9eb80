/// Incremental decoder for `Transfer-Encoding: chunked` response bodies.
///
/// The node answers with `Content-Length`, but event streams have no known length and a proxy or a
/// future server may chunk them; decoding incrementally lets `HTTPClient.streamEvents` (TenureHTTP)
/// hand each event over as soon as its chunk arrives. Pure bytes in, bytes out, so it is tested
/// without a socket.
package struct HTTPChunkedDecoder: Sendable {
    private enum State: Sendable {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    private var state = State.sizeLine
    private var line: [UInt8] = []

    package init() {}

    /// True once the terminating zero-size chunk and its trailer have been read.
    package var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    /// Decodes `input`, appending body bytes to `output`. Bytes after the end of the body are ignored.
    package mutating func feed(_ input: ArraySlice<UInt8>, into output: inout [UInt8]) throws(HTTPChunkedError) {
        var index = input.startIndex
        while index < input.endIndex {
            switch state {
            case .done:
                return
            case .data(let remaining):
                let take = min(remaining, input.endIndex - index)
                output.append(contentsOf: input[index..<(index + take)])
                index += take
                state = remaining == take ? .dataEnd : .data(remaining: remaining - take)
            case .sizeLine, .dataEnd, .trailer:
                let byte = input[index]
                index += 1
                guard byte == HTTPASCII.lf else {
                    line.append(byte)
                    guard line.count <= 4096 else { throw HTTPChunkedError("chunk header line too long") }
                    continue
                }
                if line.last == HTTPASCII.cr { line.removeLast() }
                try finishLine()
                line.removeAll(keepingCapacity: true)
            }
        }
    }

    private mutating func finishLine() throws(HTTPChunkedError) {
        switch state {
        case .sizeLine:
            // The size is hex, optionally followed by `;extensions`, which are ignored.
            let digits = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != HTTPASCII.space && $0 != HTTPASCII.tab }
            guard !digits.isEmpty, digits.count <= 15 else { throw HTTPChunkedError("invalid chunk size") }
            var size = 0
            for digit in digits {
                guard let value = HTTPASCII.hexValue(digit) else { throw HTTPChunkedError("invalid chunk size") }
                size = size << 4 | Int(value)
            }
            state = size == 0 ? .trailer : .data(remaining: size)
        case .dataEnd:
            guard line.isEmpty else { throw HTTPChunkedError("chunk data not followed by a line break") }
            state = .sizeLine
        case .trailer:
            if line.isEmpty { state = .done }
        case .data, .done:
            break
        }
    }
}

/// Why a chunked body could not be decoded; the client reports `detail` as a malformed response.
package struct HTTPChunkedError: Error, Equatable, Sendable {
    package var detail: String
    package init(_ detail: String) { self.detail = detail }
}
