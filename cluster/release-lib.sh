# shellcheck shell=bash
# Releases for cluster/release, cluster/package, cluster/e2e-package and cluster/e2e-upgrade:
# finding a release's commit, exporting any commit into a folder of its own, setting the release
# string in such an export, and building it. Sourced after lib.sh, never run.
#
# A release is found by its annotated tag vX.Y.Z when the clone has it, else by its row in
# docs/releases.md (tags do not travel with every clone), so a fresh clone without tags can still
# build every release. Exports are `git archive` trees with a COMMIT file (the TenureReleaseStamp
# plugin stamps the binary from it) in a folder the caller chose: nothing here ever touches the
# caller's work tree or its .build.

RELEASE_FILE_REL="Sources/TenureRelease/TenureRelease.swift"
RELEASES_DOC_REL="docs/releases.md"

# The release string of a source tree: release_of_tree DIR. Trees before TenureRelease existed
# (main before release 0.1.0) kept it in TenureVersion.current; those print that.
release_of_tree() {
  local dir=$1
  if [ -f "$dir/$RELEASE_FILE_REL" ]; then
    sed -n 's/^ *public static let release = "\([^"]*\)".*/\1/p' "$dir/$RELEASE_FILE_REL" | head -1
  elif [ -f "$dir/Sources/TenureNode/Runtime/TenureVersion.swift" ]; then
    sed -n 's/^ *public static let current = "\([^"]*\)".*/\1/p' "$dir/Sources/TenureNode/Runtime/TenureVersion.swift" | head -1
  fi
}

# True for X.Y.Z with an optional -pre.release (semver, no build metadata): is_release_version TEXT.
is_release_version() {
  [[ $1 =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$ ]]
}

# The commit of a release row in docs/releases.md of the given tree (default: this one):
# release_row_commit VERSION [TREE]. Rows look like "| 0.1.0 | <40 hex> | date | what |".
release_row_commit() {
  local version=$1 tree=${2:-$TENURE_ROOT}
  [ -f "$tree/$RELEASES_DOC_REL" ] || return 1
  awk -F'|' -v v="$version" '
    { gsub(/[ `]/, "", $2); gsub(/[ `]/, "", $3) }
    $2 == v && length($3) == 40 && $3 ~ /^[0-9a-f]+$/ { print $3; found = 1; exit }
    END { exit found ? 0 : 1 }' "$tree/$RELEASES_DOC_REL"
}

# Every release the rows of docs/releases.md list, one version a line, in file order.
release_rows() {
  [ -f "$TENURE_ROOT/$RELEASES_DOC_REL" ] || return 0
  awk -F'|' '{ gsub(/[ `]/, "", $2); gsub(/[ `]/, "", $3) } $2 ~ /^[0-9]+\.[0-9]+\.[0-9]+/ && length($3) == 40 && $3 ~ /^[0-9a-f]+$/ { print $2 }' \
    "$TENURE_ROOT/$RELEASES_DOC_REL"
}

# Every release tag of this clone, as versions (v0.1.0 -> 0.1.0).
release_tags() {
  git -C "$TENURE_ROOT" tag --list 'v[0-9]*.[0-9]*.[0-9]*' 2>/dev/null | sed 's/^v//' | while read -r v; do
    if is_release_version "$v"; then echo "$v"; fi
  done
}

# The commit of release VERSION: its tag when this clone has it, else its docs/releases.md row.
# Prints "COMMIT SOURCE" (SOURCE: tag or row); fails when neither exists.
release_commit() {
  local version=${1#v} commit
  if commit=$(git -C "$TENURE_ROOT" rev-parse -q --verify "refs/tags/v$version^{commit}" 2>/dev/null); then
    echo "$commit tag"
  elif commit=$(release_row_commit "$version"); then
    git -C "$TENURE_ROOT" cat-file -e "$commit^{commit}" 2>/dev/null \
      || { echo "error: docs/releases.md names commit $commit for $version, which this clone does not have (fetch it)" >&2; return 1; }
    echo "$commit row"
  else
    return 1
  fi
}

# Resolves what a user named (a release X.Y.Z or vX.Y.Z, a commit, a tag, a branch, HEAD~2, ...)
# to a full commit hash; prints "COMMIT HOW". Fails with a message naming what was tried.
resolve_ref() {
  local what=$1 found commit
  if is_release_version "${what#v}"; then
    if found=$(release_commit "$what"); then echo "$found"; return 0; fi
    if [ "${what#v}" = "$what" ]; then
      echo "error: no release $what: no tag v$what in this clone and no row for it in $RELEASES_DOC_REL" >&2
      return 1
    fi
  fi
  if commit=$(git -C "$TENURE_ROOT" rev-parse -q --verify "$what^{commit}" 2>/dev/null); then
    echo "$commit ref"
    return 0
  fi
  echo "error: '$what' is neither a release (tag or $RELEASES_DOC_REL row) nor a git ref of this clone" >&2
  return 1
}

# The newest release (tag or row) whose commit is not HEAD and whose version is not above this
# tree's: the release a rolling upgrade of this tree starts from. Prints "VERSION COMMIT SOURCE".
previous_release() {
  local head current version found best="" best_found=""
  head=$(git -C "$TENURE_ROOT" rev-parse HEAD)
  current=$(release_of_tree "$TENURE_ROOT")
  while read -r version; do
    [ -n "$version" ] || continue
    found=$(release_commit "$version") || continue
    [ "${found%% *}" != "$head" ] || continue
    if [ -n "$current" ] && [ "$(printf '%s\n%s\n' "$version" "$current" | sort -V | tail -1)" != "$current" ]; then continue; fi
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$version" "$best" | sort -V | tail -1)" = "$version" ]; then
      best=$version best_found=$found
    fi
  done < <({ release_tags; release_rows; } | sort -u)
  [ -n "$best" ] || return 1
  echo "$best $best_found"
}

