import Glibc
import Testing
import TenureCore
@testable import TenurePOSIX

/// The system layer: durable files, the syscall wrapper, polling and the clock.
@Suite struct POSIXTests {
    private func temporaryDirectory(_ name: String) throws -> String {
        let directory = "/tmp/tenure-posix-tests-\(ProcessEnvironment.processID)/\(name)"
        try Files.makeDirectories(directory)
        return directory
    }

    @Test("a durable replacement leaves exactly the new contents and no temporary file")
    func durableReplace() throws {
        let directory = try temporaryDirectory("replace")
        let path = directory + "/state"
        try Files.replaceDurably(path, with: [1, 2, 3], temporaryPath: path + ".tmp", directory: directory)
        try Files.replaceDurably(path, with: [4, 5], temporaryPath: path + ".tmp", directory: directory)
        #expect(try Files.readBytes(path) == [4, 5])
        #expect(try Files.readBytes(path + ".tmp") == nil)
    }

    @Test("a replacement that cannot write names the step and path")
    func replaceFailure() throws {
        #expect {
            try Files.replaceDurably("/nonexistent-dir/state", with: [1], temporaryPath: "/nonexistent-dir/state.tmp", directory: "/nonexistent-dir")
        } throws: { error in
            guard let failure = error as? Files.ReplaceFailure else { return false }
            return failure.step == .open && failure.path == "/nonexistent-dir/state.tmp" && failure.errno == SystemError.noSuchFile
        }
    }

    @Test("a missing file reads as nil, and readBytes stops after its limit")
    func readLimits() throws {
        let directory = try temporaryDirectory("read")
        #expect(try Files.readBytes(directory + "/missing") == nil)
        #expect(Files.append(String(repeating: "x", count: 100), to: directory + "/big"))
        #expect(try Files.readBytes(directory + "/big", limit: 10)?.count == 11)
        #expect(Files.readTail(directory + "/big", bytes: 1000)?.count == 100)
    }

    @Test("a failed call throws its errno; a call that succeeds returns its result")
    func systemCall() {
        #expect(throws: SystemError("open", errno: SystemError.noSuchFile)) {
            try SystemCall.run("open") { () -> Int32 in
                Self.setErrno(SystemError.noSuchFile)
                return -1
            }
        }
        #expect((try? SystemCall.run("x") { Int32(7) }) == 7)
    }

    @Test("a call interrupted by a signal is retried, not reported")
    func retriesInterrupts() throws {
        var attempts = 0
        let result = try SystemCall.run("read") { () -> Int32 in
            attempts += 1
            if attempts < 3 {
                Self.setErrno(SystemError.interrupted)
                return -1
            }
            return 5
        }
        #expect(result == 5 && attempts == 3)
    }

    @Test("a pipe is readable after a write, and poll reports it")
    func pollPipe() throws {
        let ends = try Descriptor.pipe()
        defer {
            Descriptor.close(ends.read)
            Descriptor.close(ends.write)
        }
        #expect(try PollSet.wait(for: ends.read, .readable, timeoutMilliseconds: 0).isEmpty)
        #expect(Descriptor.writeAll(ends.write, [42]))
        #expect(try PollSet.wait(for: ends.read, .readable, timeoutMilliseconds: 1000).contains(.readable))
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(Descriptor.read(ends.read, into: &buffer) == .bytes(1) && buffer[0] == 42)
        #expect(Descriptor.read(ends.read, into: &buffer) == .wouldBlock)
    }

    @Test("the monotonic clock never goes back, and an absolute sleep ends at or after its deadline")
    func clock() {
        let start = MonotonicClock.now()
        let deadline = start + .milliseconds(5)
        MonotonicClock.sleep(until: deadline)
        #expect(MonotonicClock.now() >= deadline)
    }

    @Test("random bytes come from the kernel, and two draws differ")
    func randomness() throws {
        let first = try ProcessEnvironment.randomBytes(32)
        let second = try ProcessEnvironment.randomBytes(32)
        #expect(first.count == 32 && first != second)
    }

    @Test("addresses parse IPv4 and localhost only")
    func addresses() {
        #expect(SocketAddress("127.0.0.11:7100") == SocketAddress(host: "127.0.0.11", port: 7100))
        #expect(SocketAddress("localhost:80")?.host == "127.0.0.1")
        for bad in ["127.0.0.1", "example.com:80", "127.0.0.1:0", "1.2.3:80", "[::1]:80"] { #expect(SocketAddress(bad) == nil) }
    }

    static func setErrno(_ value: Int32) { Glibc.errno = value }
}
