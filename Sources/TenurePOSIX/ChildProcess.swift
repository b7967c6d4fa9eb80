import Glibc

/// Starting, signalling and waiting for other processes.
public enum ChildProcess {
    /// Signals a tool sends to processes it started, named so that callers need no Glibc.
    public enum Signal: Int32, Sendable {
        case hangUp = 1
        case interrupt = 2
        case kill = 9
        case terminate = 15
        case stop = 19
        case resume = 18
    }

    /// Sends `signal` to every process in the group `group` (a child started with `ownGroup`).
    public static func send(_ signal: Signal, toGroup group: Int32) throws(SystemError) {
        precondition(group > 1, "refusing to signal process group \(group)")
        _ = try SystemCall.run("kill -\(group)") { Glibc.kill(-group, signal.rawValue) }
    }

    /// Starts `arguments[0]` (looked up in PATH) directly, without a shell, with `environment`
    /// added to this process's own. The child leads a process group of its own (so one signal
    /// reaches everything it started), and with `dieWithParent` the kernel kills it when this
    /// process dies (`PR_SET_PDEATHSIG`), however this process ends.
    public static func spawn(_ arguments: [String], environment: [String: String], dieWithParent: Bool) throws(SystemError) -> Int32 {
        precondition(!arguments.isEmpty, "a command needs at least its name")
        var merged: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { merged[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry += 1
        }
        for (name, value) in environment { merged[name] = value }
        // Everything the child needs is built before fork: after it, only async-signal-safe calls.
        var argumentPointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var environmentPointers: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argumentPointers { free(pointer) }
            for pointer in environmentPointers { free(pointer) }
        }
        let parent = getpid()
        let pid = fork()
        if pid < 0 { throw SystemError("fork") }
        if pid == 0 {
            _ = setpgid(0, 0)
            if dieWithParent {
                _ = systemPrctl(1 /* PR_SET_PDEATHSIG */, UInt(SIGKILL), 0, 0, 0)
                // The parent may have died between fork and prctl: then nobody would kill us.
                if getppid() != parent { _exit(127) }
            }
            argumentPointers.withUnsafeMutableBufferPointer { argv in
                environmentPointers.withUnsafeMutableBufferPointer { envp in
                    _ = systemExecvpe(argv[0]!, argv.baseAddress!, envp.baseAddress!)
                }
            }
            _exit(127)
        }
        // Also set the group from the parent, so a signal sent right after spawn reaches it.
        _ = setpgid(pid, pid)
        return pid
    }

    /// The exit status of child `pid` if it has ended (128 + N when signal N ended it), else nil.
    public static func exitStatus(of pid: Int32) -> Int32? {
        var status: Int32 = 0
        let result = SystemCall.retrying("waitpid") { waitpid(pid, &status, WNOHANG) }
        guard result == pid else { return result < 0 ? 127 : nil }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Sends `signal` to process `pid`.
    public static func send(_ signal: Signal, to pid: Int32) throws(SystemError) {
        _ = try SystemCall.run("kill \(pid)") { Glibc.kill(pid, signal.rawValue) }
    }

    /// Runs `/bin/sh -c command` with posix_spawn and returns its exit status (127 when it could
    /// not be started, 128 + N when signal N ended it). It starts in about a millisecond, which
    /// keeps instants measured around it sharp. The command gets only PATH from this environment.
    public static func runShell(_ command: String) -> Int32 {
        let arguments = ["/bin/sh", "-c", command]
        let environment = ["PATH=" + (ProcessEnvironment.variable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")]
        var argumentPointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var environmentPointers: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argumentPointers { free(pointer) }
            for pointer in environmentPointers { free(pointer) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", nil, nil, &argumentPointers, &environmentPointers) == 0 else { return 127 }
        return wait(for: pid)
    }

    /// Waits for child `pid` to end; its exit status, or 128 + N when signal N ended it.
    public static func wait(for pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return 127 }
        }
        // WIFEXITED / WEXITSTATUS by hand: Glibc's macros are not imported into Swift.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

/// glibc's `prctl(2)`; declared here with fixed arguments because Swift imports no C variadics.
@_silgen_name("prctl")
private func systemPrctl(_ option: Int32, _ second: UInt, _ third: UInt, _ fourth: UInt, _ fifth: UInt) -> Int32

/// glibc's `execvpe(3)` (a GNU extension its header hides without _GNU_SOURCE): PATH lookup with
/// an explicit environment.
@_silgen_name("execvpe")
private func systemExecvpe(_ file: UnsafePointer<CChar>, _ argv: UnsafePointer<UnsafeMutablePointer<CChar>?>,
                           _ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32
