import Glibc
import TenureCore

/// Why the node's term and vote could not be loaded or made durable.
///
/// Each description is one sentence for an operator, saying what is wrong and why the node will
/// not simply carry on: guessing a term or vote could let it vote twice in one term.
public enum HardStateStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case corrupt(path: String, reason: String)
    case unreadable(path: String, errno: Int32)
    /// `step` is one of "create directory", "open", "write", "fsync", "close", "rename", "fsync directory".
    case writeFailed(path: String, step: String, errno: Int32)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason):
            "state file \(path) is corrupt (\(reason)): refusing to start, because a reset could cast a second vote in a term; restore it or remove the node's data deliberately"
        case .unreadable(let path, let code):
            "state file \(path) cannot be read (\(Self.message(code))): refusing to start without the node's term and vote; fix the file's permissions or the disk and restart"
        case .writeFailed(let path, let step, let code):
            "could not persist term and vote (\(step) of \(path) failed: \(Self.message(code))): a vote that is not durable must not be announced; check free space and permissions of the data directory"
        }
    }

    private static func message(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}

/// Durable storage for the node's `HardState` in `<directory>/state`.
///
/// Election safety needs a node to remember its term and vote across crashes, so `save` is atomic
/// and durable: the record goes to `state.tmp`, is fsynced, renamed over `state`, and the
/// directory is fsynced so the rename itself survives power loss. A crash at any point leaves
/// either the old or the new record, never a mix. `load` refuses damaged files instead of falling
/// back to a fresh state. Not safe for concurrent `save` calls; the node saves from one thread.
public final class HardStateStore: Sendable {
    public let directory: String
    /// The state file, `<directory>/state`.
    public let path: String
    private let temporaryPath: String

    /// Opens the store, creating `directory` and its parents if needed.
    public init(directory: String) throws(HardStateStoreError) {
        var trimmed = directory
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.directory = trimmed
        self.path = trimmed == "/" ? "/state" : trimmed + "/state"
        self.temporaryPath = path + ".tmp"
        try Self.makeDirectories(trimmed)
    }

    /// The saved state, or `nil` when no state file exists (a node that has never saved).
    public func load() throws(HardStateStoreError) -> HardState? {
        let descriptor = Self.retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadable(path: path, errno: code)
        }
        defer { _ = close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: HardStateRecord.maximumSize + 1)
        while bytes.count <= HardStateRecord.maximumSize {
            let count = chunk.withUnsafeMutableBytes { buffer in
                Self.retryingEINTR { read(descriptor, buffer.baseAddress, buffer.count) }
            }
            if count < 0 { throw .unreadable(path: path, errno: errno) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        do throws(HardStateRecord.Corruption) {
            return try HardStateRecord.decode(bytes)
        } catch {
            throw .corrupt(path: path, reason: error.reason)
        }
    }

    /// Atomically and durably replaces the saved state. When this returns, the state survives a crash.
    public func save(_ state: HardState) throws(HardStateStoreError) {
        let record = HardStateRecord.encode(state)
        let descriptor = Self.retryingEINTR { open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard descriptor >= 0 else { throw .writeFailed(path: temporaryPath, step: "open", errno: errno) }
        do throws(HardStateStoreError) {
            do throws(HardStateStoreError) {
                try writeAll(record, to: descriptor)
                guard Self.retryingEINTR({ fsync(descriptor) }) == 0 else {
                    throw .writeFailed(path: temporaryPath, step: "fsync", errno: errno)
                }
            } catch {
                _ = close(descriptor)
                throw error
            }
            // Linux releases the descriptor even when close fails, so close is never retried.
            guard close(descriptor) == 0 else { throw .writeFailed(path: temporaryPath, step: "close", errno: errno) }
            guard rename(temporaryPath, path) == 0 else {
                throw .writeFailed(path: path, step: "rename", errno: errno)
            }
        } catch {
            _ = unlink(temporaryPath)
            throw error
        }
        try syncDirectory()
    }

    private func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(HardStateStoreError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Self.retryingEINTR { write(descriptor, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            guard written > 0 else {
                // write() returning 0 for a non-empty buffer means no progress is possible.
                throw .writeFailed(path: temporaryPath, step: "write", errno: written == 0 ? EIO : errno)
            }
            offset += written
        }
    }

    /// Makes the rename durable: until the directory entry is on disk, a crash may undo it.
    private func syncDirectory() throws(HardStateStoreError) {
        let descriptor = Self.retryingEINTR { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw .writeFailed(path: directory, step: "fsync directory", errno: errno) }
        defer { _ = close(descriptor) }
        guard Self.retryingEINTR({ fsync(descriptor) }) == 0 else {
            throw .writeFailed(path: directory, step: "fsync directory", errno: errno)
        }
    }

    /// `mkdir -p`: creates each missing component, then checks the result is a directory.
    private static func makeDirectories(_ directory: String) throws(HardStateStoreError) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .writeFailed(path: prefix, step: "create directory", errno: errno)
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw .writeFailed(path: directory, step: "create directory", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .writeFailed(path: directory, step: "create directory", errno: ENOTDIR)
        }
    }

    private static func retryingEINTR<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}
