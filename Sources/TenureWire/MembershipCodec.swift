import TenureCore

/// The members of a configuration on the wire: a count, then per member its id, a voter flag,
/// and its peer and API addresses as short text. Bounded so that no input can make a node
/// buffer much: at most `maximumMembers` members, each address at most 64 bytes.
enum MembershipCodec {
    static let maximumMembers = 16
    static let maximumAddressBytes = 64
    static let voterFlag: UInt8 = 1 << 0

    static func appendMembers(_ members: [Member], to frame: inout [UInt8]) {
        precondition(members.count <= maximumMembers, "at most \(maximumMembers) members")
        frame.append(UInt8(members.count))
        for member in members {
            FrameCodec.appendNodeID(member.id, to: &frame)
            frame.append(member.voter ? voterFlag : 0)
            appendAddress(member.address, to: &frame)
            appendAddress(member.api, to: &frame)
        }
    }

    static func readMembers(_ reader: inout ByteReader) throws(WireError) -> [Member] {
        let count = Int(try reader.readUInt8(field: "member count"))
        guard count <= maximumMembers else { throw .malformed("\(count) members, more than \(maximumMembers)") }
        var members: [Member] = []
        for _ in 0..<count {
            let id = try FrameCodec.readNodeID(&reader, field: "member id")
            let flags = try reader.readUInt8(field: "member flags")
            guard flags & ~voterFlag == 0 else { throw .malformed("unknown member flag bits 0x\(String(flags, radix: 16))") }
            let address = try readAddress(&reader, field: "member address")
            let api = try readAddress(&reader, field: "member api")
            guard !members.contains(where: { $0.id == id }) else { throw .malformed("member \(id) appears twice") }
            members.append(Member(id: id, address: address, api: api, voter: flags & voterFlag != 0))
        }
        guard members.contains(where: \.voter) else { throw .malformed("a configuration without a voter") }
        return members
    }

    private static func appendAddress(_ text: String, to frame: inout [UInt8]) {
        let bytes = Array(text.utf8.prefix(maximumAddressBytes))
        frame.append(UInt8(bytes.count))
        frame += bytes
    }

    /// Printable ASCII only: addresses are `HOST:PORT`.
    private static func readAddress(_ reader: inout ByteReader, field: String) throws(WireError) -> String {
        let length = Int(try reader.readUInt8(field: "\(field) length"))
        guard length <= maximumAddressBytes else { throw .malformed("\(field) of \(length) bytes") }
        let bytes = try reader.readBytes(length, field: field)
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .malformed("\(field) is not printable ASCII") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
