import Testing
import TenureAPI
import TenureJSON

/// `/v1/members`, the bodies of `POST /v1/members` and `PUT /v1/health`, and `{"error":...}`:
/// requests are refused with the node's exact words, naming the field.
@Suite struct RequestAndErrorDocumentTests {
    @Test("the configuration, committed or with a joining non-voter")
    func members() throws {
        let members = try roundTrip(Golden.members, as: MembersDocument.self)
        #expect(members.members.map(\.id) == ["n1", "n2", "n3"] && members.committed)
        let joining = try roundTrip(Golden.membersJoining, as: MembersDocument.self)
        #expect(joining.members[1] == MembersDocument.Member(id: "n4", address: "127.0.0.14:7100", api: nil, voter: false))
        let broken = Golden.members.replacingFirst(#""voter":true"#, with: #""voter":"yes""#)
        #expect(decodeError(broken, as: MembersDocument.self) == JSONDecodeError(field: "members[0].voter", problem: "must be true or false"))
    }

    @Test("error answers")
    func errors() throws {
        for text in [Golden.notFound, Golden.unauthorized, Golden.badMemberBody, Golden.badHealthy] { try roundTrip(text, as: ErrorDocument.self) }
        #expect(ErrorDocument(error: MemberRequest.bodyProblem.description).json == Golden.badMemberBody)
        #expect(ErrorDocument(error: "'healthy' must be true or false").json == Golden.badHealthy)
    }

    @Test("a member request: written by the client, read by the node, refused with one message per field")
    func memberRequest() throws {
        let request = MemberRequest(id: "n4", address: "127.0.0.14:7100", api: "127.0.0.14:7200")
        #expect(request.json == #"{"id":"n4","address":"127.0.0.14:7100","api":"127.0.0.14:7200"}"#)
        #expect(MemberRequest(id: "n4", address: "127.0.0.14:7100").json == #"{"id":"n4","address":"127.0.0.14:7100"}"#)
        #expect(try MemberRequest(parsing: request.json) == request)
        let noDots: (String) -> Bool = { !$0.contains(".") }
        let validAddress: (String) -> Bool = { $0.hasPrefix("127.") }
        func refusal(_ body: String) -> String? {
            do {
                _ = try MemberRequest(body: Array(body.utf8), isNodeID: noDots, isAddress: validAddress)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal("[]") == MemberRequest.bodyProblem.description)
        #expect(refusal("{") == MemberRequest.bodyProblem.description)
        #expect(refusal(#"{"address":"127.0.0.14:7100"}"#) == "'id' must be a node id (1-64 letters, digits, '-' or '_')")
        #expect(refusal(#"{"id":"n.4","address":"127.0.0.14:7100"}"#) == "'id' must be a node id (1-64 letters, digits, '-' or '_')")
        #expect(refusal(#"{"id":"n4","address":"10.0.0.1:7100"}"#) == "'address' must be the new node's peer address, IPv4 HOST:PORT")
        #expect(refusal(#"{"id":"n4","address":"127.0.0.14:7100","api":null}"#) == "'api' must be the new node's API address, IPv4 HOST:PORT")
        #expect(refusal(#"{"id":"n4","address":"127.0.0.14:7100","api":"127.0.0.14:7200"}"#) == nil)
    }

    @Test("a health report: every refusal names its field in the node's words, and a valid one round-trips")
    func healthPut() throws {
        let report = HealthPut(healthy: false, reason: "db down", ttlMilliseconds: 3000)
        #expect(report.json == #"{"healthy":false,"reason":"db down","ttl_ms":3000}"#)
        #expect(try HealthPut(parsing: report.json) == report)
        #expect(try HealthPut(parsing: #"{"healthy":true}"#) == HealthPut(healthy: true))
        func refusal(_ body: String) -> String? {
            do {
                _ = try HealthPut(body: Array(body.utf8))
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal("nope") == #"body must be a JSON object such as {"healthy": false, "reason": "db down", "ttl_ms": 3000}"#)
        #expect(refusal(#"{"healthy":"x"}"#) == "'healthy' must be true or false")
        #expect(refusal(#"{}"#) == "'healthy' must be true or false")
        #expect(refusal(#"{"healthy":true,"reason":null}"#) == "'reason' must be a string")
        for ttl in ["0", "86400001", "1.5", "null", "\"3\""] {
            #expect(refusal(#"{"healthy":true,"ttl_ms":"# + ttl + "}") == "'ttl_ms' must be a whole number of milliseconds from 1 to 86400000")
        }
        #expect(refusal(#"{"healthy":true,"ttl_ms":86400000}"#) == nil)
    }
}
