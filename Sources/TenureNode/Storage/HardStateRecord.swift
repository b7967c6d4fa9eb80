import TenureCore

/// The on-disk encoding of `HardState`: short text lines ending in a CRC-32, written in one
/// atomic replacement, so the term, the vote and the configuration can never disagree.
///
/// ```
/// format=2
/// term=42
/// voted-for=n2
/// membership=7,41
/// member=n1,voter,10.0.0.11:7100,10.0.0.11:7200
/// member=n4,non-voter,10.0.0.14:7100,10.0.0.14:7200
/// crc32=1a2b3c4d
/// ```
/// `membership=` is empty (and no member lines follow) until a configuration other than the
/// initial one was stored. Format 1 (no membership lines) is still read. A later format (whose
/// checksum verifies) is refused as written by a newer release, never read as damage.
///
/// Text so an operator can inspect it with `cat` during an incident; versioned so a future format
/// is refused rather than misread; checksummed and parsed strictly (exact keys, order, canonical
/// numbers, nothing after the checksum line) so that any damage is detected, never guessed around.
/// An empty `voted-for` means no vote; it cannot be mistaken for an id, since ids are never empty.
enum HardStateRecord {
    static let formatVersion = 2
    /// Far above any valid record (16 members of at most ~200 bytes each), so a bigger file is damage.
    static let maximumSize = 8192

    /// Why bytes are not a valid record; the reason is shown to the operator.
    struct Corruption: Error, Equatable {
        var reason: String
        /// Set when the record is intact (its checksum verifies) but its format is newer than this
        /// release reads: written by a later release, so the node is being downgraded too far.
        var newerFormat: Int? = nil
    }

    static func encode(_ state: HardState) -> [UInt8] {
        var text = "format=\(formatVersion)\nterm=\(state.term)\nvoted-for=\(state.votedFor?.rawValue ?? "")\n"
        if let entry = state.membership {
            text += "membership=\(entry.index),\(entry.term)\n"
            for member in entry.members {
                text += "member=\(member.id),\(member.voter ? "voter" : "non-voter"),\(member.address),\(member.api)\n"
            }
        } else {
            text += "membership=\n"
        }
        let content = Array(text.utf8)
        return content + Array("crc32=\(hex(StateFileCRC32.checksum(content)))\n".utf8)
    }

    static func decode(_ bytes: [UInt8]) throws(Corruption) -> HardState {
        guard !bytes.isEmpty else { throw Corruption(reason: "empty file") }
        guard bytes.count <= maximumSize else { throw Corruption(reason: "file is \(bytes.count) bytes, larger than any valid record") }
        guard bytes.last == UInt8(ascii: "\n") else { throw Corruption(reason: "truncated: the last line is incomplete") }
        let lines = bytes.dropLast().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count >= 4 else { throw Corruption(reason: "truncated: \(lines.count) of at least 4 lines") }
        let last = lines[lines.count - 1]

        let checksumText = try value(of: "crc32", in: last)
        guard checksumText.count == 8, let stored = UInt32(checksumText, radix: 16), hex(stored) == checksumText else {
            throw Corruption(reason: "malformed checksum line")
        }
        let computed = StateFileCRC32.checksum(bytes[..<last.startIndex])
        guard stored == computed else {
            throw Corruption(reason: "checksum mismatch: stored \(checksumText), computed \(hex(computed))")
        }

        let format = try value(of: "format", in: lines[0])
        if let newer = Int(format), String(newer) == format, newer > formatVersion {
            // Every format keeps this envelope (format= first, crc32= over the rest last), so an
            // intact record of a later format is told apart from damage (docs/compatibility.md).
            throw Corruption(reason: "format \(newer) is newer than this release reads (1 to \(formatVersion))", newerFormat: newer)
        }
        guard format == "1" || format == String(formatVersion) else { throw Corruption(reason: "unsupported format version '\(format)'") }
        if format == "1" {
            guard lines.count == 4 else { throw Corruption(reason: "unexpected data after the checksum line") }
        } else {
            guard lines.count >= 5 else { throw Corruption(reason: "truncated: no membership line") }
        }
        let termText = try value(of: "term", in: lines[1])
        guard let term = UInt64(termText), String(term) == termText else {
            throw Corruption(reason: "invalid term '\(termText)'")
        }
        let vote = try value(of: "voted-for", in: lines[2])
        var votedFor: NodeID?
        if !vote.isEmpty {
            guard NodeID.isValid(vote) else { throw Corruption(reason: "invalid node id '\(vote)' in voted-for") }
            votedFor = NodeID(vote)
        }
        guard format == String(formatVersion) else { return HardState(term: term, votedFor: votedFor) }
        return HardState(term: term, votedFor: votedFor, membership: try membership(lines[3..<(lines.count - 1)]))
    }

    /// The `membership=` line and the member lines after it.
    private static func membership(_ lines: ArraySlice<ArraySlice<UInt8>>) throws(Corruption) -> MembershipConfiguration? {
        let header = try value(of: "membership", in: lines[lines.startIndex])
        if header.isEmpty {
            guard lines.count == 1 else { throw Corruption(reason: "member lines without a membership entry") }
            return nil
        }
        let numbers = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard numbers.count == 2, let index = UInt64(numbers[0]), String(index) == numbers[0],
              let term = UInt64(numbers[1]), String(term) == numbers[1] else {
            throw Corruption(reason: "invalid membership line '\(header)'")
        }
        var members: [Member] = []
        for line in lines.dropFirst() {
            let fields = try value(of: "member", in: line).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, NodeID.isValid(fields[0]), fields[1] == "voter" || fields[1] == "non-voter",
                  !fields[2].isEmpty, !fields[2].contains(" "), !fields[3].contains(" ") else {
                throw Corruption(reason: "invalid member line")
            }
            guard !members.contains(where: { $0.id.rawValue == fields[0] }) else { throw Corruption(reason: "member \(fields[0]) appears twice") }
            members.append(Member(id: NodeID(fields[0]), address: fields[2], api: fields[3], voter: fields[1] == "voter"))
        }
        guard members.contains(where: \.voter) else { throw Corruption(reason: "a membership entry without a voter") }
        return MembershipConfiguration(index: index, term: term, members: members)
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
