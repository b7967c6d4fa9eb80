# shellcheck shell=bash
# The one library of every cluster/ script. Sourced, never run:
#   source "$(dirname "$0")/lib.sh"        (cluster/benchmark/run: "$(dirname "$0")/../lib.sh")
#
# Error regime, the same for every script: `set -u -o pipefail`, never `set -e`. An unset variable
# is a bug and stops the script at once; a failing command does not. Scripts check explicitly what
# they rely on (`cmd || die "why"` for what they cannot go on without, `check`/`pass`/`fail` for
# what they test), so one slow or failed answer (a curl, a leader lookup) is a failed check or a
# bounded retry, never an aborted suite.
#
# Cleanup: a script that starts processes calls `cleanup_on_exit` once; `spawn` (or `own_pid`)
# records every pid it starts and `make_namespace` every namespace it creates, and on exit,
# failure or Ctrl-C exactly those are stopped (by pid, never by name) and deleted.
#
# The pieces, one purpose each (cluster/lib/):
#   output.sh      say, die, --help and usage errors (exit 2)
#   counts.sh      pass/fail counting and the "NAME: N passed, M failed" line cluster/test reads
#   tools.sh       the tenure and tenure-lab binaries: build, keys, the monotonic clock
#   processes.sh   processes and namespaces this script started, and the cleanup trap
#   addresses.sh   node ids to hosts and API addresses (one host_of, one api_of)
#   leader.sh      asking nodes: leader lookups, one wait_leader, status and metrics
#   test-cluster.sh  nodes a test starts and stops by pid
#   run-folder.sh  the run folder of cluster/up (cluster/add-node, restart, down, ...)
set -u -o pipefail
set +e

LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=lib/output.sh
source "$LIB_DIR/output.sh"
# shellcheck source=lib/counts.sh
source "$LIB_DIR/counts.sh"
# shellcheck source=lib/tools.sh
source "$LIB_DIR/tools.sh"
# shellcheck source=lib/processes.sh
source "$LIB_DIR/processes.sh"
# shellcheck source=lib/addresses.sh
source "$LIB_DIR/addresses.sh"
# shellcheck source=lib/leader.sh
source "$LIB_DIR/leader.sh"
# shellcheck source=lib/test-cluster.sh
source "$LIB_DIR/test-cluster.sh"
# shellcheck source=lib/run-folder.sh
source "$LIB_DIR/run-folder.sh"
