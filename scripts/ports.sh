# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# ports.sh: loopback TCP ports for the servers tests and benchmarks start
# (scripts/pg-test-server.sh, tests/integration/dbguard_lib.sh,
# bench/dbguard.sh). Sourced, not run.

# True if some TCP socket (any state, IPv4 or IPv6) is bound to the port.
port_in_use() {
  local hex
  hex=$(printf ':%04X' "$1")
  awk -v p="$hex" 'FNR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Prints a random port in 20000-31999 (below Linux's ephemeral range,
# 32768-60999) that nothing is bound to; after 200 tries, says so on
# stderr and returns 1.
free_port() {
  local i port
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 12000))
    port_in_use "$port" || {
      printf '%s\n' "$port"
      return 0
    }
  done
  echo "found no free TCP port in 20000-31999" >&2
  return 1
}
