# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables (REAPED_STATUS, ...) are read by the scripts that source it
# Processes and network namespaces a cluster/ script started, and the cleanup that stops exactly
# those on exit, failure or Ctrl-C. Sourced by lib.sh.
#
# Every pid is recorded with its start time (field 22 of /proc/PID/stat), so a pid the system
# reused for another process is never signalled; nothing is ever killed by name.

OWNED_PIDS=()
declare -A OWNED_START=()
OWNED_NAMESPACES=()
CLEANUP_HOOKS=()
CLEANUP_DIRS=()
CLEANED_UP=""
SPAWNED=""

# True while the pid runs (a zombie, exited but not yet reaped, counts as gone).
pid_alive() { [ -n "$1" ] && [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# The start time of a process in clock ticks since boot, or nothing when it is gone.
process_start_time() {
  local stat fields
  read -r stat 2>/dev/null < "/proc/$1/stat" || return 1
  read -r -a fields <<< "${stat##*) }"   # state is field 3, so start time (22) is index 19
  echo "${fields[19]}"
}

# Records a pid this script started, for owned and the cleanup: own_pid PID.
own_pid() {
  local pid=$1
  OWNED_START[$pid]=$(process_start_time "$pid")
  OWNED_PIDS+=("$pid")
}

# True while PID is a process this script recorded, still the same one (not a reused pid).
owned() {
  local pid=$1 started
  [ -n "$pid" ] && [ -n "${OWNED_START[$pid]:-}" ] && pid_alive "$pid" || return 1
  started=$(process_start_time "$pid") || return 1
  [ "$started" = "${OWNED_START[$pid]}" ]
}

# Starts a command in the background with its output appended to LOG (stdin from /dev/null) and
# records its pid; the pid is in SPAWNED afterwards. spawn LOG command...
# (Not in a $(...) subshell: the pid must be recorded in this shell.)
spawn() {
  local log=$1
  shift
  "$@" >> "$log" 2>&1 < /dev/null &
  SPAWNED=$!
  own_pid "$SPAWNED"
}

# Sends a signal to a process this script started, if it still runs: signal_owned SIGNAL PID.
signal_owned() { owned "$2" && kill "-$1" "$2" 2>/dev/null; }

# Stops one pid: SIGTERM (or the given signal), then SIGKILL after 3 s: stop_pid PID [SIGNAL].
stop_pid() {
  local pid=$1 signal=${2:-TERM} _
  pid_alive "$pid" || return 0
  kill -s "$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do pid_alive "$pid" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  sleep 0.1
}

# Waits (at most $2 seconds) for our child $1 to exit and prints its exit status, or "timeout".
# (Only this shell can reap its children, so call it in this shell, not in $(...), when the
# status matters: it is also left in REAPED_STATUS.)
REAPED_STATUS=""
reap_within() {
  local pid=$1 limit=$2 _ status=0
  for _ in $(seq 1 $((limit * 10))); do pid_alive "$pid" || break; sleep 0.1; done
  if pid_alive "$pid"; then REAPED_STATUS=timeout; echo timeout; return 1; fi
  wait "$pid" 2>/dev/null || status=$?
  REAPED_STATUS=$status
  echo "$status"
}

# Creates a network namespace and records it for the cleanup: make_namespace NAME.
make_namespace() {
  ip netns add "$1" || return 1
  OWNED_NAMESPACES+=("$1")
}

# Deletes a namespace this script created, now: delete_namespace NAME.
delete_namespace() {
  local ns kept=()
  ip netns del "$1" 2>/dev/null
  for ns in "${OWNED_NAMESPACES[@]}"; do [ "$ns" = "$1" ] || kept+=("$ns"); done
  OWNED_NAMESPACES=("${kept[@]}")
}

# Runs a function at cleanup, after the processes are stopped: on_cleanup FUNCTION.
on_cleanup() { CLEANUP_HOOKS+=("$1"); }

# Removes DIR at cleanup when no check failed, else says where it was kept: keep_on_failure DIR.
keep_on_failure() { CLEANUP_DIRS+=("$1"); }

# Stops every recorded process (SIGCONT first, for a paused one, then SIGKILL) and reaps it, runs
# the cleanup functions, deletes the recorded namespaces and removes or keeps the folders. Once.
run_cleanup() {
  local pid hook ns dir
  [ -z "$CLEANED_UP" ] || return 0
  CLEANED_UP=1
  # (stderr off: bash would report each killed job as "Killed", after the closing count line)
  {
    for pid in "${OWNED_PIDS[@]}"; do
      if owned "$pid"; then kill -CONT "$pid"; kill -KILL "$pid"; fi
    done
    for pid in "${OWNED_PIDS[@]}"; do wait "$pid"; done
  } 2>/dev/null
  for hook in "${CLEANUP_HOOKS[@]}"; do "$hook"; done
  for ns in "${OWNED_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  OWNED_NAMESPACES=()
  for dir in "${CLEANUP_DIRS[@]}"; do
    if [ "$FAILED" -eq 0 ]; then rm -rf "$dir"; else say "artifacts kept in $dir"; fi
  done
}

# Installs the cleanup: on exit (whatever the cause), Ctrl-C (status 130) and SIGTERM (143).
cleanup_on_exit() {
  trap run_cleanup EXIT
  trap 'say ""; say "interrupted: cleaning up" >&2; exit 130' INT
  trap 'exit 143' TERM
}

# Stops the script unless it runs as root: require_root WHY.
require_root() {
  [ "$(id -u)" -eq 0 ] || die "$(basename "$0") $1, so it must run as root (try: sudo $0)"
}
