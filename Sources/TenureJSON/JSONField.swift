/// A value type a document field can hold, and how it is read from JSON.
///
/// The typed documents read every scalar through this one conversion, so "an integer" means the
/// same exact, non-rounding reading (`JSONValue.int64`) in every document, and a wrong type is
/// reported with the same words.
public protocol JSONField: Sendable {
    /// The value, when `json` holds one of this type.
    static func decode(_ json: JSONValue) -> Self?
    /// What a value of this type looks like, for errors: `a string`, `true or false`.
    static var expectation: String { get }
}

extension String: JSONField {
    public static func decode(_ json: JSONValue) -> String? { json.string }
    public static var expectation: String { "a string" }
}

extension Bool: JSONField {
    public static func decode(_ json: JSONValue) -> Bool? { json.bool }
    public static var expectation: String { "true or false" }
}

extension Int64: JSONField {
    public static func decode(_ json: JSONValue) -> Int64? { json.int64 }
    public static var expectation: String { "an integer" }
}

extension UInt64: JSONField {
    public static func decode(_ json: JSONValue) -> UInt64? { json.uint64 }
    public static var expectation: String { "a non-negative integer" }
}

extension Int: JSONField {
    public static func decode(_ json: JSONValue) -> Int? { json.int64.flatMap { Int(exactly: $0) } }
    public static var expectation: String { "an integer" }
}

extension Int32: JSONField {
    public static func decode(_ json: JSONValue) -> Int32? { json.int64.flatMap { Int32(exactly: $0) } }
    public static var expectation: String { "a 32-bit integer" }
}

extension Double: JSONField {
    public static func decode(_ json: JSONValue) -> Double? { json.double }
    public static var expectation: String { "a number" }
}

extension Array: JSONField where Element == String {
    /// Every item must be a string: a list with a stray number is refused, not filtered.
    public static func decode(_ json: JSONValue) -> [String]? {
        guard let items = json.array else { return nil }
        var strings: [String] = []
        for item in items {
            guard let string = item.string else { return nil }
            strings.append(string)
        }
        return strings
    }
    public static var expectation: String { "an array of strings" }
}
