# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# dbguard_lib.sh: what levee dbguard's integration tests share (sourced by
# test_dbguard*.sh, not a test itself): a throwaway PostgreSQL
# (scripts/pg-test-server.sh) holding the guarded database `shop`
# (tests/data/dbguard/schema.sql, owned by role app; role ops is a
# superuser, as the operations engineer of issue 8 is), a fingerprint of
# everything a destructive statement could change (the rows of every table,
# the schema, roles, memberships, privileges, ALTER SYSTEM settings, the
# databases), a reset to the first state when a case changed it, the proxy
# in front (levee dbguard, or PgBouncer as a stand-in while developing:
# LEVEE_DBGUARD_PROXY=pgbouncer), and ok/not ok bookkeeping.
#
# Environment: LEVEE, LEVEE_BUILD, LEVEE_SRC (as ctest sets them);
#   LEVEE_DBGUARD          the guard's command (default: `$LEVEE dbguard`,
#                          else $LEVEE_BUILD/levee-dbguard)
#   LEVEE_DBGUARD_PROXY    guard (default) or pgbouncer (develops the
#                          harness: the checks of refusals fail, as they
#                          must, when nothing refuses)
#   LEVEE_DBGUARD_CASES    the case list (default tests/data/dbguard/cases.tsv)
#   KEEP=1                 keep the temporary directory (logs) at the end
set -euo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
build="${LEVEE_BUILD:-$(dirname "$LEVEE")}"
data_dir="$LEVEE_SRC/tests/data/dbguard"
proxy_kind="${LEVEE_DBGUARD_PROXY:-guard}"
PY=/usr/bin/python3

skip() {
  echo "skipped: $*"
  exit 77
}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$pgbin" ] && [ -x "$pgbin/psql" ] && [ -x "$pgbin/pgbench" ] && [ -x "$pgbin/pg_ctl" ] ||
  skip "PostgreSQL's psql, pgbench and server are not installed (scripts/deps.sh: postgresql)"
psql=$pgbin/psql
pgbench=$pgbin/pgbench
[ -x "$PY" ] || skip "$PY missing (scripts/deps.sh: python3)"
command -v timeout >/dev/null || skip "timeout (coreutils) missing"

# The proxy under test.
guard_cmd=()
case $proxy_kind in
  guard)
    if [ -n "${LEVEE_DBGUARD:-}" ]; then
      read -r -a guard_cmd <<<"$LEVEE_DBGUARD"
    elif "$LEVEE" dbguard --help >/dev/null 2>&1; then
      guard_cmd=("$LEVEE" dbguard)
    elif [ -x "$build/levee-dbguard" ]; then
      guard_cmd=("$build/levee-dbguard")
    else
      skip "levee dbguard is not built (no \`$LEVEE dbguard\`, no $build/levee-dbguard)"
    fi
    ;;
  pgbouncer)
    [ -x /usr/sbin/pgbouncer ] || skip "pgbouncer missing (scripts/deps.sh: pgbouncer)"
    ;;
  *)
    echo "LEVEE_DBGUARD_PROXY must be guard or pgbouncer, not '$proxy_kind'" >&2
    exit 2
    ;;
esac
is_guard() { [ "$proxy_kind" = guard ]; }

tmp=$(mktemp -d)
chmod 755 "$tmp" # the server (and PgBouncer) run as another user when root runs this
pg_dir=$tmp/pg
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
# Our clients take their settings from the command line only.
for v in $(compgen -e); do
  case $v in PG*) unset "$v" ;; esac
done
proxy_pid=
proxy_rc=
bg_pids=()
lib_cleanup() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "$proxy_pid" ] || kill -TERM "$proxy_pid" 2>/dev/null || true
  bash "$LEVEE_SRC/scripts/pg-test-server.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ]; then
    echo "kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap lib_cleanup EXIT