# Exports COMMIT into DIR (created; must not exist or be empty) with git archive, and writes the
# COMMIT file the stamp plugin reads: export_commit COMMIT DIR.
export_commit() {
  local commit dir=$2
  commit=$(git -C "$TENURE_ROOT" rev-parse -q --verify "$1^{commit}") || { echo "error: no commit $1" >&2; return 1; }
  mkdir -p "$dir" || return 1
  git -C "$TENURE_ROOT" archive --format=tar "$commit" | tar -x -C "$dir" || { echo "error: git archive of $commit failed" >&2; return 1; }
  echo "$commit" > "$dir/COMMIT"
}

# Sets the release string of an exported tree (never the caller's): set_tree_release DIR VERSION.
# It is written in TenureRelease.release and, while the runtime still reads its own
# TenureVersion.current literal (trees before the runtime adopted TenureRelease), there too, so
# `tenure --version`, /v1/status and the gossiped version agree. A file is rewritten only when its
# string differs, so a cached build is not redone for nothing.
set_tree_release() {
  local dir=$1 version=$2 file pattern found=""
  is_release_version "$version" || { echo "error: '$version' is not a release version (X.Y.Z or X.Y.Z-pre)" >&2; return 1; }
  for file in "$dir/$RELEASE_FILE_REL|public static let release = " \
              "$dir/Sources/TenureNode/Runtime/TenureVersion.swift|public static let current = "; do
    pattern=${file#*|} file=${file%%|*}
    if [ ! -f "$file" ] || ! grep -q "^ *$pattern\"" "$file"; then continue; fi
    found=1
    grep -q "^ *$pattern\"$version\"" "$file" && continue
    sed -i "s/^\( *$pattern\)\"[^\"]*\"/\1\"$version\"/" "$file"
    grep -q "^ *$pattern\"$version\"" "$file" || { echo "error: could not set the release in $file" >&2; return 1; }
  done
  [ -n "$found" ] || { echo "error: $dir has no release constant to set" >&2; return 1; }
}

# Builds products of an exported tree in release configuration with the Swift runtime linked in
# statically: build_tree DIR LOG PRODUCT... Output goes to LOG; prints nothing on success.
build_tree() {
  local dir=$1 log=$2 product
  shift 2
  # swift build takes one --product at a time; the second reuses the first's modules.
  for product in "$@"; do
    (cd "$dir" && swift build -c release --static-swift-stdlib --product "$product") >> "$log" 2>&1 || return 1
  done
}

# The version word of `BINARY --version` ("tenure 0.1.0 (commit ...) ..." or the older
# "tenure 0.9.0 (peer wire version 2)").
binary_release() { "$1" --version 2>/dev/null | awk '{ print $2; exit }'; }

# The commit of `BINARY --version`, or nothing for builds before the stamp existed.
binary_commit() { "$1" --version 2>/dev/null | sed -n 's/.*(commit \([0-9a-f]\{40\}\|unknown\)).*/\1/p'; }

# Exports COMMIT into CACHE/COMMIT/src (once), sets its release (VERSION, or the one the commit
# names when VERSION is empty), builds PRODUCTS there and copies them into OUT:
# build_release_binaries COMMIT VERSION CACHE OUT PRODUCT...
build_release_binaries() {
  local commit=$1 version=$2 cache=$3 out=$4 work src product
  shift 4
  work="$cache/$commit" src="$cache/$commit/src"
  mkdir -p "$work" "$out" || return 1
  if [ ! -f "$work/exported" ]; then
    rm -rf "$src"
    export_commit "$commit" "$src" || return 1
    release_of_tree "$src" > "$work/exported"
  fi
  set_tree_release "$src" "${version:-$(cat "$work/exported")}" || return 1
  build_tree "$src" "$work/build.log" "$@" || { tail -30 "$work/build.log" >&2; echo "error: the build of $commit failed ($work/build.log)" >&2; return 1; }
  for product in "$@"; do install -m 0755 "$src/.build/release/$product" "$out/$product" || return 1; done
}
