/// Which API endpoints a client command asks: `--endpoints`, else `$TENURE_ENDPOINTS`, else the
/// cluster that `cluster/up` started (it records its endpoints in its run folder).
public enum Endpoints {
    public static let clusterFile = "/tmp/tenure-cluster/endpoints"
    public static let fallback = ["127.0.0.11:7200", "127.0.0.12:7200", "127.0.0.13:7200"]

    /// The endpoints to ask; a flag or variable that names none (`--endpoints ,`) is a usage error.
    public static func resolve(_ flag: String?) throws(UsageError) -> [String] {
        if let flag, !flag.isEmpty {
            let list = split(flag)
            guard !list.isEmpty else { throw UsageError("--endpoints '\(flag)' names no endpoint (give HOST:PORT,...)") }
            return list
        }
        if let environment = Terminal.environment("TENURE_ENDPOINTS"), !environment.isEmpty {
            let list = split(environment)
            guard !list.isEmpty else { throw UsageError("$TENURE_ENDPOINTS '\(environment)' names no endpoint (give HOST:PORT,...)") }
            return list
        }
        if let text = Terminal.readFile(clusterFile) {
            let list = split(text)
            if !list.isEmpty { return list }
        }
        return fallback
    }

    private static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " }).map(String.init)
    }
}