# --- bookkeeping ---------------------------------------------------------------
passes=0 fails=0
t_start=$(date +%s)
ok() {
  passes=$((passes + 1))
  echo "ok - $*"
}
notok() {
  fails=$((fails + 1))
  echo "not ok - $*"
}
check() { # WHAT EXPR: ok if EXPR (evaluated) is true
  if eval "$2"; then ok "$1"; else notok "$1"; fi
}
note() { echo "# $*"; }
# relay FILE: a helper's report (`ok - ...`, `not ok - ...`, other lines
# notes) counted as this test's checks.
relay() {
  local l
  while IFS= read -r l; do
    case $l in
      "ok - "*) ok "${l#ok - }" ;;
      "not ok - "*) notok "${l#not ok - }" ;;
      "# "*) note "${l#\# }" ;;
      *) note "$l" ;;
    esac
  done <"$1"
}
section() { echo "# --- $* ($(($(date +%s) - t_start)) s)"; }
finish() {
  echo "# $(basename "$0"): $(($(date +%s) - t_start)) s, proxy: $proxy_kind"
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
# Shows the first lines of a file, indented, after a failure.
show() { sed -n "1,${2:-6}p" "$1" 2>/dev/null | sed 's/^/#   /' || true; }

# port_in_use, free_port (a TCP port in 20000-31999 that nothing is bound to)
# shellcheck source=scripts/ports.sh
. "$LEVEE_SRC/scripts/ports.sh"

# --- the server ---------------------------------------------------------------------
pg_port=
pg_user=
# The baseline roles and how to put each back (reset).
declare -A role_reset=(
  [app]="NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1 PASSWORD NULL"
  [ops]="SUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1 PASSWORD NULL"
)
admin() { # [-d DB] PSQL-ARGS...: as the bootstrap superuser, directly
  local db=postgres
  if [ "${1:-}" = -d ]; then
    db=$2
    shift 2
  fi
  PGOPTIONS="-c client_min_messages=warning" timeout 120 "$psql" -X -q -At -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=$pg_port user=levee dbname=$db" "$@"
}
# Connection strings: to the proxy, and straight to the server.
via() { echo "host=127.0.0.1 port=$proxy_port user=${1:-ops} dbname=${2:-shop} connect_timeout=10 ${3:-}"; }
direct() { echo "host=127.0.0.1 port=$pg_port user=${1:-ops} dbname=${2:-shop} connect_timeout=10 ${3:-}"; }

pg_start() { # starts the server and makes the database shop (and its template)
  local url
  url=$(LEVEE_PG_FSYNC=off bash "$LEVEE_SRC/scripts/pg-test-server.sh" start "$pg_dir" 2>"$tmp/pg.err") || {
    echo "could not start PostgreSQL:" >&2
    tail -n5 "$tmp/pg.err" >&2
    exit 1
  }
  pg_port=${url##*:}
  pg_port=${pg_port%%/*}
  pg_user=$(stat -c %U "$pg_dir/data")
  admin -c "CREATE ROLE app LOGIN" -c "CREATE ROLE ops LOGIN SUPERUSER" \
    -c "CREATE DATABASE shop_tmpl OWNER app"
  PGOPTIONS="-c client_min_messages=warning" "$psql" -X -q -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=$pg_port user=app dbname=shop_tmpl" -f "$data_dir/schema.sql" >"$tmp/schema.out" 2>&1 || {
    echo "tests/data/dbguard/schema.sql failed:" >&2
    cat "$tmp/schema.out" >&2
    exit 1
  }
  # A template cannot be dropped: what resets shop survives any case.
  admin -c "ALTER DATABASE shop_tmpl IS_TEMPLATE true ALLOW_CONNECTIONS false" \
    -c "CREATE DATABASE shop TEMPLATE shop_tmpl OWNER app"
  fp_base=$(fingerprint)
  fingerprint_parts >"$tmp/fp.base"
}

# Rewrites pg_hba.conf: password users first (first match wins), then
# trust for the rest, loopback only; reloads. ARGS: "USER METHOD"...
pg_hba() {
  local hba=$pg_dir/data/pg_hba.conf line
  {
    echo "# Written by dbguard_lib.sh: password users first, then trust (loopback only)."
    echo "local all all trust"
    for line in "$@"; do echo "host all ${line% *} 127.0.0.1/32 ${line#* }"; done
    echo "host all all 127.0.0.1/32 trust"
  } >"$hba"
  chown "$pg_user:" "$hba" 2>/dev/null || true
  admin -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.3 # the postmaster rereads it on SIGHUP
}

# One line (an md5) standing for everything a destructive or privilege
# statement could change: databases, roles (attributes, passwords, settings),
# memberships, ALTER SYSTEM settings, and in shop: schemas, relations
# (columns, owners, privileges, row security), every table's rows, every
# sequence's position, functions, triggers, rules, policies, default
# privileges, large objects, extensions, publications.
fingerprint_parts_sql=$(
  cat <<'SQL'
SELECT x FROM (
  SELECT format('db %s %s %s %s %s %s', datname, pg_get_userbyid(datdba), datacl, datallowconn,
         datconnlimit, datistemplate) FROM pg_database
  UNION ALL SELECT format('role %s %s', rolname, concat_ws(',', rolsuper, rolinherit, rolcreaterole,
         rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil,
         md5(coalesce(rolpassword, '')))) FROM pg_authid WHERE rolname !~ '^pg_'
  UNION ALL SELECT format('member %s %s %s', roleid::regrole, member::regrole, admin_option)
         FROM pg_auth_members
  UNION ALL SELECT format('rolesetting %s %s %s', setdatabase, setrole, setconfig) FROM pg_db_role_setting
  UNION ALL SELECT format('file %s %s=%s', sourcefile, name, setting) FROM pg_file_settings
  UNION ALL SELECT format('tablespace %s', spcname) FROM pg_tablespace
  UNION ALL SELECT format('ns %s %s %s', nspname, pg_get_userbyid(nspowner), nspacl)
         FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
  UNION ALL SELECT format('rel %s %s %s %s %s %s', c.oid::regclass, c.relkind, pg_get_userbyid(c.relowner),
         c.relacl, c.relrowsecurity, (
           SELECT string_agg(format('%s:%s:%s:%s', a.attname, format_type(a.atttypid, a.atttypmod),
                  a.attnotnull, a.attacl), ',' ORDER BY a.attnum)
           FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND c.relkind <> 'c'
  UNION ALL SELECT format('rows %s %s', c.oid::regclass, substring(query_to_xml(format(
           'SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) AS h FROM %s t',
           c.oid::regclass), false, true, '')::text FROM '<h>([^<]*)</h>'))
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  UNION ALL SELECT format('proc %s %s %s %s', p.oid::regprocedure, md5(coalesce(p.prosrc, '')),
         pg_get_userbyid(p.proowner), p.proacl)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                           AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL SELECT format('trigger %s %s %s', tgrelid::regclass, tgname, tgenabled)
         FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT format('evttrigger %s %s', evtname, evtenabled) FROM pg_event_trigger
  UNION ALL SELECT format('rule %s %s %s %s', ev_class::regclass, rulename, ev_enabled, md5(ev_action::text))
         FROM pg_rewrite WHERE ev_class >= 16384
  UNION ALL SELECT format('policy %s %s', polrelid::regclass, polname) FROM pg_policy
  UNION ALL SELECT format('defacl %s %s %s', defaclrole::regrole, defaclobjtype, defaclacl) FROM pg_default_acl
  UNION ALL SELECT format('lo %s', oid) FROM pg_largeobject_metadata
  UNION ALL SELECT format('ext %s', extname) FROM pg_extension
  UNION ALL SELECT format('pub %s', pubname) FROM pg_publication
  UNION ALL SELECT format('sub %s', subname) FROM pg_subscription
) AS s(x) ORDER BY x
SQL
)
fingerprint_sql="SELECT md5(string_agg(x, E'\\n' ORDER BY x)) FROM (${fingerprint_parts_sql%ORDER BY x}) AS t(x)"
fingerprint() { # prints the fingerprint ("none" when shop cannot be read)
  admin -d shop -c "$fingerprint_sql" 2>/dev/null || echo none
}
# The same as its parts, to see what a case changed (for a failure's note).
fingerprint_parts() {
  admin -d shop -c "$fingerprint_parts_sql" 2>/dev/null
}

# Puts everything back as it was after pg_start: shop from its template,
# roles, memberships, settings. Cheap enough to run after any case that
# changed something.
pg_reset() {
  local r sets=()
  for r in "${!role_reset[@]}"; do
    sets+=(-c "DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$r') THEN CREATE ROLE $r; END IF; END\$\$"
      -c "ALTER ROLE $r ${role_reset[$r]}" -c "ALTER ROLE $r RESET ALL")
  done
  admin -c "ALTER DATABASE shop_tmpl IS_TEMPLATE false" \
    -c "DROP DATABASE IF EXISTS shop WITH (FORCE)" \
    -c "DO \$\$DECLARE d text; BEGIN
          FOR d IN SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'levee', 'template0', 'template1', 'shop_tmpl', 'bench') LOOP
            EXECUTE format('DROP DATABASE %I WITH (FORCE)', d);
          END LOOP; END\$\$" \
    -c "ALTER DATABASE shop_tmpl IS_TEMPLATE true ALLOW_CONNECTIONS false" \
    -c "CREATE DATABASE shop TEMPLATE shop_tmpl OWNER app" >/dev/null 2>"$tmp/reset.err" || true
  for r in levee postgres; do
    [ "$(admin -c "SELECT count(*) FROM pg_database WHERE datname = '$r'")" = 1 ] ||
      admin -c "CREATE DATABASE $r" >/dev/null 2>>"$tmp/reset.err" || true
  done
  admin "${sets[@]}" \
    -c "DO \$\$DECLARE r text; BEGIN
          FOR r IN SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' AND rolname NOT IN ($(printf "'%s'," levee "${!role_reset[@]}" | sed 's/,$//')) LOOP
            EXECUTE format('DROP OWNED BY %I CASCADE', r);
            EXECUTE format('DROP ROLE %I', r);
          END LOOP; END\$\$" \
    -c "DO \$\$DECLARE m record; BEGIN
          FOR m IN SELECT roleid::regrole AS g, member::regrole AS u FROM pg_auth_members
                   WHERE member::regrole::text !~ '^pg_' LOOP
            EXECUTE format('REVOKE %s FROM %s', m.g, m.u);
          END LOOP; END\$\$" \
    -c "UPDATE pg_authid SET rolvaliduntil = NULL WHERE rolvaliduntil IS NOT NULL" \
    -c "ALTER ROLE ALL RESET ALL" \
    -c "ALTER SYSTEM RESET ALL" -c "SELECT pg_reload_conf()" >/dev/null 2>>"$tmp/reset.err" || true
  for r in "${!role_passwords[@]}"; do
    admin -c "SET password_encryption = '${role_methods[$r]}'" \
      -c "ALTER ROLE $r PASSWORD '${role_passwords[$r]}'" >/dev/null 2>>"$tmp/reset.err" || true
  done
}
declare -A role_passwords=() role_methods=()
# Adds a login role with a password stored as METHOD (scram-sha-256 or md5).
add_password_role() { # NAME PASSWORD METHOD
  role_reset[$1]="NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1"
  role_passwords[$1]=$2
  role_methods[$1]=$3
  admin -c "SET password_encryption = '$3'" -c "CREATE ROLE $1 LOGIN PASSWORD '$2'" >/dev/null
  admin -c "ALTER DATABASE shop_tmpl ALLOW_CONNECTIONS true" >/dev/null
  admin -d shop_tmpl -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $1" >/dev/null
  admin -c "ALTER DATABASE shop_tmpl ALLOW_CONNECTIONS false" >/dev/null
  pg_reset
  fp_base=$(fingerprint)
  fingerprint_parts >"$tmp/fp.base"
}

# After a case: did anything change? If so, note what ($tmp/fp.diff) and
# put it back. Prints nothing; returns 0 when the data is intact.
fp_base=
intact() {
  fp_now=$(fingerprint)
  [ "$fp_now" = "$fp_base" ] && return 0
  if [ "$fp_now" != none ]; then
    fingerprint_parts >"$tmp/fp.after" 2>/dev/null || true
    diff "$tmp/fp.base" "$tmp/fp.after" | grep '^[<>]' >"$tmp/fp.diff" || true
    # What a case's earlier, harmless queries added (CREATE EXTENSION
    # dblink, then a refused dblink_exec; a large object, then a refused
    # lo_export) destroys nothing: new tables, rows of them, schemas,
    # functions, extensions, large objects. Put back, but not a change.
    # Anything else added (a role, a membership, a rule, a trigger, a
    # setting), and anything that was there and differs or is gone, is.
    if [ -s "$tmp/fp.diff" ] && ! grep -qv '^> \(ext\|lo\|rel\|rows\|ns\|proc\) ' "$tmp/fp.diff"; then
      pg_reset
      return 0
    fi
  else
    echo "the database shop cannot be read" >"$tmp/fp.diff"
  fi
  pg_reset
  local again
  again=$(fingerprint)
  if [ "$again" != "$fp_base" ]; then
    notok "reset to the first state after a change ($(head -c 300 "$tmp/reset.err" | tr '\n' ' '))"
    fp_base=$again
    fingerprint_parts >"$tmp/fp.base"
  fi
  return 1
}

# --- the proxy ---------------------------------------------------------------------
proxy_port=
proxy_log=
guard_data=$tmp/guard-data
# guard_start [ARGS...]: levee dbguard in front of the server, with ARGS
# (--policy, --tls-cert, ...; --data $guard_data unless ARGS has --data).
guard_start() {
  proxy_port=$(free_port)
  proxy_log=$tmp/guard.$proxy_port.log
  local args=("$@")
  [[ " ${args[*]} " == *" --data "* ]] || args+=(--data "$guard_data")
  "${guard_cmd[@]}" --listen "127.0.0.1:$proxy_port" --upstream "127.0.0.1:$pg_port" "${args[@]}" \
    2>"$proxy_log" &
  proxy_pid=$!
  local i
  for ((i = 0; i < 300; i++)); do
    grep -q "levee dbguard: listening on 127.0.0.1:$proxy_port\b" "$proxy_log" && return 0
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "levee dbguard did not start; it said:" >&2
  tail -n 20 "$proxy_log" >&2
  proxy_pid=
  return 1
}
# pgbouncer_start [tls]: PgBouncer in session mode, the stand-in. Its own
# hba file names the same methods as the server's (auth_file holds the
# passwords in clear, as a test's may).
pgbouncer_start() {
  proxy_port=$(free_port)
  local d=$tmp/pgbouncer.$proxy_port r
  mkdir -p "$d"
  proxy_log=$d/log
  : >"$d/userlist.txt"
  for r in levee app ops "${!role_passwords[@]}"; do
    printf '"%s" "%s"\n' "$r" "${role_passwords[$r]:-}" >>"$d/userlist.txt"
  done
  {
    echo "local all all trust"
    for r in "${!role_passwords[@]}"; do echo "host all $r 127.0.0.1/32 ${role_methods[$r]}"; done
    echo "host all all 127.0.0.1/32 trust"
  } >"$d/hba"
  cat >"$d/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$pg_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $proxy_port
unix_socket_dir =
logfile = $d/log
pidfile = $d/pid
auth_type = hba
auth_hba_file = $d/hba
auth_file = $d/userlist.txt
pool_mode = session
server_check_delay = 0
max_client_conn = 200
default_pool_size = 40
ignore_startup_parameters = extra_float_digits
EOF
  if [ "${1:-}" = tls ]; then
    printf 'client_tls_sslmode = allow\nclient_tls_cert_file = %s\nclient_tls_key_file = %s\n' \
      "$tls_cert" "$tls_key" >>"$d/pgbouncer.ini"
  fi
  chown -R "$pg_user:" "$d" 2>/dev/null || true
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$pg_user" --regid="$pg_user" --init-groups /usr/sbin/pgbouncer "$d/pgbouncer.ini" 2>"$d/err" &
  else
    /usr/sbin/pgbouncer "$d/pgbouncer.ini" 2>"$d/err" &
  fi
  proxy_pid=$!
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q "listening on 127.0.0.1:$proxy_port" "$d/log" 2>/dev/null && return 0
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "pgbouncer did not start:" >&2
  cat "$d/err" "$d/log" >&2 2>/dev/null || true
  proxy_pid=
  return 1
}
# proxy_start [--tls] [GUARD-ARGS...]: the proxy under test, with TLS
# (the certificate make_cert made) when --tls is first.
proxy_start() {
  local tls=
  if [ "${1:-}" = --tls ]; then
    tls=1
    shift
  fi
  if is_guard; then
    if [ -n "$tls" ]; then guard_start --tls-cert "$tls_cert" --tls-key "$tls_key" "$@"; else guard_start "$@"; fi
  else
    pgbouncer_start ${tls:+tls}
  fi
}
# Stops the proxy with SIGTERM; proxy_rc is its exit status.
proxy_stop() {
  [ -n "$proxy_pid" ] || return 0
  kill -TERM "$proxy_pid" 2>/dev/null || true
  proxy_rc=0
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$proxy_pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$proxy_pid" 2>/dev/null; then
    kill -KILL "$proxy_pid" 2>/dev/null || true
    proxy_rc=timeout
  fi
  wait "$proxy_pid" 2>/dev/null || proxy_rc=$?
  proxy_pid=
}

# A self-signed certificate for 127.0.0.1 (tls_cert, tls_key).
tls_cert=$tmp/tls/cert.pem
tls_key=$tmp/tls/key.pem
make_cert() {
  command -v openssl >/dev/null || return 1
  mkdir -p "$tmp/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$tls_key" -out "$tls_cert" >/dev/null 2>&1 || return 1
  chmod 600 "$tls_key"
  chown "$pg_user:" "$tls_key" "$tls_cert" 2>/dev/null || true
  chmod 644 "$tls_cert"
}

# --- clients -------------------------------------------------------------------------
# gpsql CONNINFO ARGS...: psql as a person uses it, errors shown with their
# SQLSTATE, going on after an error; 30 s at most.
gpsql() {
  local conn=$1
  shift
  timeout 30 "$psql" -X -v ON_ERROR_STOP=0 -v VERBOSITY=verbose "$conn" "$@"
}
# Holds (the tests of levee dbguard's holds):
# hold_start SQL [CONNINFO]: psql sends SQL in the background (pid in hp, output in $tmp/held)
hold_start() {
  "$psql" -X -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "${2:-$(via)}" -c "$1" >"$tmp/held" 2>&1 &
  hp=$!
  bg_pids+=("$hp")
}
# hold_wait: waits for psql (10 s at most); sets hrc
hold_wait() {
  local i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$hp" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$hp" 2>/dev/null && kill -KILL "$hp" 2>/dev/null
  hrc=0
  wait "$hp" 2>/dev/null || hrc=$?
}
gone() { [ "$(admin -d shop -c "SELECT to_regclass('public.$1') IS NULL")" = t ]; }
# The statement a refusal message names: "ERROR:  42501: levee dbguard: ...".
refused_in() { grep -q "ERROR:  42501: levee dbguard" "$1"; }

# The case list (its own header says the format), split into files: the
# queries of case N are $2/N/1.sql, $2/N/2.sql, ... (bytes as PostgreSQL
# gets them: \xHH escapes are bytes of another client encoding; \g ends a
# query), and $2/index has N<TAB>verdict<TAB>category<TAB>line<TAB>fits
# <TAB>queries. A case fits pgbench's extended and prepared modes when it is
# one query of one statement (no ';' but at the end, outside quotes,
# comments and dollar quotes) in UTF-8, and names no pgbench variable
# (':name', which pgbench replaces even inside strings in those modes).
split_cases() { # CASES.TSV OUTDIR
  "$PY" - "$1" "$2" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

def unescape(s, where):
    """The queries of a case, as bytes."""
    queries, cur, i = [], bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            cur += c.encode("utf-8")
            i += 1
            continue
        e = s[i + 1 : i + 2]
        if e == "n": cur += b"\n"
        elif e == "t": cur += b"\t"
        elif e == "\\": cur += b"\\"
        elif e == "g":
            queries.append(bytes(cur))
            cur = bytearray()
        elif e == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", s[i + 2 : i + 4]):
            cur.append(int(s[i + 2 : i + 4], 16))
            i += 2
        else:
            sys.exit(f"{where}: unknown escape \\{e}")
        i += 2
    queries.append(bytes(cur))
    return queries

def statements(sql):
    """How many statements (split at ';' outside strings, identifiers,
    dollar quotes, and -- and nested /* */ comments); standard strings."""
    n, i, cur = 0, 0, False
    L = len(sql)
    while i < L:
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = L if j < 0 else j + 1
            continue
        if sql.startswith("/*", i):
            depth, i = 1, i + 2
            while i < L and depth:
                if sql.startswith("/*", i): depth, i = depth + 1, i + 2
                elif sql.startswith("*/", i): depth, i = depth - 1, i + 2
                else: i += 1
            continue
        if c in "'\"":
            esc = c == "'" and i > 0 and sql[i - 1] in "eE"
            i += 1
            while i < L:
                if esc and sql[i] == "\\": i += 2; continue
                if sql[i] == c:
                    if i + 1 < L and sql[i + 1] == c: i += 2; continue
                    break
                i += 1
            i += 1; cur = True
            continue
        m = re.match(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$", sql[i:])
        if m and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            tag = m.group(0)
            j = sql.find(tag, i + len(tag))
            i = L if j < 0 else j + len(tag); cur = True
            continue
        if c == ";":
            if cur: n += 1
            cur = False
        elif not c.isspace():
            cur = True
        i += 1
    return n + (1 if cur else 0)

index = open(os.path.join(out, "index"), "w")
n = 0
for lineno, line in enumerate(open(src, encoding="utf-8"), 1):
    line = line.rstrip("\n").rstrip("\r")
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    parts = line.split("\t", 2)
    if len(parts) != 3 or parts[0] not in ("refuse", "pass"):
        sys.exit(f"{src}:{lineno}: not verdict<TAB>category<TAB>sql")
    queries = unescape(parts[2], f"{src}:{lineno}")
    n += 1
    os.makedirs(os.path.join(out, str(n)), exist_ok=True)
    for k, q in enumerate(queries, 1):
        if b"\0" in q:
            sys.exit(f"{src}:{lineno}: a NUL byte cannot go on psql's command line")
        with open(os.path.join(out, str(n), f"{k}.sql"), "wb") as f:
            f.write(q)
    try:
        text = queries[0].decode("utf-8")
    except UnicodeDecodeError:
        text = None
    fits = (len(queries) == 1 and text is not None and statements(text) == 1
            and not re.search(r"(?<!:):[A-Za-z0-9_]", text)
            and not re.search(r"^\s*\\", text, re.M))
    index.write(f"{n}\t{parts[0]}\t{parts[1]}\t{lineno}\t{int(fits)}\t{len(queries)}\n")
PY
}
# case_args N: psql's -c options for the queries of case N (array qargs)
case_args() {
  qargs=()
  local k
  for ((k = 1; ; k++)); do
    [ -f "$tmp/cases/$1/$k.sql" ] || break
    qargs+=(-c "$(cat "$tmp/cases/$1/$k.sql")")
  done
}
# case_text N: the case, shortened, for a check's name
case_text() {
  local k out=""
  for ((k = 1; ; k++)); do
    [ -f "$tmp/cases/$1/$k.sql" ] || break
    out+="${out:+ \\g }$(tr '\n\t' '  ' <"$tmp/cases/$1/$k.sql" | iconv -f utf-8 -t utf-8 -c)"
  done
  echo "${out:0:90}"
}
