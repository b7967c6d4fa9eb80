import TenureJSON

/// The body of `POST /v1/members`: the node to add, `{"id":"n4","address":"127.0.0.14:7100",
/// "api":"127.0.0.14:7200"}` (`api` optional).
///
/// The client writes it and the node reads it through this one type; the node passes its own
/// rules for ids and addresses (TenureCore's `NodeID`, TenurePOSIX's addresses), so every refusal
/// is one of the messages below, naming the field.
public struct MemberRequest: JSONDocument, Equatable {
    public var id: String
    /// The new node's peer address, IPv4 `HOST:PORT`.
    public var address: String
    /// The new node's API address, IPv4 `HOST:PORT`.
    public var api: String?

    public init(id: String, address: String, api: String? = nil) {
        self.id = id
        self.address = address
        self.api = api
    }

    public var jsonObject: JSONObject {
        var object = JSONObject()
        object.add("id", id)
        object.add("address", address)
        if let api { object.add("api", api) }
        return object
    }

    /// Why a body is refused, in the node's words (the `error` of its 400 answer).
    public static let bodyProblem = JSONDecodeError(
        field: "", problem: "body must be a JSON object such as {\"id\": \"n4\", \"address\": \"127.0.0.14:7100\", \"api\": \"127.0.0.14:7200\"}")
    public static let idProblem = JSONDecodeError(field: "id", problem: "must be a node id (1-64 letters, digits, '-' or '_')")
    public static let addressProblem = JSONDecodeError(field: "address", problem: "must be the new node's peer address, IPv4 HOST:PORT")
    public static let apiProblem = JSONDecodeError(field: "api", problem: "must be the new node's API address, IPv4 HOST:PORT")

    /// Reads a request body, checking `id` with `isNodeID` and both addresses with `isAddress`.
    public init(body: [UInt8], isNodeID: (String) -> Bool, isAddress: (String) -> Bool) throws(JSONDecodeError) {
        guard let json = JSONValue.parse(body), json.object != nil else { throw Self.bodyProblem }
        try self.init(json: json, isNodeID: isNodeID, isAddress: isAddress)
    }

    public init(json: JSONValue) throws(JSONDecodeError) {
        try self.init(json: json, isNodeID: { _ in true }, isAddress: { _ in true })
    }

    public init(json: JSONValue, isNodeID: (String) -> Bool, isAddress: (String) -> Bool) throws(JSONDecodeError) {
        guard let fields = try? JSONFields(json) else { throw Self.bodyProblem }
        guard let id = try? fields.required("id", as: String.self), isNodeID(id) else { throw Self.idProblem }
        guard let address = try? fields.required("address", as: String.self), isAddress(address) else { throw Self.addressProblem }
        var api: String?
        if fields.contains("api") {
            guard let text = try? fields.required("api", as: String.self), isAddress(text) else { throw Self.apiProblem }
            api = text
        }
        self.init(id: id, address: address, api: api)
    }
}
