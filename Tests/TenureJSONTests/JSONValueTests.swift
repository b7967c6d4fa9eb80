import TenureCore
import Testing
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
        object.addNull("none")
        object.add("flag", true)
        let parsed = JSONValue.parse(object.rendered)
        #expect(parsed?["name"]?.string == "quote \" backslash \\ newline \n control \u{01}")
        #expect(parsed?["term"]?.int64 == 42)
        #expect(parsed?["none"]?.isNull == true)
        #expect(parsed?["flag"]?.bool == true)
    }

    /// JSON text for `value`, written independently of the reader: numbers keep their text, strings
    /// and keys go through `JSONObject.quoted`, members in key order, no whitespace.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let text): text
        case .string(let text): JSONObject.quoted(text)
        case .array(let items): "[" + items.map(render).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.sorted { $0.key < $1.key }.map { JSONObject.quoted($0.key) + ":" + render($0.value) }
                .joined(separator: ",") + "}"
        }
    }

    @Test("Random text either is refused or reads as a value that renders and reads back equal")
    func randomBytes() {
        // Property, for every input: parsing fails, or the value it gives, rendered, parses back
        // equal; surrounding JSON whitespace changes nothing; and a value is never followed by
        // trailing text (appending "x" to an accepted document makes it refused).
        // Mutations this catches (each tried): dropping the `reader.index == bytes.count` check in
        // `parse` (trailing text accepted), dropping tab from `skipWhitespace` (padded input read
        // differently), keeping a number's text one byte short, or a `JSONObject.quoted` that leaves
        // a quote unescaped (the round trip fails). A reader that misreads an escape the same way
        // every time is beyond a round trip; `readsEscapes` pins those.
        var random = SeededRandom(seed: 0x1234_5678)
        func nextRandom() -> Int { Int(random.next() >> 33) }
        let alphabet = Array("{}[]\",:0123456789-+.eEtrufalsn\\u ab".utf8)
        // Valid documents to damage, so that accepted inputs include strings, escapes and nesting,
        // not only the short numbers pure random text mostly yields.
        let documents = [
            #"{"a":[1,-2.5e3,true,false,null],"b":{"c":"x\"y\\z\n\u00e9\ud83d\ude00"},"d":[]}"#,
            #"[[{"":0}],"\t\/",{"k":{"k":[12,0.5,1E+2]}}]"#,
        ].map { Array($0.utf8) }
        var (accepted, acceptedContainers, acceptedWithStrings) = (0, 0, 0)
        for iteration in 0..<5_000 {
            var bytes: [UInt8]
            if iteration % 2 == 0 {
                bytes = (0..<(nextRandom() % 64)).map { _ in alphabet[nextRandom() % alphabet.count] }
            } else {
                // One to three single-byte replacements, deletions or insertions.
                bytes = documents[nextRandom() % documents.count]
                for _ in 0..<(1 + nextRandom() % 3) where !bytes.isEmpty {
                    let index = nextRandom() % bytes.count
                    switch nextRandom() % 3 {
                    case 0: bytes[index] = alphabet[nextRandom() % alphabet.count]
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(alphabet[nextRandom() % alphabet.count], at: index)
                    }
                }
            }
            let parsed = JSONValue.parse(bytes)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(JSONValue.parse(Array(" \t\r\n".utf8) + bytes + Array("\n\r\t ".utf8)) == parsed, "\(text)")
            guard let value = parsed else { continue }
            accepted += 1
            let rendered = Self.render(value)
            #expect(JSONValue.parse(rendered) == value, "\(text) rendered as \(rendered)")
            #expect(JSONValue.parse(bytes + Array("x".utf8)) == nil, "\(text)")
            // A document that is one number keeps exactly its text (the only whitespace here is " ").
            if case .number(let digits) = value {
                #expect(digits == text.filter { $0 != " " })
            }
            if case .array = value { acceptedContainers += 1 }
            if case .object = value { acceptedContainers += 1 }
            if rendered.contains("\"") { acceptedWithStrings += 1 }
        }
        // Enough inputs must be accepted, of enough kinds, for the round trip to mean something.
        // (With this seed: 325 accepted, 309 arrays or objects, 310 holding strings.)
        #expect(accepted > 250)
        #expect(acceptedContainers > 200)
        #expect(acceptedWithStrings > 200)
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

/// Numbers follow RFC 8259's grammar exactly.
@Suite struct JSONNumberGrammarTests {
    @Test("numbers outside RFC 8259's grammar are refused", arguments: ["+1", "01", ".5", "1.", "-", "1e", "1e+", "--1", "0x10", "1.2.3"])
    func refused(text: String) {
        #expect(JSONValue.parse("[\(text)]") == nil)
    }

    @Test("numbers inside the grammar keep their exact text", arguments: ["0", "-0", "10", "-2.5e3", "1E+2", "0.5", "9007199254740993"])
    func accepted(text: String) {
        #expect(JSONValue.parse("[\(text)]") == .array([.number(text)]))
    }
}
