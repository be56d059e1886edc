#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts and stops a throwaway PostgreSQL server for levee's tests of its
# PostgreSQL store back end: Debian's server binaries, a cluster in a directory
# the caller names, reachable on 127.0.0.1 only (plus a unix socket in that
# directory), trust auth, a database `levee` owned by the superuser role `levee`,
# with pg_trgm created. Run `scripts/pg-test-server.sh --help` for usage.
set -euo pipefail

prog=${0##*/}
pg_role=levee
pg_db=levee
default_user=levee-test

usage() {
  cat <<EOF
usage: $prog start DIR    initdb (first time) and start a server; print its URL
       $prog stop DIR     stop the server in DIR (fast shutdown); no error if not running
       $prog url DIR      print the URL of the running server in DIR
       $prog --help

A throwaway PostgreSQL server for tests. 'start' makes DIR if needed, puts the
cluster in DIR/data (reused by later starts: data survives stop/start), the
server log in DIR/log, the unix socket in DIR, and prints exactly one line on
stdout, the connection URL, also written to DIR/url:
    postgres://$pg_role@127.0.0.1:PORT/$pg_db
The server listens on 127.0.0.1 only, on a free port chosen anew at each start;
auth is trust for the socket and 127.0.0.1. Role '$pg_role' is the superuser;
database '$pg_db' has the pg_trgm extension. Collation C, ctype C.UTF-8 (so
pg_trgm sees Chinese characters), encoding UTF8, time zone UTC, messages in
English. 'start' on a running server prints its URL again.

Run as root (as CI does), the server runs as the unprivileged system user
'$default_user' (created with useradd --system if missing; Debian's 'postgres'
as a fallback), DIR is chowned to it, and every directory above DIR must be
searchable by that user (note: mktemp -d makes mode 0700; chmod 755 it).
Progress and errors go to stderr; any failure exits nonzero.

Environment:
  LEVEE_PG_FSYNC=on|off  fsync setting (default on: durability tests rely on it)
  LEVEE_PG_USER=NAME     system user the server runs as when started by root
  LEVEE_PG_PORT=N        port for the first try, without the in-use check
                         (if binding it fails, another port is chosen)
  LEVEE_PG_BINDIR=PATH   server binaries (default: highest /usr/lib/postgresql/*/bin)
EOF
}

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# Settings of the caller's environment that would redirect our own clients.
for v in $(compgen -e); do
  case $v in PG*) unset "$v" ;; esac
done

find_bindir() {
  if [ -n "${LEVEE_PG_BINDIR:-}" ]; then
    [ -x "$LEVEE_PG_BINDIR/pg_ctl" ] || die "LEVEE_PG_BINDIR=$LEVEE_PG_BINDIR holds no pg_ctl"
    bindir=$LEVEE_PG_BINDIR
    return
  fi
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    if [ ! -x "$d/initdb" ] || [ ! -x "$d/pg_ctl" ] || [ ! -x "$d/postgres" ] || [ ! -x "$d/psql" ]; then
      continue
    fi
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n1)" = "$d" ]; then
      best=$d
    fi
  done
  [ -n "$best" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin; run scripts/deps.sh (installs Debian's postgresql)"
  bindir=$best
}

# The major version of the binaries, from the path or from postgres --version.
bin_version() {
  local v
  v=$("$bindir/postgres" --version 2>/dev/null | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p')
  [ -n "$v" ] || die "cannot tell the version of $bindir/postgres"
  printf '%s\n' "$v"
}

# Run a command as the user that owns the cluster (root cannot run PostgreSQL).
# Fd 9 holds our lock: the postmaster must not inherit it.
as_owner() {
  if [ "$euid" -eq 0 ]; then
    runuser -u "$pg_user" -- "$@" 9>&-
  else
    "$@" 9>&-
  fi
}

# Write stdin to a file that the server's user must own.
write_owned() {
  cat >"$1"
  [ "$euid" -ne 0 ] || chown "$pg_user:" "$1"
}

pick_user() {
  if [ -n "${LEVEE_PG_USER:-}" ]; then
    id -u "$LEVEE_PG_USER" >/dev/null 2>&1 || die "LEVEE_PG_USER=$LEVEE_PG_USER: no such user"
    [ "$(id -u "$LEVEE_PG_USER")" -ne 0 ] || die "LEVEE_PG_USER must not be root: PostgreSQL refuses to run as root"
    pg_user=$LEVEE_PG_USER
    return
  fi
  if ! id -u "$default_user" >/dev/null 2>&1; then
    say "creating system user $default_user to run the server (PostgreSQL refuses to run as root)"
    # A parallel start may create it first: look again before giving up.
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin --comment "levee test PostgreSQL" "$default_user" 2>/dev/null || true
  fi
  if id -u "$default_user" >/dev/null 2>&1; then
    pg_user=$default_user
  elif id -u postgres >/dev/null 2>&1; then
    say "could not create user $default_user; using Debian's postgres user"
    pg_user=postgres
  else
    die "no unprivileged user to run the server: useradd $default_user failed and there is no postgres user"
  fi
}

# As root: the server's user must reach DIR. Name the first directory that stops it.
check_reachable() {
  [ "$euid" -eq 0 ] || return 0
  runuser -u "$pg_user" -- test -x "$dir" -a -w "$dir" && return 0
  local p=$dir
  local -a chain=()
  while [ "$p" != / ]; do
    chain=("$p" "${chain[@]}")
    p=$(dirname "$p")
  done
  for p in / "${chain[@]}"; do
    if ! runuser -u "$pg_user" -- test -x "$p"; then
      die "user $pg_user cannot enter $p (mode $(stat -c %a "$p")), so the server cannot use $dir; make it searchable (e.g. chmod o+x $p) or use a DIR elsewhere"
    fi
  done
  die "user $pg_user cannot write to $dir"
}

# PID of the postmaster running on this cluster, or failure. A postmaster
# keeps its data directory as its working directory: that tells our server
# from an unrelated process that got the PID of a dead one.
server_pid() {
  local pidfile=$data/postmaster.pid pid
  [ -f "$pidfile" ] || return 1
  pid=$(head -n1 "$pidfile" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$data" ] || return 1
  printf '%s\n' "$pid"
}

# PIDs of any process still working in the data directory (backends of a
# postmaster that was killed; they exit soon after it).
leftovers() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/cwd" 2>/dev/null)" = "$data" ] && printf '%s ' "${p#/proc/}"
  done
  return 0
}

server_port() {
  local port
  port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)
  [[ $port =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$port"
}

url_for() { printf 'postgres://%s@127.0.0.1:%s/%s\n' "$pg_role" "$1" "$pg_db"; }

# port_in_use, free_port
# shellcheck source=scripts/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

# The port of start's attempt N: LEVEE_PG_PORT, if set, is the first try,
# taken as given; then a free one.
attempt_port() {
  if [ "$1" -eq 1 ] && [ -n "${LEVEE_PG_PORT:-}" ]; then
    printf '%s\n' "$LEVEE_PG_PORT"
    return 0
  fi
  free_port || die "found no free TCP port in 20000-31999"
}

resolve_dir() {
  [ -n "$1" ] || die "DIR is empty"
  dir=$(realpath -m -- "$1")
  [ -d "$dir" ] && dir=$(realpath -- "$dir")
  data=$dir/data
  if [ -d "$data" ] && { [ ! -r "$data" ] || [ ! -x "$data" ]; }; then
    die "no permission to look into $data (owned by $(stat -c %U "$data")): run as that user or as root"
  fi
}

take_lock() {
  exec 9>>"$dir/.pg-test-server.lock"
  flock -w 30 9 || die "timed out waiting for another $prog on $dir"
}

psql_q() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

cmd_start() {
  if [ -n "${LEVEE_PG_PORT:-}" ]; then
    if ! [[ $LEVEE_PG_PORT =~ ^[1-9][0-9]{3,4}$ ]] || ((LEVEE_PG_PORT < 1024 || LEVEE_PG_PORT > 65535)); then
      die "LEVEE_PG_PORT must be a port number in 1024-65535, not '$LEVEE_PG_PORT'"
    fi
  fi
  local fsync=${LEVEE_PG_FSYNC:-on}
  case $fsync in on | off) ;; *) die "LEVEE_PG_FSYNC must be on or off, not '$fsync'" ;; esac

  resolve_dir "$1"
  find_bindir
  local version
  version=$(bin_version)
  # sun_path holds 107 bytes: DIR + "/.s.PGSQL.NNNNN".
  [ "${#dir}" -le 92 ] || die "DIR is too long for a unix socket path (${#dir} > 92 characters): $dir"
  [ ! -e "$dir" ] || [ -d "$dir" ] || die "$dir exists and is not a directory"
  [ ! -f "$dir/PG_VERSION" ] || die "$dir itself holds a PostgreSQL cluster not made by this script (it keeps its cluster in DIR/data); refusing to touch it: use a fresh DIR"
  mkdir -p -- "$dir"
  dir=$(realpath -- "$dir")
  data=$dir/data

  if [ "$euid" -eq 0 ]; then
    if [ -f "$data/PG_VERSION" ]; then
      pg_user=$(stat -c %U "$data")
      [ "$pg_user" != root ] || die "$data is owned by root; PostgreSQL cannot run as root: use a fresh DIR"
    else
      pick_user
    fi
    chown "$pg_user:" "$dir"
    check_reachable
  else
    pg_user=$(id -un)
    [ -w "$dir" ] || die "cannot write to $dir"
    if [ -f "$data/PG_VERSION" ] && [ ! -O "$data" ]; then
      die "$data belongs to $(stat -c %U "$data"), not to you ($pg_user): run as that user or as root, or use a fresh DIR"
    fi
  fi
  take_lock

  local fresh=0
  if [ -f "$data/PG_VERSION" ]; then
    local have
    have=$(cat "$data/PG_VERSION")
    [ "$have" = "$version" ] || die "$data holds a PostgreSQL $have cluster but the binaries ($bindir) are version $version: remove $dir or use a fresh DIR"
    grep -q "^include_if_exists = 'levee-test.conf'" "$data/postgresql.conf" 2>/dev/null || die "$data holds a PostgreSQL cluster not made by this script; refusing to touch it: use a fresh DIR"
  elif [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
    die "$data exists, is not empty and holds no cluster; refusing to touch it: use a fresh DIR"
  else
    fresh=1
  fi

  if [ "$fresh" -eq 0 ]; then
    local pid port
    if pid=$(server_pid) && port=$(server_port); then
      say "server already running in $dir (PID $pid); reusing it"
      local url
      url=$(url_for "$port")
      psql_q -d "$url" -c 'SELECT 1' >/dev/null || die "server in $dir runs (PID $pid) but $url does not answer; see $dir/log"
      printf '%s\n' "$url" | write_owned "$dir/url.tmp"
      mv -f "$dir/url.tmp" "$dir/url"
      printf '%s\n' "$url"
      return 0
    fi
    # Not running: wait for backends of a killed postmaster to go, then drop
    # the stale lock file (it may name a PID now used by another process,
    # which PostgreSQL would take for a running server).
    local left i
    for ((i = 0; i < 100; i++)); do
      left=$(leftovers)
      [ -n "$left" ] || break
      sleep 0.1
    done
    [ -z "$left" ] || die "processes still work in $data (PIDs $left) though no postmaster runs there; wait for them to exit or end them, then retry"
    if [ -f "$data/postmaster.pid" ]; then
      say "removing stale $data/postmaster.pid (PID $(head -n1 "$data/postmaster.pid" 2>/dev/null) is not running this server)"
      rm -f "$data/postmaster.pid"
    fi
    say "reusing the existing cluster in $data"
  fi

  if [ "$fresh" -eq 1 ]; then
    # Checked before initdb, so a missing contrib module fails fast.
    local share pkglib
    share=$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$version")
    pkglib=$("$bindir/pg_config" --pkglibdir 2>/dev/null || echo "/usr/lib/postgresql/$version/lib")
    if [ ! -f "$share/extension/pg_trgm.control" ] || [ ! -f "$pkglib/pg_trgm.so" ]; then
      die "the pg_trgm extension is missing ($share/extension/pg_trgm.control, $pkglib/pg_trgm.so): install Debian's postgresql-$version package (apt-get install postgresql-$version; scripts/deps.sh installs postgresql, which depends on it)"
    fi
    # Built aside and renamed when complete: an interrupted initdb leaves
    # no half-made DIR/data behind, only DIR/data.new, removed next time.
    local new=$dir/data.new
    rm -rf -- "$new"
    say "initdb in $data (PostgreSQL $version, $bindir)"
    if ! (cd / && as_owner "$bindir/initdb" -D "$new" -U "$pg_role" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 --lc-collate=C --lc-messages=C --no-instructions) >"$dir/initdb.log" 2>&1; then
      say "initdb failed; the end of $dir/initdb.log:"
      tail -n 20 "$dir/initdb.log" >&2
      exit 1
    fi
    write_owned "$new/pg_hba.conf" <<'EOF'
# Written by scripts/pg-test-server.sh: a throwaway test server, trust for the
# unix socket and 127.0.0.1 only.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    printf "\n# scripts/pg-test-server.sh rewrites this file at each start\ninclude_if_exists = 'levee-test.conf'\n" >>"$new/postgresql.conf"
    [ ! -d "$data" ] || rmdir -- "$data"
    mv -- "$new" "$data"
  fi

  local attempt port url="" logsize
  for ((attempt = 1; attempt <= 10; attempt++)); do
    port=$(attempt_port "$attempt")
    write_owned "$data/levee-test.conf" <<EOF
# Written by scripts/pg-test-server.sh at each start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = $fsync
shared_buffers = 16MB
max_connections = 50
max_wal_senders = 0
timezone = 'UTC'
lc_messages = 'C'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] '
logging_collector = off
EOF
    logsize=0
    [ ! -f "$dir/log" ] || logsize=$(stat -c %s "$dir/log")
    say "starting on 127.0.0.1:$port (fsync $fsync), log in $dir/log"
    if (cd / && as_owner "$bindir/pg_ctl" start -w -t 60 -D "$data" -l "$dir/log") >/dev/null 2>"$dir/pg_ctl.err"; then
      url=$(url_for "$port")
      break
    fi
    if tail -c +$((logsize + 1)) "$dir/log" 2>/dev/null | grep -q -e 'Address already in use' -e 'could not create any TCP/IP sockets'; then
      say "port $port was taken meanwhile; trying another"
      continue
    fi
    say "the server did not start; pg_ctl said:"
    cat "$dir/pg_ctl.err" >&2
    say "the end of $dir/log:"
    tail -c +$((logsize + 1)) "$dir/log" 2>/dev/null | tail -n 20 >&2
    exit 1
  done
  [ -n "$url" ] || die "no free port after 10 attempts"
  rm -f "$dir/pg_ctl.err"

  # From here on a failure stops the server again.
  local admin
  admin="postgres://$pg_role@127.0.0.1:$port/postgres"
  if ! {
    if [ "$(psql_q -d "$admin" -c "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" != 1 ]; then
      say "creating database $pg_db owned by $pg_role"
      psql_q -d "$admin" -c "CREATE DATABASE $pg_db OWNER $pg_role"
    fi
    psql_q -d "$url" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm'
  } >&2; then
    say "setting up database $pg_db failed; stopping the server; the end of $dir/log:"
    tail -n 20 "$dir/log" >&2
    (cd / && as_owner "$bindir/pg_ctl" stop -w -t 60 -m fast -D "$data") >/dev/null 2>&1 || true
    exit 1
  fi

  printf '%s\n' "$url" | write_owned "$dir/url.tmp"
  mv -f "$dir/url.tmp" "$dir/url"
  say "ready: $url"
  printf '%s\n' "$url"
}

cmd_stop() {
  resolve_dir "$1"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "no cluster in $dir; nothing to stop"
    return 0
  fi
  find_bindir
  pg_user=$(stat -c %U "$data")
  take_lock
  local pid
  if ! pid=$(server_pid); then
    rm -f "$dir/url"
    say "no server running in $dir"
    return 0
  fi
  say "stopping the server in $dir (PID $pid)"
  if ! (cd / && as_owner "$bindir/pg_ctl" stop -w -t 60 -m fast -D "$data") >/dev/null 2>"$dir/pg_ctl.err"; then
    if server_pid >/dev/null; then
      say "fast shutdown failed ($(tr '\n' ' ' <"$dir/pg_ctl.err")); trying immediate shutdown"
      (cd / && as_owner "$bindir/pg_ctl" stop -w -t 30 -m immediate -D "$data") >/dev/null 2>&1 || true
    fi
  fi
  rm -f "$dir/pg_ctl.err"
  if server_pid >/dev/null; then
    die "the server in $dir (PID $pid) did not stop; see $dir/log"
  fi
  rm -f "$dir/url"
  say "stopped"
}

cmd_url() {
  resolve_dir "$1"
  local pid port
  [ -f "$data/PG_VERSION" ] || die "no cluster in $dir"
  pid=$(server_pid) || die "no server running in $dir"
  port=$(server_port) || die "cannot read the port from $data/postmaster.pid"
  url_for "$port"
}

euid=$(id -u)
case ${1:-} in
  -h | --help | help)
    usage
    exit 0
    ;;
  start | stop | url)
    [ $# -eq 2 ] || {
      usage >&2
      exit 2
    }
    "cmd_$1" "$2"
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
