import TenureCrypto
import TenurePOSIX
import TenureWire

/// The bearer token (`--api-token-file`) that guards the API requests able to move leadership:
/// transfer, resign, and health reports (an "unhealthy" report makes a leader hand over).
/// Reads stay open, since every client must be able to find the leader.
///
/// The file's first line is the token; SIGHUP re-reads it. Tokens are compared in constant time.
final class APIToken {
    let path: String
    private(set) var token: [UInt8]

    init(path: String) throws(KeyringError) {
        self.path = path
        token = try Self.load(path)
    }

    /// Re-reads the file; the error (the token in use stays) or nil.
    func reload() -> KeyringError? {
        do {
            token = try Self.load(path)
            return nil
        } catch {
            return error
        }
    }

    /// Whether an `Authorization` header value carries the token.
    func admits(_ authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        return ConstantTime.equals(Array(authorization.dropFirst("Bearer ".count).utf8), token)
    }

    static func load(_ path: String) throws(KeyringError) -> [UInt8] {
        let text: String?
        do {
            text = try Files.readBytes(path, limit: 4096).map { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw KeyringError("API token file \(path) cannot be read: \(error)")
        }
        guard let text else { throw KeyringError("API token file \(path) does not exist") }
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.filter { $0 != " " && $0 != "\t" && $0 != "\r" } } ?? ""
        guard line.utf8.count >= 16 else {
            throw KeyringError("API token file \(path) must hold a token of at least 16 characters on its first line (for example `tenure keygen > \(path)`)")
        }
        return Array(line.utf8)
    }
}
