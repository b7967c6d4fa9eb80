# shellcheck shell=bash
# Tenure's network faults: iptables rules in a chain of Tenure's own. Sourced, never run.
#
# Every rule lives in the TENURE chain of the filter table, jumped to from OUTPUT (loopback
# traffic crosses OUTPUT once per packet), and matches only peer traffic (port 7100, TCP for the
# peer connections and UDP for the lease beats, one rule per protocol) between
# two node addresses (127.0.0.11, .12, ...). The API port (7200) that tools use to observe the
# nodes is never touched, and nothing outside the TENURE chain is changed, so `heal` removes
# exactly Tenure's rules. With TENURE_NETNS set, the rules go into that network namespace.
#
# Each node sends all its messages on the one TCP connection it opened to each peer (the peer
# never writes back on it), so the rules can cut one direction exactly:
#   "a -> b" dropped  =  packets from a to b with destination port 7100 (a's connection to b),
#   both directions   =  packets between a and b with port 7100 on either side.
# Random loss drops that fraction of every packet (data and TCP acknowledgements) on a link;
# TCP then retransmits, which delays messages as real loss does. (netem is not available on
# these machines, so loss uses iptables' statistic match.)

TENURE_CHAIN=TENURE
TENURE_PEER_PORT=${TENURE_PEER_PORT:-7100}

# Runs iptables in the right namespace, waiting for the xtables lock.
tenure_iptables() {
  if [ -n "${TENURE_NETNS:-}" ]; then ip netns exec "$TENURE_NETNS" iptables -w "$@"; else iptables -w "$@"; fi
}
tenure_iptables_restore() {
  if [ -n "${TENURE_NETNS:-}" ]; then ip netns exec "$TENURE_NETNS" iptables-restore -w --noflush; else iptables-restore -w --noflush; fi
}

# Installs iptables (and iproute2 for namespaces) when missing; needs root.
netfault_require_tools() {
  local missing=""
  command -v iptables >/dev/null 2>&1 || missing+=" iptables"
  command -v ip >/dev/null 2>&1 || missing+=" iproute2"
  [ -z "$missing" ] && return 0
  echo "installing$missing ..." >&2
  # shellcheck disable=SC2086 # $missing is a list of package names
  (apt-get install -y $missing >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y $missing >/dev/null 2>&1; }) \
    || { echo "error: could not install$missing (apt-get install -y$missing)" >&2; return 1; }
}

netfault_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: $(basename "$0") changes iptables rules and must run as root (try: sudo $0 $*)" >&2
    exit 1
  fi
}

# The address of node nK: 127.0.0.(10+K).
netfault_address() {
  local id=$1
  case "$id" in n[1-9]|n[1-9][0-9]) ;; *) echo "error: '$id' is not a node id like n1" >&2; return 1;; esac
  local number=${id#n}
  [ "$number" -le 245 ] || { echo "error: node id $id is too large" >&2; return 1; }
  echo "127.0.0.$((10 + number))"
}

# Creates the chain and its jump from OUTPUT when missing.
netfault_ensure_chain() {
  tenure_iptables -n -L "$TENURE_CHAIN" >/dev/null 2>&1 || tenure_iptables -N "$TENURE_CHAIN"
  tenure_iptables -C OUTPUT -j "$TENURE_CHAIN" 2>/dev/null || tenure_iptables -I OUTPUT 1 -j "$TENURE_CHAIN"
}

# Appends rule lines (iptables-restore syntax, one per line on stdin) to the chain, atomically.
netfault_apply_rules() {
  local rules
  rules=$(cat)
  [ -n "$rules" ] || return 0
  netfault_ensure_chain
  printf '*filter\n%s\nCOMMIT\n' "$rules" | tenure_iptables_restore
}

# The protocols peer traffic uses: TCP (the peer connections) and UDP (the lease beats).
TENURE_PEER_PROTOCOLS="tcp udp"

# Rule text that drops every message between a and b (both directions).
netfault_rule_cut() {
  local a b protocol
  a=$(netfault_address "$1") && b=$(netfault_address "$2") || return 1
  for protocol in $TENURE_PEER_PROTOCOLS; do
    echo "-A $TENURE_CHAIN -s $a/32 -d $b/32 -p $protocol -m multiport --ports $TENURE_PEER_PORT -m comment --comment tenure-cut -j DROP"
    echo "-A $TENURE_CHAIN -s $b/32 -d $a/32 -p $protocol -m multiport --ports $TENURE_PEER_PORT -m comment --comment tenure-cut -j DROP"
  done
}

# Rule text that drops a's messages to b only.
netfault_rule_one_way() {
  local a b protocol
  a=$(netfault_address "$1") && b=$(netfault_address "$2") || return 1
  for protocol in $TENURE_PEER_PROTOCOLS; do
    echo "-A $TENURE_CHAIN -s $a/32 -d $b/32 -p $protocol --dport $TENURE_PEER_PORT -m comment --comment tenure-one-way -j DROP"
  done
}

# Rule text that drops the given fraction (0.3) of packets from a to b.
netfault_rule_loss() {
  local a b protocol
  a=$(netfault_address "$1") && b=$(netfault_address "$2") || return 1
  for protocol in $TENURE_PEER_PROTOCOLS; do
    echo "-A $TENURE_CHAIN -s $a/32 -d $b/32 -p $protocol -m multiport --ports $TENURE_PEER_PORT -m statistic --mode random --probability $3 -m comment --comment tenure-loss -j DROP"
  done
}

# Number of rules currently in the chain (0 when it does not exist).
netfault_rule_count() {
  { tenure_iptables -S "$TENURE_CHAIN" 2>/dev/null || true; } | grep -c '^-A' || true
}

# Removes exactly Tenure's rules: flushes and deletes the TENURE chain and its jump from OUTPUT.
netfault_heal() {
  local removed _
  removed=$(netfault_rule_count)
  tenure_iptables -F "$TENURE_CHAIN" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8; do
    tenure_iptables -C OUTPUT -j "$TENURE_CHAIN" 2>/dev/null || break
    tenure_iptables -D OUTPUT -j "$TENURE_CHAIN"
  done
  tenure_iptables -X "$TENURE_CHAIN" 2>/dev/null || true
  echo "$removed"
}
