#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The database guard's holds through levee serve (the console's page):
# levee serve --dbguard-control PATH asks a running levee dbguard, as the
# signed-in security admin. GET /v1/holds lists a held DROP TABLE (as
# docs/openapi.yaml says); POST /v1/holds/{id}/approve lets it run (the
# table is gone), /deny refuses another (its client gets 42501, the data
# stays); an account named as the statement's own database user may not
# approve it (403 from the guard); a policy's approvers leave out the
# others (403); the auditor may not see holds (403); each call is an access
# record, and the guard's trail names the account as approver.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/integration/dbguard_lib.sh
. "$here/dbguard_lib.sh"
is_guard || skip "holds need levee dbguard"
command -v curl >/dev/null || skip "curl missing"

pg_start
ctl=$tmp/dbguard.sock
proxy_start --policy "$data_dir/policy-hold.yaml" --control "$ctl" || {
  notok "the guard starts with the hold policy"
  finish
}
# the guard's hold timeout is 3 s in policy-hold.yaml; a longer one here,
# so that the HTTP round trips have time
sed 's/timeout: 3s/timeout: 20s/' "$data_dir/policy-hold.yaml" >"$tmp/policy-hold.yaml"
proxy_stop
proxy_start --policy "$tmp/policy-hold.yaml" --control "$ctl" || {
  notok "the guard starts again"
  finish
}

# levee serve, its accounts, the security admin signed in
"$LEVEE" admin init --data "$tmp/serve" >"$tmp/init" 2>&1
pw() { awk -v n="$1" '$1 == n {print $3}' "$tmp/init"; }
serve_pid=
"$LEVEE" serve --data "$tmp/serve" --listen 127.0.0.1:0 --dbguard-control "$ctl" 2>"$tmp/serve.err" &
serve_pid=$!
bg_pids+=("$serve_pid")
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
  [ -n "$port" ] && break
  sleep 0.1
done
check "levee serve starts with --dbguard-control" '[ -n "$port" ]'
base="http://127.0.0.1:$port"
json() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
spec() {
  "$PY" "$LEVEE_SRC/tests/tools/openapi_check.py" "$LEVEE_SRC/docs/openapi.yaml" "$1" "$2" "$3" "$tmp/body" 2>"$tmp/spec.err" ||
    { cat "$tmp/spec.err" >&2; return 1; }
}
req() { # AS METHOD PATH: status echoed, body in $tmp/body
  curl -s -o "$tmp/body" -w '%{http_code}' -X "$2" -b "$tmp/$1.jar" -c "$tmp/$1.jar" \
    -H "X-CSRF-Token: $(cat "$tmp/$1.csrf" 2>/dev/null)" "$base$3"
}
signin() { # NAME ONE-TIME-PASSWORD: signs in and sets a password
  curl -s -o "$tmp/body" -c "$tmp/$1.jar" -X POST -H 'Content-Type: application/json' \
    --data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$base/v1/session" >/dev/null
  json "$tmp/body" 'd["csrf_token"]' >"$tmp/$1.csrf"
  curl -s -o /dev/null -b "$tmp/$1.jar" -X POST -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $(cat "$tmp/$1.csrf")" \
    --data-binary "{\"old\":\"$2\",\"new\":\"$1 password 2026\"}" "$base/v1/session/password"
}
signin secadmin "$(pw secadmin)"
signin auditor "$(pw auditor)"
signin sysadmin "$(pw sysadmin)"
# an account with the name of the database user who will send the DROPs
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -b "$tmp/sysadmin.jar" -X POST -H 'Content-Type: application/json' \
  -H "X-CSRF-Token: $(cat "$tmp/sysadmin.csrf")" --data-binary '{"name":"ops","role":"security-admin"}' "$base/v1/accounts")
check "an account named ops (the database user) is made" '[ "$code" = 201 ]'
signin ops "$(json "$tmp/body" 'd["one_time_password"]')"

