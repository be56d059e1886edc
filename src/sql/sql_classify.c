/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_classify.c: the SQL classifier's entry (sql_classify.h): the text is
 * converted to UTF-8 (sql_encoding.c), parsed by libpg_query with the
 * session's standard_conforming_strings, and every node of every statement
 * is visited in one pass over the tree's tokens (sql_tree.c). Node types
 * that do something to the data, to privileges or to server files add
 * their category; nodes that hold more SQL as text (function bodies, DO
 * blocks, dblink's SQL, dynamic EXECUTE in PL/pgSQL) have it classified in
 * turn, to LV_SQL_MAX_DEPTH levels. Constant expressions (always-true
 * WHERE, built-up strings) are evaluated by sql_const.c.
 *
 * The flow for one call: lv_sql_classify -> classify_statements -> per
 * statement lv_sql_walk -> visit (one handler per node type) ->
 * lv_sql_classify_nested / lv_sql_plpgsql for text inside.
 *
 * libpg_query's lexer reads standard_conforming_strings from a per-thread
 * variable of the static library (the shared library does not export it);
 * it is set before each parse and restored before returning.
 */
#include <pg_query.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "sql/sql_classify.h"
#include "sql/sql_int.h"
#include "util/utf8.h"

extern __thread bool standard_conforming_strings;

/* lv_sql_category_name is in sql_category.c. */

/* Reasons are UTF-8 for the audit trail, but names and parser messages
 * quote the text, which may be bytes (SQL_ASCII) or cut mid-character:
 * invalid bytes become '?'. */
static void clean_reason(char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    int32_t cp;
    int k = lv_utf8_decode((const unsigned char *)s + i, n - i, &cp);
    if (cp < 0)
      s[i] = '?';
    i += (size_t)k;
  }
}

void lv_sql_flag(lv_sql_ctx *c, unsigned bit, const char *fmt, ...) {
  lv_sql_statement *s = c->cur;
  if (!s)
    return;
  if (s->ops == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->reason, sizeof s->reason, fmt, ap);
    va_end(ap);
    size_t n = strlen(s->reason);
    if (c->where && n + 4 < sizeof s->reason)
      snprintf(s->reason + n, sizeof s->reason - n, " (%s)", c->where);
    clean_reason(s->reason);
  }
  s->ops |= bit;
}

/* --- parsing ------------------------------------------------------------ */

int lv_sql_parse(lv_sql_ctx *c, const char *text, size_t len, int scs,
                 lv_sql_tree *t, char **json, char *msg, size_t msg_cap) {
  (void)c;
  *json = NULL;
  standard_conforming_strings = scs != 0;
  PgQueryParseResult r = pg_query_parse(text);
  if (r.error) {
    snprintf(msg, msg_cap, "%s", r.error->message ? r.error->message : "?");
    pg_query_free_parse_result(r);
    return LEVEE_ESYNTAX;
  }
  char *tree = r.parse_tree; /* malloc'd by libpg_query: taken */
  r.parse_tree = NULL;
  pg_query_free_parse_result(r);
  if (!tree)
    return LEVEE_ENOMEM;
  int rc = lv_sql_tree_read(t, tree, strlen(tree));
  if (rc != LEVEE_OK) {
    free(tree);
    if (rc == LEVEE_ESYNTAX)
      snprintf(msg, msg_cap, "parse tree not understood");
    return rc == LEVEE_ESYNTAX ? LEVEE_ESYNTAX : LEVEE_ENOMEM;
  }
  t->src = text;
  t->src_len = len;
  *json = tree;
  return LEVEE_OK;
}

/* A statement of a parsed text: stmts[k] is {"stmt": node, "stmt_location":
 * n, "stmt_len": n}; the text's span, clamped to the text. */
static void stmt_span(const lv_sql_tree *t, uint32_t raw, size_t text_len,
                      size_t *off, size_t *len) {
  int64_t loc = 0, n = 0;
  uint32_t k = lv_sql_get(t, raw, "stmt_location");
  if (k && !lv_sql_int(t, k, &loc))
    loc = 0;
  k = lv_sql_get(t, raw, "stmt_len");
  if (k && !lv_sql_int(t, k, &n))
    n = 0;
  if (loc < 0 || (uint64_t)loc > text_len)
    loc = (int64_t)text_len;
  if (n <= 0 || (uint64_t)n > text_len - (size_t)loc)
    n = (int64_t)(text_len - (size_t)loc);
  *off = (size_t)loc;
  *len = (size_t)n;
}

void lv_sql_walk_all(lv_sql_ctx *c, const lv_sql_tree *t, const char *text,
                     size_t len) {
  uint32_t stmts = lv_sql_get(t, 0, "stmts");
  for (uint32_t e = lv_sql_first(t, stmts); e && c->status == LEVEE_OK;
       e = lv_sql_after(t, stmts, e)) {
    size_t off, n;
    stmt_span(t, e, len, &off, &n);
    uint32_t st = lv_sql_get(t, e, "stmt");
    if (st)
      lv_sql_walk(c, t, st, t->toks[st].next, text + off, n);
  }
}

int lv_sql_classify_nested(lv_sql_ctx *c, const char *text, size_t len, int how,
                           const char *what) {
  if (c->status != LEVEE_OK)
    return c->status;
  const char *where_before = c->where;
  lv_sql_env *env_before = c->env;
  c->where = what;
  if (c->depth >= LV_SQL_MAX_DEPTH) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "SQL nested deeper than %d levels",
                LV_SQL_MAX_DEPTH);
    goto out;
  }
  if (++c->parses > LV_SQL_MAX_PARSES) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "too much nested SQL to check");
    goto out;
  }
  if (memchr(text, '\0', len)) {
    lv_sql_flag(c, LV_SQL_UNPARSABLE, "SQL text with a NUL byte");
    goto out;
  }
  char *copy = lv_arena_strndup(&c->arena, text, len);
  if (!copy) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "nested SQL too large to check");
    goto out;
  }
  /* The text a function body or dynamic EXECUTE holds is lexed when it
   * runs, with standard_conforming_strings as it is then: a body may run
   * after the session changed it, and a text may follow a SET in the same
   * query. Only backslashes lex differently: such a text is read both ways
   * and what either reading does counts. */
  int scs_v[2] = {c->scs, !c->scs};
  int variants = 1;
  if ((how == LV_SQL_NESTED_BODY || c->scs_changes) && memchr(copy, '\\', len))
    variants = 2;
  char msg[LV_SQL_REASON_MAX] = "";
  int parsed = 0;
  c->depth++;
  c->env = NULL; /* names in the text are not the caller's variables */
  int scs_before = c->scs;
  for (int v = 0; v < variants && c->status == LEVEE_OK; v++) {
    lv_sql_tok buf[LV_SQL_TREE_STACK];
    lv_sql_tree t;
    lv_sql_tree_init(&t, buf, LV_SQL_TREE_STACK);
    char *json = NULL;
    int rc = lv_sql_parse(c, copy, len, scs_v[v], &t, &json, msg, sizeof msg);
    if (rc == LEVEE_ENOMEM) {
      c->status = LEVEE_ENOMEM;
    } else if (rc == LEVEE_OK) {
      parsed = 1;
      c->scs = scs_v[v];
      lv_sql_walk_all(c, &t, copy, len);
      c->scs = scs_before;
    }
    lv_sql_tree_cleanup(&t);
    free(json);
  }
  c->depth--;
  if (!parsed && c->status == LEVEE_OK)
    lv_sql_flag(c, LV_SQL_UNPARSABLE, "%s", msg);
