import TenureCore
import Foundation
import Testing
import TenureCrypto

/// Compares TenureCrypto with Python's hashlib and hmac, an implementation written independently
/// of this one, on inputs no test vector covers. The test target may use Foundation to run the
/// interpreter; only the TenureCrypto module itself is limited to the standard library.
@Suite("Cross-check with Python")
struct CrossCheckTests {
    /// Reads lines of "key,message" in hexadecimal from the file named by its argument and prints
    /// "sha256(message),hmac-sha256(key, message)" for each, in hexadecimal.
    static let script = """
        import hashlib, hmac, sys
        with open(sys.argv[1]) as cases:
            for line in cases:
                key, message = (bytes.fromhex(field) for field in line.rstrip("\\n").split(","))
                print(hashlib.sha256(message).hexdigest() + "," + hmac.new(key, message, "sha256").hexdigest())
        """

    @Test("SHA-256 and HMAC-SHA256 agree with Python's hashlib and hmac on 200 random inputs")
    func agreesWithPython() throws {
        var generator = SeededRandom(seed: 0x7E4E_C0DE)
        var cases: [(key: [UInt8], message: [UInt8])] = []
        for _ in 0..<200 {
            let key = generator.bytes(Int(generator.next() % 151))
            let message = generator.bytes(Int(generator.next() % 301))
            cases.append((key, message))
        }

        let inputFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenure-crypto-cross-check-\(UInt64.random(in: 0...UInt64.max)).txt")
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let input = cases.map { Hex.encode($0.key) + "," + Hex.encode($0.message) + "\n" }.joined()
        try input.write(to: inputFile, atomically: true, encoding: .utf8)

        let result = try runPython(arguments: ["-c", Self.script, inputFile.path])
        try #require(
            result.status == 0,
            """
            python3 must be runnable as `/usr/bin/env python3` for this test (it is on every \
            development machine and CI runner); it exited with status \(result.status): \(result.errorOutput)
            """)

        let lines = result.output.split(separator: "\n").map(String.init)
        try #require(lines.count == cases.count, "python3 printed \(lines.count) lines for \(cases.count) cases")
        for (index, (testCase, line)) in zip(cases, lines).enumerated() {
            let expected = line.split(separator: ",").map(String.init)
            try #require(expected.count == 2, "unexpected python3 output line \(index): \(line)")
            let context = "case \(index): key \(testCase.key.count) bytes, message \(testCase.message.count) bytes"
            #expect(Hex.encode(SHA256.hash(testCase.message)) == expected[0], "SHA-256, \(context)")
            #expect(Hex.encode(HMACSHA256.authenticationCode(for: testCase.message, key: testCase.key)) == expected[1], "HMAC, \(context)")
        }
    }

    /// Runs `/usr/bin/env python3` with `arguments`, returning its exit status and both outputs.
    /// Standard error goes to a file rather than a second pipe, so neither stream can fill up and
    /// block the interpreter while this process waits on the other.
    private func runPython(arguments: [String]) throws -> (status: Int32, output: String, errorOutput: String) {
        let errorFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenure-crypto-cross-check-\(UInt64.random(in: 0...UInt64.max)).err")
        // If the file cannot be created, opening it below throws and the test reports that.
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let outputPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = outputPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorData = (try? Data(contentsOf: errorFile)) ?? Data()
        return (
            process.terminationStatus,
            String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }
}
