import Testing

@testable import TenureRelease

/// The release constant and the stamped commit.
@Suite struct TenureReleaseTests {
    @Test("the release constant is a semantic version without build metadata")
    func releaseParses() throws {
        let version = try #require(SemanticVersion(TenureRelease.release))
        #expect(version.description == TenureRelease.release)
        #expect(version.build.isEmpty)
        #expect(TenureRelease.version == version)
        #expect(TenureRelease.clusterVersion == ClusterVersion(major: version.major, minor: version.minor))
        // PeerReport carries at most 32 bytes of version: the release must fit.
        #expect(TenureRelease.release.utf8.count <= 32)
    }

    @Test("the stamped commit is 40 lowercase hexadecimal digits or unknown, with its source")
    func commitShape() {
        let commit = TenureRelease.commit
        let isHash = commit.count == 40 && commit.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
        #expect(isHash || commit == "unknown", "\(commit)")
        #expect(["git", "COMMIT", "none"].contains(TenureRelease.commitSource))
        #expect((TenureRelease.commitSource == "none") == (commit == "unknown"))
        #expect(TenureRelease.description == "\(TenureRelease.release) (commit \(commit))")
        #expect(TenureRelease.shortCommit.count == (commit == "unknown" ? 7 : 12))
    }
}

@Suite struct SemanticVersionTests {
    @Test("valid versions parse into their parts and print back the same")
    func parses() throws {
        let cases: [(String, Int, Int, Int, [String], [String])] = [
            ("0.1.0", 0, 1, 0, [], []),
            ("1.20.300", 1, 20, 300, [], []),
            ("0.2.0-dev", 0, 2, 0, ["dev"], []),
            ("1.0.0-rc.1", 1, 0, 0, ["rc", "1"], []),
            ("1.0.0-x-y.0+build.7", 1, 0, 0, ["x-y", "0"], ["build", "7"]),
            ("0.1.0+1a2b3c4d", 0, 1, 0, [], ["1a2b3c4d"]),
        ]
        for (text, major, minor, patch, pre, build) in cases {
            let version = try #require(SemanticVersion(text), "\(text)")
            #expect(version.major == major && version.minor == minor && version.patch == patch, "\(text)")
            #expect(version.preRelease == pre && version.build == build, "\(text)")
            #expect(version.description == text)
        }
        #expect(SemanticVersion("v0.1.0")?.description == "0.1.0")
    }

    @Test("anything else is refused", arguments: [
        "", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3-a..b",
        "1.2.3-a b", "a.b.c", "-1.2.3", "1.2.3 ", " 1.2.3", "1.2.x", "1.2.3-é", "9999999999.0.0", "vv1.2.3",
    ])
    func refuses(text: String) {
        #expect(SemanticVersion(text) == nil, "\(text)")
    }

    @Test("ordering follows semver precedence; build metadata is ignored")
    func ordering() throws {
        let ordered = ["0.1.0-alpha", "0.1.0-alpha.1", "0.1.0-alpha.beta", "0.1.0-beta", "0.1.0-beta.2", "0.1.0-beta.11",
                       "0.1.0-rc.1", "0.1.0", "0.1.1", "0.2.0-dev", "0.2.0", "0.10.0", "1.0.0"]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        for (index, version) in versions.enumerated() {
            for later in versions[(index + 1)...] {
                #expect(version < later, "\(version) < \(later)")
                #expect(!(later < version), "\(later) !< \(version)")
            }
        }
        #expect(SemanticVersion("0.1.0+a") == SemanticVersion("0.1.0+b"))
        #expect(Set([SemanticVersion("0.1.0+a")!, SemanticVersion("0.1.0")!]).count == 1)
    }
}

@Suite struct ClusterVersionTests {
    private let voters = ["n1", "n2", "n3"]

