# shellcheck shell=bash
# Helpers for cluster/partition-suite and cluster/demo-split-brain, on top of lib.sh. Sourced, never run.
#
# Each scenario runs in a network namespace of its own (tenure-<pid>), with the loopback up so the
# nodes can bind 127.0.0.11, .12, ... inside it. The helpers start nodes and one prober there,
# keep every node's event log, write the harness's phases file (fault start/stop times on
# CLOCK_MONOTONIC, the clock the nodes stamp their events with), and clean up (the processes they
# started, by pid, and the namespace) even on failure or Ctrl-C.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
source "$here/netfault.sh"

# Node timing for the suite: ten times faster than the defaults' heartbeat, half their election
# timeout, so a scenario takes seconds; still far above loopback round trips (~0.1 ms).
SUITE_HEARTBEAT=${TENURE_SUITE_HEARTBEAT:-50ms}
SUITE_ELECTION_TIMEOUT=${TENURE_SUITE_ELECTION_TIMEOUT:-500ms-600ms}
SUITE_PROBE_INTERVAL=${TENURE_SUITE_PROBE_INTERVAL:-10ms}
SUITE_PROBE_TIMEOUT=${TENURE_SUITE_PROBE_TIMEOUT:-250ms}

SC_NS=""          # the scenario's namespace
SC_DIR=""         # the scenario's folder: node data, logs, event logs, probes, phases
SC_SIZE=0
SC_PROBE_PID=""
declare -A SC_PID=()   # node id -> pid of its running process
SC_STARTED=()          # every pid this script started, for the emergency cleanup

milliseconds_of() { # 500ms -> 500, 1.5s -> 1500
  case "$1" in
    *ms) echo "${1%ms}";;
    *s) awk -v s="${1%s}" 'BEGIN { printf "%d", s * 1000 }';;
    *) echo "$1";;
  esac
}

json_list() { local out="" item; for item in "$@"; do out+="${out:+,}\"$item\""; done; echo "[$out]"; }

# Appends one harness record: mark EV ['"key":value,...'].
mark() {
  local ts
  ts=$(now_ns)
  printf '{"ts":%s,"ev":"%s"%s}\n' "$ts" "$1" "${2:+,$2}" >> "$SC_DIR/phases.jsonl"
}

in_ns() { ip netns exec "$SC_NS" "$@"; }

# Kills a pid only if it is still one of our tenure processes (guards against pid reuse).
kill_ours() {
  local signal=$1 pid=$2
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "tenure" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
}

suite_cleanup() {
  set +e
  local pid
  kill_ours KILL "$SC_PROBE_PID"
  for pid in "${SC_STARTED[@]}"; do kill_ours CONT "$pid"; kill_ours KILL "$pid"; done
  if [ -n "$SC_NS" ]; then ip netns del "$SC_NS" 2>/dev/null; SC_NS=""; fi
}

suite_install_traps() {
  trap 'suite_cleanup' EXIT
  trap 'echo; echo "interrupted: cleaning up" >&2; suite_cleanup; trap - EXIT; exit 130' INT
  trap 'suite_cleanup; trap - EXIT; exit 143' TERM
}

suite_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: $(basename "$0") creates network namespaces and iptables rules, so it must run as root (try: sudo $0)" >&2
    exit 1
  fi
}

