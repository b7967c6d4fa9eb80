/// A type with one JSON form, written and read by the same type, so that the writer and every
/// reader agree on each field by construction.
///
/// `jsonObject` writes the members in the order the document promises; `init(json:)` reads them
/// back and throws a `JSONDecodeError` naming the first field that is missing or malformed.
public protocol JSONDocument: Sendable {
    init(json: JSONValue) throws(JSONDecodeError)
    var jsonObject: JSONObject { get }
}

extension JSONDocument {
    /// The document as one line of JSON text.
    public var json: String { jsonObject.rendered }

    /// Reads a document from its text (an HTTP body, a line of a file).
    public init(parsing bytes: [UInt8]) throws(JSONDecodeError) {
        guard let value = JSONValue.parse(bytes) else { throw JSONDecodeError(field: "", problem: "not valid JSON") }
        try self.init(json: value)
    }

    public init(parsing text: some StringProtocol) throws(JSONDecodeError) {
        try self.init(parsing: Array(text.utf8))
    }
}
