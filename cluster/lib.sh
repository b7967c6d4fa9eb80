# Shared helpers for the cluster/ scripts. Sourced, never run.
# The run folder holds every node's data, logs, event log, pid and command line.
set -euo pipefail

TENURE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${TENURE_RUN_DIR:-/tmp/tenure-cluster}"
BUILD_CONFIGURATION="${TENURE_BUILD_CONFIGURATION:-release}"
TENURE_BIN="${TENURE_BIN:-$TENURE_ROOT/.build/$BUILD_CONFIGURATION/tenure}"
PEER_PORT=7100
API_PORT=7200

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Builds the tenure executable when it is missing or older than any source file.
ensure_built() {
  if [ -n "${TENURE_SKIP_BUILD:-}" ] && [ -x "$TENURE_BIN" ]; then return; fi
  if [ ! -x "$TENURE_BIN" ] || [ -n "$(find "$TENURE_ROOT/Sources" "$TENURE_ROOT/Package.swift" -newer "$TENURE_BIN" -print -quit 2>/dev/null)" ]; then
    say "building tenure ($BUILD_CONFIGURATION)..."
    (cd "$TENURE_ROOT" && swift build -c "$BUILD_CONFIGURATION" --static-swift-stdlib --product tenure 2>&1 | grep -E "error|warning: unre|Compiling tenure|Build complete" || true)
    [ -x "$TENURE_BIN" ] || die "build failed; run 'swift build -c $BUILD_CONFIGURATION' to see why"
  fi
}

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

# True when the pid in the node's pid file is alive and still a tenure node with that id.
node_running() {
  local id=$1 pid
  [ -f "$RUN_DIR/$id.pid" ] || return 1
  pid=$(cat "$RUN_DIR/$id.pid")
  [ -d "/proc/$pid" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "node --id $id " || return 1
}

# Starts one node from its recorded command line.
start_node() {
  local id=$1
  [ -f "$RUN_DIR/$id.cmd" ] || die "no recorded command line for $id in $RUN_DIR"
  # shellcheck disable=SC2046
  nohup $(cat "$RUN_DIR/$id.cmd") >> "$RUN_DIR/$id.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$id.pid"
}

# Stops one node: SIGTERM, then SIGKILL after 3 s. Only the pid this folder recorded.
stop_node() {
  local id=$1 signal=${2:-TERM} pid i
  node_running "$id" || { rm -f "$RUN_DIR/$id.pid"; return 0; }
  pid=$(cat "$RUN_DIR/$id.pid")
  kill -s "$signal" "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  if [ -d "/proc/$pid" ]; then kill -9 "$pid" 2>/dev/null || true; sleep 0.1; fi
  rm -f "$RUN_DIR/$id.pid"
}

cluster_size() { cat "$RUN_DIR/size" 2>/dev/null || echo 0; }

endpoints() { cat "$RUN_DIR/endpoints" 2>/dev/null || die "no cluster in $RUN_DIR (start one with cluster/up 3)"; }

# Prints the current leader's id, or nothing.
current_leader() {
  { "$TENURE_BIN" leader --endpoints "$(endpoints)" --json 2>/dev/null || true; } | sed -n 's/.*"leader":"\([^"]*\)".*/\1/p'
}

# Milliseconds on CLOCK_MONOTONIC-like wall clock, for human-facing timings.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
