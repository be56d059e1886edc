# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# store_lib.sh: what the audit store's test scripts share (sourced, not a
# test itself): the stores they use, on either back end. Set tmp (a temp
# directory) and pg_prefix (database names, unique to the script) first.
#
# A store NAME is the directory $tmp/NAME, or, when LEVEE_TEST_STORE names
# a PostgreSQL server (test_store_pg.sh sets it), the database
# ${pg_prefix}NAME on it. The trap removes both; KEEP=1 keeps them.
: "${tmp:?}" "${pg_prefix:?}"
pg="${LEVEE_TEST_STORE:-}"
if [ -n "$pg" ]; then
  psql="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)/psql"
  [ -x "$psql" ] || { echo "psql missing: run scripts/deps.sh" >&2; exit 1; }
else
  command -v sqlite3 >/dev/null || { echo "sqlite3 missing: run scripts/deps.sh" >&2; exit 1; }
fi
pg_admin() { PGOPTIONS="-c client_min_messages=warning" "$psql" -X -q -v ON_ERROR_STOP=1 -d "$pg" -c "$1" >/dev/null; }
at() { # NAME: the options naming store NAME
  if [ -n "$pg" ]; then echo "--store ${pg%/*}/$pg_prefix$1"; else echo "--data $tmp/$1"; fi
}
new_store() { [ -z "$pg" ] || pg_admin "CREATE DATABASE $pg_prefix$1"; }
copy_store() { # FROM TO: TO becomes a copy of FROM
  if [ -n "$pg" ]; then
    pg_admin "DROP DATABASE IF EXISTS $pg_prefix$2" && pg_admin "CREATE DATABASE $pg_prefix$2 TEMPLATE $pg_prefix$1"
  else
    rm -rf "${tmp:?}/$2" && cp -r "$tmp/$1" "$tmp/$2"
  fi
}
q() { # NAME SQL [PGSQL]: runs SQL (PGSQL with PostgreSQL, when given) on store NAME
  if [ -n "$pg" ]; then
    "$psql" -X -q -At -v ON_ERROR_STOP=1 -d "${pg%/*}/$pg_prefix$1" -c "${3:-$2}"
  else
    sqlite3 "$tmp/$1/levee.db" "$2"
  fi
}
cleanup() {
  [ -z "${KEEP:-}" ] || return
  if [ -n "$pg" ]; then
    for d in $("$psql" -X -At -d "$pg" -c "SELECT datname FROM pg_database WHERE datname LIKE '$pg_prefix%'"); do
      pg_admin "DROP DATABASE IF EXISTS $d WITH (FORCE)"
    done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
