/// The cluster version: the `MAJOR.MINOR` that every voter runs at least (etcd's model).
///
/// Patch releases never change what goes over the wire or onto disk, so only major and minor
/// count. A pre-release counts as its release (`0.2.0-dev` offers 0.2), so development builds of
/// the next minor version switch its features on among themselves.
public struct ClusterVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// The major.minor of a release.
    public init(_ version: SemanticVersion) {
        self.init(major: version.major, minor: version.minor)
    }

    /// Parses `MAJOR.MINOR` (as `/v1/status` shows it) or a full semantic version; nil otherwise.
    public init?(_ text: String) {
        if let version = SemanticVersion(text) {
            self.init(version)
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = SemanticVersion("\(parts[0]).\(parts[1]).0") else { return nil }
        self.init(major)
    }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: ClusterVersion, rhs: ClusterVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// The cluster version of a configuration, from the version each voter reports.
    ///
    /// `voters` are the voters of the node's current configuration; `reported` maps node ids to
    /// the `version` string each one gossips in its health report (`/v1/status` `nodes`), this
    /// node's own included. Non-voters are ignored. The answer is the lowest major.minor among the
    /// voters, and unknown while any voter has no report or reports a version that does not
    /// parse: a voter that cannot be heard might run anything. It is computed afresh each time,
    /// so it goes down again when a voter is downgraded.
    public static func negotiate(voters: some Sequence<String>, reported: [String: String]) -> ClusterVersionState {
        var lowest: ClusterVersion?
        var unknown: [String] = []
        var seen: Set<String> = []
        for voter in voters where seen.insert(voter).inserted {
            guard let text = reported[voter], let version = SemanticVersion(text) else {
                unknown.append(voter)
                continue
            }
            let offered = ClusterVersion(version)
            if lowest.map({ offered < $0 }) ?? true { lowest = offered }
        }
        if !unknown.isEmpty || seen.isEmpty { return .unknown(voters: unknown.sorted()) }
        return .known(lowest!)
    }
}

/// What a node can say about its cluster's version at one moment.
public enum ClusterVersionState: Hashable, Sendable, CustomStringConvertible {
    /// Every voter reported a version: the lowest major.minor among them.
    case known(ClusterVersion)
    /// These voters have not reported a version this node can read (empty: no voters at all).
    case unknown(voters: [String])

    public var version: ClusterVersion? {
        if case .known(let version) = self { version } else { nil }
    }

    /// `0.1`, or `unknown`: the text of `/v1/status` `cluster_version` and `tenure status`.
    public var description: String { version?.description ?? "unknown" }
}