# listed TEXT: the id of the hold GET /v1/holds lists with that statement
listed() {
  local i id
  for ((i = 0; i < 60; i++)); do
    if [ "$(req secadmin GET /v1/holds)" = 200 ]; then
      id=$("$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(next((h["id"] for h in d["holds"] if sys.argv[2] in h["statement"]), ""))' "$tmp/body" "$1")
      [ -n "$id" ] && echo "$id" && return 0
    fi
    sleep 0.1
  done
  return 1
}

section "approve in the console"
code=$(req secadmin GET /v1/holds)
check "nothing held: GET /v1/holds is 200 with no holds, as documented" '[ "$code" = 200 ] && spec GET /v1/holds 200 && [ "$(json "$tmp/body" "len(d[\"holds\"])")" = 0 ]'
hold_start "DROP TABLE orders"
id=$(listed "DROP TABLE orders") || id=
check "a held DROP TABLE is listed (id ${id:-none}), as documented" '[ -n "$id" ] && spec GET /v1/holds 200'
check "... with its user, database and category" '[ -n "$id" ] && grep -q "\"user\":\"ops\"" "$tmp/body" && grep -q "\"database\":\"shop\"" "$tmp/body" && grep -q "dbop.destructive" "$tmp/body"'
code=$(req auditor GET /v1/holds)
check "the auditor may not see holds: 403" '[ "$code" = 403 ]'
code=$(req ops POST "/v1/holds/$id/approve")
check "the statement's own database user may not approve it: 403 from the guard" '[ "$code" = 403 ] && grep -q "another than the database user" "$tmp/body"'
code=$(req secadmin POST "/v1/holds/$id/approve")
check "the security admin approves it: 200, as documented" '[ "$code" = 200 ] && spec POST "/v1/holds/{id}/approve" 200'
hold_wait
check "the approved DROP TABLE ran: the table is gone" '[ $hrc = 0 ] && gone orders'
code=$(req secadmin POST "/v1/holds/$id/approve")
check "approving it again: 404" '[ "$code" = 404 ]'
pg_reset

section "deny in the console"
hold_start "TRUNCATE accounts"
id=$(listed "TRUNCATE accounts") || id=
code=$(req secadmin POST "/v1/holds/$id/deny")
check "the security admin refuses a held TRUNCATE: 200, as documented" '[ -n "$id" ] && [ "$code" = 200 ] && spec POST "/v1/holds/{id}/deny" 200'
hold_wait
check "... its client gets 42501, the data stays" '[ $hrc != 0 ] && grep -q "ERROR:  42501: levee dbguard" "$tmp/held" && intact'

section "approvers"
proxy_stop
{ cat "$tmp/policy-hold.yaml"; } | sed 's/^dbguard:/dbguard:\n  approvers: [zhao.min]/' >"$tmp/policy-approvers.yaml"
proxy_start --policy "$tmp/policy-approvers.yaml" --control "$ctl" || notok "the guard starts with approvers"
code=$(req secadmin GET /v1/holds)
check "not among dbguard.approvers: 403 from the guard" '[ "$code" = 403 ] && grep -q "approvers" "$tmp/body"'

section "the trail"
proxy_stop
kill -TERM "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null
"$LEVEE" audit --data "$guard_data" --type dbop --outcome approved >"$tmp/approved" 2>"$tmp/audit.err"
check "the guard's trail: the approval names the account (secadmin)" 'grep -q "\"approver\":\"secadmin\"" "$tmp/approved"'
"$LEVEE" audit --data "$guard_data" --type dbop --outcome denied >"$tmp/denied" 2>&1
check "... and the refusal too" 'grep -q "\"approver\":\"secadmin\"" "$tmp/denied"'
"$LEVEE" audit --data "$tmp/serve" --type access >"$tmp/access" 2>&1
grep '"actor":"secadmin"' "$tmp/access" >"$tmp/access.secadmin" || true
check "levee serve's access records: the approve and deny calls, by secadmin, with what the guard said" 'grep -q "POST /v1/holds/{}/approve.*\"guard\":\"approved\"" "$tmp/access.secadmin" && grep -q "POST /v1/holds/{}/deny.*\"guard\":\"denied\"" "$tmp/access.secadmin"'
"$LEVEE" verify --data "$guard_data" >"$tmp/verify" 2>&1
check "the guard's trail verifies" 'grep -q intact "$tmp/verify"'
finish