    @Test("the cluster version is the lowest major.minor among the voters")
    func lowest() {
        #expect(ClusterVersion.negotiate(voters: voters, reported: ["n1": "0.1.0", "n2": "0.1.0", "n3": "0.1.0"])
            == .known(ClusterVersion(major: 0, minor: 1)))
        #expect(ClusterVersion.negotiate(voters: voters, reported: ["n1": "0.2.0", "n2": "0.1.3", "n3": "0.2.1"])
            == .known(ClusterVersion(major: 0, minor: 1)))
        #expect(ClusterVersion.negotiate(voters: voters, reported: ["n1": "1.0.0", "n2": "0.10.0", "n3": "0.9.5"])
            == .known(ClusterVersion(major: 0, minor: 9)))
        #expect(ClusterVersion.negotiate(voters: voters, reported: ["n1": "0.2.0", "n2": "0.2.0", "n3": "0.2.0"]).description == "0.2")
    }

    @Test("patch releases, pre-release labels and build metadata do not change it")
    func onlyMajorMinor() {
        #expect(ClusterVersion.negotiate(voters: voters, reported: ["n1": "0.2.0-dev", "n2": "0.2.7", "n3": "0.2.0+abc"])
            == .known(ClusterVersion(major: 0, minor: 2)))
    }

    @Test("unknown while any voter has no report or an unreadable one, naming those voters")
    func unknownVoters() {
        let missing = ClusterVersion.negotiate(voters: voters, reported: ["n1": "0.2.0", "n3": "0.2.0"])
        #expect(missing == .unknown(voters: ["n2"]))
        #expect(missing.description == "unknown")
        #expect(missing.version == nil)
        let garbage = ClusterVersion.negotiate(voters: voters, reported: ["n1": "0.2.0", "n2": "", "n3": "nightly"])
        #expect(garbage == .unknown(voters: ["n2", "n3"]))
        #expect(ClusterVersion.negotiate(voters: [String](), reported: ["n1": "0.1.0"]) == .unknown(voters: []))
    }

    @Test("non-voters are ignored, and a voter listed twice counts once")
    func nonVoters() {
        let state = ClusterVersion.negotiate(voters: ["n1", "n2", "n1"], reported: ["n1": "0.3.0", "n2": "0.3.1", "n4": "0.1.0"])
        #expect(state == .known(ClusterVersion(major: 0, minor: 3)))
        // A joining non-voter that has not reported yet does not make it unknown either.
        #expect(ClusterVersion.negotiate(voters: ["n1"], reported: ["n1": "0.3.0"]) == .known(ClusterVersion(major: 0, minor: 3)))
    }

    @Test("a rolling upgrade raises it only at the last voter, and a downgrade lowers it again")
    func rollingUpgrade() {
        var reported = ["n1": "0.1.0", "n2": "0.1.0", "n3": "0.1.0"]
        var seen: [String] = []
        for node in ["n2", "n3", "n1"] {
            reported[node] = "0.2.0"
            seen.append(ClusterVersion.negotiate(voters: voters, reported: reported).description)
        }
        reported["n3"] = "0.1.0"
        seen.append(ClusterVersion.negotiate(voters: voters, reported: reported).description)
        reported["n3"] = "0.2.0"
        seen.append(ClusterVersion.negotiate(voters: voters, reported: reported).description)
        #expect(seen == ["0.1", "0.1", "0.2", "0.1", "0.2"])
    }

    @Test("parses MAJOR.MINOR and full versions, and orders by major then minor")
    func parsing() {
        #expect(ClusterVersion("0.1") == ClusterVersion(major: 0, minor: 1))
        #expect(ClusterVersion("0.1.9") == ClusterVersion(major: 0, minor: 1))
        #expect(ClusterVersion("1.10")?.description == "1.10")
        for bad in ["", "1", "01.1", "1.", "1.2.3.4", "x.y"] { #expect(ClusterVersion(bad) == nil, "\(bad)") }
        #expect(ClusterVersion(major: 0, minor: 9) < ClusterVersion(major: 0, minor: 10))
        #expect(ClusterVersion(major: 0, minor: 10) < ClusterVersion(major: 1, minor: 0))
    }
}

@Suite struct FeatureGateTests {
    private let log = Feature(name: "test-log", since: ClusterVersion(major: 0, minor: 2))
    private let voters = ["n1", "n2", "n3"]
    private let v01 = ClusterVersion(major: 0, minor: 1)
    private let v02 = ClusterVersion(major: 0, minor: 2)

    @Test("a feature is on only once every voter runs a release that has it")
    func onWhenEveryVoterHasIt() {
        let mixed = FeatureGate(voters: voters, reported: ["n1": "0.2.0", "n2": "0.2.0", "n3": "0.1.0"], local: v02)
        #expect(!mixed.isEnabled(log))
        #expect(mixed.whyDisabled(log) == "cluster version 0.1, test-log needs 0.2")
        let upgraded = FeatureGate(voters: voters, reported: ["n1": "0.2.0", "n2": "0.2.0", "n3": "0.3.0"], local: v02)
        #expect(upgraded.isEnabled(log))
        #expect(upgraded.whyDisabled(log) == nil)
    }

    @Test("off while the cluster version is unknown")
    func offWhileUnknown() {
        let gate = FeatureGate(voters: voters, reported: ["n1": "0.2.0", "n2": "0.2.0"], local: v02)
        #expect(!gate.isEnabled(log))
        #expect(gate.whyDisabled(log) == "version unknown for n3")
        #expect(FeatureGate(clusterVersion: .unknown(voters: []), local: v02).whyDisabled(log) == "no voters")
    }

    @Test("a build never uses a feature it does not have, whatever the others report")
    func offWhenThisReleaseLacksIt() {
        let gate = FeatureGate(clusterVersion: .known(v02), local: v01)
        #expect(!gate.isEnabled(log))
        #expect(gate.whyDisabled(log) == "this release offers 0.1, test-log needs 0.2")
    }

    @Test("the catalogue: release 0.1.0 gates nothing of its own, the replicated log waits for 0.2")
    func catalogue() {
        #expect(Feature.all.allSatisfy { $0.since > v01 })
        #expect(Feature.replicatedLog.since == v02)
        #expect(Set(Feature.all.map(\.name)).count == Feature.all.count)
        #expect(FeatureGate(clusterVersion: .known(v01), local: v01).enabledFeatures.isEmpty)
        #expect(FeatureGate(clusterVersion: .known(v02), local: v02).enabledFeatures == [.replicatedLog])
        #expect(Feature.replicatedLog.description == "replicated-log (since 0.2)")
    }
}
