import TenurePOSIX
import TenureCore
import TenureRelease

/// Why the node's term and vote could not be loaded or made durable.
///
/// Each description is one sentence for an operator, saying what is wrong and why the node will
/// not simply carry on: guessing a term or vote could let it vote twice in one term.
public enum HardStateStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case corrupt(path: String, reason: String)
    /// An intact state file in a format newer than this release reads: the node was downgraded
    /// to a release older than the one that wrote it.
    case newerFormat(path: String, format: Int)
    case unreadable(path: String, errno: Int32)
    /// `step` is one of "create directory", "open", "write", "fsync", "close", "rename", "fsync directory".
    case writeFailed(path: String, step: String, errno: Int32)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason):
            "state file \(path) is corrupt (\(reason)): refusing to start, because a reset could cast a second vote in a term; restore it or remove the node's data deliberately"
        case .newerFormat(let path, let format):
            "state file \(path) has format \(format), written by a newer release of Tenure; release \(TenureRelease.release) reads formats 1 to \(HardStateRecord.formatVersion): refusing to start and leaving the file untouched; run a release that reads format \(format) (docs/compatibility.md)"
        case .unreadable(let path, let code):
            "state file \(path) cannot be read (\(Self.message(code))): refusing to start without the node's term and vote; fix the file's permissions or the disk and restart"
        case .writeFailed(let path, let step, let code):
            "could not persist term and vote (\(step) of \(path) failed: \(Self.message(code))): a vote that is not durable must not be announced; check free space and permissions of the data directory"
        }
    }

    private static func message(_ code: Int32) -> String {
        SystemError.text(of: code).lowercased()
    }
}

/// Durable storage for the node's `HardState` in `<directory>/state`.
///
/// Election safety needs a node to remember its term and vote across crashes, so `save` is atomic
/// and durable: the record goes to `state.tmp`, is fsynced, renamed over `state`, and the
/// directory is fsynced so the rename itself survives power loss. A crash at any point leaves
/// either the old or the new record, never a mix. `load` refuses damaged files instead of falling
/// back to a fresh state. Not safe for concurrent `save` calls; the node saves from one thread.
public final class HardStateStore: HardStateStorage, Sendable {
    public let directory: String
    /// The state file, `<directory>/state`.
    public let path: String
    private let temporaryPath: String

    public var location: String { path }

    /// Opens the store, creating `directory` and its parents if needed.
    public init(directory: String) throws(HardStateStoreError) {
        var trimmed = directory
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.directory = trimmed
        self.path = trimmed == "/" ? "/state" : trimmed + "/state"
        self.temporaryPath = path + ".tmp"
        do {
            try Files.makeDirectories(trimmed)
        } catch {
            throw .writeFailed(path: error.call.replacingPrefix("create directory ", with: ""), step: "create directory", errno: error.errno)
        }
    }

    /// The saved state, or `nil` when no state file exists (a node that has never saved).
    public func load() throws(HardStateStoreError) -> HardState? {
        let bytes: [UInt8]
        do {
            guard let read = try Files.readBytes(path, limit: HardStateRecord.maximumSize) else { return nil }
            bytes = read
        } catch {
            throw .unreadable(path: path, errno: error.errno)
        }
        do throws(HardStateRecord.Corruption) {
            return try HardStateRecord.decode(bytes)
        } catch {
            if let format = error.newerFormat { throw .newerFormat(path: path, format: format) }
            throw .corrupt(path: path, reason: error.reason)
        }
    }

    /// Atomically and durably replaces the saved state. When this returns, the state survives a crash.
    public func save(_ state: HardState) throws(HardStateStoreError) {
        do {
            try Files.replaceDurably(path, with: HardStateRecord.encode(state), temporaryPath: temporaryPath, directory: directory)
        } catch {
            throw .writeFailed(path: error.path, step: error.step.rawValue, errno: error.errno)
        }
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
