import Foundation
import Glibc
import Testing

@testable import TenureCore
@testable import TenureNode
import TenureRelease

/// The state files of every supported format, byte for byte as releases wrote them
/// (Tests/TenureNodeTests/Golden/state, docs/compatibility.md): today's decoder must read each,
/// today's encoder must write exactly the format-2 bytes, and a later format must be refused as
/// a downgrade, with one clear line and the file left untouched.
@Suite struct HardStateGoldenTests {
    private static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/state").path

    private func golden(_ name: String) throws -> [UInt8] {
        let data = try #require(FileManager.default.contents(atPath: Self.folder + "/" + name), "missing golden file \(name)")
        return Array(data)
    }

    private static let membership = MembershipConfiguration(index: 7, term: 41, members: [
        Member(id: "n1", address: "10.0.0.11:7100", api: "10.0.0.11:7200", voter: true),
        Member(id: "n4", address: "10.0.0.14:7100", api: "10.0.0.14:7200", voter: false),
    ])

    /// Every golden file this release reads, with the state it holds.
    private static let readable: [(String, HardState)] = [
        ("format-1-vote", HardState(term: 42, votedFor: "n2")),
        ("format-1-no-vote", HardState(term: 7, votedFor: nil)),
        ("format-2-initial-configuration", HardState(term: 42, votedFor: "n2")),
        ("format-2-no-vote", HardState(term: UInt64.max, votedFor: nil)),
        ("format-2-membership", HardState(term: 42, votedFor: "n2", membership: membership)),
    ]

    @Test("every checked-in file of formats 1 and 2 decodes to the state it holds")
    func decodesEveryFormat() throws {
        for (name, state) in Self.readable {
            #expect(try HardStateRecord.decode(try golden(name)) == state, "\(name)")
        }
    }

    @Test("today's encoder writes exactly the format-2 golden bytes")
    func encodesFormat2Exactly() throws {
        #expect(HardStateRecord.formatVersion == 2, "a new format needs golden files of its own (Golden/README.md)")
        for (name, state) in Self.readable where name.hasPrefix("format-2-") {
            #expect(HardStateRecord.encode(state) == (try golden(name)), "\(name)")
        }
    }

    @Test("a format-1 file loads through the store and is rewritten as format 2 on the next save, never before")
    func format1UpgradesOnSave() throws {
        try withTemporaryDirectory { directory in
            let store = try HardStateStore(directory: directory)
            let old = try golden("format-1-vote")
            #expect(FileManager.default.createFile(atPath: store.path, contents: Data(old)))
            #expect(try store.load() == HardState(term: 42, votedFor: "n2"))
            #expect(Array(FileManager.default.contents(atPath: store.path) ?? Data()) == old, "loading must not rewrite the file")
            try store.save(HardState(term: 43, votedFor: nil))
            let text = String(decoding: FileManager.default.contents(atPath: store.path) ?? Data(), as: UTF8.self)
            #expect(text.hasPrefix("format=2\nterm=43\nvoted-for=\nmembership=\ncrc32="))
        }
    }

    @Test("an intact file of a later format (format=3) is refused as a downgrade, in one line, and left untouched")
    func refusesLaterFormat() throws {
        let future = try golden("format-3-future")
        let error = #expect(throws: HardStateRecord.Corruption.self) { try HardStateRecord.decode(future) }
        #expect(error?.newerFormat == 3)
        #expect(error?.reason == "format 3 is newer than this release reads (1 to 2)")
        try withTemporaryDirectory { directory in
            let store = try HardStateStore(directory: directory)
            #expect(FileManager.default.createFile(atPath: store.path, contents: Data(future)))
            let thrown = #expect(throws: HardStateStoreError.self) { try store.load() }
            #expect(thrown == .newerFormat(path: store.path, format: 3))
            let line = thrown?.description ?? ""
            #expect(!line.contains("\n"))
            #expect(line == "state file \(store.path) has format 3, written by a newer release of Tenure; release \(TenureRelease.release) reads formats 1 to 2: refusing to start and leaving the file untouched; run a release that reads format 3 (docs/compatibility.md)")
            #expect(!line.contains("corrupt") && !line.contains("remove"), "a downgrade is not damage: never advise removing the data")
            #expect(Array(FileManager.default.contents(atPath: store.path) ?? Data()) == future, "the file was modified")
            #expect(!FileManager.default.fileExists(atPath: store.path + ".tmp"))
        }
    }

    @Test("a later format whose checksum does not verify is damage, not a downgrade")
    func damagedLaterFormatIsCorrupt() throws {
        var future = try golden("format-3-future")
        future[10] ^= 0x01  // inside "term=43"
        let error = #expect(throws: HardStateRecord.Corruption.self) { try HardStateRecord.decode(future) }
        #expect(error?.newerFormat == nil)
        #expect(error?.reason.hasPrefix("checksum mismatch") == true)
        // A flipped bit that turns format=2 into format=3 is caught the same way.
        var flipped = try golden("format-2-membership")
        flipped[7] ^= 0x01
        #expect(String(decoding: flipped.prefix(8), as: UTF8.self) == "format=3")
        let flippedError = #expect(throws: HardStateRecord.Corruption.self) { try HardStateRecord.decode(flipped) }
        #expect(flippedError?.newerFormat == nil)
    }

    @Test("far-future and absurd format numbers")
    func otherFormats() throws {
        func signed(_ body: String) -> [UInt8] {
            let bytes = Array(body.utf8)
            return bytes + Array("crc32=\(String(format8: StateFileCRC32.checksum(bytes)))\n".utf8)
        }
        #expect(throws: HardStateRecord.Corruption(reason: "format 17 is newer than this release reads (1 to 2)", newerFormat: 17)) {
            try HardStateRecord.decode(signed("format=17\nanything=at all\nx=y\n"))
        }
        for format in ["0", "-1", "2x", "99999999999999999999999", ""] {
            let error = #expect(throws: HardStateRecord.Corruption.self, "\(format)") {
                try HardStateRecord.decode(signed("format=\(format)\nterm=1\nvoted-for=\nmembership=\n"))
            }
            #expect(error?.newerFormat == nil, "\(format)")
            #expect(error?.reason == "unsupported format version '\(format)'", "\(format)")
        }
    }

    private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        var template = Array("/tmp/tenure-golden-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let directory = try #require(created.map { String(cString: $0) })
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }
}
