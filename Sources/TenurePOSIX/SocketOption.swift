import Glibc

extension Socket {
    /// Linux `TCP_USER_TIMEOUT`, not exported by Glibc's module map.
    public static let tcpUserTimeoutOption: Int32 = 18
    /// Linux `IP_BIND_ADDRESS_NO_PORT`, not exported by Glibc's module map.
    static let bindAddressNoPortOption: Int32 = 24

    /// The integer socket options Tenure sets, named so that callers need no Glibc; each names
    /// itself as the kernel does, so a refusal says which option failed.
    public enum Option: Sendable, CaseIterable, CustomStringConvertible {
        case reuseAddress, noDelay, userTimeoutMilliseconds, receiveBuffer, sendBuffer
        /// Choose the source port at connect time, per destination (many connections from one address).
        case bindAddressNoPort

        var level: Int32 {
            switch self {
            case .reuseAddress, .receiveBuffer, .sendBuffer: SOL_SOCKET
            case .noDelay, .userTimeoutMilliseconds: Int32(IPPROTO_TCP)
            case .bindAddressNoPort: Int32(IPPROTO_IP)
            }
        }

        var name: Int32 {
            switch self {
            case .reuseAddress: SO_REUSEADDR
            case .noDelay: TCP_NODELAY
            case .userTimeoutMilliseconds: tcpUserTimeoutOption
            case .receiveBuffer: SO_RCVBUF
            case .sendBuffer: SO_SNDBUF
            case .bindAddressNoPort: bindAddressNoPortOption
            }
        }

        public var description: String {
            switch self {
            case .reuseAddress: "SO_REUSEADDR"
            case .noDelay: "TCP_NODELAY"
            case .userTimeoutMilliseconds: "TCP_USER_TIMEOUT"
            case .receiveBuffer: "SO_RCVBUF"
            case .sendBuffer: "SO_SNDBUF"
            case .bindAddressNoPort: "IP_BIND_ADDRESS_NO_PORT"
            }
        }
    }

    /// Sets `option` to `value` on `fd`; a refusal throws `setsockopt <OPTION>` with its errno.
    public static func set(_ option: Option, _ value: Int32, on fd: Int32) throws(SystemError) {
        try setOption(fd, level: option.level, name: option.name, value: value, label: option.description)
    }

    /// Sets one integer option by its Glibc level and name; `label` names it in the error.
    static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32, label: String) throws(SystemError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            let code = Glibc.errno
            throw SystemError("setsockopt \(label)", errno: code)
        }
    }

    /// Sets an option Tenure relies on for a socket being set up: on a refusal `fd` is closed
    /// and the error thrown, so no socket goes on without it.
    static func require(_ option: Option, _ value: Int32, on fd: Int32) throws(SystemError) {
        do {
            try set(option, value, on: fd)
        } catch {
            Descriptor.close(fd)
            throw error
        }
    }
}
