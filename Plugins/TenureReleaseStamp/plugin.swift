import Foundation
import PackagePlugin

/// Stamps the commit a build was made from into `TenureRelease`, with no hand edits.
///
/// A prebuild command runs before every `swift build` (debug or release, static or not). It runs
/// `/bin/sh` with the script below, which writes `TenureReleaseCommit.swift` into the plugin's
/// work folder, and SwiftPM compiles that file into `TenureRelease`. The file is rewritten only
/// when the commit changed, so a build at the same commit recompiles nothing, and a build after
/// a new commit recompiles `TenureRelease` and relinks the binaries.
///
/// Where the commit comes from, first match wins:
/// 1. `git rev-parse HEAD`, when the package folder is itself the top of a git work tree (a
///    clone or a `git worktree`; a tree exported into some other repository's folder does not
///    take that repository's commit);
/// 2. the first line of a `COMMIT` file at the package root, which `cluster/package` writes into
///    a `git archive` export (never committed: see .gitignore);
/// 3. `unknown`.
/// Anything but 40 lowercase hexadecimal digits is `unknown`.
///
/// A prebuild command may only run a tool that exists before the build (not one built from this
/// package), hence `/bin/sh` and `git` from the system rather than a Swift helper target.
@main
struct TenureReleaseStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let scratch = context.pluginWorkDirectoryURL.appending(path: "TenureReleaseCommit.swift.next")
        var environment: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        for name in ["PATH", "HOME"] {
            if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
        }
        return [
            .prebuildCommand(
                displayName: "Stamping the commit into TenureRelease",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "stamp-commit", context.package.directoryURL.path, output.path, scratch.path],
                environment: environment,
                outputFilesDirectory: output),
        ]
    }

    /// `sh -c SCRIPT stamp-commit PACKAGE_DIR OUTPUT_DIR SCRATCH_FILE`.
    static let script = #"""
        set -u
        package=$1 out=$2 scratch=$3
        commit=unknown
        source=none
        candidate=""
        if command -v git > /dev/null 2>&1 \
           && top=$(git -C "$package" rev-parse --show-toplevel 2> /dev/null) \
           && [ "$(cd "$top" && pwd -P)" = "$(cd "$package" && pwd -P)" ]; then
          candidate=$(git -C "$package" rev-parse --verify -q HEAD 2> /dev/null || true)
          source=git
        elif [ -f "$package/COMMIT" ]; then
          candidate=$(head -n 1 "$package/COMMIT" | tr -d ' \t\r')
          source=COMMIT
        fi
        case "$candidate" in
          *[!0-9a-f]*|"") source=none ;;
          *) if [ ${#candidate} -eq 40 ]; then commit=$candidate; else source=none; fi ;;
        esac
        mkdir -p "$out"
        {
          echo "// Generated before every build by the TenureReleaseStamp plugin (Plugins/): do not edit."
          echo "extension TenureRelease {"
          echo "    /// The commit this binary was built from: 40 hexadecimal digits, or \"unknown\"."
          echo "    static let stampedCommit = \"$commit\""
          echo "    /// Where the stamp came from: \"git\", \"COMMIT\" (an exported tree) or \"none\"."
          echo "    static let stampSource = \"$source\""
          echo "}"
        } > "$scratch"
        if cmp -s "$scratch" "$out/TenureReleaseCommit.swift"; then
          rm -f "$scratch"
        else
          mv -f "$scratch" "$out/TenureReleaseCommit.swift"
        fi
        """#
}
