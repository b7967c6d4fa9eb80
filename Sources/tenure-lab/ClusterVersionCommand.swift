import TenureCommandLine
import TenureJSON
import TenurePOSIX
import TenureRelease

/// `tenure-lab cluster-version`: the cluster version a `/v1/status` document implies, by the rule
/// of `ClusterVersion.negotiate` (the lowest major.minor among the voters, unknown while any
/// voter's version is unknown), from its `voters` and the versions gossiped in `nodes`. Used by
/// cluster/e2e-upgrade, which so checks real answers with the same pure function the node uses.
enum ClusterVersionCommand {
    static let usage = """
    usage: tenure-lab cluster-version --status FILE [--explain]
      FILE holds one /v1/status answer; prints its cluster version (0.1, or unknown), and with
      --explain each voter's reported version; exits 1 when FILE is not a status document
    """

    static func run(_ arguments: [String]) -> Int32 {
        let command = Command("tenure-lab cluster-version", usage: usage)
        let parsed = command.parse(arguments, .init(values: ["--status"], switches: ["--explain"]))
        guard let path = parsed.string("--status") else { command.fail("give --status FILE") }
        guard let bytes = try? Files.readBytes(path, limit: 1 << 20), let status = JSONValue.parse(bytes),
              let voters = status["voters"]?.array?.compactMap(\.string) else {
            Terminal.printError("tenure-lab cluster-version: \(path) is not a /v1/status document")
            return 1
        }
        var reported: [String: String] = [:]
        for (node, report) in status["nodes"]?.object ?? [:] {
            if let version = report["version"]?.string { reported[node] = version }
        }
        let state = ClusterVersion.negotiate(voters: voters, reported: reported)
        if parsed.has("--explain") {
            let versions = voters.map { "\($0) \(reported[$0] ?? "unknown")" }.joined(separator: ", ")
            print("\(state) (\(versions))")
        } else {
            print(state)
        }
        return 0
    }
}
