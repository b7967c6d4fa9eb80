/// Which release this binary is, and the commit it was built from.
///
/// `release` is the one place a version number is written: the release commit sets it
/// (docs/releases.md, "Cutting a release"), and nothing else in the tree repeats it. `commit` is
/// stamped at build time by the `TenureReleaseStamp` plugin (Plugins/), from git or from the
/// `COMMIT` file of an exported tree, so no one edits it by hand.
///
/// Pure: the standard library only, no other module, so every layer may import it.
public enum TenureRelease {
    /// The semantic version of this tree: `MAJOR.MINOR.PATCH`, with `-dev` (or another
    /// pre-release label) between releases when a feature gated on the next minor version must
    /// be switched on among development builds. Edited only in a release commit or right after
    /// one (docs/releases.md).
    public static let release = "0.2.0-dev"

    /// The commit this binary was built from: 40 lowercase hexadecimal digits, or `unknown` when
    /// the tree was neither a git work tree nor an export with a `COMMIT` file.
    public static var commit: String { stampedCommit }

    /// Where `commit` came from: `git`, `COMMIT` (an exported tree) or `none`.
    public static var commitSource: String { stampSource }

    /// `release` parsed; every test asserts that it parses.
    public static var version: SemanticVersion {
        SemanticVersion(release) ?? SemanticVersion(major: 0, minor: 0, patch: 0, preRelease: ["invalid"])
    }

    /// `0.1.0 (commit 1a2b3c4d...)`, with the full commit: what `tenure --version` and logs show.
    public static var description: String { "\(release) (commit \(commit))" }

    /// The commit cut to its first 12 digits (or `unknown`), for narrow displays.
    public static var shortCommit: String { commit == "unknown" ? commit : String(commit.prefix(12)) }

    /// The cluster version this release offers: its major.minor.
    public static var clusterVersion: ClusterVersion { ClusterVersion(version) }
}
