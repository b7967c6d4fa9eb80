# shellcheck shell=bash
# Shared helpers for every cluster/ script. Sourced, never run.
# The run folder of cluster/up holds every node's data, logs, event log, pid and command line.
set -euo pipefail

TENURE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${TENURE_RUN_DIR:-/tmp/tenure-cluster}"
BUILD_CONFIGURATION="${TENURE_BUILD_CONFIGURATION:-release}"
# The product (node, client commands, simulate) and the test and bench tooling (probe,
# check-history, bench-probe, bench-core, now-ns); one `swift build` makes both.
TENURE_BIN="${TENURE_BIN:-$TENURE_ROOT/.build/$BUILD_CONFIGURATION/tenure}"
TENURE_LAB_BIN="${TENURE_LAB_BIN:-$TENURE_ROOT/.build/$BUILD_CONFIGURATION/tenure-lab}"
PEER_PORT=7100
API_PORT=7200

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Prints the script's leading comment block (its --help) and exits: show_help [STATUS].
# Status 0 prints to stdout; any other (a usage mistake) prints to stderr.
# shellcheck disable=SC2120 # the status is optional
show_help() {
  local status=${1:-0}
  if [ "$status" -eq 0 ]; then print_help; else print_help >&2; fi
  exit "$status"
}
print_help() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

