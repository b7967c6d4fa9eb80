/// The release this build is, as nodes report it to each other and `tenure --version` prints
/// it: during an upgrade one node at a time, `tenure status` shows which nodes run which.
public enum TenureVersion {
    public static let current = "0.9.0"
}
