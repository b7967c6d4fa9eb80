/// Turns a human cluster name into the 64-bit id every frame carries.
///
/// Operators name clusters (`--cluster tenure`); frames carry a fixed-size number so that a
/// node of one cluster that is pointed at another is refused from the header alone. FNV-1a is
/// simple, stable across platforms and releases (unlike `Hasher`, which is seeded per process),
/// and more than enough to tell a handful of cluster names apart.
public enum ClusterID {
    /// FNV-1a 64 of the UTF-8 bytes of `name`.
    public static func derive(from name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
