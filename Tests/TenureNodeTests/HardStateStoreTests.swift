import Foundation
import Glibc
import Testing

@testable import TenureCore
@testable import TenureNode

/// Durability and corruption handling of the term-and-vote file.
@Suite struct HardStateStoreTests {
    /// A fresh directory under /tmp, removed when `body` returns.
    private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        var template = Array("/tmp/tenure-hardstate-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let directory = try #require(created.map { String(cString: $0) })
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    private func contents(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    private func write(_ bytes: [UInt8], to path: String) {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }

    @Test("a saved state loads back identically, with and without a vote")
    func roundTrip() throws {
        try withTemporaryDirectory { directory in
            let store = try HardStateStore(directory: directory)
            try store.save(HardState(term: 7, votedFor: NodeID("n2")))
            #expect(try store.load() == HardState(term: 7, votedFor: NodeID("n2")))
            try store.save(HardState(term: UInt64.max, votedFor: nil))
            #expect(try store.load() == HardState(term: UInt64.max, votedFor: nil))
            #expect(!FileManager.default.fileExists(atPath: directory + "/state.tmp"))
        }
    }

    @Test("a missing state file means a fresh node")
    func missingFile() throws {
        try withTemporaryDirectory { directory in
            let store = try HardStateStore(directory: directory)
            #expect(try store.load() == nil)
        }
    }

    @Test("a new store over the same directory sees the saved state, and nested directories are created")
    func freshStoreSeesSave() throws {
        try withTemporaryDirectory { directory in
            let nested = directory + "/a/b/node-1/"
            try HardStateStore(directory: nested).save(HardState(term: 3, votedFor: NodeID("n-3_x")))
            let reopened = try HardStateStore(directory: nested)
            #expect(reopened.path == directory + "/a/b/node-1/state")
            #expect(try reopened.load() == HardState(term: 3, votedFor: NodeID("n-3_x")))
        }
    }

    @Test("the file is readable text ending in a checksum")
    func format() {
        let bytes = HardStateRecord.encode(HardState(term: 42, votedFor: NodeID("n2")))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("format=2\nterm=42\nvoted-for=n2\nmembership=\ncrc32="))
        #expect(text.count == "format=2\nterm=42\nvoted-for=n2\nmembership=\ncrc32=".count + 9)
    }

    @Test("the configuration is stored with the term and vote, and a format 1 file still loads")
    func membershipRoundTrip() throws {
        let entry = MembershipConfiguration(index: 7, term: 41, members: [
            Member(id: "n1", address: "10.0.0.11:7100", api: "10.0.0.11:7200", voter: true),
            Member(id: "n4", address: "10.0.0.14:7100", api: "", voter: false),
        ])
        let state = HardState(term: 42, votedFor: "n2", membership: entry)
        let bytes = HardStateRecord.encode(state)
        #expect(try HardStateRecord.decode(bytes) == state)
        #expect(String(decoding: bytes, as: UTF8.self).contains("membership=7,41\nmember=n1,voter,10.0.0.11:7100,10.0.0.11:7200\nmember=n4,non-voter,10.0.0.14:7100,\n"))
        let oldFormat = Array("format=1\nterm=5\nvoted-for=\n".utf8)
        let old = oldFormat + Array("crc32=\(String(format8: StateFileCRC32.checksum(oldFormat)))\n".utf8)
        #expect(try HardStateRecord.decode(old) == HardState(term: 5, votedFor: nil))
    }

    @Test("CRC-32 matches the standard check value")
    func crcCheckValue() {
        #expect(StateFileCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(StateFileCRC32.checksum([UInt8]()) == 0)
    }

    @Test("every kind of damage is reported as corrupt and the file is left untouched")
    func corruption() throws {
        let valid = HardStateRecord.encode(HardState(term: 9, votedFor: NodeID("n1")))
        func resigned(_ content: String) -> [UInt8] {
            let bytes = Array(content.utf8)
            let crc = String(StateFileCRC32.checksum(bytes), radix: 16)
            return bytes + Array("crc32=\(String(repeating: "0", count: 8 - crc.count) + crc)\n".utf8)
        }
        var flipped = valid
        flipped[14] ^= 0x01
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "empty file"),
            ("truncated", Array(valid.prefix(20)), "truncated: the last line is incomplete"),
            ("truncated at a line", Array(valid.prefix(16)), "truncated: 2 of at least 4 lines"),
            ("flipped byte", flipped, "checksum mismatch"),
            ("trailing garbage", valid + Array("x\n".utf8), "expected a 'crc32=' line"),
            ("garbage", Array("\u{1}\u{2}garbage".utf8), "truncated: the last line is incomplete"),
            ("bad version", resigned("format=0\nterm=9\nvoted-for=n1\nmembership=\n"), "unsupported format version '0'"),
            ("non-canonical version", resigned("format=03\nterm=9\nvoted-for=n1\nmembership=\n"), "unsupported format version '03'"),
            ("no membership line", resigned("format=2\nterm=9\nvoted-for=n1\n"), "truncated: no membership line"),
            ("bad membership", resigned("format=2\nterm=9\nvoted-for=n1\nmembership=3\n"), "invalid membership line"),
            ("bad member", resigned("format=2\nterm=9\nvoted-for=n1\nmembership=3,2\nmember=n1,boss,a:1,b:2\n"), "invalid member line"),
            ("no voter", resigned("format=2\nterm=9\nvoted-for=n1\nmembership=3,2\nmember=n1,non-voter,a:1,b:2\n"), "without a voter"),
            ("members without entry", resigned("format=2\nterm=9\nvoted-for=n1\nmembership=\nmember=n1,voter,a:1,b:2\n"), "member lines without"),
            ("bad id", resigned("format=1\nterm=9\nvoted-for=n 1\n"), "invalid node id 'n 1' in voted-for"),
            ("bad term", resigned("format=1\nterm=09\nvoted-for=n1\n"), "invalid term '09'"),
            ("huge", [UInt8](repeating: 0x41, count: 10_000), "larger than any valid record"),
        ]
        try withTemporaryDirectory { directory in
            let store = try HardStateStore(directory: directory)
            for (name, bytes, reason) in cases {
                write(bytes, to: store.path)
                let error = #expect(throws: HardStateStoreError.self, "\(name)") { try store.load() }
                guard case .corrupt(let path, let actual) = error else {
                    Issue.record("\(name): expected corrupt, got \(String(describing: error))")
                    continue
                }
                #expect(path == store.path)
                #expect(actual.contains(reason), "\(name): \(actual)")
                #expect(contents(store.path) == bytes, "\(name): file was modified")
            }
        }
    }

    @Test("a failed write reports the step and leaves the previous state loadable")
    func failedWrite() throws {
        try withTemporaryDirectory { directory in
            let store = try HardStateStore(directory: directory)
            try store.save(HardState(term: 4, votedFor: NodeID("n3")))
            // Root ignores permissions, so block the temporary file with a non-empty directory.
            try FileManager.default.createDirectory(atPath: directory + "/state.tmp/keep", withIntermediateDirectories: true)
            let error = #expect(throws: HardStateStoreError.self) {
                try store.save(HardState(term: 5, votedFor: NodeID("n1")))
            }
            #expect(error == .writeFailed(path: directory + "/state.tmp", step: "open", errno: EISDIR))
            #expect(error?.description.contains("open of \(directory)/state.tmp failed") == true)
            #expect(try store.load() == HardState(term: 4, votedFor: NodeID("n3")))
            #expect(try HardStateStore(directory: directory).load() == HardState(term: 4, votedFor: NodeID("n3")))
        }
    }

    @Test("a data directory path that is a regular file is refused")
    func directoryIsAFile() throws {
        try withTemporaryDirectory { directory in
            write(Array("x".utf8), to: directory + "/file")
            #expect(throws: HardStateStoreError.writeFailed(path: directory + "/file", step: "create directory", errno: ENOTDIR)) {
                try HardStateStore(directory: directory + "/file")
            }
            #expect(throws: HardStateStoreError.self) { try HardStateStore(directory: directory + "/file/sub") }
        }
    }

    @Test("a corrupt-file description tells the operator why the node refuses to start")
    func corruptDescription() {
        #expect(HardStateStoreError.corrupt(path: "/x/state", reason: "checksum mismatch").description
            == "state file /x/state is corrupt (checksum mismatch): refusing to start, because a reset could cast a second vote in a term; restore it or remove the node's data deliberately")
    }
}

extension String {
    /// Eight lowercase hex digits.
    init(format8 value: UInt32) {
        let digits = String(value, radix: 16)
        self = String(repeating: "0", count: 8 - digits.count) + digits
    }
}
