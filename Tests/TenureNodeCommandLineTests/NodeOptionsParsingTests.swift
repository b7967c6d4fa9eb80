import Testing
import TenureCommandLine
import TenureCore
import TenureNode
@testable import TenureNodeCommandLine

/// `tenure node`'s flags: what they set, and the mistakes refused with a line naming the flag.
@Suite struct NodeOptionsParsingTests {
    let required = ["--id", "n1", "--peers", "n1=127.0.0.11:7100,n2=127.0.0.12:7100,n3=127.0.0.13:7100",
                    "--api", "127.0.0.11:7200", "--data-dir", "/tmp/x", "--peer-key-file", "/tmp/peer.key"]

    func message(_ extra: [String]) -> String? {
        do {
            _ = try NodeOptions.parse(required + extra)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("hooks and their timeout are read from --on-elected, --on-demoted and --hook-timeout")
    func hooks() throws {
        let options = try NodeOptions.parse(required + ["--on-elected", "notify up", "--on-demoted=notify down", "--hook-timeout", "2s"])
        #expect(options.onElected == "notify up")
        #expect(options.onDemoted == "notify down")
        #expect(options.hookTimeout == .seconds(2))
        let defaults = try NodeOptions.parse(required)
        #expect(defaults.onElected == nil && defaults.onDemoted == nil && defaults.hookTimeout == .seconds(10))
    }

    @Test("an empty hook, a hook timeout without a unit or out of range are refused")
    func badHooks() {
        #expect(message(["--on-elected", ""]) == "--on-elected must not be empty")
        #expect(message(["--on-demoted="]) == "--on-demoted must not be empty")
        #expect(message(["--hook-timeout", "5"])?.contains("--hook-timeout") == true)
        #expect(message(["--hook-timeout", "2h"])?.contains("--hook-timeout") == true)
    }

    @Test("peer authentication is required: a key file or an explicit --insecure-peers, not both")
    func peerAuthentication() throws {
        let withoutKey = Array(required.dropLast(2))
        #expect(throws: UsageError.self) { try NodeOptions.parse(withoutKey) }
        do {
            _ = try NodeOptions.parse(withoutKey)
        } catch {
            #expect(error.message.contains("tenure keygen"))
        }
        let insecure = try NodeOptions.parse(withoutKey + ["--insecure-peers"])
        #expect(insecure.insecurePeers && insecure.peerKeyFile == nil)
        #expect(message(["--insecure-peers"]) == "give --peer-key-file or --insecure-peers, not both")
        #expect(message(["--insecure-peers=yes"]) == "--insecure-peers takes no value")
    }

    @Test("health flags: both kinds of check at once, an empty command, a non-http URL are refused")
    func badHealth() {
        #expect(message(["--health-cmd", "true", "--health-url", "http://127.0.0.1:1/"]) == "give --health-cmd or --health-url, not both")
        #expect(message(["--health-cmd", ""]) == "--health-cmd must not be empty")
        #expect(message(["--health-url", "https://127.0.0.1:1/"])?.hasPrefix("--health-url") == true)
        #expect(message(["--health-rise", "0"])?.contains("--health-rise") == true)
    }
}
