import Testing
@testable import TenureNode
import TenureJSON

@Suite("JSON reader and writer")
struct JSONValueTests {
    @Test("Parses the shapes the API answers with")
    func parsesAPIAnswers() throws {
        let value = try #require(JSONValue.parse(#"{"leader":"n2","term":7,"api":"127.0.0.12:7200","is_leader":false,"x":null,"peers":{"n1":{"last_contact_ms":12}},"list":[1,-2.5e3,"a"]}"#))
        #expect(value["leader"]?.string == "n2")
        #expect(value["term"]?.int64 == 7)
        #expect(value["is_leader"]?.bool == false)
        #expect(value["x"]?.isNull == true)
        #expect(value["peers"]?["n1"]?["last_contact_ms"]?.int64 == 12)
        #expect(value["list"]?.array?.count == 3)
        #expect(value["list"]?.array?[1].double == -2500)
    }

    @Test("Reads every escape, including surrogate pairs")
    func readsEscapes() {
        #expect(JSONValue.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#)?.string == "a\"b\\c/d\n\té😀")
    }

    @Test("Refuses malformed documents instead of guessing", arguments: [
        "", "{", "}", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "tru", "\"unterminated", "1 2", "\"\\x\"", "\"\\ud800\"", "nul", "-", "{\"a\":\u{01}}",
    ])
    func refusesMalformed(_ text: String) {
        #expect(JSONValue.parse(text) == nil)
    }

    @Test("Refuses nesting deeper than its bound rather than recursing without limit")
    func boundsNesting() {
        #expect(JSONValue.parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200)) == nil)
        #expect(JSONValue.parse(String(repeating: "[", count: 10) + String(repeating: "]", count: 10)) != nil)
    }

    @Test("What JSONObject writes, JSONValue reads back")
    func roundTrips() {
        var object = JSONObject()
        object.add("name", "quote \" backslash \\ newline \n control \u{01}")
        object.add("term", UInt64(42))
        object.add("none", nil)
        object.add("flag", true)
        let parsed = JSONValue.parse(object.rendered)
        #expect(parsed?["name"]?.string == "quote \" backslash \\ newline \n control \u{01}")
        #expect(parsed?["term"]?.int64 == 42)
        #expect(parsed?["none"]?.isNull == true)
        #expect(parsed?["flag"]?.bool == true)
    }

    @Test("Random bytes never trap the reader")
    func randomBytes() {
        var state: UInt64 = 0x1234_5678
        let alphabet = Array("{}[]\",:0123456789-+.eEtrufalsn\\u ab".utf8)
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<Int(state >> 58) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            _ = JSONValue.parse(bytes)
        }
    }
}

@Suite("JSON numbers")
struct JSONNumberTests {
    @Test("Nanosecond timestamps above 2^53 stay exact (a machine up for more than 104 days)")
    func largeIntegersStayExact() {
        let value = JSONValue.parse(#"{"ts":9007199254740993,"big":18446744073709551615}"#)
        #expect(value?["ts"]?.int64 == 9_007_199_254_740_993)
        #expect(value?["big"]?.uint64 == UInt64.max)
    }
}