out:
  c->env = env_before;
  c->where = where_before;
  return c->status;
}

/* --- reasons ------------------------------------------------------------ */

/* Copies a dotted name (a List or array of String nodes) into buf. */
static void dotted(const lv_sql_tree *t, uint32_t list, char *buf, size_t cap) {
  buf[0] = '\0';
  uint32_t items = list;
  uint32_t body = lv_sql_node_is(t, list, "List");
  if (body)
    items = lv_sql_get(t, body, "items");
  size_t o = 0;
  for (uint32_t e = lv_sql_first(t, items); e; e = lv_sql_after(t, items, e)) {
    uint32_t s = lv_sql_node_is(t, e, "String");
    uint32_t v = s ? lv_sql_get(t, s, "sval") : 0;
    if (!v || o + 2 >= cap)
      continue;
    if (o)
      buf[o++] = '.';
    lv_sql_str_copy(t, v, buf + o, cap - o);
    o += strlen(buf + o);
  }
}

/* The name of a DROP's object: a dotted name, a String, a function with
 * its arguments, a type. */
static void object_name(const lv_sql_tree *t, uint32_t obj, char *buf,
                        size_t cap) {
  uint32_t b;
  buf[0] = '\0';
  if (lv_sql_node_is(t, obj, "List"))
    dotted(t, obj, buf, cap);
  else if ((b = lv_sql_node_is(t, obj, "String")))
    lv_sql_str_copy(t, lv_sql_get(t, b, "sval"), buf, cap);
  else if ((b = lv_sql_node_is(t, obj, "ObjectWithArgs")))
    dotted(t, lv_sql_get(t, b, "objname"), buf, cap);
  else if ((b = lv_sql_node_is(t, obj, "TypeName")))
    dotted(t, lv_sql_get(t, b, "names"), buf, cap);
}

static void relname(const lv_sql_tree *t, uint32_t rangevar, char *buf,
                    size_t cap) {
  buf[0] = '\0';
  uint32_t rv = lv_sql_node_is(t, rangevar, "RangeVar");
  if (!rv)
    rv = rangevar; /* relation fields hold the RangeVar's body */
  lv_sql_str_copy(t, lv_sql_get(t, rv, "relname"), buf, cap);
}

/* "OBJECT_FOREIGN_TABLE" -> "FOREIGN TABLE". */
static void object_word(const lv_sql_tree *t, uint32_t tok, char *buf,
                        size_t cap) {
  static const struct {
    const char *obj, *word;
  } special[] = {
      {"OBJECT_MATVIEW", "MATERIALIZED VIEW"},
      {"OBJECT_FDW", "FOREIGN DATA WRAPPER"},
      {"OBJECT_FOREIGN_SERVER", "SERVER"},
      {"OBJECT_TSCONFIGURATION", "TEXT SEARCH CONFIGURATION"},
      {"OBJECT_TSDICTIONARY", "TEXT SEARCH DICTIONARY"},
      {"OBJECT_TSPARSER", "TEXT SEARCH PARSER"},
      {"OBJECT_TSTEMPLATE", "TEXT SEARCH TEMPLATE"},
      {"OBJECT_OPCLASS", "OPERATOR CLASS"},
      {"OBJECT_OPFAMILY", "OPERATOR FAMILY"},
      {"OBJECT_STATISTIC_EXT", "STATISTICS"},
  };
  for (size_t k = 0; k < sizeof special / sizeof special[0]; k++)
    if (lv_sql_str_eq(t, tok, special[k].obj)) {
      snprintf(buf, cap, "%s", special[k].word);
      return;
    }
  char tmp[64];
  lv_sql_str_copy(t, tok, tmp, sizeof tmp);
  const char *w = strncmp(tmp, "OBJECT_", 7) == 0 ? tmp + 7 : tmp;
  snprintf(buf, cap, "%s", w);
  for (char *p = buf; *p; p++)
    if (*p == '_')
      *p = ' ';
}

/* --- handlers ----------------------------------------------------------- */

typedef struct walk_stmt {
  const char *text; /* the statement being walked, for PL/pgSQL */
  size_t len;
} walk_stmt;

enum { GO_ON = 0, SKIP = 1 };

typedef int (*handler_fn)(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                          const walk_stmt *w);

static int on_drop(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                   const walk_stmt *w) {
  char word[48], name[64];
  object_word(t, lv_sql_get(t, body, "removeType"), word, sizeof word);
  uint32_t objs = lv_sql_get(t, body, "objects");
  uint32_t first = lv_sql_first(t, objs);
  name[0] = '\0';
  if (first)
    object_name(t, first, name, sizeof name);
  lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "DROP %s%s%s", word, name[0] ? " " : "",
              name);
  return GO_ON;
}

/* Drop*Stmt other than DropStmt: DROP DATABASE, ROLE, OWNED, ... */
static void on_drop_other(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                          const char *name, size_t nl) {
  static const struct {
    const char *node, *what, *field;
  } known[] = {
      {"DropdbStmt", "DATABASE", "dbname"},
      {"DropRoleStmt", "ROLE", NULL},
      {"DropOwnedStmt", "OWNED", NULL},
      {"DropTableSpaceStmt", "TABLESPACE", "tablespacename"},
      {"DropSubscriptionStmt", "SUBSCRIPTION", "subname"},
      {"DropUserMappingStmt", "USER MAPPING", NULL},
  };
  for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
    if (strlen(known[k].node) != nl || memcmp(known[k].node, name, nl) != 0)
      continue;
    char obj[64] = "";
    if (known[k].field)
      lv_sql_str_copy(t, lv_sql_get(t, body, known[k].field), obj, sizeof obj);
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "DROP %s%s%s", known[k].what,
                obj[0] ? " " : "", obj);
    return;
  }
  /* A Drop*Stmt this version does not name: "DropFooStmt" -> "DROP Foo". */
  lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "DROP %.*s", (int)(nl - 8), name + 4);
}

/* A write to a system catalog (pg_authid, pg_proc, ...) goes around the
 * privilege system: a superuser's UPDATE pg_authid SET rolsuper = true. */
static void catalog_write(lv_sql_ctx *c, const lv_sql_tree *t,
                          uint32_t rangevar) {
  char name[64];
  relname(t, rangevar, name, sizeof name);
  if (strncmp(name, "pg_", 3) == 0)
    lv_sql_flag(c, LV_SQL_PRIVILEGE, "write to system catalog %s", name);
}

static int on_truncate(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                       const walk_stmt *w) {
  char name[64];
  uint32_t rels = lv_sql_get(t, body, "relations");
  relname(t, lv_sql_first(t, rels), name, sizeof name);
  lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "TRUNCATE %s", name);
  for (uint32_t e = lv_sql_first(t, rels); e; e = lv_sql_after(t, rels, e))
    catalog_write(c, t, e);
  return GO_ON;
}

