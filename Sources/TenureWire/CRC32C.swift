/// CRC-32C (Castagnoli), the checksum that closes every frame.
///
/// Castagnoli rather than the zlib CRC-32 because it detects more error patterns in short
/// messages and is what storage and network protocols (iSCSI, SCTP, ext4) settled on;
/// implemented here because TenureWire may use nothing beyond the standard library.
/// Reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF.
public enum CRC32C {
    /// The checksum of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        ~update(0xFFFF_FFFF, with: bytes)
    }

    /// The checksum of `bytes`, for callers that already hold raw memory (a socket buffer).
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        ~update(0xFFFF_FFFF, with: bytes)
    }

    static func update(_ state: UInt32, with bytes: some Sequence<UInt8>) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            update(state, with: UnsafeRawBufferPointer(buffer))
        }) {
            return result
        }
        var crc = state
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc
    }

    static func update(_ state: UInt32, with bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = state
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return crc
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1
        }
        return value
    }
}
