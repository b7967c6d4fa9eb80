import TenureCore
import TenurePOSIX
import TenureWire

/// The node's cluster keys (`--peer-key-file`), or the explicit choice to run without them
/// (`--insecure-peers`), shared by every peer connection.
///
/// The file is read at start and again on SIGHUP, so keys rotate without a restart; a file
/// that cannot be read or parsed on SIGHUP is reported and the keys in use are kept.
/// Connections already authenticated keep their session keys until they reconnect.
final class PeerSecurity {
    let keyFile: String?
    private(set) var keyring: PeerKeyring?

    var insecure: Bool { keyFile == nil }

    /// Loads `keyFile`; nil means `--insecure-peers`.
    init(keyFile: String?) throws(KeyringError) {
        self.keyFile = keyFile
        if let keyFile { keyring = try Self.load(keyFile) }
    }

    /// Re-reads the key file; the error (the keys in use stay) or nil.
    func reload() -> KeyringError? {
        guard let keyFile else { return nil }
        do {
            keyring = try Self.load(keyFile)
            return nil
        } catch {
            return error
        }
    }

    static func load(_ path: String) throws(KeyringError) -> PeerKeyring {
        let bytes: [UInt8]?
        do {
            bytes = try Files.readBytes(path, limit: 64 * 1024)
        } catch {
            throw KeyringError.file(path, "cannot be read: \(error)")
        }
        guard let bytes else { throw KeyringError.file(path, "does not exist (make a key with `tenure keygen > \(path)`)") }
        do {
            return try PeerKeyring(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw KeyringError.file(path, error.description)
        }
    }

    /// A fresh nonce from getrandom; nil (and the connection waits for a retry) if the kernel
    /// has none to give, rather than a weak one.
    static func nonce() -> [UInt8]? {
        try? ProcessEnvironment.randomBytes(Handshake.nonceByteCount)
    }
}

extension KeyringError {
    static func file(_ path: String, _ problem: String) -> KeyringError {
        KeyringError("peer key file \(path) \(problem)")
    }
}
