/// Builds small JSON documents by hand.
///
/// The API's answers are a handful of fields; writing them directly keeps the leader-query path
/// free of Foundation's encoders and their allocations.
public struct JSONObject {
    public init() {}
    private var text = "{"
    private var empty = true

    private mutating func key(_ name: String) {
        if !empty { text += "," }
        empty = false
        text += "\"\(name)\":"
    }

    public mutating func add(_ name: String, _ value: String?) {
        key(name)
        if let value { text += JSONObject.quoted(value) } else { text += "null" }
    }

    public mutating func add(_ name: String, _ value: Int64) { key(name); text += String(value) }
    public mutating func add(_ name: String, _ value: UInt64) { key(name); text += String(value) }
    public mutating func add(_ name: String, _ value: Int) { key(name); text += String(value) }
    public mutating func add(_ name: String, _ value: Bool) { key(name); text += value ? "true" : "false" }
    public mutating func add(_ name: String, _ value: Double) { key(name); text += value.isFinite ? String(value) : "null" }
    public mutating func add(_ name: String, raw: String) { key(name); text += raw }

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
