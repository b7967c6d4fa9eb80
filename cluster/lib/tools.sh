# shellcheck shell=bash
# The tenure and tenure-lab binaries for cluster/ scripts: where they are, building them, making
# keys, and the monotonic clock read through tenure-lab. Sourced by lib.sh.

TENURE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034 # the run folder of cluster/up (run-folder.sh) or a test's own
RUN_DIR="${TENURE_RUN_DIR:-/tmp/tenure-cluster}"
BUILD_CONFIGURATION="${TENURE_BUILD_CONFIGURATION:-release}"
# The product (node, client commands, simulate) and the test and bench tooling (probe,
# check-history, bench-probe, bench-core, now-ns, peer-traffic); one `swift build` makes both.
TENURE_BIN="${TENURE_BIN:-$TENURE_ROOT/.build/$BUILD_CONFIGURATION/tenure}"
TENURE_LAB_BIN="${TENURE_LAB_BIN:-$TENURE_ROOT/.build/$BUILD_CONFIGURATION/tenure-lab}"

# Builds both executables when either is missing or older than any source file; with
# TENURE_SKIP_BUILD set, only checks that both exist.
ensure_built() {
  local bin stale=""
  for bin in "$TENURE_BIN" "$TENURE_LAB_BIN"; do
    if [ ! -x "$bin" ]; then
      stale=1
    elif [ -z "${TENURE_SKIP_BUILD:-}" ] && [ -n "$(find "$TENURE_ROOT/Sources" "$TENURE_ROOT/Package.swift" -newer "$bin" -print -quit 2>/dev/null)" ]; then
      stale=1
    fi
  done
  [ -n "$stale" ] || return 0
  say "building tenure and tenure-lab ($BUILD_CONFIGURATION)..."
  (cd "$TENURE_ROOT" && swift build -c "$BUILD_CONFIGURATION" --static-swift-stdlib 2>&1 \
    | { grep -E "error|warning: unre|Compiling tenure|Build complete" || true; }) \
    || die "build failed; run 'swift build -c $BUILD_CONFIGURATION --static-swift-stdlib' to see why"
  for bin in "$TENURE_BIN" "$TENURE_LAB_BIN"; do
    [ -x "$bin" ] || die "the build made no $bin; run 'swift build -c $BUILD_CONFIGURATION' to see why"
  done
}

# Copies both binaries into DIR and uses those copies from now on, so that another build that
# replaces .build/ during a long run cannot change them under it: use_binary_copies DIR.
use_binary_copies() {
  { mkdir -p "$1" && cp "$TENURE_BIN" "$TENURE_LAB_BIN" "$1/"; } || die "cannot copy the binaries to $1"
  TENURE_BIN="$1/$(basename "$TENURE_BIN")"
  TENURE_LAB_BIN="$1/$(basename "$TENURE_LAB_BIN")"
}

# Makes a fresh cluster key at $1 (readable by its owner only) unless one is there; prints the
# path. Every script that starts nodes makes one per run folder: secure by default.
make_peer_key() {
  local path=$1
  if [ ! -s "$path" ]; then
    (umask 077 && "$TENURE_BIN" keygen > "$path") || die "tenure keygen failed"
  fi
  echo "$path"
}

# Nanoseconds and milliseconds on CLOCK_MONOTONIC (the clock the nodes stamp their events with),
# for every timing a script measures or prints. Needs tenure-lab: call ensure_built first.
now_ns() {
  [ -x "$TENURE_LAB_BIN" ] || die "no $TENURE_LAB_BIN to read the monotonic clock (ensure_built first)"
  "$TENURE_LAB_BIN" now-ns
}
now_ms() { local ns; ns=$(now_ns) || return 1; echo $((ns / 1000000)); }

# Milliseconds on the wall clock, from bash alone: for bounding loops, not for measuring.
wall_ms() { local t=${EPOCHREALTIME//[.,]/}; echo $((t / 1000)); }
