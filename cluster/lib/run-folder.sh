# shellcheck shell=bash
# The run folder of cluster/up: every node's data, logs, event log, pid and command line, for the
# scripts that manage a cluster across invocations (up, down, restart, status, kill-leader,
# add-node, remove-node, replace-node). Sourced by lib.sh.
#
# Membership (issue 11): the folder's `members` file lists, one a line, every node id the folder
# has started (those of cluster/up and those cluster/add-node added later); cluster/down stops
# them all. `endpoints` holds the API addresses of the current members, for cluster/status and the
# client commands.

cluster_size() { cat "$RUN_DIR/size" 2>/dev/null || echo 0; }

endpoints() { cat "$RUN_DIR/endpoints" 2>/dev/null || die "no cluster in $RUN_DIR (start one with cluster/up 3)"; }

# True when the pid in the node's pid file is alive and still a tenure node with that id.
node_running() {
  local id=$1 pid
  [ -f "$RUN_DIR/$id.pid" ] || return 1
  pid=$(cat "$RUN_DIR/$id.pid")
  pid_alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "node --id $id " || return 1
}

# Starts one node of the run folder from its recorded command line; records its pid. The node
# outlives the script (cluster/down stops it), so it is not recorded for the cleanup.
start_node() {
  local id=$1
  [ -f "$RUN_DIR/$id.cmd" ] || die "no recorded command line for $id in $RUN_DIR"
  # shellcheck disable=SC2046 # the recorded command line is words
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

# Prints the current leader's id of the run folder's cluster, or nothing.
current_leader() { leader_json "$(endpoints)" | json_leader; }

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
