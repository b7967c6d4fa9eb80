# shellcheck shell=bash
# Output for cluster/ scripts: lines, fatal errors, --help and usage errors. Sourced by lib.sh.

say() { printf '%s\n' "$*"; }

# Stops the script with a message (exit 1): for what it cannot go on without.
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Prints the script's leading comment block (its --help) and exits: show_help [STATUS].
# Status 0 prints to stdout; any other (a usage mistake) prints to stderr.
# shellcheck disable=SC2120 # the status is optional
show_help() {
  local status=${1:-0}
  if [ "$status" -eq 0 ]; then print_help; else print_help >&2; fi
  exit "$status"
}
# (ShellCheck directives in that block are for the linter, not the reader.)
print_help() { awk 'NR > 1 && /^# shellcheck / { next } NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

# A usage mistake: one line naming it, then the usage, exit 2 (the convention of every command).
usage_error() { printf 'error: %s\n' "$*" >&2; show_help 2; }

# For scripts that take no arguments: --help prints the usage, anything else is a usage error.
no_arguments() {
  case "${1:-}" in
    -h|--help) show_help ;;
    "") ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
}