# Creates the scenario's namespace and folder: scenario_setup DIR SIZE.
scenario_setup() {
  SC_DIR=$1
  SC_SIZE=$2
  SC_NS="tenure-$$"
  SC_PID=()
  SC_PROBE_PID=""
  rm -rf "$SC_DIR"
  mkdir -p "$SC_DIR"
  ip netns del "$SC_NS" 2>/dev/null || true
  ip netns add "$SC_NS"
  in_ns ip link set lo up
  export TENURE_NETNS=$SC_NS
  local nodes=() i
  for i in $(seq 1 "$SC_SIZE"); do nodes+=("n$i"); done
  mark config "\"nodes\":$(json_list "${nodes[@]}"),\"heartbeat_ms\":$(milliseconds_of "$SUITE_HEARTBEAT"),\"election_timeout_min_ms\":$(milliseconds_of "${SUITE_ELECTION_TIMEOUT%-*}"),\"election_timeout_max_ms\":$(milliseconds_of "${SUITE_ELECTION_TIMEOUT#*-}")"
}

# Starts node nK inside the namespace, with its data folder kept across restarts. (Not lib.sh's
# start_node, which starts a node of cluster/up's run folder.)
# SUITE_NODE_FLAGS (words, optional): extra flags for this one node, e.g. "--lease 440ms".
suite_start_node() {
  local id=$1 number=${1#n} key
  mkdir -p "$SC_DIR/$id"
  # In the foreground: a command substitution inside the backgrounded command below would run in
  # each node's own subshell, and nodes started together would race to write different keys.
  key=$(make_peer_key "$SC_DIR/peer.key")
  # ip netns exec itself, not a function: $! must be the node's own pid (ip execs the command).
  ip netns exec "$SC_NS" "$TENURE_BIN" node --id "$id" --peers "$(peer_list "$SC_SIZE")" --api "$(node_api "$number")" \
    --data-dir "$SC_DIR/$id/data" --event-log "$SC_DIR/$id.events.jsonl" --peer-key-file "$key" \
    --heartbeat-interval "$SUITE_HEARTBEAT" --election-timeout "$SUITE_ELECTION_TIMEOUT" ${SUITE_NODE_FLAGS:-} \
    >> "$SC_DIR/$id.log" 2>&1 < /dev/null &
  SC_PID[$id]=$!
  SC_STARTED+=("$!")
  echo "$! $id" >> "$SC_DIR/pids"
}

start_all_nodes() { local i; for i in $(seq 1 "$SC_SIZE"); do suite_start_node "n$i"; done; }

# Starts the prober: every node's /v1/status every 10 ms into probes.jsonl (extra flags appended).
# shellcheck disable=SC2120
start_probe() {
  ip netns exec "$SC_NS" "$TENURE_LAB_BIN" probe --endpoints "$(api_list "$SC_SIZE")" --interval "$SUITE_PROBE_INTERVAL" \
    --timeout "$SUITE_PROBE_TIMEOUT" --duration 900s --out "$SC_DIR/probes.jsonl" "$@" &
  SC_PROBE_PID=$!
  SC_STARTED+=("$!")
}

stop_probe() {
  [ -n "$SC_PROBE_PID" ] || return 0
  kill_ours TERM "$SC_PROBE_PID"
  wait "$SC_PROBE_PID" 2>/dev/null || true
  SC_PROBE_PID=""
}

# Prints the leader that the nodes agree on (highest term), or fails after 15 s.
wait_leader() {
  local i leader
  for i in $(seq 1 150); do
    leader=$({ in_ns "$TENURE_BIN" leader --endpoints "$(api_list "$SC_SIZE")" --json --timeout 200ms 2>/dev/null || true; } | json_leader)
    if [ -n "$leader" ]; then echo "$leader"; return 0; fi
    sleep 0.1
  done
  return 1
}

# The node ids other than the given ones, in order.
others_than() {
  local i id skip other ids=()
  for i in $(seq 1 "$SC_SIZE"); do
    id="n$i"; skip=""
    for other in "$@"; do [ "$other" = "$id" ] && skip=1; done
    [ -n "$skip" ] || ids+=("$id")
  done
  echo "${ids[*]}"
}

# Applies a fault and records it: fault ID KIND "SPEC" "ISOLATED NODES" EXPECT [NODE] -- command...
# ISOLATED are the nodes the fault cuts off from every quorum (their term must not grow; a leader
# among them must stop claiming within its lease); EXPECT is leader_change, no_leader_change,
# no_leader or any; NODE names the process a kill or pause targets. The record's ts is taken after
# the command returned (the fault is certainly in force), and requested_ts before it started.
fault() {
  local id=$1 kind=$2 spec=$3 isolated=$4 expect=$5 node="" t0 t1
  shift 5
  if [ "${1:-}" != "--" ] && [ $# -gt 0 ]; then node=$1; shift; fi
  [ "${1:-}" != "--" ] || shift
  t0=$(now_ns)
  "$@"
  t1=$(now_ns)
  # shellcheck disable=SC2086
  printf '{"ts":%s,"requested_ts":%s,"ev":"fault_start","id":"%s","fault":"%s","spec":"%s","isolated":%s,"expect":"%s"%s}\n' \
    "$t1" "$t0" "$id" "$kind" "$spec" "$(json_list $isolated)" "$expect" "${node:+,\"node\":\"$node\"}" >> "$SC_DIR/phases.jsonl"
}

# Ends one fault: fault_stop ID -- command...
fault_stop() {
  local id=$1 t0 t1
  shift
  [ "${1:-}" != "--" ] || shift
  t0=$(now_ns)
  "$@"
  t1=$(now_ns)
  printf '{"ts":%s,"requested_ts":%s,"ev":"fault_stop","id":"%s"}\n' "$t1" "$t0" "$id" >> "$SC_DIR/phases.jsonl"
}

# Removes every Tenure rule and records the heal (convergence is measured from here).
heal_all() {
  local t0 t1
  t0=$(now_ns)
  netfault_heal > /dev/null
  t1=$(now_ns)
  printf '{"ts":%s,"requested_ts":%s,"ev":"heal"}\n' "$t1" "$t0" >> "$SC_DIR/phases.jsonl"
}

partition_ns() { "$here/partition" --nodes "$SC_SIZE" --quiet "$@"; }

# kill -9 a node, reap it, and record the kill and the exit as caused by the harness.
kill_node() {
  local id=$1 pid=${SC_PID[$1]} status=0
  mark kill "\"node\":\"$id\",\"signal\":\"KILL\",\"pid\":$pid"
  kill_ours CONT "$pid"
  kill_ours KILL "$pid"
  wait "$pid" 2>/dev/null || status=$?
  mark exit "\"node\":\"$id\",\"pid\":$pid,\"status\":$status,\"expected\":true"
  unset "SC_PID[$id]"
}

# Stops every running node with SIGTERM (clean shutdown) and records each exit status; a node
# that has not exited after 5 s is killed and recorded as a failure.
stop_all_nodes() {
  local id pid status i
  for id in "${!SC_PID[@]}"; do kill_ours CONT "${SC_PID[$id]}"; kill_ours TERM "${SC_PID[$id]}"; done
  for id in $(printf '%s\n' "${!SC_PID[@]}" | sort); do
    pid=${SC_PID[$id]}
    for i in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.1; done
    if pid_alive "$pid"; then
      echo "warning: $id (pid $pid) did not exit within 5 s of SIGTERM; killing it" >&2
      kill_ours KILL "$pid"
    fi
    status=0
    wait "$pid" 2>/dev/null || status=$?
    mark exit "\"node\":\"$id\",\"pid\":$pid,\"status\":$status,\"expected\":false"
    unset "SC_PID[$id]"
  done
}

scenario_teardown() {
  stop_probe
  stop_all_nodes
  if [ -n "$SC_NS" ]; then ip netns del "$SC_NS" 2>/dev/null || true; SC_NS=""; fi
  unset TENURE_NETNS
  SC_STARTED=()
}
