# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables (CLUSTER_ENDPOINTS, ...) are read by the scripts that source it
# The nodes a test starts itself, tracked by pid (as opposed to cluster/up's run folder).
# Sourced by lib.sh.
#
# test_cluster DIR SIZE sets the cluster (nodes n1..nSIZE at the addresses of use_layout), then
# start_test_node starts one node as `tenure node --id ID --peers ... --api ... --data-dir
# DIR/ID/data --event-log DIR/ID.events.jsonl NODE_FLAGS... FLAGS...` with its output in
# DIR/ID.log, its pid in NODE_PID[ID] and recorded for the cleanup (processes.sh).

CLUSTER_DIR=""
CLUSTER_SIZE=0
CLUSTER_PEERS=""
CLUSTER_ENDPOINTS=""
CLUSTER_NETNS=""            # the namespace every node runs in (none: this one)
NODE_FLAGS=()               # flags every node of the cluster gets
declare -A NODE_PID=()      # node id -> pid of its running process
declare -A NODE_NETNS=()    # node id -> its own namespace (cluster/e2e-hosts), else CLUSTER_NETNS
declare -A NODE_DATA_DIR=() # node id -> a data folder other than DIR/ID/data (cluster/e2e-disk-full)

# Sets the test cluster: test_cluster DIR SIZE.
test_cluster() {
  CLUSTER_DIR=$1
  CLUSTER_SIZE=$2
  CLUSTER_PEERS=$(peer_list "$2")
  CLUSTER_ENDPOINTS=$(api_list "$2")
}

# The ids n1..nSIZE, one a line.
cluster_ids() { seq -f 'n%g' 1 "$CLUSTER_SIZE"; }

# The ids other than the given ones, space-separated, in order: others_than ID...
# shellcheck disable=SC2120 # with no ids, every id
others_than() {
  local id other skip ids=()
  for id in $(cluster_ids); do
    skip=""
    for other in "$@"; do [ "$other" != "$id" ] || skip=1; done
    [ -n "$skip" ] || ids+=("$id")
  done
  echo "${ids[*]}"
}

# The comma-separated API addresses of the given ids: apis_of ID...
apis_of() { local id list=""; for id in "$@"; do list+="${list:+,}$(api_of "$id")"; done; echo "$list"; }

data_dir_of() { echo "${NODE_DATA_DIR[$1]:-$CLUSTER_DIR/$1/data}"; }

# The words that run a command in node ID's namespace (nothing without one), for spawn: a shell
# function there would make $! the pid of a subshell, while ip netns exec execs the command.
netns_prefix() {
  local ns=${NODE_NETNS[$1]:-$CLUSTER_NETNS}
  NETNS_PREFIX=()
  [ -z "$ns" ] || NETNS_PREFIX=(ip netns exec "$ns")
}
NETNS_PREFIX=()

# Starts node ID with its data kept across restarts: start_test_node ID [FLAGS...].
start_test_node() {
  local id=$1
  shift
  mkdir -p "$(dirname "$(data_dir_of "$id")")"
  netns_prefix "$id"
  spawn "$CLUSTER_DIR/$id.log" "${NETNS_PREFIX[@]}" "$TENURE_BIN" node --id "$id" --peers "$CLUSTER_PEERS" --api "$(api_of "$id")" \
    --data-dir "$(data_dir_of "$id")" --event-log "$CLUSTER_DIR/$id.events.jsonl" "${NODE_FLAGS[@]}" "$@"
  NODE_PID[$id]=$SPAWNED
}

# Starts n1..nSIZE with the same extra flags: start_test_cluster [FLAGS...].
# shellcheck disable=SC2120 # the flags are optional
start_test_cluster() { local id; for id in $(cluster_ids); do start_test_node "$id" "$@"; done; }

# True while node ID's process (started here) runs.
test_node_alive() { owned "${NODE_PID[$1]:-}"; }

# kill -9 node ID (after SIGCONT, if paused), reap it, forget it; leaves its exit status in
# REAPED_STATUS: kill_test_node ID.
kill_test_node() {
  local pid=${NODE_PID[$1]:-}
  signal_owned CONT "$pid"
  signal_owned KILL "$pid"
  REAPED_STATUS=0
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || REAPED_STATUS=$?
  unset "NODE_PID[$1]"
}

# Stops node ID with SIGTERM (a clean shutdown), SIGKILL if it has not exited within $2 seconds
# (default 5); leaves its exit status in REAPED_STATUS ("timeout" when it had to be killed).
stop_test_node() {
  local id=$1 limit=${2:-5} pid=${NODE_PID[$1]:-}
  [ -n "$pid" ] || return 0
  signal_owned CONT "$pid"
  signal_owned TERM "$pid"
  if ! reap_within "$pid" "$limit" > /dev/null; then
    signal_owned KILL "$pid"
    wait "$pid" 2>/dev/null
  fi
  unset "NODE_PID[$id]"
  [ "$REAPED_STATUS" != timeout ]
}
