import Glibc

/// What a process asks of its environment: variables, standard streams, its id, exit, limits,
/// and randomness from the kernel.
///
/// Collected here so that the CLI and the node reach the system only through TenurePOSIX.
public enum ProcessEnvironment {
    public static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Writes `text` and a newline to standard error in one call.
    public static func printError(_ text: String) {
        Descriptor.writeAll(2, Array((text + "\n").utf8))
    }

    /// Writes `text` to standard error as it is.
    public static func writeError(_ text: String) {
        Descriptor.writeAll(2, Array(text.utf8))
    }

    /// Flushes standard output (print is buffered when stdout is a pipe).
    public static func flushOutput() { fflush(nil) }

    public static func exit(_ status: Int32) -> Never {
        fflush(nil)
        Glibc.exit(status)
    }

    public static var processID: Int32 { getpid() }

    /// The number of processors online, for sizing worker pools.
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The one-minute load average, or nil when the system does not say.
    public static func loadAverage() -> Double? {
        var samples = [Double](repeating: 0, count: 1)
        return getloadavg(&samples, 1) == 1 ? samples[0] : nil
    }

    public static var standardOutputIsTerminal: Bool { Descriptor.isTerminal(1) }
    public static var standardInputIsTerminal: Bool { Descriptor.isTerminal(0) }

    /// Many API clients need many descriptors; take what the hard limit allows (at most 65,536).
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = min(limit.rlim_max, 65536)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// `count` bytes from the kernel's random source (`getrandom(2)`), for seeds, nonces and keys.
    public static func randomBytes(_ count: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { raw in
                SystemCall.retrying("getrandom") { systemGetRandom(raw.baseAddress! + filled, count - filled, 0) }
            }
            guard got > 0 else { throw SystemError("getrandom") }
            filled += got
        }
        return bytes
    }

    /// A random 64-bit seed for the core's generator.
    public static func randomSeed() -> UInt64 {
        let bytes = (try? randomBytes(8)) ?? []
        var seed: UInt64 = 0
        for byte in bytes { seed = seed << 8 | UInt64(byte) }
        if seed == 0 { seed = UInt64(bitPattern: MonotonicClock.now().nanoseconds) ^ UInt64(getpid()) }
        return seed
    }
}

/// glibc's `getrandom(3)` (since 2.25); its header is not in Swift's Glibc module map.
@_silgen_name("getrandom")
private func systemGetRandom(_ buffer: UnsafeMutableRawPointer?, _ length: Int, _ flags: UInt32) -> Int
