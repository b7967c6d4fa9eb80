import TenureHTTP
import TenurePOSIX

/// Verdicts in the cluster/ harness's own format ("  ok   TEXT", "  FAIL TEXT", as lib/counts.sh
/// prints them), so a script counts a tool's checks like its own (`count_check_lines`).
enum CheckLines {
    static func result(_ ok: Bool, _ text: String) {
        print((ok ? "  ok   " : "  FAIL ") + text)
        ProcessEnvironment.flushOutput()
    }

    /// A line of detail, indented under the checks.
    static func note(_ text: String) {
        print("       " + text)
        ProcessEnvironment.flushOutput()
    }

    /// "; a; b; c" of the first few items, or nothing: the evidence a failed check quotes.
    static func evidence(_ items: [String], first: Int = 5) -> String {
        items.isEmpty ? "" : "; " + items.prefix(first).joined(separator: "; ")
    }

    /// "kind count, kind count" in name order.
    static func tally(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

/// The node's refusal counters, read from its /metrics, before and after hostile traffic.
struct RefusalCounts: Equatable {
    /// tenure_malformed_frames_total, every reason.
    var malformed: Double
    /// tenure_peer_auth_failures_total, every reason.
    var auth: Double
    /// tenure_peer_auth_failures_total{reason="bad_tag"}.
    var badTag: Double

    var total: Double { malformed + auth }

    /// The counters of the node whose API is `api` (zeros when it does not answer).
    static func read(api: String) -> RefusalCounts {
        let text = (try? HTTPClient.request(endpoint: api, path: "/metrics", timeoutMilliseconds: 2000))?.bodyText ?? ""
        func sum(_ prefix: String) -> Double {
            text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        }
        return RefusalCounts(malformed: sum("tenure_malformed_frames_total"), auth: sum("tenure_peer_auth_failures_total"),
                             badTag: sum("tenure_peer_auth_failures_total{reason=\"bad_tag\"}"))
    }
}
