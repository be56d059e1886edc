#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/pg-test-server.sh, which the tests of the PostgreSQL store back end
# use to get a real server: start (URL, loopback only, fsync on, pg_trgm,
# text[] with a GIN index), url, stop, restart on the same cluster, recovery
# after a killed postmaster, a stale postmaster.pid, a taken port, and
# refusals of directories it must not touch.
# The checks are strings run by eval, so their variables stay unexpanded:
# shellcheck disable=SC2016,SC2034
set -uo pipefail
: "${LEVEE_SRC:?}"
pgs="$LEVEE_SRC/scripts/pg-test-server.sh"
tmp=$(mktemp -d)
# When run as root the server runs as an unprivileged user, who must be able
# to enter the temp dir (mktemp -d makes it 0700).
chmod 755 "$tmp"
holder=""
cleanup() {
  "$pgs" stop "$tmp/pg" >/dev/null 2>&1
  [ -z "$holder" ] || kill "$holder" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
t0=$SECONDS

if command -v psql >/dev/null; then
  psql=psql
else
  psql=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n1)
fi
q() { "$psql" -X -q -At -v ON_ERROR_STOP=1 -d "$url" "$@" 2>>"$tmp/psql.err"; }

# Every TCP socket the postmaster listens on, as "hexaddr:hexport" (from /proc).
listeners() {
  local pid inodes
  pid=$(head -n1 "$tmp/pg/data/postmaster.pid")
  inodes=$(find "/proc/$pid/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n')
  awk -v inodes="$inodes" 'BEGIN { n = split(inodes, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
    FNR > 1 && $4 == "0A" && ($10 in want) { print $2 }' /proc/net/tcp /proc/net/tcp6
}

# usage
"$pgs" --help >"$tmp/out"; rc=$?
check "--help exits 0 and shows usage" '[ $rc -eq 0 ] && grep -q "start DIR" "$tmp/out"'
"$pgs" nosuch "$tmp/x" >/dev/null 2>&1; rc=$?
check "unknown command exits 2" '[ $rc -eq 2 ]'
"$pgs" url "$tmp/none" >/dev/null 2>"$tmp/err"; rc=$?
check "url without a cluster fails, says so" '[ $rc -ne 0 ] && grep -q "no cluster" "$tmp/err"'
"$pgs" stop "$tmp/none" >/dev/null 2>&1; rc=$?
check "stop without a cluster is not an error" '[ $rc -eq 0 ]'

# start: a relative DIR from another working directory
start_s=$SECONDS
(cd "$tmp" && "$pgs" start pg) >"$tmp/out" 2>"$tmp/err"; rc=$?
start_secs=$((SECONDS - start_s))
url=$(cat "$tmp/out")
check "start exits 0" '[ $rc -eq 0 ]' || cat "$tmp/err" >&2
check "start prints exactly one line, the URL" '[ "$(wc -l <"$tmp/out")" -eq 1 ] && [[ $url =~ ^postgres://levee@127\.0\.0\.1:[0-9]+/levee$ ]]'
check "DIR/url holds the same URL" '[ "$(cat "$tmp/pg/url")" = "$url" ]'
check "start took at most 10 s (took ${start_secs} s)" '[ "$start_secs" -le 10 ]'
port=${url##*:}
port=${port%%/*}
check "SELECT 1 over the URL" '[ "$(q -c "SELECT 1")" = 1 ]'
check "listen_addresses is 127.0.0.1" '[ "$(q -c "SHOW listen_addresses")" = 127.0.0.1 ]'
check "fsync is on" '[ "$(q -c "SHOW fsync")" = on ]'
check "connected as superuser levee to database levee" '[ "$(q -c "SELECT current_user || '"' '"' || current_database() || '"' '"' || usesuper FROM pg_user WHERE usename = current_user")" = "levee levee true" ]'
check "server encoding UTF8" '[ "$(q -c "SHOW server_encoding")" = UTF8 ]'
check "pg_trgm is installed in levee" '[ "$(q -c "SELECT count(*) FROM pg_extension WHERE extname = '"'pg_trgm'"'")" = 1 ]'
check "pg_trgm makes trigrams of Chinese text" '[ "$(q -c "SELECT array_length(show_trgm('"'机密文件'"'), 1) > 0")" = t ]'
q <<'SQL' >"$tmp/sql.out"
CREATE TABLE msg (id int PRIMARY KEY, body text NOT NULL, tags text[] NOT NULL);
CREATE INDEX msg_tags ON msg USING gin (tags);
CREATE INDEX msg_body ON msg USING gin (body gin_trgm_ops);
INSERT INTO msg SELECT g, 'message ' || g || CASE WHEN g % 100 = 7 THEN ' 机密文件' ELSE '' END,
  CASE WHEN g % 10 = 3 THEN ARRAY['pii', 'phone'] WHEN g % 10 = 4 THEN ARRAY['pii'] ELSE ARRAY['none'] END
  FROM generate_series(1, 2000) g;
ANALYZE msg;
SET enable_seqscan = off;
SELECT count(*) FROM msg WHERE tags @> ARRAY['pii', 'phone'];
SELECT count(*) FROM msg WHERE tags @> ARRAY['pii'];
EXPLAIN (COSTS OFF) SELECT id FROM msg WHERE tags @> ARRAY['phone'];
SELECT count(*) FROM msg WHERE body LIKE '%机密文%';
EXPLAIN (COSTS OFF) SELECT id FROM msg WHERE body LIKE '%机密文%';
SQL
rc=$?
check "text[] table with GIN indexes created and queried" '[ $rc -eq 0 ]' || cat "$tmp/psql.err" >&2
check "@> finds the rows holding both tags" '[ "$(sed -n 1p "$tmp/sql.out")" = 200 ]'
check "@> finds the rows holding one tag" '[ "$(sed -n 2p "$tmp/sql.out")" = 400 ]'
check "@> uses the GIN index" 'grep -q "Bitmap Index Scan on msg_tags" "$tmp/sql.out"'
check "trigram LIKE on Chinese text finds the rows" 'grep -qx 20 "$tmp/sql.out"'
check "trigram LIKE uses the GIN index" 'grep -q "Bitmap Index Scan on msg_body" "$tmp/sql.out"'
listeners >"$tmp/listen"
check "listens on TCP 127.0.0.1:$port only" '[ -s "$tmp/listen" ] && [ "$(sort -u "$tmp/listen")" = "$(printf "0100007F:%04X" "$port")" ]'
check "unix socket in DIR" '[ -S "$tmp/pg/.s.PGSQL.$port" ]'
check "log in DIR/log" 'grep -q "ready to accept connections" "$tmp/pg/log"'
check "url prints the URL" '[ "$("$pgs" url "$tmp/pg" 2>/dev/null)" = "$url" ]'
check "start again while running: same URL" '[ "$("$pgs" start "$tmp/pg" 2>/dev/null)" = "$url" ]'

# stop, and stop again
"$pgs" stop "$tmp/pg" 2>"$tmp/err"; rc=$?
check "stop exits 0" '[ $rc -eq 0 ]' || cat "$tmp/err" >&2
check "stopped: no postmaster.pid, URL refused" '[ ! -e "$tmp/pg/data/postmaster.pid" ] && ! "$psql" -X -At -d "$url" -c "SELECT 1" >/dev/null 2>&1'
check "stopped: DIR/url removed" '[ ! -e "$tmp/pg/url" ]'
"$pgs" url "$tmp/pg" >/dev/null 2>&1; rc=$?
check "url of a stopped server fails" '[ $rc -ne 0 ]'
"$pgs" stop "$tmp/pg" 2>/dev/null; rc=$?
check "stop again is not an error" '[ $rc -eq 0 ]'

# start again in the same DIR: the cluster and its data are reused
url=$("$pgs" start "$tmp/pg" 2>"$tmp/err"); rc=$?
check "restart exits 0" '[ $rc -eq 0 ]' || cat "$tmp/err" >&2
check "restart says it reuses the cluster" 'grep -q "reusing the existing cluster" "$tmp/err"'
check "restart keeps the data" '[ "$(q -c "SELECT count(*) FROM msg")" = 2000 ]'

# a killed postmaster: the next start recovers, committed rows survive
q -c "INSERT INTO msg VALUES (5000, 'last', ARRAY['x'])"
kill -KILL "$(head -n1 "$tmp/pg/data/postmaster.pid")"
url=$("$pgs" start "$tmp/pg" 2>"$tmp/err"); rc=$?
check "start after a killed postmaster exits 0" '[ $rc -eq 0 ]' || cat "$tmp/err" >&2
check "committed row survived the kill" '[ "$(q -c "SELECT body FROM msg WHERE id = 5000")" = last ]'
check "the server recovered" 'grep -q "automatic recovery in progress\|database system was interrupted" "$tmp/pg/log"'
"$pgs" stop "$tmp/pg" 2>/dev/null

# a stale postmaster.pid naming a live process that is not the server
printf '%s\n%s\n' "$$" "$tmp/pg/data" >"$tmp/pg/data/postmaster.pid"
url=$("$pgs" start "$tmp/pg" 2>"$tmp/err"); rc=$?
check "start over a stale postmaster.pid exits 0" '[ $rc -eq 0 ] && grep -q "removing stale" "$tmp/err"' || cat "$tmp/err" >&2
check "server answers after the stale pid file" '[ "$(q -c "SELECT 1")" = 1 ]'
"$pgs" stop "$tmp/pg" 2>/dev/null

# a port taken between the check and the bind: another one is chosen
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
time.sleep(60)' "$tmp/taken" &
holder=$!
for _ in $(seq 50); do [ -s "$tmp/taken" ] && break; sleep 0.1; done
taken=$(cat "$tmp/taken")
url=$(LEVEE_PG_PORT=$taken "$pgs" start "$tmp/pg" 2>"$tmp/err"); rc=$?
check "taken port: start exits 0 on another port" '[ $rc -eq 0 ] && [ "${url##*:}" != "$taken/levee" ] && grep -q "was taken" "$tmp/err"' || cat "$tmp/err" >&2
check "taken port: server answers" '[ "$(q -c "SELECT 1")" = 1 ]'
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=""
"$pgs" stop "$tmp/pg" 2>/dev/null; rc=$?
check "final stop exits 0" '[ $rc -eq 0 ] && [ ! -e "$tmp/pg/data/postmaster.pid" ]'

# directories it must not touch
mkdir -p "$tmp/other/data" && echo keep >"$tmp/other/data/file"
"$pgs" start "$tmp/other" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "refuses a non-empty DIR/data that is no cluster" '[ $rc -ne 0 ] && [ ! -s "$tmp/out" ] && grep -q "refusing" "$tmp/err" && [ "$(cat "$tmp/other/data/file")" = keep ]'
mkdir -p "$tmp/bare" && echo 15 >"$tmp/bare/PG_VERSION"
"$pgs" start "$tmp/bare" >/dev/null 2>"$tmp/err"; rc=$?
check "refuses a DIR that is itself a cluster" '[ $rc -ne 0 ] && grep -q "not made by this script" "$tmp/err"'
"$pgs" start "$tmp/$(printf 'x%.0s' $(seq 100))" >/dev/null 2>"$tmp/err"; rc=$?
check "refuses a DIR too long for a socket path" '[ $rc -ne 0 ] && grep -q "too long" "$tmp/err"'

echo "test_pg_server: $((SECONDS - t0)) s (first start ${start_secs} s)"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
