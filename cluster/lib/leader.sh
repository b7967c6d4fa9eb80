# shellcheck shell=bash
# Asking nodes what they think, for cluster/ scripts: the leader (one wait_leader), a node's
# status and metrics. Sourced by lib.sh.
#
# With CLIENT_NETNS set, every question is asked from inside that network namespace (the
# partition suite's namespace, cluster/e2e-hosts' client machine).

CLIENT_NETNS=""

# Runs a command where the clients are: in CLIENT_NETNS when set.
as_client() { if [ -n "$CLIENT_NETNS" ]; then ip netns exec "$CLIENT_NETNS" "$@"; else "$@"; fi; }

# The `tenure leader --json` answer of the given endpoints: leader_json ENDPOINTS [TIMEOUT].
leader_json() { as_client "$TENURE_BIN" leader --endpoints "$1" --json ${2:+--timeout "$2"} 2>/dev/null || true; }

# The leader's id in a `tenure leader --json` answer on stdin, or nothing (no leader: null).
json_leader() { sed -n 's/.*"leader":"\([^"]*\)".*/\1/p'; }

# The term in a `tenure leader --json` answer on stdin, or nothing.
json_term() { sed -n 's/.*"term":\([0-9]*\).*/\1/p'; }

# True when the JSON text $1 satisfies the jq filter $2.
json_has() { jq -e "$2" <<< "$1" > /dev/null 2>&1; }

# One GET of a node's API, body on stdout: api_get HOST:PORT PATH [SECONDS, default 2].
api_get() { as_client curl -s --max-time "${3:-2}" "http://$1$2"; }

# Node $1's /v1/status, or nothing.
status_of() { api_get "$(api_of "$1")" /v1/status; }

# True when node $1's /v1/status satisfies the jq filter $2 within $3 seconds (0.1 s steps).
status_within() {
  local _
  for _ in $(seq 1 $(($3 * 10))); do
    json_has "$(status_of "$1")" "$2" && return 0
    sleep 0.1
  done
  return 1
}

# The value of one series (full name, labels included) on node $1's /metrics, or nothing.
metric_of() { api_get "$(api_of "$1")" /metrics | awk -v name="$2" '$1 == name { v = $2 } END { if (v != "") print v }'; }

# The endpoints a test asks by default: its own cluster's (test-cluster.sh), else the run
# folder's current members (run-folder.sh), read afresh each time.
default_endpoints() {
  if [ -n "${CLUSTER_ENDPOINTS:-}" ]; then echo "$CLUSTER_ENDPOINTS"; else cat "$RUN_DIR/endpoints" 2>/dev/null; fi
}

# "ID TERM" when exactly one node of n1..nCLUSTER_SIZE (but EXCEPT) answers is_leader and every
# node that answers reports that leader in that term; else fails. agreed_leader [EXCEPT]
agreed_leader() {
  local except=${1:-} i id out claimants=() views=() leader term
  for i in $(seq 1 "$CLUSTER_SIZE"); do
    id="n$i"
    [ "$id" != "$except" ] || continue
    out=$(status_of "$id")
    [ -n "$out" ] || continue
    views+=("$out")
    if [ "$(jq -r '.is_leader' <<< "$out" 2>/dev/null)" = true ]; then claimants+=("$(jq -r '"\(.id) \(.term)"' <<< "$out")"); fi
  done
  [ ${#claimants[@]} -eq 1 ] || return 1
  read -r leader term <<< "${claimants[0]}"
  for out in "${views[@]}"; do
    jq -e --arg id "$leader" --argjson term "$term" '.term == $term and (.leader == $id or .id == $id)' <<< "$out" > /dev/null 2>&1 || return 1
  done
  echo "$leader $term"
}

# Waits for a leader and prints "ID TERM"; fails (printing nothing) when none came in time.
#   wait_leader [--within SECONDS (15)] [--avoid ID] [--above-term N] [--endpoints LIST]
#               [--agreed] [--except ID]
# --avoid: a leader other than ID; --above-term: in a term above N; --endpoints: ask these
# (default: default_endpoints, re-read every round); --agreed: exactly one node says it leads
# and every node that answers agrees (agreed_leader), with --except ID not asked. Bounded by
# count (20 rounds a second) and by the wall clock.
# shellcheck disable=SC2120 # every option is optional
wait_leader() {
  local within=15 avoid="" above="" list="" agreed="" except="" deadline _ answer id term
  while [ $# -gt 0 ]; do
    case "$1" in
      --within) within=$2; shift 2 ;;
      --avoid) avoid=$2; shift 2 ;;
      --above-term) above=$2; shift 2 ;;
      --endpoints) list=$2; shift 2 ;;
      --agreed) agreed=1; shift ;;
      --except) except=$2; shift 2 ;;
      *) echo "wait_leader: unknown option $1" >&2; return 2 ;;
    esac
  done
  deadline=$(( $(wall_ms) + within * 1000 ))
  for _ in $(seq 1 $((within * 20))); do
    if [ -n "$agreed" ]; then
      read -r id term <<< "$(agreed_leader "$except")"
    else
      answer=$(leader_json "${list:-$(default_endpoints)}" 300ms)
      id=$(json_leader <<< "$answer")
      term=$(json_term <<< "$answer")
    fi
    if [ -n "$id" ] && [ "$id" != "$avoid" ] && { [ -z "$above" ] || [ "${term:-0}" -gt "$above" ]; }; then
      echo "$id $term"
      return 0
    fi
    [ "$(wall_ms)" -lt "$deadline" ] || break
    sleep 0.05
  done
  return 1
}