static int on_insert(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                     const walk_stmt *w) {
  catalog_write(c, t, lv_sql_get(t, body, "relation"));
  return GO_ON;
}

/* DELETE and UPDATE: without WHERE, or with one that lets every row
 * through (sql_const.c). */
static void whole_table(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                        const char *verb) {
  char name[64];
  relname(t, lv_sql_get(t, body, "relation"), name, sizeof name);
  uint32_t where = lv_sql_get(t, body, "whereClause");
  if (!where)
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "%s without WHERE on %s", verb, name);
  else if (lv_sql_always_true(c, t, where))
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "%s with an always-true WHERE on %s",
                verb, name);
  catalog_write(c, t, lv_sql_get(t, body, "relation"));
}

static int on_delete(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                     const walk_stmt *w) {
  whole_table(c, t, body, "DELETE");
  return GO_ON;
}

static int on_update(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                     const walk_stmt *w) {
  whole_table(c, t, body, "UPDATE");
  return GO_ON;
}

/* MERGE: a DELETE or UPDATE action reaches every row of the target when the
 * join lets every pair through and the action's own condition (if any) is
 * not provably false. */
static int on_merge(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                    const walk_stmt *w) {
  catalog_write(c, t, lv_sql_get(t, body, "relation"));
  uint32_t join = lv_sql_get(t, body, "joinCondition");
  if (join && !lv_sql_always_true(c, t, join))
    return GO_ON;
  uint32_t whens = lv_sql_get(t, body, "mergeWhenClauses");
  for (uint32_t e = lv_sql_first(t, whens); e; e = lv_sql_after(t, whens, e)) {
    uint32_t mw = lv_sql_node_is(t, e, "MergeWhenClause");
    uint32_t cmd = mw ? lv_sql_get(t, mw, "commandType") : 0;
    int del = cmd && lv_sql_str_eq(t, cmd, "CMD_DELETE");
    int upd = cmd && lv_sql_str_eq(t, cmd, "CMD_UPDATE");
    if (!del && !upd)
      continue;
    uint32_t cond = lv_sql_get(t, mw, "condition");
    if (cond) {
      lv_sql_val v;
      lv_sql_eval(c, t, cond, &v);
      if (v.kind == LV_SQL_V_NULL || (v.kind == LV_SQL_V_BOOL && !v.b))
        continue;
    }
    char name[64];
    relname(t, lv_sql_get(t, body, "relation"), name, sizeof name);
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE,
                "MERGE with %s and an always-true join on %s",
                del ? "DELETE" : "UPDATE", name);
    break;
  }
  return GO_ON;
}

/* ALTER TABLE (and INDEX, VIEW, TYPE ...): its subcommands. */
static int on_alter_table(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                          const walk_stmt *w) {
  static const struct {
    const char *subtype, *what;
    unsigned bit;
  } cmds[] = {
      {"AT_DropColumn", "DROP COLUMN", LV_SQL_DESTRUCTIVE},
      {"AT_DropColumnRecurse", "DROP COLUMN", LV_SQL_DESTRUCTIVE},
      {"AT_DropConstraint", "DROP CONSTRAINT", LV_SQL_DESTRUCTIVE},
      {"AT_DropConstraintRecurse", "DROP CONSTRAINT", LV_SQL_DESTRUCTIVE},
      {"AT_DropNotNull", "DROP NOT NULL", LV_SQL_DESTRUCTIVE},
      {"AT_DropExpression", "DROP EXPRESSION", LV_SQL_DESTRUCTIVE},
      {"AT_DropIdentity", "DROP IDENTITY", LV_SQL_DESTRUCTIVE},
      {"AT_DropInherit", "NO INHERIT", LV_SQL_DESTRUCTIVE},
      {"AT_DropOf", "NOT OF", LV_SQL_DESTRUCTIVE},
      {"AT_ChangeOwner", "OWNER TO", LV_SQL_PRIVILEGE},
      {"AT_DisableRowSecurity", "DISABLE ROW LEVEL SECURITY", LV_SQL_PRIVILEGE},
      {"AT_NoForceRowSecurity", "NO FORCE ROW LEVEL SECURITY",
       LV_SQL_PRIVILEGE},
  };
  char word[32], name[64];
  object_word(t, lv_sql_get(t, body, "objtype"), word, sizeof word);
  relname(t, lv_sql_get(t, body, "relation"), name, sizeof name);
  uint32_t list = lv_sql_get(t, body, "cmds");
  for (uint32_t e = lv_sql_first(t, list); e; e = lv_sql_after(t, list, e)) {
    uint32_t cmd = lv_sql_node_is(t, e, "AlterTableCmd");
    uint32_t sub = cmd ? lv_sql_get(t, cmd, "subtype") : 0;
    if (!sub)
      continue;
    char col[64];
    lv_sql_str_copy(t, lv_sql_get(t, cmd, "name"), col, sizeof col);
    /* ALTER COLUMN c TYPE ... USING <expression>: every row's value
     * becomes the expression; one that does not refer to the row sets them
     * all to one value, as an UPDATE without WHERE would */
    uint32_t cd = lv_sql_node_is(t, lv_sql_get(t, cmd, "def"), "ColumnDef");
    uint32_t using = cd ? lv_sql_get(t, cd, "raw_default") : 0;
    if (lv_sql_str_eq(t, sub, "AT_AlterColumnType") && using &&
        !lv_sql_contains(t, using, "ColumnRef")) {
      lv_sql_flag(c, LV_SQL_DESTRUCTIVE,
                  "ALTER %s %s ALTER COLUMN %s TYPE "
                  "USING a value the same for every row",
                  word, name, col);
      continue;
    }
    if (lv_sql_str_eq(t, sub, "AT_ColumnDefault") &&
        !lv_sql_get(t, cmd, "def")) {
      lv_sql_flag(c, LV_SQL_DESTRUCTIVE,
                  "ALTER %s %s ALTER COLUMN %s DROP "
                  "DEFAULT",
                  word, name, col);
      continue;
    }
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
      if (lv_sql_str_eq(t, sub, cmds[k].subtype)) {
        lv_sql_flag(c, cmds[k].bit, "ALTER %s %s %s%s%s", word, name,
                    cmds[k].what, col[0] ? " " : "", col);
        break;
      }
  }
  return GO_ON;
}

static int on_alter_domain(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                           const walk_stmt *w) {
  uint32_t sub = lv_sql_get(t, body, "subtype");
  /* X: DROP CONSTRAINT, N: DROP NOT NULL, T without a default: DROP
   * DEFAULT */
  if (lv_sql_str_eq(t, sub, "X") || lv_sql_str_eq(t, sub, "N") ||
      (lv_sql_str_eq(t, sub, "T") && !lv_sql_get(t, body, "def")))
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "ALTER DOMAIN ... DROP");
  return GO_ON;
}

/* Other ALTER ... DROP: publication tables, subscription publications,
 * text search mappings, operator family members, extension members. */
