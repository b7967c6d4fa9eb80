/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of the hard state file.
///
/// The state file detects torn or bit-rotted writes itself instead of borrowing the wire codec's
/// checksum, so the on-disk format cannot change by accident when the wire format does.
enum StateFileCRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = (crc >> 8) ^ table[Int((crc ^ UInt32(byte)) & 0xFF)]
        }
        return crc ^ 0xFFFF_FFFF
    }
}
