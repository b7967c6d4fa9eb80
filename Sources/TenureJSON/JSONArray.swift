/// Builds a JSON array item by item, the companion of `JSONObject`.
///
/// Documents carry lists (voters, members, the leadership history, a bench's claim intervals);
/// building them here keeps every bracket and comma in one place instead of in string fragments
/// at each call site.
public struct JSONArray: Sendable {
    private var items: [String] = []

    public init() {}
    public init(_ values: [String]) { items = values.map(JSONObject.quoted) }
    public init(_ values: [Int64]) { items = values.map { String($0) } }
    public init(_ values: [UInt64]) { items = values.map { String($0) } }
    public init(_ values: [Double]) { items = values.map(JSONArray.number) }
    public init(_ objects: [JSONObject]) { items = objects.map(\.rendered) }

    public mutating func append(_ value: String?) { items.append(value.map(JSONObject.quoted) ?? "null") }
    public mutating func append(_ value: Int64) { items.append(String(value)) }
    public mutating func append(_ value: UInt64) { items.append(String(value)) }
    public mutating func append(_ value: Double) { items.append(JSONArray.number(value)) }
    public mutating func append(_ value: Bool) { items.append(value ? "true" : "false") }
    public mutating func append(_ object: JSONObject) { items.append(object.rendered) }
    public mutating func append(_ array: JSONArray) { items.append(array.rendered) }

    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }

    public var rendered: String { "[" + items.joined(separator: ",") + "]" }

    /// A number as JSON writes it: Swift's shortest round-tripping text, `null` when not finite
    /// (JSON has no infinity or NaN).
    public static func number(_ value: Double) -> String { value.isFinite ? String(value) : "null" }
}
