# shellcheck shell=bash
# Node ids to addresses, the one place cluster/ scripts get a node's host, peer or API address.
# Sourced by lib.sh.
#
# Node nK lives on SUBNET.(BASE+K), peer port PEER, API port API. The defaults are cluster/up's
# (127.0.0.11, .12, ...; :7100 and :7200), moved by TENURE_HOST_BASE, TENURE_PEER_PORT and
# TENURE_API_PORT (cluster/add-node and its callers); a test sets its own with use_layout.

CLUSTER_SUBNET=127.0.0
CLUSTER_HOST_BASE=${TENURE_HOST_BASE:-10}
CLUSTER_PEER_PORT=${TENURE_PEER_PORT:-7100}
CLUSTER_API_PORT=${TENURE_API_PORT:-7200}

# Sets where this script's nodes live: use_layout SUBNET BASE PEER_PORT API_PORT
# (e.g. use_layout 127.0.0 20 7101 7201: n1 on 127.0.0.21, peers :7101, API :7201).
use_layout() { CLUSTER_SUBNET=$1; CLUSTER_HOST_BASE=$2; CLUSTER_PEER_PORT=$3; CLUSTER_API_PORT=$4; }

# The K of node nK.
node_number() { echo "${1#n}"; }

host_of() { echo "$CLUSTER_SUBNET.$((CLUSTER_HOST_BASE + $(node_number "$1")))"; }
api_of() { echo "$(host_of "$1"):$CLUSTER_API_PORT"; }
peer_address_of() { echo "$(host_of "$1"):$CLUSTER_PEER_PORT"; }

# n1=HOST:PEER,n2=... and HOST:API,... for nodes n1..nN: peer_list N, api_list N.
peer_list() {
  local i list=""
  for i in $(seq 1 "$1"); do list+="${list:+,}n$i=$(peer_address_of "n$i")"; done
  echo "$list"
}
api_list() {
  local i list=""
  for i in $(seq 1 "$1"); do list+="${list:+,}$(api_of "n$i")"; done
  echo "$list"
}

# By number, for the callers that count nodes: node_host K, node_api K.
node_host() { host_of "n$1"; }
node_api() { api_of "n$1"; }

# The default host and ports of the nodes cluster/add-node starts: member_host K, ...
member_host() { host_of "n$1"; }
member_peer_port() { echo "$CLUSTER_PEER_PORT"; }
member_api_port() { echo "$CLUSTER_API_PORT"; }
