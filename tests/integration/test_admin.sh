#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `levee admin`: init makes the three first accounts, one per duty, and
# prints their one-time passwords once; only argon2id hashes are kept, as
# audit records with who made them, which verify covers; a second init is
# refused; list shows the accounts; bad use gets a clear error.
#
# With LEVEE_TEST_STORE=postgres://... (test_store_pg.sh sets it) the same
# runs against PostgreSQL.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

pg_prefix="lv_admin_$$_"
# shellcheck source=tests/integration/store_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/store_lib.sh"

"$LEVEE" admin --help | grep -q "usage: levee admin init"; check "admin --help" '[ $? -eq 0 ]'
"$LEVEE" admin 2>/dev/null; check "admin alone: exit 2" '[ $? -eq 2 ]'
"$LEVEE" admin grant --data "$tmp/x" 2>"$tmp/err"; rc=$?
check "an unknown subcommand: exit 2, said" '[ $rc -eq 2 ] && grep -q "no such command" "$tmp/err"'
"$LEVEE" admin init 2>"$tmp/err"; rc=$?
check "init without --data: exit 2, said" '[ $rc -eq 2 ] && grep -q "\-\-data DIR (or --store URL) is required" "$tmp/err"'

new_store a
"$LEVEE" admin init $(at a) >"$tmp/out" 2>"$tmp/err"; rc=$?
check "init: exit 0" '[ $rc -eq 0 ]'
for who in "sysadmin +system-admin" "secadmin +security-admin" "auditor +auditor"; do
  check "init prints $who with a one-time password" 'grep -Eq "^  ${who} +[A-Za-z2-9]{20}$" "$tmp/out"'
done
pw=$(awk '$1 == "secadmin" {print $3}' "$tmp/out")
n=$(q a "SELECT count(*) FROM record WHERE type = 'account'")
check "three account records" '[ "$n" -eq 3 ]'
details=$(q a "SELECT detail FROM record WHERE type = 'account'")
check "argon2id hashes, not the passwords" 'echo "$details" | grep -c "argon2id" | grep -q "^3$" && ! echo "$details" | grep -q "$pw"'
who=$(q a "SELECT actor FROM record WHERE type = 'account' LIMIT 1" "SELECT convert_from(actor, 'UTF8') FROM record WHERE type = 'account' LIMIT 1")
check "made by the user who ran init" '[ "$who" = "$(id -un)" ]'
"$LEVEE" admin init $(at a) >"$tmp/out2" 2>"$tmp/err"; rc=$?
check "a second init: exit 2, nothing printed, said" '[ $rc -eq 2 ] && [ ! -s "$tmp/out2" ] && grep -q "already has 3 accounts" "$tmp/err"'
check "still three records" '[ "$(q a "SELECT count(*) FROM record WHERE type = '"'"'account'"'"'")" -eq 3 ]'
"$LEVEE" admin list $(at a) >"$tmp/list" 2>&1; rc=$?
check "list: the three, their roles" '[ $rc -eq 0 ] && grep -q "^secadmin *security-admin" "$tmp/list" && [ "$(grep -c "record" "$tmp/list")" -eq 3 ]'
check "list shows no hash" '! grep -q argon2 "$tmp/list"'
"$LEVEE" verify $(at a) >/dev/null 2>&1; check "verify after init" '[ $? -eq 0 ]'
copy_store a t
q t "UPDATE record SET detail = replace(detail, 'auditor\",\"role\":\"auditor', 'auditor\",\"role\":\"system-admin') WHERE type = 'account'" >/dev/null
"$LEVEE" verify $(at t) >/dev/null 2>&1; rc=$?
check "an account's role changed in the store: verify says tampered" '[ $rc -eq 1 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
