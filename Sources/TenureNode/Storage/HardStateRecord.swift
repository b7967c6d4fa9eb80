import TenureCore

/// The on-disk encoding of `HardState`: four short text lines ending in a CRC-32.
///
/// ```
/// format=1
/// term=42
/// voted-for=n2
/// crc32=1a2b3c4d
/// ```
///
/// Text so an operator can inspect it with `cat` during an incident; versioned so a future format
/// is refused rather than misread; checksummed and parsed strictly (exact keys, order, canonical
/// numbers, nothing after the checksum line) so that any damage is detected, never guessed around.
/// An empty `voted-for` means no vote; it cannot be mistaken for an id, since ids are never empty.
enum HardStateRecord {
    static let formatVersion = 1
    /// Far above any valid record (ids are at most 64 bytes), so a bigger file is damage.
    static let maximumSize = 512

    /// Why bytes are not a valid record; the reason is shown to the operator.
    struct Corruption: Error, Equatable {
        var reason: String
    }

    static func encode(_ state: HardState) -> [UInt8] {
        let content = Array("format=\(formatVersion)\nterm=\(state.term)\nvoted-for=\(state.votedFor?.rawValue ?? "")\n".utf8)
        return content + Array("crc32=\(hex(StateFileCRC32.checksum(content)))\n".utf8)
    }

    static func decode(_ bytes: [UInt8]) throws(Corruption) -> HardState {
        guard !bytes.isEmpty else { throw Corruption(reason: "empty file") }
        guard bytes.count <= maximumSize else { throw Corruption(reason: "file is \(bytes.count) bytes, larger than any valid record") }
        guard bytes.last == UInt8(ascii: "\n") else { throw Corruption(reason: "truncated: the last line is incomplete") }
        let lines = bytes.dropLast().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count >= 4 else { throw Corruption(reason: "truncated: \(lines.count) of 4 lines") }
        guard lines.count == 4 else { throw Corruption(reason: "unexpected data after the checksum line") }

        let checksumText = try value(of: "crc32", in: lines[3])
        guard checksumText.count == 8, let stored = UInt32(checksumText, radix: 16), hex(stored) == checksumText else {
            throw Corruption(reason: "malformed checksum line")
        }
        let computed = StateFileCRC32.checksum(bytes[..<lines[3].startIndex])
        guard stored == computed else {
            throw Corruption(reason: "checksum mismatch: stored \(checksumText), computed \(hex(computed))")
        }

        let format = try value(of: "format", in: lines[0])
        guard format == String(formatVersion) else { throw Corruption(reason: "unsupported format version '\(format)'") }
        let termText = try value(of: "term", in: lines[1])
        guard let term = UInt64(termText), String(term) == termText else {
            throw Corruption(reason: "invalid term '\(termText)'")
        }
        let vote = try value(of: "voted-for", in: lines[2])
        if vote.isEmpty { return HardState(term: term, votedFor: nil) }
        guard NodeID.isValid(vote) else { throw Corruption(reason: "invalid node id '\(vote)' in voted-for") }
        return HardState(term: term, votedFor: NodeID(vote))
    }

    /// The text after `key=` on `line`, or a corruption naming the expected key.
    private static func value(of key: String, in line: ArraySlice<UInt8>) throws(Corruption) -> String {
        let prefix = Array("\(key)=".utf8)
        guard line.starts(with: prefix) else { throw Corruption(reason: "expected a '\(key)=' line") }
        let value = line.dropFirst(prefix.count)
        guard value.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw Corruption(reason: "non-printable bytes in the '\(key)' line")
        }
        return String(decoding: value, as: UTF8.self)
    }

    /// Eight lowercase hex digits.
    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