# ---- pass/fail counting: check NAME command..., pass [NAME], fail [NAME], report_counts LABEL ----
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); [ $# -eq 0 ] || say "  ok   $*"; }
fail() { FAILED=$((FAILED + 1)); [ $# -eq 0 ] || say "  FAIL $*"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# Adds the counts of a sub-run: add_counts PASSED FAILED.
add_counts() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }
# Prints "LABEL: N passed, M failed" (cluster/test reads this line); true when nothing failed.
report_counts() { say "$1: $PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; }

# ---- build ----

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
  (cd "$TENURE_ROOT" && set -o pipefail && swift build -c "$BUILD_CONFIGURATION" --static-swift-stdlib 2>&1 \
    | { grep -E "error|warning: unre|Compiling tenure|Build complete" || true; }) \
    || die "build failed; run 'swift build -c $BUILD_CONFIGURATION --static-swift-stdlib' to see why"
  for bin in "$TENURE_BIN" "$TENURE_LAB_BIN"; do
    [ -x "$bin" ] || die "the build made no $bin; run 'swift build -c $BUILD_CONFIGURATION' to see why"
  done
}

# ---- keys ----

# Makes a fresh cluster key at $1 (readable by its owner only) unless one is there; prints the
# path. Every script that starts nodes makes one per run folder: secure by default.
make_peer_key() {
  local path=$1
  if [ ! -s "$path" ]; then
    (umask 077 && "$TENURE_BIN" keygen > "$path") || die "tenure keygen failed"
  fi
  echo "$path"
}

# ---- clock ----

# Nanoseconds and milliseconds on CLOCK_MONOTONIC (the clock the nodes stamp their events with),
# for every timing a script measures or prints. Needs tenure-lab: call ensure_built first.
now_ns() {
  [ -x "$TENURE_LAB_BIN" ] || die "no $TENURE_LAB_BIN to read the monotonic clock (ensure_built first)"
  "$TENURE_LAB_BIN" now-ns
}
now_ms() { local ns; ns=$(now_ns) || return 1; echo $((ns / 1000000)); }

# ---- the cluster of cluster/up: nodes nK on 127.0.0.(10+K) ----

node_host() { echo "127.0.0.$((10 + $1))"; }
node_api() { echo "$(node_host "$1"):$API_PORT"; }

# n1=127.0.0.11:7100,n2=... for a cluster of $1 nodes.
peer_list() {
  local n=$1 i list=""
  for i in $(seq 1 "$n"); do list+="${list:+,}n$i=$(node_host "$i"):$PEER_PORT"; done
  echo "$list"
}

api_list() {
  local n=$1 i list=""
  for i in $(seq 1 "$n"); do list+="${list:+,}$(node_api "$i")"; done
  echo "$list"
}

cluster_size() { cat "$RUN_DIR/size" 2>/dev/null || echo 0; }

endpoints() { cat "$RUN_DIR/endpoints" 2>/dev/null || die "no cluster in $RUN_DIR (start one with cluster/up 3)"; }

# ---- processes, by pid ----

# True while the pid runs (a zombie, exited but not yet reaped, counts as gone).
pid_alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# Stops one pid this script started: SIGTERM (or the given signal), then SIGKILL after 3 s.
stop_pid() {
  local pid=$1 signal=${2:-TERM} i
  pid_alive "$pid" || return 0
  kill -s "$signal" "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do pid_alive "$pid" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  sleep 0.1
}

# True when the pid in the node's pid file is alive and still a tenure node with that id.
node_running() {
  local id=$1 pid
  [ -f "$RUN_DIR/$id.pid" ] || return 1
  pid=$(cat "$RUN_DIR/$id.pid")
  pid_alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "node --id $id " || return 1
}

# Starts one node of the run folder from its recorded command line; records its pid.
start_node() {
  local id=$1
  [ -f "$RUN_DIR/$id.cmd" ] || die "no recorded command line for $id in $RUN_DIR"
  # shellcheck disable=SC2046
  nohup $(cat "$RUN_DIR/$id.cmd") >> "$RUN_DIR/$id.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$id.pid"
}

# Stops one node of the run folder (stop_pid: TERM or the given signal, KILL after 3 s). Only
# the pid the folder recorded, and only while it is still that node.
stop_node() {
  local id=$1 signal=${2:-TERM}
  if node_running "$id"; then stop_pid "$(cat "$RUN_DIR/$id.pid")" "$signal"; fi
  rm -f "$RUN_DIR/$id.pid"
}

# ---- leader lookup ----

# The `tenure leader --json` answer of the given endpoints: leader_json ENDPOINTS [TIMEOUT].
leader_json() { "$TENURE_BIN" leader --endpoints "$1" --json ${2:+--timeout "$2"} 2>/dev/null || true; }

# The leader's id in a `tenure leader --json` answer on stdin, or nothing (no leader: null).
json_leader() { sed -n 's/.*"leader":"\([^"]*\)".*/\1/p'; }

# Prints the current leader's id of cluster/up's cluster, or nothing.
current_leader() { leader_json "$(endpoints)" | json_leader; }

# ---- membership (issue 11): nodes added to a running cluster ----
# A run folder's `members` file lists, one a line, every node id the folder has started (those of
# cluster/up and those cluster/add-node added later); cluster/down stops them all. `endpoints`
# holds the API addresses of the current members, for cluster/status and the client commands.
# TENURE_HOST_BASE, TENURE_PEER_PORT and TENURE_API_PORT move the nodes cluster/add-node starts
# (default: nK on 127.0.0.(10+K), peer port 7100, API port 7200, like cluster/up).

# The default host of node nK for the membership scripts: member_host K.
member_host() { echo "127.0.0.$(( ${TENURE_HOST_BASE:-10} + $1 ))"; }
member_peer_port() { echo "${TENURE_PEER_PORT:-$PEER_PORT}"; }
member_api_port() { echo "${TENURE_API_PORT:-$API_PORT}"; }

# Every node id this run folder started: n1..nSIZE, then the `members` file, without repeats.
run_nodes() {
  { seq -f 'n%g' 1 "$(cluster_size)"; cat "$RUN_DIR/members" 2>/dev/null || true; } | awk 'NF && !seen[$0]++'
}

# Adds an id to the `members` file (once).
record_member() { grep -qx -- "$1" "$RUN_DIR/members" 2>/dev/null || echo "$1" >> "$RUN_DIR/members"; }

# Adds an API address to the `endpoints` list (once); drop_endpoint removes one. Both replace the
# file in one rename, so a concurrent reader never sees it empty.
add_endpoint() {
  local list
  list=$(cat "$RUN_DIR/endpoints" 2>/dev/null || true)
  case ",$list," in *",$1,"*) return 0;; esac
  echo "${list:+$list,}$1" > "$RUN_DIR/endpoints.$$" && mv -f "$RUN_DIR/endpoints.$$" "$RUN_DIR/endpoints"
}
drop_endpoint() {
  local list
  list=$(cat "$RUN_DIR/endpoints" 2>/dev/null || true)
  { tr ',' '\n' <<< "$list" | grep -vx -- "$1" | paste -sd, - || true; } > "$RUN_DIR/endpoints.$$"
  mv -f "$RUN_DIR/endpoints.$$" "$RUN_DIR/endpoints"
}

# The extra node flags a recorded command line ends with (what followed cluster/up N, e.g. the
# timing settings, which must be the same on every node): node_extra_flags ID.
node_extra_flags() { sed -n 's/.* --peer-key-file [^ ]*//p' "$RUN_DIR/$1.cmd" | sed 's/^ *//'; }

# The node's API address from its recorded command line: node_cmd_api ID.
node_cmd_api() { sed -n 's/.* --api \([^ ]*\).*/\1/p' "$RUN_DIR/$1.cmd" 2>/dev/null; }

# The first id nK that the run folder has never used (no command line, no data folder).
next_free_id() {
  local k=1
  while [ -e "$RUN_DIR/n$k.cmd" ] || [ -e "$RUN_DIR/n$k" ]; do k=$((k + 1)); done
  echo "n$k"
}

# The given endpoints with the leader's API first (clients ask the first that answers, and a
# follower may be a heartbeat behind the leader): leader_first ENDPOINTS.
leader_first() {
  local api
  api=$(leader_json "$1" 300ms | sed -n 's/.*"api":"\([^"]*\)".*/\1/p')
  if [ -n "$api" ]; then echo "$api,$(tr ',' '\n' <<< "$1" | grep -vx -- "$api" | paste -sd, -)" | sed 's/,$//'; else echo "$1"; fi
}
