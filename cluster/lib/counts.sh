# shellcheck shell=bash
# Pass/fail counting for cluster/ scripts. Sourced by lib.sh.
# check NAME command..., pass [NAME], fail [NAME], report_counts LABEL; cluster/test reads the
# closing "LABEL: N passed, M failed" line of every script it runs.

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); [ $# -eq 0 ] || say "  ok   $*"; }
fail() { FAILED=$((FAILED + 1)); [ $# -eq 0 ] || say "  FAIL $*"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

# Adds the counts of a sub-run: add_counts PASSED FAILED.
add_counts() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

# Prints "LABEL: N passed, M failed" (cluster/test reads this line); true when nothing failed.
report_counts() { say "$1: $PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; }

# Runs "$@" every 0.1 s until it succeeds, for at most $1 seconds: eventually SECONDS command...
# (for what happens asynchronously: hooks, counters, a log line).
eventually() {
  local limit=$1 _
  shift
  for _ in $(seq 1 $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}

# Runs a checker program and counts its checks here: its "  ok   ..." and "  FAIL ..." lines are
# checks, as pass and fail print them; other lines are shown as they come. A checker exits 0 or 1
# (1: some check failed) once it ran to its end; any other status, or no check at all, means it
# did not, which is one more failure. run_checker NAME command...
run_checker() {
  local name=$1 out status
  shift
  out=$(mktemp) || { fail "$name: no temporary file"; return 1; }
  "$@" 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  add_counts "$(grep -c '^  ok ' "$out")" "$(grep -c '^  FAIL ' "$out")"
  grep -q '^  \(ok\|FAIL\) ' "$out" || fail "$name ran no check"
  [ "$status" -le 1 ] || fail "$name ran to its end (exit $status)"
  rm -f "$out"
  return 0
}
