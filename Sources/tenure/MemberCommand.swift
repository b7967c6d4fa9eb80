import TenureClient
import TenureCommandLine
import TenureCore
import TenurePOSIX

/// `tenure member list | add ID=HOST:PORT [--api HOST:PORT] | remove ID`: the cluster's
/// membership, changed one server at a time on the running cluster.
enum MemberCommand {
    static let usage = """
    usage: tenure member list   [--endpoints HOST:PORT,...] [--json]
           tenure member add ID=HOST:PORT [--api HOST:PORT] [--endpoints ...]
           tenure member remove ID [--endpoints ...]
    add:    the new node joins as a non-voter; start it with
              tenure node --id ID --peers ID=HOST:PORT --api API --data-dir DIR --join <a member's API>
            and the leader makes it a voter once it has caught up (the command returns then).
    remove: takes effect when committed; a removed leader hands over first.
    Changes need the API token when the nodes have --api-token-file ($TENURE_API_TOKEN_FILE).
    """

    static func run(_ arguments: [String]) -> Int32 {
        let command = Command("tenure member", usage: usage)
        let parsed = command.parse(arguments, .init(values: ["--endpoints", "--api"], switches: ["--json"], positionals: true,
                                                    aliases: ["-e": "--endpoints"]))
        let words = parsed.positionals
        guard let action = words.first else { command.fail("missing action: list, add or remove") }
        let endpoints: [String]
        do {
            endpoints = try Endpoints.resolve(parsed.string("--endpoints"))
        } catch {
            command.fail(error)
        }
        let client = TenureClient(endpoints: endpoints, timeout: .seconds(1), apiToken: Terminal.apiToken())
        do throws(TenureClientError) {
            switch action {
            case "list":
                guard words.count == 1 else { command.fail("list takes no argument") }
                let answer = try client.members()
                if parsed.has("--json") { print(answer.text) } else { printTable(answer.document) }
            case "add":
                guard words.count == 2 else { command.fail("add takes one argument: ID=HOST:PORT") }
                let parts = words[1].split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, NodeID.isValid(parts[0]), SocketAddress(parts[1]) != nil else {
                    command.fail("'\(words[1])' must look like n4=127.0.0.14:7100")
                }
                if let api = parsed.string("--api"), SocketAddress(api) == nil { command.fail("--api '\(api)' is not an IPv4 HOST:PORT") }
                print(try client.addMember(id: parts[0], address: parts[1], api: parsed.string("--api")).text)
            case "remove":
                guard words.count == 2, NodeID.isValid(words[1]) else { command.fail("remove takes one argument: a node id") }
                print(try client.removeMember(id: words[1]).text)
            default:
                command.fail("unknown action '\(action)': list, add or remove")
            }
            return 0
        } catch {
            if case .refused(_, _, let body) = error { print(body) }
            Terminal.printError(error.description)
            return 1
        }
    }

    static func printTable(_ document: MembersDocument) {
        print("configuration \(document.index)\(document.committed ? "" : " (not committed yet)")")
        var rows = [["ID", "VOTER", "ADDRESS", "API"]]
        for member in document.members {
            rows.append([member.id, member.voter ? "yes" : "not yet", member.address, member.api ?? ""])
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { index, cell in index == 3 ? cell : Terminal.padded(cell, to: widths[index] + 2) }.joined())
        }
    }
}
