/// A capability that every node must understand before any node uses it: a new frame kind, a new
/// kind of log entry, a new state-file format. It switches on only once the cluster version has
/// it (docs/compatibility.md, "Features every node must understand").
///
/// Features that only one node needs to understand (a new `/v1/status` field, a new flag) are
/// not gated: they work as soon as that node runs the release that has them.
public struct Feature: Hashable, Sendable, CustomStringConvertible {
    /// A stable name for logs, metrics and `/v1/status` (`replicated-log`).
    public var name: String
    /// The first cluster version that has it.
    public var since: ClusterVersion

    public init(name: String, since: ClusterVersion) {
        self.name = name
        self.since = since
    }

    public var description: String { "\(name) (since \(since))" }

    /// The replicated log (the issue after release 0.1.0): its frames and entries go out only when
    /// every voter runs 0.2 or later. A placeholder until that release: the release that ships
    /// the log sets `since` to its own major.minor if it is not 0.2.
    public static let replicatedLog = Feature(name: "replicated-log", since: ClusterVersion(major: 0, minor: 2))

    /// Every gated feature, oldest first. Release 0.1.0 has none: everything in it is the baseline
    /// that every release reads and speaks.
    public static let all: [Feature] = [.replicatedLog]
}

/// Answers "may this node use feature X now?" from the cluster version.
///
/// Build one from what the node currently knows (`FeatureGate(voters:reported:)`) whenever the
/// configuration or a version report changes, and ask it before sending anything a gated feature
/// adds. The answer is no while the cluster version is unknown and no while this release itself
/// lacks the feature (a build never uses what it does not have, whatever the others report).
public struct FeatureGate: Hashable, Sendable {
    public var clusterVersion: ClusterVersionState
    /// The cluster version this binary offers (its own major.minor).
    public var local: ClusterVersion

    public init(clusterVersion: ClusterVersionState, local: ClusterVersion = TenureRelease.clusterVersion) {
        self.clusterVersion = clusterVersion
        self.local = local
    }

    /// The gate of a configuration's voters and the versions they report (see
    /// `ClusterVersion.negotiate`).
    public init(voters: some Sequence<String>, reported: [String: String], local: ClusterVersion = TenureRelease.clusterVersion) {
        self.init(clusterVersion: ClusterVersion.negotiate(voters: voters, reported: reported), local: local)
    }

    /// True only when this binary and every voter have `feature`.
    public func isEnabled(_ feature: Feature) -> Bool {
        guard let version = clusterVersion.version else { return false }
        return version >= feature.since && local >= feature.since
    }

    /// Why `feature` is off, in one phrase for logs and status; nil when it is on.
    public func whyDisabled(_ feature: Feature) -> String? {
        if local < feature.since { return "this release offers \(local), \(feature.name) needs \(feature.since)" }
        switch clusterVersion {
        case .unknown(let voters) where voters.isEmpty:
            return "no voters"
        case .unknown(let voters):
            return "version unknown for \(voters.joined(separator: ", "))"
        case .known(let version) where version < feature.since:
            return "cluster version \(version), \(feature.name) needs \(feature.since)"
        case .known:
            return nil
        }
    }

    /// The features of `Feature.all` that are on.
    public var enabledFeatures: [Feature] { Feature.all.filter(isEnabled) }
}
