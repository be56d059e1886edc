#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# levee dbguard's connection start, with real clients (issue 8):
#   - password authentication passed through: a SCRAM-SHA-256 user and an
#     MD5 user (pg_hba.conf asks each its method) log in through the guard;
#     a wrong or missing password fails; a trust user, an unknown database;
#   - TLS: with --tls-cert/--tls-key, sslmode=require and verify-full work,
#     passwords over it too; without them, sslmode=require fails and prefer
#     works; channel_binding=require fails (the guard, which ends TLS,
#     offers no channel binding), and a client that binds the channel anyway
#     is refused with the guard's message;
#   - replication=database and replication=true are refused; GSSENCRequest
#     gets N (gssencmode=require fails, prefer works);
#   - a CancelRequest (psql on SIGINT) cancels the right session, with and
#     without TLS;
#   - malformed and oversized startup packets are refused, the guard goes on
#     (dbguard_wire.py --startup).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/integration/dbguard_lib.sh
. "$here/dbguard_lib.sh"
command -v openssl >/dev/null || skip "openssl missing (a self-signed certificate is made with it)"

pg_start
add_password_role app_scram 'scram-pw-1' scram-sha-256
add_password_role app_md5 'md5-pw-2' md5
pg_hba "app_scram scram-sha-256" "app_md5 md5"
make_cert || {
  notok "a self-signed certificate made with openssl"
  finish
}
policy="$data_dir/policy-block.yaml"

