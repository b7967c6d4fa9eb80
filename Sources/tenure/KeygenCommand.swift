import TenureCommandLine
import TenurePOSIX
import TenureWire

/// `tenure keygen`: a new cluster key, 32 bytes from getrandom as 64 hexadecimal characters,
/// ready to be the first line of every node's `--peer-key-file`.
enum KeygenCommand {
    static let usage = """
    usage: tenure keygen
    Prints a new cluster key (64 hexadecimal characters, 32 random bytes from getrandom).
    Save it where only the node's user can read it, on every node:
      tenure keygen > /etc/tenure/peer.key && chmod 600 /etc/tenure/peer.key
    """

    static func run(_ arguments: [String]) -> Int32 {
        _ = Command("tenure keygen", usage: usage).parse(arguments, ParsedArguments.Specification())
        do {
            print(PeerKeyring.keyText(from: try ProcessEnvironment.randomBytes(PeerKeyring.keyByteCount)))
            return 0
        } catch {
            ProcessEnvironment.printError("error: no random bytes from getrandom: \(error)")
            return 1
        }
    }
}
