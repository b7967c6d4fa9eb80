import Foundation
import PackagePlugin

/// Stamps the commit a build was made from into `TenureRelease`, with no hand edits.
///
/// A build command runs `/bin/sh` with the script below and writes `TenureReleaseCommit.swift`
/// into the plugin's work folder, which SwiftPM compiles into `TenureRelease`, in every
/// configuration (debug, release, `--static-swift-stdlib`). The command runs when the file is
/// missing or when one of its inputs changed: the git files that move with the checked-out commit
/// (the work tree's `HEAD`, its reflog `logs/HEAD` and `index`, the current branch's ref and the
/// packed refs) and the `COMMIT` file. The reflog grows on every commit, checkout, reset, merge
/// or pull, so a new commit reruns it; the file is rewritten only when the commit changed, so
/// then `TenureRelease` is recompiled and the binaries relinked, and otherwise nothing is.
///
/// Not a prebuild command: SwiftPM skips those on incremental builds that do not reload the
/// package (swift-package-manager issue 5476), so a new commit would not reach the binary.
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
/// The command runs `/bin/sh` and `git` from the system, not a helper target of this package, so
/// the stamp needs nothing built first.
@main
struct TenureReleaseStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let generated = context.pluginWorkDirectoryURL.appending(path: "TenureReleaseCommit.swift")
        let scratch = context.pluginWorkDirectoryURL.appending(path: "TenureReleaseCommit.swift.next")
        var environment: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        for name in ["PATH", "HOME"] {
            if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
        }
        return [
            .buildCommand(
                displayName: "Stamping the commit into TenureRelease",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "stamp-commit", package.path, generated.path, scratch.path],
                environment: environment,
                inputFiles: Self.commitInputs(of: package),
                outputFiles: [generated]),
        ]
    }

    /// The files whose change means the checked-out commit may have changed: in the package's own
    /// git folder (`.git`, or the folder a worktree's `.git` file names) `HEAD`, `logs/HEAD` and
    /// `index`; in the repository's common folder `packed-refs` and the current branch's ref; and
    /// the `COMMIT` file of an exported tree. Only files that exist are named.
    static func commitInputs(of package: URL) -> [URL] {
        let files = FileManager.default
        var inputs = [package.appending(path: "COMMIT")]
        let dotGit = package.appending(path: ".git")
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: dotGit.path, isDirectory: &isFolder) {
            var gitFolder = dotGit
            if !isFolder.boolValue, let text = try? String(contentsOf: dotGit, encoding: .utf8),
               let line = text.split(separator: "\n").first, line.hasPrefix("gitdir: ") {
                let path = String(line.dropFirst("gitdir: ".count)).trimmingCharacters(in: .whitespaces)
                gitFolder = path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appending(path: path)
            }
            var common = gitFolder
            if let text = try? String(contentsOf: gitFolder.appending(path: "commondir"), encoding: .utf8) {
                let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
                common = path.hasPrefix("/") ? URL(fileURLWithPath: path) : gitFolder.appending(path: path)
            }
            inputs += ["HEAD", "logs/HEAD", "index"].map { gitFolder.appending(path: $0) }
            inputs.append(common.appending(path: "packed-refs"))
            if let head = try? String(contentsOf: gitFolder.appending(path: "HEAD"), encoding: .utf8), head.hasPrefix("ref: ") {
                inputs.append(common.appending(path: head.dropFirst("ref: ".count).trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        return inputs.filter { files.fileExists(atPath: $0.path) }.map(\.standardizedFileURL)
    }

    /// `sh -c SCRIPT stamp-commit PACKAGE_DIR OUTPUT_FILE SCRATCH_FILE`.
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
        mkdir -p "$(dirname "$out")"
        {
          echo "// Generated at build time by the TenureReleaseStamp plugin (Plugins/): do not edit."
          echo "extension TenureRelease {"
          echo "    /// The commit this binary was built from: 40 hexadecimal digits, or \"unknown\"."
          echo "    static let stampedCommit = \"$commit\""
          echo "    /// Where the stamp came from: \"git\", \"COMMIT\" (an exported tree) or \"none\"."
          echo "    static let stampSource = \"$source\""
          echo "}"
        } > "$scratch"
        if cmp -s "$scratch" "$out"; then
          rm -f "$scratch"
        else
          mv -f "$scratch" "$out"
        fi
        """#
}
