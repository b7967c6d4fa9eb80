/// Reads the members of one JSON object as typed fields, throwing a `JSONDecodeError` that names
/// the field (with its path from the document's root) when one is missing or has the wrong type.
///
/// It spells out the three ways a field can be present, because the documents promise each one
/// exactly (docs/api.md, "Absent values"): `required` (always there, never null), `nullable`
/// (always there, null when there is no value) and `optional` (there only in some states, never
/// null). A wrong type is always an error: nothing is defaulted or guessed.
public struct JSONFields: Sendable {
    /// This object's path from the document's root; empty for the root.
    public let path: String
    public let members: [String: JSONValue]

    /// `value` must be an object.
    public init(_ value: JSONValue, path: String = "") throws(JSONDecodeError) {
        guard case .object(let members) = value else { throw JSONDecodeError(field: path, problem: "must be a JSON object") }
        self.path = path
        self.members = members
    }

    /// The path of `key` in this object.
    public func name(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    public func contains(_ key: String) -> Bool { members[key] != nil }

    /// A member that is always present and never null.
    public func required<Value: JSONField>(_ key: String, as type: Value.Type = Value.self) throws(JSONDecodeError) -> Value {
        guard let json = members[key] else { throw JSONDecodeError(field: name(key), problem: "is missing") }
        guard let value = Value.decode(json) else { throw JSONDecodeError(field: name(key), problem: "must be \(Value.expectation)") }
        return value
    }

    /// A member that is always present, null when there is no value.
    public func nullable<Value: JSONField>(_ key: String, as type: Value.Type = Value.self) throws(JSONDecodeError) -> Value? {
        guard let json = members[key] else { throw JSONDecodeError(field: name(key), problem: "is missing") }
        if json == .null { return nil }
        guard let value = Value.decode(json) else { throw JSONDecodeError(field: name(key), problem: "must be \(Value.expectation) or null") }
        return value
    }

    /// A member present only in some states; when present, never null.
    public func optional<Value: JSONField>(_ key: String, as type: Value.Type = Value.self) throws(JSONDecodeError) -> Value? {
        guard let json = members[key] else { return nil }
        guard let value = Value.decode(json) else { throw JSONDecodeError(field: name(key), problem: "must be \(Value.expectation)") }
        return value
    }

    /// A member present only in some states which, when present, may be null: `.some(nil)`.
    public func optionalNullable<Value: JSONField>(_ key: String, as type: Value.Type = Value.self) throws(JSONDecodeError) -> Value?? {
        guard members[key] != nil else { return .none }
        return .some(try nullable(key, as: Value.self))
    }

    /// A nested object that is always present.
    public func object(_ key: String) throws(JSONDecodeError) -> JSONFields {
        guard let json = members[key] else { throw JSONDecodeError(field: name(key), problem: "is missing") }
        return try JSONFields(json, path: name(key))
    }

    /// A nested object that is always present, or null.
    public func nullableObject(_ key: String) throws(JSONDecodeError) -> JSONFields? {
        guard let json = members[key] else { throw JSONDecodeError(field: name(key), problem: "is missing") }
        if json == .null { return nil }
        guard case .object = json else { throw JSONDecodeError(field: name(key), problem: "must be a JSON object or null") }
        return try JSONFields(json, path: name(key))
    }

    /// An array of objects, each decoded by `decode` with its index in its path (`members[2]`).
    public func array<Item>(_ key: String, _ decode: (JSONFields) throws(JSONDecodeError) -> Item) throws(JSONDecodeError) -> [Item] {
        guard let json = members[key] else { throw JSONDecodeError(field: name(key), problem: "is missing") }
        guard let items = json.array else { throw JSONDecodeError(field: name(key), problem: "must be an array") }
        var result: [Item] = []
        for (index, item) in items.enumerated() {
            result.append(try decode(try JSONFields(item, path: "\(name(key))[\(index)]")))
        }
        return result
    }

    /// An object used as a map from names to objects (`peers`), each value decoded by `decode`.
    public func dictionary<Value>(_ key: String, _ decode: (JSONFields) throws(JSONDecodeError) -> Value) throws(JSONDecodeError) -> [String: Value] {
        let map = try object(key)
        var result: [String: Value] = [:]
        for (member, json) in map.members { result[member] = try decode(try JSONFields(json, path: map.name(member))) }
        return result
    }

    /// An object used as a map from names to objects or null (`nodes`).
    public func nullableDictionary<Value>(_ key: String, _ decode: (JSONFields) throws(JSONDecodeError) -> Value) throws(JSONDecodeError) -> [String: Value?] {
        let map = try object(key)
        var result: [String: Value?] = [:]
        for (member, json) in map.members {
            result.updateValue(json == .null ? nil : try decode(try JSONFields(json, path: map.name(member))), forKey: member)
        }
        return result
    }

    /// An object used as a map from names to scalars (`stops`: cause to count).
    public func scalars<Value: JSONField>(_ key: String, as type: Value.Type = Value.self) throws(JSONDecodeError) -> [String: Value] {
        let map = try object(key)
        var result: [String: Value] = [:]
        for member in map.members.keys { result[member] = try map.required(member, as: Value.self) }
        return result
    }
}