static int on_alter_drop(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                         const walk_stmt *w) {
  static const struct {
    const char *field, *value, *what;
  } drops[] = {
      {"action", "AP_DropObjects", "ALTER PUBLICATION ... DROP"},
      {"kind", "ALTER_SUBSCRIPTION_DROP_PUBLICATION",
       "ALTER SUBSCRIPTION ... DROP PUBLICATION"},
      {"kind", "ALTER_TSCONFIG_DROP_MAPPING",
       "ALTER TEXT SEARCH CONFIGURATION ... DROP MAPPING"},
  };
  for (size_t k = 0; k < sizeof drops / sizeof drops[0]; k++)
    if (lv_sql_str_eq(t, lv_sql_get(t, body, drops[k].field), drops[k].value))
      lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "%s", drops[k].what);
  if (lv_sql_bool(t, lv_sql_get(t, body, "isDrop")))
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "ALTER OPERATOR FAMILY ... DROP");
  int64_t action = 0;
  uint32_t a = lv_sql_get(t, body, "action");
  if (lv_sql_int(t, a, &action) && action < 0)
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "ALTER EXTENSION ... DROP");
  return GO_ON;
}

/* OPTIONS (DROP name) of a server, wrapper, foreign table, user mapping. */
static int on_defelem(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                      const walk_stmt *w) {
  if (lv_sql_str_eq(t, lv_sql_get(t, body, "defaction"), "DEFELEM_DROP")) {
    char name[64];
    lv_sql_str_copy(t, lv_sql_get(t, body, "defname"), name, sizeof name);
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "ALTER ... OPTIONS (DROP %s)", name);
  }
  return GO_ON;
}

static int on_alter_system(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                           const walk_stmt *w) {
  lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "ALTER SYSTEM");
  return GO_ON;
}

/* LOAD runs a shared library's code in the server. */
static int on_load(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                   const walk_stmt *w) {
  char name[64];
  lv_sql_str_copy(t, lv_sql_get(t, body, "filename"), name, sizeof name);
  lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "LOAD %s", name);
  return GO_ON;
}

/* COPY to or from a program runs a shell command as the server; to or from
 * a file reads or writes the server's files. STDIN and STDOUT are the
 * client's own data. */
static int on_copy(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                   const walk_stmt *w) {
  uint32_t file = lv_sql_get(t, body, "filename");
  int from = lv_sql_bool(t, lv_sql_get(t, body, "is_from"));
  char name[64];
  lv_sql_str_copy(t, file, name, sizeof name);
  if (lv_sql_bool(t, lv_sql_get(t, body, "is_program"))) {
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE | LV_SQL_EXFILTRATION,
                "COPY %s PROGRAM %s", from ? "FROM" : "TO", name);
  } else if (file) {
    lv_sql_flag(c, LV_SQL_EXFILTRATION, "COPY %s a server file %s",
                from ? "FROM" : "TO", name);
  }
  return GO_ON;
}

/* The value of an option (DefElem's arg) as a boolean, as PostgreSQL's
 * defGetBoolean reads it: absent is true. Unknown forms count as true. */
static int option_true(const lv_sql_tree *t, uint32_t defelem) {
  uint32_t arg = lv_sql_get(t, defelem, "arg");
  if (!arg)
    return 1;
  uint32_t b;
  if ((b = lv_sql_node_is(t, arg, "Boolean")))
    return lv_sql_bool(t, lv_sql_get(t, b, "boolval"));
  if ((b = lv_sql_node_is(t, arg, "Integer"))) {
    int64_t v = 0;
    uint32_t iv = lv_sql_get(t, b, "ival");
    return iv && lv_sql_int(t, iv, &v) && v != 0;
  }
  if ((b = lv_sql_node_is(t, arg, "String"))) {
    uint32_t s = lv_sql_get(t, b, "sval");
    static const char *const no[] = {"false", "off",  "no",  "0",  "f",
                                     "n",     "fals", "fal", "fa", "of"};
    char v[16];
    lv_sql_str_copy(t, s, v, sizeof v);
    for (char *p = v; *p; p++)
      if (*p >= 'A' && *p <= 'Z')
        *p = (char)(*p - 'A' + 'a');
    for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
      if (strcmp(v, no[k]) == 0)
        return 0;
  }
  return 1;
}

/* EXPLAIN runs its statement only with ANALYZE. */
static int on_explain(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                      const walk_stmt *w) {
  uint32_t opts = lv_sql_get(t, body, "options");
  for (uint32_t e = lv_sql_first(t, opts); e; e = lv_sql_after(t, opts, e)) {
    uint32_t d = lv_sql_node_is(t, e, "DefElem");
    if (d && lv_sql_str_eq(t, lv_sql_get(t, d, "defname"), "analyze"))
      return option_true(t, d) ? GO_ON : SKIP;
  }
  return SKIP;
}

static void set_name(const lv_sql_tree *t, uint32_t tok, char *dst) {
  if (dst[0] == '\0' && tok)
    lv_sql_str_copy(t, tok, dst, LV_SQL_NAME_MAX);
}

static int on_prepare(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                      const walk_stmt *w) {
  if (c->depth == 0)
    set_name(t, lv_sql_get(t, body, "name"), c->cur->prepare);
  return GO_ON;
}

/* EXECUTE name: the proxy knows what name was prepared as. Inside nested
 * SQL (a DO block's dynamic EXECUTE 'EXECUTE p') it cannot look it up. */
static int on_execute(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                      const walk_stmt *w) {
  uint32_t name = lv_sql_get(t, body, "name");
  if (c->depth == 0) {
    set_name(t, name, c->cur->execute);
  } else {
    char n[LV_SQL_NAME_MAX];
    lv_sql_str_copy(t, name, n, sizeof n);
    lv_sql_flag(c, LV_SQL_UNRESOLVED,
                "EXECUTE %s of a statement prepared "
                "elsewhere",
                n);
  }
  return GO_ON;
}

static int on_deallocate(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                         const walk_stmt *w) {
  if (c->depth != 0)
    return GO_ON;
  uint32_t name = lv_sql_get(t, body, "name");
  if (name)
    set_name(t, name, c->cur->deallocate);
  else
    c->cur->deallocate_all = 1;
  return GO_ON;
}

/* A DefElem list's member named name: its String value's token. */
static uint32_t option_string(const lv_sql_tree *t, uint32_t list,
                              const char *name) {
  for (uint32_t e = lv_sql_first(t, list); e; e = lv_sql_after(t, list, e)) {
    uint32_t d = lv_sql_node_is(t, e, "DefElem");
    if (!d || !lv_sql_str_eq(t, lv_sql_get(t, d, "defname"), name))
      continue;
    uint32_t arg = lv_sql_get(t, d, "arg");
    uint32_t s = lv_sql_node_is(t, arg, "String");
    if (s)
      return lv_sql_get(t, s, "sval");
    return arg; /* a List (AS 'obj', 'symbol'), for the caller */
  }
  return 0;
}

