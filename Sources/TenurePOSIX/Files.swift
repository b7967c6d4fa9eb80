import Glibc

/// The file operations the shell and the tools need, on plain POSIX calls (no Foundation).
///
/// Durable replacement (`replaceDurably`) is the one that safety rests on: the node's term and
/// vote go through it, so its steps are named in every error an operator may see.
public enum Files {
    /// The whole file, or nil when it cannot be opened; reads at most `limit` bytes.
    public static func readBytes(_ path: String, limit: Int = 1 << 30) throws(SystemError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("open \(path)")
        }
        defer { Descriptor.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(limit + 1, 1 << 16))
        while bytes.count <= limit {
            switch Descriptor.read(fd, into: &chunk) {
            case .bytes(let count): bytes.append(contentsOf: chunk[0..<count])
            case .closed, .wouldBlock: return bytes
            case .failed(let code): throw SystemError("read \(path)", errno: code)
            }
        }
        return bytes
    }

    /// The whole file as UTF-8 text, or nil when it cannot be read.
    public static func readText(_ path: String, limit: Int = 1 << 30) -> String? {
        guard let bytes = try? readBytes(path, limit: limit) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The last `bytes` bytes of a file, from its first complete line; nil when unreadable.
    /// For logs that grow for hours, of which only the recent part matters.
    public static func readTail(_ path: String, bytes: Int) -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Descriptor.close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0 else { return nil }
        let start = max(0, Int(size) - bytes)
        guard lseek(fd, off_t(start), SEEK_SET) >= 0 else { return nil }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case .bytes(let count) = Descriptor.read(fd, into: &chunk) { data.append(contentsOf: chunk[0..<count]) }
        if start > 0, let newline = data.firstIndex(of: 0x0A) { data.removeSubrange(...newline) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Opens `path` for appending (created when missing); one `write(2)` per line stays whole.
    public static func openForAppending(_ path: String) throws(SystemError) -> Int32 {
        try SystemCall.run("open \(path)") { Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
    }

    /// Appends `text` with one `write(2)` on an `O_APPEND` descriptor; false on failure.
    @discardableResult
    public static func append(_ text: String, to path: String) -> Bool {
        guard let fd = try? openForAppending(path) else { return false }
        defer { Descriptor.close(fd) }
        return Descriptor.writeAll(fd, Array(text.utf8))
    }

    /// `mkdir -p`: creates each missing component, then checks the result is a directory.
    public static func makeDirectories(_ directory: String) throws(SystemError) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            if Glibc.mkdir(prefix, 0o755) != 0, errno != EEXIST { throw SystemError("create directory \(prefix)") }
        }
        var info = stat()
        guard stat(directory, &info) == 0 else { throw SystemError("create directory \(directory)") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw SystemError("create directory \(directory)", errno: ENOTDIR) }
    }

    /// One step of a durable replacement, named for the operator's message.
    public enum ReplaceStep: String, Sendable {
        case open, write, fsync, close, rename
        case fsyncDirectory = "fsync directory"
    }

    /// Atomically and durably replaces `path` with `bytes`: write `temporaryPath`, fsync, rename
    /// over `path`, fsync `directory`. A crash at any point leaves the old or the new contents.
    public static func replaceDurably(_ path: String, with bytes: [UInt8], temporaryPath: String,
                                      directory: String) throws(ReplaceFailure) {
        let fd = SystemCall.retrying("open") { Glibc.open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw ReplaceFailure(step: .open, path: temporaryPath, errno: errno) }
        do throws(ReplaceFailure) {
            do throws(ReplaceFailure) {
                try writeAll(bytes, to: fd, path: temporaryPath)
                guard SystemCall.retrying("fsync", { fsync(fd) }) == 0 else {
                    throw ReplaceFailure(step: .fsync, path: temporaryPath, errno: errno)
                }
            } catch {
                _ = Glibc.close(fd)
                throw error
            }
            // Linux releases the descriptor even when close fails, so close is never retried.
            guard Glibc.close(fd) == 0 else { throw ReplaceFailure(step: .close, path: temporaryPath, errno: errno) }
            guard Glibc.rename(temporaryPath, path) == 0 else { throw ReplaceFailure(step: .rename, path: path, errno: errno) }
        } catch {
            _ = unlink(temporaryPath)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Why a durable replacement failed: which step, on which path, with which `errno`.
    public struct ReplaceFailure: Error, Sendable, Equatable {
        public var step: ReplaceStep
        public var path: String
        public var errno: Int32
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(ReplaceFailure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                SystemCall.retrying("write") { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            // write() returning 0 for a non-empty buffer means no progress is possible.
            guard written > 0 else { throw ReplaceFailure(step: .write, path: path, errno: written == 0 ? EIO : errno) }
            offset += written
        }
    }

    /// Makes a rename durable: until the directory entry is on disk, a crash may undo it.
    private static func syncDirectory(_ directory: String) throws(ReplaceFailure) {
        let fd = SystemCall.retrying("open") { Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw ReplaceFailure(step: .fsyncDirectory, path: directory, errno: errno) }
        defer { Descriptor.close(fd) }
        guard SystemCall.retrying("fsync", { fsync(fd) }) == 0 else {
            throw ReplaceFailure(step: .fsyncDirectory, path: directory, errno: errno)
        }
    }

    /// Expands a shell-style pattern such as `DIR/*.events.jsonl` (wildcards in the last component
    /// only); a path without wildcards is returned as is.
    public static func expand(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        let slash = pattern.lastIndex(of: "/")
        let directory = slash.map { String(pattern[..<$0]) } ?? "."
        let name = slash.map { String(pattern[pattern.index(after: $0)...]) } ?? pattern
        guard let handle = opendir(directory.isEmpty ? "/" : directory) else { return [] }
        defer { closedir(handle) }
        var matches: [String] = []
        while let entry = readdir(handle) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if entryName != ".", entryName != "..", fnmatch(name, entryName, 0) == 0 {
                matches.append(slash == nil ? entryName : directory + "/" + entryName)
            }
        }
        return matches.sorted()
    }
}
