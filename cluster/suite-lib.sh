# shellcheck shell=bash
# Scenarios in a network namespace of their own, for cluster/partition-suite, demo-split-brain,
# demo-singleton and e2e-runner-lapse, on top of lib.sh. Sourced, never run.
#
# Each scenario runs in a namespace of its own (tenure-<pid>), with the loopback up so the nodes
# can bind 127.0.0.11, .12, ... inside it. The helpers start nodes (test-cluster.sh) and one
# prober there, keep every node's event log, and write the harness's phases file (fault start and
# stop times on CLOCK_MONOTONIC, the clock the nodes stamp their events with); lib.sh's cleanup
# stops what they started (by pid) and deletes the namespace, even on failure or Ctrl-C.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=netfault.sh
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

# Appends one record to the scenario's phases file with tenure-lab phase, the writer of the records
# check-history reads: phase KIND [FLAGS...] (its ts is now unless --ts is given).
phase() {
  "$TENURE_LAB_BIN" phase --file "$SC_DIR/phases.jsonl" "$@" || die "cannot record the phase '$1' in $SC_DIR/phases.jsonl"
}

in_ns() { ip netns exec "$SC_NS" "$@"; }

suite_install_traps() { cleanup_on_exit; }

suite_require_root() { require_root "creates network namespaces and iptables rules"; }

# Creates the scenario's namespace and folder: scenario_setup DIR SIZE.
scenario_setup() {
  SC_DIR=$1
  SC_SIZE=$2
  SC_NS="tenure-$$"
  SC_PROBE_PID=""
  rm -rf "$SC_DIR"
  mkdir -p "$SC_DIR" || die "cannot create $SC_DIR"
  ip netns del "$SC_NS" 2>/dev/null
  make_namespace "$SC_NS" || die "cannot create network namespace $SC_NS"
  in_ns ip link set lo up
  export TENURE_NETNS=$SC_NS
  CLIENT_NETNS=$SC_NS
  CLUSTER_NETNS=$SC_NS
  test_cluster "$SC_DIR" "$SC_SIZE"
  local nodes=()
  read -r -a nodes <<< "$(others_than)"
  phase config --nodes "$(IFS=,; echo "${nodes[*]}")" --heartbeat "$SUITE_HEARTBEAT" --election-timeout "$SUITE_ELECTION_TIMEOUT"
}

# Starts node nK inside the namespace, with its data folder kept across restarts.
# SUITE_NODE_FLAGS (words, optional): extra flags for this one node, e.g. "--lease 440ms".
suite_start_node() {
  local id=$1 key extra=()
  key=$(make_peer_key "$SC_DIR/peer.key")
  read -r -a extra <<< "${SUITE_NODE_FLAGS:-}"
  start_test_node "$id" --peer-key-file "$key" --heartbeat-interval "$SUITE_HEARTBEAT" --election-timeout "$SUITE_ELECTION_TIMEOUT" "${extra[@]}"
  echo "${NODE_PID[$id]} $id" >> "$SC_DIR/pids"
}

start_all_nodes() { local id; for id in $(cluster_ids); do suite_start_node "$id"; done; }

# Starts the prober: every node's /v1/status every 10 ms into probes.jsonl (extra flags appended;
# with --live it draws on the terminal, so its output is not redirected).
# shellcheck disable=SC2120
start_probe() {
  ip netns exec "$SC_NS" "$TENURE_LAB_BIN" probe --endpoints "$CLUSTER_ENDPOINTS" --interval "$SUITE_PROBE_INTERVAL" \
    --timeout "$SUITE_PROBE_TIMEOUT" --duration 900s --out "$SC_DIR/probes.jsonl" "$@" &
  SC_PROBE_PID=$!
  own_pid "$SC_PROBE_PID"
}

stop_probe() {
  [ -n "$SC_PROBE_PID" ] || return 0
  signal_owned TERM "$SC_PROBE_PID"
  wait "$SC_PROBE_PID" 2>/dev/null
  SC_PROBE_PID=""
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
  phase fault-start --ts "$t1" --requested-ts "$t0" --id "$id" --fault "$kind" --spec "$spec" --isolated "$isolated" \
    --expect "$expect" ${node:+--node "$node"}
}

# Ends one fault: fault_stop ID -- command...
fault_stop() {
  local id=$1 t0 t1
  shift
  [ "${1:-}" != "--" ] || shift
  t0=$(now_ns)
  "$@"
  t1=$(now_ns)
  phase fault-stop --ts "$t1" --requested-ts "$t0" --id "$id"
}

# Removes every Tenure rule and records the heal (convergence is measured from here).
heal_all() {
  local t0 t1
  t0=$(now_ns)
  netfault_heal > /dev/null
  t1=$(now_ns)
  phase heal --ts "$t1" --requested-ts "$t0"
}

partition_ns() { "$here/partition" --nodes "$SC_SIZE" --quiet "$@"; }

# kill -9 a node, reap it, and record the kill and the exit as caused by the harness.
kill_node() {
  local id=$1 pid=${NODE_PID[$1]}
  phase kill --node "$id" --signal KILL --pid "$pid"
  kill_test_node "$id"
  phase exit --node "$id" --pid "$pid" --status "$REAPED_STATUS" --expected
}

# Stops every running node with SIGTERM at once (clean shutdown) and records each exit status; a
# node that has not exited after 5 s is killed and recorded as a failure.
stop_all_nodes() {
  local id pid status
  for id in "${!NODE_PID[@]}"; do signal_owned CONT "${NODE_PID[$id]}"; signal_owned TERM "${NODE_PID[$id]}"; done
  for id in $(printf '%s\n' "${!NODE_PID[@]}" | sort); do
    pid=${NODE_PID[$id]}
    reap_within "$pid" 5 > /dev/null
    status=$REAPED_STATUS
    if [ "$status" = timeout ]; then
      echo "warning: $id (pid $pid) did not exit within 5 s of SIGTERM; killing it" >&2
      signal_owned KILL "$pid"
      status=0
      wait "$pid" 2>/dev/null || status=$?
    fi
    phase exit --node "$id" --pid "$pid" --status "$status"
    unset "NODE_PID[$id]"
  done
}

scenario_teardown() {
  stop_probe
  stop_all_nodes
  if [ -n "$SC_NS" ]; then delete_namespace "$SC_NS"; SC_NS=""; fi
  unset TENURE_NETNS
  CLIENT_NETNS=""
  CLUSTER_NETNS=""
}
