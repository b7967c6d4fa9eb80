import Testing
import TenureJSON

/// Arrays and nested objects are written by the writer itself, and the field reader says which
/// field is wrong, in the three ways a field may be present.
@Suite("JSON arrays, nesting and typed fields")
struct JSONWriterAndFieldsTests {
    @Test("arrays of strings, numbers and objects, nested and null objects, null optionals")
    func writesArraysAndNesting() {
        var inner = JSONObject()
        inner.add("id", "n1")
        var object = JSONObject()
        object.add("voters", ["n1", "n\"2"])
        object.add("empty", [String]())
        object.add("terms", [UInt64(1), 2])
        object.add("offsets", [Int64(-1)])
        object.add("times", [1.5, 2.0])
        object.add("members", [inner, inner])
        object.add("nested", inner)
        object.add("absent", nil as JSONObject?)
        object.add("pid", nil as Int64?)
        object.add("token", UInt64?(7))
        #expect(object.rendered == #"{"voters":["n1","n\"2"],"empty":[],"terms":[1,2],"offsets":[-1],"times":[1.5,2.0],"members":[{"id":"n1"},{"id":"n1"}],"nested":{"id":"n1"},"absent":null,"pid":null,"token":7}"#)
        var array = JSONArray()
        array.append("a")
        array.append(nil)
        array.append(true)
        array.append(inner)
        #expect(array.rendered == #"["a",null,true,{"id":"n1"}]"#)
        #expect(JSONArray([Double.infinity]).rendered == "[null]")
    }

    @Test("required, nullable and optional fields, each refusing a wrong type with the field's path")
    func readsFields() throws {
        let json = try #require(JSONValue.parse(#"{"id":"n1","leader":null,"term":3,"peers":{"n2":{"phi":"x"}},"list":[{"id":1}],"flag":true}"#))
        let fields = try JSONFields(json)
        #expect(try fields.required("id", as: String.self) == "n1")
        #expect(try fields.nullable("leader", as: String.self) == nil)
        #expect(try fields.optional("fencing_token", as: UInt64.self) == nil)
        #expect(try fields.optionalNullable("leader", as: String.self) == .some(nil))
        #expect(throws: JSONDecodeError(field: "missing", problem: "is missing")) { try fields.required("missing", as: String.self) }
        #expect(throws: JSONDecodeError(field: "voted_for", problem: "is missing")) { try fields.nullable("voted_for", as: String.self) }
        #expect(throws: JSONDecodeError(field: "term", problem: "must be a string")) { try fields.required("term", as: String.self) }
        #expect(throws: JSONDecodeError(field: "id", problem: "must be an integer or null")) { try fields.nullable("id", as: Int64.self) }
        #expect(throws: JSONDecodeError(field: "flag", problem: "must be a non-negative integer")) { try fields.optional("flag", as: UInt64.self) }
        #expect(throws: JSONDecodeError(field: "peers.n2.phi", problem: "must be a number or null")) {
            try fields.dictionary("peers") { entry throws(JSONDecodeError) in try entry.nullable("phi", as: Double.self) }
        }
        #expect(throws: JSONDecodeError(field: "list[0].id", problem: "must be a string")) {
            try fields.array("list") { entry throws(JSONDecodeError) in try entry.required("id", as: String.self) }
        }
        #expect(JSONDecodeError(field: "peers.n2.phi", problem: "must be a number or null").description == "'peers.n2.phi' must be a number or null")
        #expect(throws: JSONDecodeError(field: "", problem: "must be a JSON object")) { try JSONFields(.array([])) }
    }

    @Test("a list of strings with a stray number is refused, not filtered")
    func stringListsAreStrict() throws {
        let fields = try JSONFields(try #require(JSONValue.parse(#"{"voters":["n1",2]}"#)))
        #expect(throws: JSONDecodeError(field: "voters", problem: "must be an array of strings")) { try fields.required("voters", as: [String].self) }
    }
}