static void lang_of(const lv_sql_tree *t, uint32_t tok, char *buf, size_t cap,
                    const char *dflt) {
  if (!tok) {
    snprintf(buf, cap, "%s", dflt);
    return;
  }
  lv_sql_str_copy(t, tok, buf, cap);
  for (char *p = buf; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
}

static int on_do(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                 const walk_stmt *w) {
  uint32_t args = lv_sql_get(t, body, "args");
  char lang[64];
  lang_of(t, option_string(t, args, "language"), lang, sizeof lang, "plpgsql");
  if (strcmp(lang, "plpgsql") == 0) {
    /* DO LANGUAGE plpgsql without code: the server refuses it, and
     * libpg_query's PL/pgSQL parser would abort the process on it */
    if (option_string(t, args, "as"))
      lv_sql_plpgsql(c, w->text, w->len, 0);
  } else
    lv_sql_flag(c, LV_SQL_UNRESOLVED,
                "DO block in LANGUAGE %s cannot be checked", lang);
  return GO_ON;
}

/* CREATE FUNCTION and PROCEDURE: the body is checked as if it ran (it will,
 * later). SQL bodies written BEGIN ATOMIC ... END are in the tree, and the
 * walk goes on into them. */
static int on_create_function(lv_sql_ctx *c, const lv_sql_tree *t,
                              uint32_t body, const walk_stmt *w) {
  uint32_t opts = lv_sql_get(t, body, "options");
  int atomic = lv_sql_get(t, body, "sql_body") != 0;
  char lang[64];
  lang_of(t, option_string(t, opts, "language"), lang, sizeof lang, "sql");
  uint32_t as = option_string(t, opts, "as");
  if (strcmp(lang, "sql") == 0) {
    if (atomic || !as)
      return GO_ON;
    uint32_t src = as;
    uint32_t list = lv_sql_node_is(t, as, "List");
    if (list) {
      uint32_t items = lv_sql_get(t, list, "items");
      uint32_t s = lv_sql_node_is(t, lv_sql_first(t, items), "String");
      src = s ? lv_sql_get(t, s, "sval") : 0;
    }
    size_t n;
    const char *text = src ? lv_sql_str(t, src, &c->arena, &n) : NULL;
    if (text)
      lv_sql_classify_nested(c, text, n, LV_SQL_NESTED_BODY, "function body");
    else if (src)
      lv_sql_flag(c, LV_SQL_UNRESOLVED, "function body too large to check");
  } else if (strcmp(lang, "plpgsql") == 0) {
    /* no AS body (none, or BEGIN ATOMIC, which the server takes for
     * LANGUAGE sql only): nothing to parse, and libpg_query's PL/pgSQL
     * parser would abort the process on it */
    if (as)
      lv_sql_plpgsql(c, w->text, w->len, 1);
  } else {
    lv_sql_flag(c, LV_SQL_UNRESOLVED,
                "function body in LANGUAGE %s cannot be checked", lang);
  }
  return GO_ON;
}

static int on_grant(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                    const walk_stmt *w) {
  int grant = lv_sql_bool(t, lv_sql_get(t, body, "is_grant"));
  lv_sql_flag(c, LV_SQL_PRIVILEGE, "%s", grant ? "GRANT" : "REVOKE");
  return GO_ON;
}

static int on_grant_role(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                         const walk_stmt *w) {
  int grant = lv_sql_bool(t, lv_sql_get(t, body, "is_grant"));
  lv_sql_flag(c, LV_SQL_PRIVILEGE, "%s of a role", grant ? "GRANT" : "REVOKE");
  return GO_ON;
}

static void role_name(const lv_sql_tree *t, uint32_t rolespec, char *buf,
                      size_t cap) {
  uint32_t r = lv_sql_node_is(t, rolespec, "RoleSpec");
  if (!r)
    r = rolespec;
  lv_sql_str_copy(t, lv_sql_get(t, r, "rolename"), buf, cap);
  if (!buf[0])
    snprintf(buf, cap, "%s", "(current or session user)");
}

static int on_alter_role(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                         const walk_stmt *w) {
  char name[64];
  role_name(t, lv_sql_get(t, body, "role"), name, sizeof name);
  lv_sql_flag(c, LV_SQL_PRIVILEGE, "ALTER ROLE %s", name);
  return GO_ON;
}

/* CREATE ROLE/USER/GROUP: with powers, or with membership of other roles. */
static int on_create_role(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                          const walk_stmt *w) {
  static const struct {
    const char *opt, *what;
    int needs_true;
  } powers[] = {
      {"superuser", "SUPERUSER", 1}, {"createrole", "CREATEROLE", 1},
      {"createdb", "CREATEDB", 1},   {"isreplication", "REPLICATION", 1},
      {"bypassrls", "BYPASSRLS", 1}, {"addroleto", "IN ROLE", 0},
      {"rolemembers", "ROLE", 0},    {"adminmembers", "ADMIN", 0},
  };
  uint32_t opts = lv_sql_get(t, body, "options");
  for (uint32_t e = lv_sql_first(t, opts); e; e = lv_sql_after(t, opts, e)) {
    uint32_t d = lv_sql_node_is(t, e, "DefElem");
    uint32_t dn = d ? lv_sql_get(t, d, "defname") : 0;
    if (!dn)
      continue;
    for (size_t k = 0; k < sizeof powers / sizeof powers[0]; k++) {
      if (!lv_sql_str_eq(t, dn, powers[k].opt))
        continue;
      if (powers[k].needs_true && !option_true(t, d))
        break;
      char name[64];
      lv_sql_str_copy(t, lv_sql_get(t, body, "role"), name, sizeof name);
      lv_sql_flag(c, LV_SQL_PRIVILEGE, "CREATE ROLE %s %s", name,
                  powers[k].what);
      return GO_ON;
    }
  }
  return GO_ON;
}

static int on_set(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                  const walk_stmt *w) {
  uint32_t name = lv_sql_get(t, body, "name");
  uint32_t kind = lv_sql_get(t, body, "kind");
  if (!name)
    return GO_ON;
  if (lv_sql_str_eq(t, name, "standard_conforming_strings")) {
    c->scs_changes = 1;
    return GO_ON;
  }
  int reset = lv_sql_str_eq(t, kind, "VAR_RESET") ||
              lv_sql_str_eq(t, kind, "VAR_RESET_ALL");
  if (reset)
    return GO_ON; /* back to the session's own user */
  if (lv_sql_str_eq(t, name, "role"))
    lv_sql_flag(c, LV_SQL_PRIVILEGE, "SET ROLE");
  else if (lv_sql_str_eq(t, name, "session_authorization"))
    lv_sql_flag(c, LV_SQL_PRIVILEGE, "SET SESSION AUTHORIZATION");
  return GO_ON;
}

static int on_privilege(lv_sql_ctx *c, const char *what) {
  lv_sql_flag(c, LV_SQL_PRIVILEGE, "%s", what);
  return GO_ON;
}

static int on_default_privileges(lv_sql_ctx *c, const lv_sql_tree *t,
                                 uint32_t body, const walk_stmt *w) {
  return on_privilege(c, "ALTER DEFAULT PRIVILEGES");
}

static int on_reassign(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                       const walk_stmt *w) {
  return on_privilege(c, "REASSIGN OWNED");
}

static int on_alter_owner(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                          const walk_stmt *w) {
  char word[48];
  object_word(t, lv_sql_get(t, body, "objectType"), word, sizeof word);
  lv_sql_flag(c, LV_SQL_PRIVILEGE, "ALTER %s ... OWNER TO", word);
  return GO_ON;
}

static int on_alter_role_set(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                             const walk_stmt *w) {
  char name[64];
  role_name(t, lv_sql_get(t, body, "role"), name, sizeof name);
  lv_sql_flag(c, LV_SQL_PRIVILEGE, "ALTER ROLE %s SET", name);
  return SKIP; /* its SET is the role's setting, not this session's */
}

/* --- function calls ----------------------------------------------------- */

/* Functions by what they do. Schemas are ignored: a function of the same
 * name elsewhere is assumed to do the same (extensions such as dblink and
 * adminpack live in any schema). */
enum fn_kind {
  FN_DESTRUCTIVE,
  FN_EXFILTRATION,
  FN_SET_CONFIG,
  FN_SQL_TEXT, /* runs SQL given as text: sql_arg says which argument */
};

/* pg_terminate_backend is destructive: it ends another session and rolls
 * back its work in progress, which on a production primary is the damage
 * this guard holds for a second person; it is rare in application traffic.
 * pg_cancel_backend (cancels one query, the session lives) is not. */
static const struct fn_rule {
  const char *name;
  enum fn_kind kind;
} fn_rules[] = {
    /* sorted by name */
    {"dblink", FN_SQL_TEXT},
    {"dblink_exec", FN_SQL_TEXT},
    {"dblink_open", FN_SQL_TEXT},
    {"dblink_send_query", FN_SQL_TEXT},
    {"lo_export", FN_EXFILTRATION},
    {"lo_import", FN_EXFILTRATION},
    {"lo_truncate", FN_DESTRUCTIVE},
    {"lo_truncate64", FN_DESTRUCTIVE},
    {"lo_unlink", FN_DESTRUCTIVE},
    {"pg_drop_replication_slot", FN_DESTRUCTIVE},
    {"pg_file_read", FN_EXFILTRATION},
    {"pg_file_rename", FN_DESTRUCTIVE},
    {"pg_file_unlink", FN_DESTRUCTIVE},
    {"pg_file_write", FN_DESTRUCTIVE},
    {"pg_logdir_ls", FN_EXFILTRATION},
    {"pg_ls_archive_statusdir", FN_EXFILTRATION},
    {"pg_ls_dir", FN_EXFILTRATION},
    {"pg_ls_logdir", FN_EXFILTRATION},
    {"pg_ls_logicalmapdir", FN_EXFILTRATION},
    {"pg_ls_logicalsnapdir", FN_EXFILTRATION},
    {"pg_ls_replslotdir", FN_EXFILTRATION},
    {"pg_ls_tmpdir", FN_EXFILTRATION},
    {"pg_ls_waldir", FN_EXFILTRATION},
    {"pg_read_binary_file", FN_EXFILTRATION},
    {"pg_read_file", FN_EXFILTRATION},
    {"pg_replication_origin_drop", FN_DESTRUCTIVE},
    {"pg_stat_file", FN_EXFILTRATION},
    {"pg_terminate_backend", FN_DESTRUCTIVE},
    {"query_to_xml", FN_SQL_TEXT},
    {"query_to_xml_and_xmlschema", FN_SQL_TEXT},
    {"query_to_xmlschema", FN_SQL_TEXT},
    {"set_config", FN_SET_CONFIG},
    {"ts_rewrite", FN_SQL_TEXT},
    {"ts_stat", FN_SQL_TEXT},
};

static const struct fn_rule *fn_lookup(const char *name, size_t n) {
  size_t lo = 0, hi = sizeof fn_rules / sizeof fn_rules[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int cmp = strncmp(fn_rules[mid].name, name, n);
    if (cmp == 0 && fn_rules[mid].name[n] != '\0')
      cmp = 1;
    if (cmp == 0)
      return &fn_rules[mid];
    if (cmp < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* The n-th argument (named arguments unwrapped), or 0. */
static uint32_t fn_arg(const lv_sql_tree *t, uint32_t args, uint32_t n) {
  uint32_t e = lv_sql_first(t, args);
  for (uint32_t k = 0; e && k < n; k++)
    e = lv_sql_after(t, args, e);
  if (!e)
    return 0;
  uint32_t named = lv_sql_node_is(t, e, "NamedArgExpr");
  return named ? lv_sql_get(t, named, "arg") : e;
}

/* Whether argument n is a boolean constant (dblink's fail_on_error). */
static int arg_is_bool(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t args,
                       uint32_t n) {
  uint32_t a = fn_arg(t, args, n);
  if (!a)
    return 0;
  lv_sql_val v;
  lv_sql_eval(c, t, a, &v);
  return v.kind == LV_SQL_V_BOOL;
}

/* Which argument holds the SQL text of a FN_SQL_TEXT function, by its
 * overloads: dblink(sql), dblink(conn, sql), dblink(sql, fail), dblink(conn,
 * sql, fail); the same for dblink_exec; dblink_open(cursor, sql[, fail]) and
 * (conn, cursor, sql[, fail]); dblink_send_query(conn, sql);
 * query_to_xml*(sql, ...); ts_stat(sql[, weights]); ts_rewrite(query,
 * sql). -1: this overload takes no SQL text. */
static int sql_arg(lv_sql_ctx *c, const lv_sql_tree *t, const char *fn,
                   uint32_t args) {
  uint32_t n = lv_sql_count(t, args);
  if (strcmp(fn, "dblink") == 0 || strcmp(fn, "dblink_exec") == 0) {
    if (n == 1)
      return 0;
    if (n == 2)
      return arg_is_bool(c, t, args, 1) ? 0 : 1;
    return 1;
  }
  if (strcmp(fn, "dblink_open") == 0) {
    if (n == 2)
      return 1;
    if (n == 3)
      return arg_is_bool(c, t, args, 2) ? 1 : 2;
    return 2;
  }
  if (strcmp(fn, "dblink_send_query") == 0)
    return 1;
  if (strcmp(fn, "ts_rewrite") == 0)
    return n == 2 ? 1 : -1;
  return 0;
}

static int on_funccall(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                       const walk_stmt *w) {
  uint32_t name = lv_sql_last_name(t, lv_sql_get(t, body, "funcname"));
  if (!name)
    return GO_ON;
  char fn[64];
  lv_sql_str_copy(t, name, fn, sizeof fn);
  const struct fn_rule *r = fn_lookup(fn, strlen(fn));
  if (!r)
    return GO_ON;
  c->beyond_shape = 1; /* its arguments may count */
  uint32_t args = lv_sql_get(t, body, "args");
  switch (r->kind) {
  case FN_DESTRUCTIVE: lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "%s()", fn); break;
  case FN_EXFILTRATION: lv_sql_flag(c, LV_SQL_EXFILTRATION, "%s()", fn); break;
  case FN_SET_CONFIG: {
    uint32_t a = fn_arg(t, args, 0);
    lv_sql_valset set;
    if (a)
      lv_sql_eval_set(c, t, a, &set);
    if (!a || set.top) {
      lv_sql_flag(c, LV_SQL_UNRESOLVED, "set_config() of a setting not known");
      break;
    }
    for (int k = 0; k < set.n; k++) {
      const lv_sql_val *v = &set.v[k];
      if (v->kind != LV_SQL_V_STR)
        continue;
      char s[40];
      size_t n = v->len < sizeof s - 1 ? v->len : sizeof s - 1;
      for (size_t j = 0; j < n; j++)
        s[j] = (char)(v->s[j] >= 'A' && v->s[j] <= 'Z' ? v->s[j] - 'A' + 'a'
                                                       : v->s[j]);
      s[n] = '\0';
      if (v->len == n &&
          (strcmp(s, "role") == 0 || strcmp(s, "session_authorization") == 0))
        lv_sql_flag(c, LV_SQL_PRIVILEGE, "set_config('%s')", s);
      else if (v->len == n && strcmp(s, "standard_conforming_strings") == 0)
        c->scs_changes = 1;
    }
    break;
  }
  case FN_SQL_TEXT: {
    int k = sql_arg(c, t, fn, args);
    uint32_t a = k >= 0 ? fn_arg(t, args, (uint32_t)k) : 0;
    if (!a)
      break;
    lv_sql_val vals[LV_SQL_MAX_VALUES];
    int n = lv_sql_eval_texts(c, t, a, vals, LV_SQL_MAX_VALUES);
    if (n < 0) {
      lv_sql_flag(c, LV_SQL_UNRESOLVED, "%s() with SQL text not known", fn);
      break;
    }
    for (int j = 0; j < n && c->status == LEVEE_OK; j++)
      lv_sql_classify_nested(c, vals[j].s, vals[j].len, LV_SQL_NESTED_SQL, fn);
    break;
  }
  }
  return GO_ON;
}

/* CALL f(): the call is a FuncCall written into the statement (no node
 * of its own). */
static int on_call(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                   const walk_stmt *w) {
  uint32_t fc = lv_sql_get(t, body, "funccall");
  if (fc)
    on_funccall(c, t, fc, w);
  return GO_ON;
}

/* ALTER DATABASE d SET role: every later session of d starts as that role. */
static int on_alter_database_set(lv_sql_ctx *c, const lv_sql_tree *t,
                                 uint32_t body, const walk_stmt *w) {
  uint32_t set = lv_sql_get(t, body, "setstmt");
  uint32_t name = set ? lv_sql_get(t, set, "name") : 0;
  if (lv_sql_str_eq(t, name, "role") ||
      lv_sql_str_eq(t, name, "session_authorization"))
    lv_sql_flag(c, LV_SQL_PRIVILEGE, "ALTER DATABASE ... SET role");
  return GO_ON;
}

/* CREATE OPERATOR, AGGREGATE, CAST, CONVERSION over a destructive or
 * reading function, or renaming one, makes it callable under a name the
 * rules above do not know: every name in the statement is looked up. */
static int on_alias(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                    const walk_stmt *w) {
  uint32_t end = t->toks[body].next;
  for (uint32_t i = body; i < end; i++) {
    uint32_t sb = lv_sql_node_is(t, i, "String");
    uint32_t v = sb ? lv_sql_get(t, sb, "sval") : 0;
    if (!v)
      continue;
    char fn[64];
    lv_sql_str_copy(t, v, fn, sizeof fn);
    const struct fn_rule *r = fn_lookup(fn, strlen(fn));
    if (r && r->kind == FN_DESTRUCTIVE)
      lv_sql_flag(c, LV_SQL_DESTRUCTIVE, "%s() under another name", fn);
    else if (r && r->kind == FN_EXFILTRATION)
      lv_sql_flag(c, LV_SQL_EXFILTRATION, "%s() under another name", fn);
  }
  return GO_ON;
}

static int on_rename(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                     const walk_stmt *w) {
  uint32_t type = lv_sql_get(t, body, "renameType");
  if (lv_sql_str_eq(t, type, "OBJECT_ROLE"))
    return on_privilege(c, "ALTER ROLE ... RENAME");
  if (lv_sql_str_eq(t, type, "OBJECT_FUNCTION") ||
      lv_sql_str_eq(t, type, "OBJECT_PROCEDURE") ||
      lv_sql_str_eq(t, type, "OBJECT_ROUTINE"))
    return on_alias(c, t, lv_sql_get(t, body, "object"), w);
  return GO_ON;
}

/* file_fdw: a foreign table over a server file, or over a program's
 * output (run as the server). */
static int on_foreign_table(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t body,
                            const walk_stmt *w) {
  uint32_t opts = lv_sql_get(t, body, "options");
  if (option_string(t, opts, "program"))
    lv_sql_flag(c, LV_SQL_DESTRUCTIVE | LV_SQL_EXFILTRATION,
                "CREATE FOREIGN TABLE over a program");
  else if (option_string(t, opts, "filename"))
    lv_sql_flag(c, LV_SQL_EXFILTRATION, "CREATE FOREIGN TABLE over a file");
  return GO_ON;
}

/* --- the walk ----------------------------------------------------------- */

static const struct handler {
  const char *name;
  handler_fn fn;
} handlers[] = {
    /* sorted by name (memcmp order) */
    {"AlterDatabaseSetStmt", on_alter_database_set},
    {"AlterDefaultPrivilegesStmt", on_default_privileges},
    {"AlterDomainStmt", on_alter_domain},
    {"AlterExtensionContentsStmt", on_alter_drop},
    {"AlterOpFamilyStmt", on_alter_drop},
    {"AlterOwnerStmt", on_alter_owner},
    {"AlterPublicationStmt", on_alter_drop},
    {"AlterRoleSetStmt", on_alter_role_set},
    {"AlterRoleStmt", on_alter_role},
    {"AlterSubscriptionStmt", on_alter_drop},
    {"AlterSystemStmt", on_alter_system},
    {"AlterTSConfigurationStmt", on_alter_drop},
    {"AlterTableStmt", on_alter_table},
    {"CallStmt", on_call},
    {"CopyStmt", on_copy},
    {"CreateCastStmt", on_alias},
    {"CreateConversionStmt", on_alias},
    {"CreateForeignTableStmt", on_foreign_table},
    {"CreateFunctionStmt", on_create_function},
    {"CreateRoleStmt", on_create_role},
    {"DeallocateStmt", on_deallocate},
    {"DefElem", on_defelem},
    {"DefineStmt", on_alias},
    {"DeleteStmt", on_delete},
    {"DoStmt", on_do},
    {"DropStmt", on_drop},
    {"ExecuteStmt", on_execute},
    {"ExplainStmt", on_explain},
    {"FuncCall", on_funccall},
    {"GrantRoleStmt", on_grant_role},
    {"GrantStmt", on_grant},
    {"InsertStmt", on_insert},
    {"LoadStmt", on_load},
    {"MergeStmt", on_merge},
    {"PrepareStmt", on_prepare},
    {"ReassignOwnedStmt", on_reassign},
    {"RenameStmt", on_rename},
    {"TruncateStmt", on_truncate},
    {"UpdateStmt", on_update},
    {"VariableSetStmt", on_set},
};

static handler_fn find_handler(const char *name, size_t nl) {
  size_t lo = 0, hi = sizeof handlers / sizeof handlers[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *h = handlers[mid].name;
    size_t hl = strlen(h);
    int cmp = memcmp(h, name, hl < nl ? hl : nl);
    if (cmp == 0)
      cmp = hl < nl ? -1 : hl > nl ? 1 : 0;
    if (cmp == 0)
      return handlers[mid].fn;
    if (cmp < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

void lv_sql_walk(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t from,
                 uint32_t to, const char *stmt_text, size_t stmt_len) {
  walk_stmt w = {stmt_text, stmt_len};
  uint32_t i = from;
  if (to > t->n)
    to = t->n;
  while (i < to && c->status == LEVEE_OK) {
    if (t->json[t->toks[i].pos] == '{') {
      const char *name;
      size_t nl;
      uint32_t body = lv_sql_node(t, i, &name, &nl);
      if (body) {
        int r = GO_ON;
        if (!c->beyond_shape && !lv_sql_shape_node(name, nl))
          c->beyond_shape = 1;
        if (nl > 8 && memcmp(name, "Drop", 4) == 0 &&
            memcmp(name + nl - 4, "Stmt", 4) == 0) {
          on_drop_other(c, t, body, name, nl); /* DropStmt is nl == 8 */
        } else {
          handler_fn fn = find_handler(name, nl);
          if (fn)
            r = fn(c, t, body, &w);
        }
        if (r == SKIP) {
          i = t->toks[i].next;
          continue;
        }
      }
    }
    i++;
  }
}

/* --- the entry ---------------------------------------------------------- */

static uint64_t fingerprint(const char *text, size_t off, size_t len,
                            size_t text_len, int scs) {
  char small[1024];
  char *buf = NULL;
  const char *q = text;
  if (off != 0 || len != text_len) {
    buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
      return 0;
    memcpy(buf, text + off, len);
    buf[len] = '\0';
    q = buf;
  }
  standard_conforming_strings = scs != 0;
  PgQueryFingerprintResult r = pg_query_fingerprint(q);
  uint64_t fp = r.error ? 0 : r.fingerprint;
  pg_query_free_fingerprint_result(r);
  if (buf && buf != small)
    free(buf);
  return fp;
}

static int is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' ||
         ch == '\v';
}

/* One statement record covering the whole text (a text that does not
 * parse is audited whole). */
static int whole_text_statement(lv_sql_result *r, const char *reason) {
  r->stmts = calloc(1, sizeof *r->stmts);
  if (!r->stmts)
    return LEVEE_ENOMEM;
  r->n_stmts = 1;
  r->stmts[0].offset = 0;
  r->stmts[0].len = r->text_len;
  r->stmts[0].ops = LV_SQL_UNPARSABLE;
  snprintf(r->stmts[0].reason, sizeof r->stmts[0].reason, "%s", reason);
  clean_reason(r->stmts[0].reason);
  return LEVEE_OK;
}

static int classify_statements(lv_sql_ctx *c, lv_sql_result *r) {
  lv_sql_tok buf[LV_SQL_TREE_STACK];
  lv_sql_tree t;
  lv_sql_tree_init(&t, buf, LV_SQL_TREE_STACK);
  char *json = NULL;
  char msg[LV_SQL_REASON_MAX];
  int rc =
      lv_sql_parse(c, r->text, r->text_len, c->scs, &t, &json, msg, sizeof msg);
  if (rc == LEVEE_ESYNTAX) {
    rc = whole_text_statement(r, msg);
    goto out;
  }
  if (rc != LEVEE_OK)
    goto out;
  uint32_t stmts = lv_sql_get(&t, 0, "stmts");
  uint32_t n = lv_sql_count(&t, stmts);
  if (n == 0)
    goto out;
  r->stmts = calloc(n, sizeof *r->stmts);
  if (!r->stmts) {
    rc = LEVEE_ENOMEM;
    goto out;
  }
  r->n_stmts = n;
  uint32_t k = 0;
  for (uint32_t e = lv_sql_first(&t, stmts); e && k < n;
       e = lv_sql_after(&t, stmts, e), k++) {
    lv_sql_statement *s = &r->stmts[k];
    size_t off, len;
    stmt_span(&t, e, r->text_len, &off, &len);
    c->cur = s; /* scs_changes stays: a SET earlier in the text counts */
    uint32_t st = lv_sql_get(&t, e, "stmt");
    if (st)
      lv_sql_walk(c, &t, st, t.toks[st].next, r->text + off, len);
    if (c->status != LEVEE_OK) {
      rc = c->status;
      goto out;
    }
    s->fingerprint =
        fingerprint(r->text, n == 1 ? 0 : off, n == 1 ? r->text_len : len,
                    r->text_len, c->scs);
    while (len > 0 && is_space(r->text[off])) {
      off++;
      len--;
    }
    while (len > 0 && is_space(r->text[off + len - 1]))
      len--;
    s->offset = off;
    s->len = len;
  }
out:
  c->cur = NULL;
  lv_sql_tree_cleanup(&t);
  free(json);
  return rc;
}

void lv_sql_result_free(lv_sql_result *r) {
  if (!r)
    return;
  free(r->text);
  free(r->stmts);
  memset(r, 0, sizeof *r);
}

int lv_sql_classify(const char *text, size_t len, const lv_sql_session *s,
                    lv_sql_result *out) {
  if (!out || (!text && len))
    return LEVEE_EINVAL;
  if (len > LV_SQL_MAX_TEXT)
    return LEVEE_EINVAL;
  lv_sql_result r;
  memset(&r, 0, sizeof r);
  char why[LV_SQL_REASON_MAX];
  int rc = lv_sql_to_utf8(s ? s->client_encoding : NULL, text ? text : "", len,
                          &r.text, &r.text_len, why, sizeof why);
  if (rc == LEVEE_EENCODING) {
    r.text = calloc(1, 1);
    if (!r.text)
      return LEVEE_ENOMEM;
    r.ops = LV_SQL_UNPARSABLE;
    snprintf(r.reason, sizeof r.reason, "%s", why);
    clean_reason(r.reason);
    *out = r;
    return LEVEE_OK;
  }
  if (rc != LEVEE_OK)
    return rc;
  if (memchr(r.text, '\0', r.text_len)) {
    rc = whole_text_statement(&r, "the text contains a NUL byte");
    if (rc != LEVEE_OK) {
      lv_sql_result_free(&r);
      return rc;
    }
  } else {
    bool scs_before = standard_conforming_strings;
    lv_sql_ctx c;
    memset(&c, 0, sizeof c);
    c.scs = s ? s->standard_conforming_strings != 0 : 1;
    lv_arena_init(&c.arena, LV_SQL_MAX_EVAL_BYTES);
    rc = classify_statements(&c, &r);
    r.shape_only = !c.beyond_shape;
    lv_arena_cleanup(&c.arena);
    standard_conforming_strings = scs_before;
    if (rc != LEVEE_OK) {
      lv_sql_result_free(&r);
      return rc;
    }
  }
  for (size_t k = 0; k < r.n_stmts; k++) {
    if (r.stmts[k].ops && !r.ops)
      snprintf(r.reason, sizeof r.reason, "%s", r.stmts[k].reason);
    r.ops |= r.stmts[k].ops;
  }
  r.fingerprint = r.n_stmts ? r.stmts[0].fingerprint : 0;
  *out = r;
  return LEVEE_OK;
}