# login WHAT EXPECT(ok|fail) CONNINFO [PASSWORD]: SELECT current_user through CONNINFO
login() {
  local what=$1 expect=$2 conn=$3 rc=0
  if [ $# -ge 4 ]; then
    PGPASSWORD=$4 timeout 30 "$psql" -X -w -At "$conn" -c "SELECT current_user" >"$tmp/out" 2>&1 || rc=$?
  else
    timeout 30 "$psql" -X -w -At "$conn" -c "SELECT current_user" >"$tmp/out" 2>&1 || rc=$?
  fi
  local user
  user=$(sed -n 's/.*user=\([^ ]*\).*/\1/p' <<<"$conn")
  if [ "$expect" = ok ]; then
    check "$what" '[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "$user" ]'
  else
    check "$what: fails ($(tr '\n' ' ' <"$tmp/out" | sed 's/.*failed: //' | cut -c1-120))" '[ $rc != 0 ]'
  fi
  [ $rc = 0 ] || [ "$expect" = fail ] || show "$tmp/out" 3
}

section "the server asks each user its method (else the checks below prove nothing)"
login "straight: app_scram with its password" ok "$(direct app_scram)" scram-pw-1
login "straight: app_scram with a wrong password" fail "$(direct app_scram)" wrong
login "straight: app_md5 with a wrong password" fail "$(direct app_md5)" wrong

section "passwords through the proxy (no TLS)"
proxy_start --policy "$policy" || {
  notok "the proxy starts"
  finish
}
login "SCRAM-SHA-256 user through the proxy" ok "$(via app_scram)" scram-pw-1
login "MD5 user through the proxy" ok "$(via app_md5)" md5-pw-2
login "SCRAM-SHA-256 user, wrong password" fail "$(via app_scram)" scram-pw-2
check "... the server's own message, passed through" 'grep -q "password authentication failed for user \"app_scram\"" "$tmp/out"'
login "MD5 user, wrong password" fail "$(via app_md5)" md5-pw-1
login "SCRAM-SHA-256 user, no password" fail "$(via app_scram)"
login "trust user ops" ok "$(via ops)"
login "a database that does not exist" fail "$(via ops nosuchdb)"
check "... with the server's own message" 'grep -q "database \"nosuchdb\" does not exist" "$tmp/out"'

section "TLS not configured"
login "sslmode=require without a certificate" fail "$(via ops shop sslmode=require)"
login "sslmode=prefer without a certificate" ok "$(via ops shop sslmode=prefer)"
timeout 30 "$psql" -X "$(via ops shop sslmode=prefer)" -c '\conninfo' >"$tmp/out" 2>&1 || true
check "... and the connection is plain" 'grep -q "You are connected" "$tmp/out" && ! grep -q "SSL connection" "$tmp/out"'

section "connection start: replication, GSSAPI encryption, malformed packets"
rc=0
timeout 30 "$psql" -X -w "$(via ops shop replication=database)" -c "IDENTIFY_SYSTEM" >"$tmp/out" 2>&1 || rc=$?
check "replication=database refused, by levee ($(tr '\n' ' ' <"$tmp/out" | sed 's/.*failed: //' | cut -c1-120))" \
  '[ $rc != 0 ] && grep -qi "levee" "$tmp/out"'
rc=0
timeout 30 "$psql" -X -w "$(via ops shop replication=true)" -c "IDENTIFY_SYSTEM" >"$tmp/out" 2>&1 || rc=$?
check "replication=true refused, by levee" '[ $rc != 0 ] && grep -qi "levee" "$tmp/out"'
login "gssencmode=require" fail "$(via ops shop gssencmode=require)"
login "gssencmode=prefer" ok "$(via ops shop gssencmode=prefer)"
"$PY" "$here/dbguard_wire.py" --startup "$proxy_port" >"$tmp/wire.out" 2>&1 || true
relay "$tmp/wire.out"

# cancel_check WHAT CONNINFO: two sessions sleep; SIGINT to one's psql cancels
# that one (57014) within a few seconds; the other finishes its sleep.
cancel_check() {
  local what=$1 conn=$2
  "$psql" -X -v VERBOSITY=verbose "$conn" -c "SELECT pg_sleep(20)" >"$tmp/c1" 2>&1 &
  local p1=$!
  "$psql" -X -At "$conn" -c "SELECT pg_sleep(2.5)" -c "SELECT 'other done'" >"$tmp/c2" 2>&1 &
  local p2=$!
  bg_pids+=("$p1" "$p2")
  sleep 1
  local t0 rc1=0 rc2=0
  t0=$(date +%s%N)
  kill -INT "$p1"
  wait "$p1" || rc1=$?
  local ms=$((($(date +%s%N) - t0) / 1000000))
  wait "$p2" || rc2=$?
  check "$what: SIGINT to psql cancels its statement (57014) in ${ms} ms" \
    '[ $rc1 != 0 ] && grep -q "57014" "$tmp/c1" && [ $ms -lt 5000 ]'
  check "$what: the other session is not cancelled" '[ $rc2 = 0 ] && grep -q "other done" "$tmp/c2"'
  [ $rc1 != 0 ] && grep -q "57014" "$tmp/c1" || show "$tmp/c1" 4
}
section "cancel"
cancel_check "plain connection" "$(via ops)"

if is_guard; then
  section "the database over its unix socket (--upstream DIR:PORT)"
  proxy_stop
  sock_port=$(free_port)
  "${guard_cmd[@]}" --listen "127.0.0.1:$sock_port" --upstream "$pg_dir:$pg_port" --policy "$policy" \
    --data "$tmp/guard-sock" 2>"$tmp/guard-sock.log" &
  sock_pid=$!
  bg_pids+=("$sock_pid")
  for _ in $(seq 1 100); do
    grep -q "listening on 127.0.0.1:$sock_port" "$tmp/guard-sock.log" && break
    sleep 0.05
  done
  check "the guard starts with the server's unix socket ($(grep -o 'database at [^,]*' "$tmp/guard-sock.log"))" \
    'grep -q "database at $pg_dir/.s.PGSQL.$pg_port" "$tmp/guard-sock.log"'
  saved_port=$proxy_port
  proxy_port=$sock_port
  login "a SCRAM-SHA-256 user through the unix socket" ok "$(via app_scram shop)" scram-pw-1
  rc=0
  gpsql "$(via ops)" -c "DROP TABLE accounts" >"$tmp/out" 2>&1 || rc=$?
  check "... a DROP TABLE is refused, the data intact" 'refused_in "$tmp/out" && intact'
  cancel_check "unix socket upstream" "$(via ops)"
  proxy_port=$saved_port
  kill -TERM "$sock_pid"
  wait "$sock_pid" 2>/dev/null || true
  proxy_start --policy "$policy" || notok "the proxy starts again"
fi

proxy_stop
section "TLS configured (--tls-cert, --tls-key)"
proxy_start --tls --policy "$policy" || {
  notok "the proxy starts with TLS"
  finish
}
login "sslmode=require" ok "$(via ops shop sslmode=require)"
timeout 30 "$psql" -X "$(via ops shop sslmode=require)" -c '\conninfo' >"$tmp/out" 2>&1 || true
check "... the client's connection is TLS ($(grep -o 'SSL connection ([^,]*' "$tmp/out"))" 'grep -q "SSL connection (protocol: TLS" "$tmp/out"'
login "sslmode=verify-full with the certificate as root" ok "$(via ops shop "sslmode=verify-full sslrootcert=$tls_cert")"
login "SCRAM-SHA-256 user over TLS" ok "$(via app_scram shop sslmode=require)" scram-pw-1
login "MD5 user over TLS" ok "$(via app_md5 shop sslmode=require)" md5-pw-2
login "SCRAM-SHA-256 user over TLS, wrong password" fail "$(via app_scram shop sslmode=require)" nope
login "channel_binding=disable" ok "$(via app_scram shop "sslmode=require channel_binding=disable")" scram-pw-1
rc=0
PGPASSWORD=scram-pw-1 timeout 30 "$psql" -X -w "$(via app_scram shop "sslmode=require channel_binding=require")" \
  -c "SELECT 1" >"$tmp/out" 2>&1 || rc=$?
# The guard ends the client's TLS, so it cannot carry SCRAM channel binding:
# it takes SCRAM-SHA-256-PLUS off the server's list, and libpq with
# channel_binding=require gives up with its own message (docs/DBGUARD.md).
check "channel_binding=require fails: no channel binding is offered ($(tr '\n' ' ' <"$tmp/out" | sed 's/.*failed: //' | cut -c1-120))" \
  '[ $rc != 0 ] && grep -qi "channel binding" "$tmp/out"'
# A client that binds the channel anyway (SCRAM-SHA-256-PLUS, GS2 flag p)
# is refused with the guard's own message.
if is_guard; then
  "$PY" - "$proxy_port" >"$tmp/out" 2>&1 <<'PYEOF' || true
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
def send(b): s.sendall(b)
def recv():
    h = b""
    while len(h) < 5:
        h += s.recv(5 - len(h))
    n = struct.unpack("!I", h[1:5])[0] - 4
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return h[:1], body
params = b"user\0app_scram\0database\0shop\0\0"
send(struct.pack("!II", 8 + len(params), 196608) + params)
t, body = recv()
assert t == b"R" and struct.unpack("!I", body[:4])[0] == 10, (t, body)
first = b"p=tls-server-end-point,,n=,r=abcdefghijklmnop"
msg = b"SCRAM-SHA-256-PLUS\0" + struct.pack("!I", len(first)) + first
send(b"p" + struct.pack("!I", 4 + len(msg)) + msg)
t, body = recv()
print(t.decode(), body.replace(b"\0", b"|").decode(errors="replace"))
PYEOF
  check "a client that binds the channel is refused with the guard's message ($(head -c 160 "$tmp/out"))" \
    'grep -q "^E .*28000.*levee dbguard: channel binding cannot pass through" "$tmp/out"'
fi
cancel_check "TLS connection" "$(via ops shop sslmode=require)"
if is_guard; then
  proxy_stop
  proxy_start --tls --policy "$policy" --tls-required || notok "the guard starts with --tls-required"
  login "--tls-required: a client without TLS" fail "$(via ops shop sslmode=disable)"
  check "... is refused with the guard's message" 'grep -q "levee dbguard: TLS is required" "$tmp/out"'
  login "--tls-required: sslmode=require" ok "$(via ops shop sslmode=require)"
  proxy_stop
  proxy_start --tls --policy "$policy" || notok "the guard starts again with TLS"
fi
rc=0
echo "SELECT balance FROM accounts WHERE id = 5;" >"$tmp/sel.sql"
timeout 60 "$pgbench" -n -f "$tmp/sel.sql" -M extended -c 2 -T 1 "$(via ops shop sslmode=require)" >"$tmp/out" 2>&1 || rc=$?
check "pgbench -M extended, 2 clients over TLS: no errors" '[ $rc = 0 ] && grep -q "number of failed transactions: 0" "$tmp/out"'
proxy_stop
if is_guard; then
  check "SIGTERM: the guard exits 0 ($proxy_rc)" '[ "$proxy_rc" = 0 ]'
fi

finish
