import Glibc
import Testing
@testable import TenurePOSIX

/// Socket options Tenure relies on are never set silently: a refusal is an error naming the option.
@Suite struct SocketOptionTests {
    @Test("every named option can be set on a TCP socket")
    func everyOptionSets() throws {
        let fd = try Socket.makeStream()
        defer { Descriptor.close(fd) }
        for option in Socket.Option.allCases {
            try Socket.set(option, option == .receiveBuffer || option == .sendBuffer ? 65536 : 1, on: fd)
        }
    }

    @Test("a value the kernel refuses is an error naming the option and its errno")
    func refusedValue() throws {
        let fd = try Socket.makeStream()
        defer { Descriptor.close(fd) }
        #expect(throws: SystemError("setsockopt TCP_USER_TIMEOUT", errno: EINVAL)) {
            try Socket.set(.userTimeoutMilliseconds, -1, on: fd)
        }
    }

    @Test("an option of another protocol, an unknown option, or a descriptor that is no socket is an error")
    func invalidOption() throws {
        let datagram = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(datagram >= 0)
        defer { Descriptor.close(datagram) }
        let tcpOnUDP = #expect(throws: SystemError.self) { try Socket.set(.noDelay, 1, on: datagram) }
        #expect(tcpOnUDP?.call == "setsockopt TCP_NODELAY")
        #expect(tcpOnUDP?.errno != 0)

        let unknown = #expect(throws: SystemError.self) {
            try Socket.setOption(datagram, level: SOL_SOCKET, name: 0x7FFF, value: 1, label: "option 0x7FFF")
        }
        #expect(unknown == SystemError("setsockopt option 0x7FFF", errno: ENOPROTOOPT))

        let pipe = try Descriptor.pipe()
        defer { Descriptor.close(pipe.read); Descriptor.close(pipe.write) }
        #expect(throws: SystemError("setsockopt SO_REUSEADDR", errno: ENOTSOCK)) { try Socket.set(.reuseAddress, 1, on: pipe.read) }
    }

    @Test("a connect whose TCP_USER_TIMEOUT is refused fails with that option's name, before any packet leaves")
    func connectFailsOnRefusedOption() {
        let error = #expect(throws: SystemError.self) {
            try Socket.connect(from: nil, to: SocketAddress(host: "127.0.0.1", port: 9), userTimeoutMilliseconds: -1)
        }
        #expect(error == SystemError("setsockopt TCP_USER_TIMEOUT", errno: EINVAL))
        #expect(error?.description.hasPrefix("setsockopt TCP_USER_TIMEOUT: ") == true)
    }
}
