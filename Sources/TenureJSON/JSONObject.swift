/// Builds small JSON documents by hand.
///
/// The API's answers are a handful of fields; writing them directly keeps the leader-query path
/// free of Foundation's encoders and their allocations. Members are written in the order they are
/// added, which is the order the documents promise (docs/api.md). An optional value writes `null`;
/// a member that must be absent is simply not added.
public struct JSONObject: Sendable {
    public init() {}
    private var text = "{"
    private var empty = true

    private mutating func key(_ name: String) {
        if !empty { text += "," }
        empty = false
        text += JSONObject.quoted(name) + ":"
    }

    public mutating func add(_ name: String, _ value: String?) {
        key(name)
        if let value { text += JSONObject.quoted(value) } else { text += "null" }
    }

    public mutating func add(_ name: String, _ value: Int64) { key(name); text += String(value) }
    public mutating func add(_ name: String, _ value: UInt64) { key(name); text += String(value) }
    public mutating func add(_ name: String, _ value: Int) { key(name); text += String(value) }
    public mutating func add(_ name: String, _ value: Bool) { key(name); text += value ? "true" : "false" }
    public mutating func add(_ name: String, _ value: Double) { key(name); text += JSONArray.number(value) }

    /// `null` when the value is absent.
    public mutating func add(_ name: String, _ value: Int64?) { if let value { add(name, value) } else { addNull(name) } }
    public mutating func add(_ name: String, _ value: UInt64?) { if let value { add(name, value) } else { addNull(name) } }
    public mutating func add(_ name: String, _ value: Int?) { if let value { add(name, value) } else { addNull(name) } }
    public mutating func add(_ name: String, _ value: Bool?) { if let value { add(name, value) } else { addNull(name) } }
    public mutating func add(_ name: String, _ value: Double?) { if let value { add(name, value) } else { addNull(name) } }

    public mutating func addNull(_ name: String) { key(name); text += "null" }

    /// Arrays: of strings, of numbers, of objects, or built item by item.
    public mutating func add(_ name: String, _ values: [String]) { add(name, JSONArray(values)) }
    public mutating func add(_ name: String, _ values: [Int64]) { add(name, JSONArray(values)) }
    public mutating func add(_ name: String, _ values: [UInt64]) { add(name, JSONArray(values)) }
    public mutating func add(_ name: String, _ values: [Double]) { add(name, JSONArray(values)) }
    public mutating func add(_ name: String, _ objects: [JSONObject]) { add(name, JSONArray(objects)) }
    public mutating func add(_ name: String, _ array: JSONArray) { key(name); text += array.rendered }

    /// A nested object; `null` when it is absent.
    public mutating func add(_ name: String, _ object: JSONObject) { key(name); text += object.rendered }
    public mutating func add(_ name: String, _ object: JSONObject?) { if let object { add(name, object) } else { addNull(name) } }

    public var rendered: String { text + "}" }

    /// A JSON string literal with the required escapes.
    public static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
