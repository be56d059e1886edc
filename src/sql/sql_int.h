/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_int.h: what the SQL classifier's files share (src/sql/): the parse
 * tree as libpg_query prints it, read into flat tokens (sql_tree.c); the
 * classification context and the walk (sql_classify.c); constant
 * evaluation (sql_const.c); PL/pgSQL bodies (sql_plpgsql.c); client
 * encodings (sql_encoding.c). Not for use outside src/sql/.
 */
#ifndef LV_SQL_INT_H
#define LV_SQL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sql/sql_classify.h"
#include "util/arena.h"

/* --- the tree (sql_tree.c) ------------------------------------------------
 *
 * libpg_query prints a parse tree as JSON: a node is an object with one
 * member named after its type ({"DeleteStmt": {...}}), fields are members
 * named in lower camel case, lists are arrays. The JSON is read into tokens
 * in document order; an object's members are a key token followed by the
 * tokens of its value. A token is its first byte in the JSON (which says
 * its kind: { [ " or a scalar) and the index of the first token after its
 * subtree, so a walk over every node is a loop over an array, and skipping
 * a subtree is one step. */
typedef struct lv_sql_tok {
  uint32_t pos;  /* first byte in json */
  uint32_t next; /* index of the token after this one's subtree */
} lv_sql_tok;

typedef struct lv_sql_tree {
  const char *json; /* borrowed */
  size_t json_len;
  lv_sql_tok *toks; /* the caller's buffer, or owned once grown */
  uint32_t n, cap;
  int owned;
  const char *src; /* the SQL text the tree's locations point into */
  size_t src_len;
} lv_sql_tree;

/* Tokens a caller keeps on its stack for a short statement's tree, so
 * that it needs no allocation (a pgbench SELECT has 60). */
#define LV_SQL_TREE_STACK 256

/* buf (borrowed, cap tokens; may be NULL) is used until it is too small. */
void lv_sql_tree_init(lv_sql_tree *t, lv_sql_tok *buf, uint32_t cap);
/* Reads json[0..len) (libpg_query's output). Returns 0, LEVEE_ENOMEM, or
 * LEVEE_ESYNTAX when it is not well-formed JSON. */
int lv_sql_tree_read(lv_sql_tree *t, const char *json, size_t len);
void lv_sql_tree_cleanup(lv_sql_tree *t);

static inline char lv_sql_tok_kind(const lv_sql_tree *t, uint32_t i) {
  return i < t->n ? t->json[t->toks[i].pos] : 0;
}
/* The value of member key[0..klen) of object obj, or 0 (never a value's
 * index). lv_sql_get takes a NUL-terminated key (a literal's length is
 * folded at compile time). */
uint32_t lv_sql_getn(const lv_sql_tree *t, uint32_t obj, const char *key,
                     size_t klen);
#define lv_sql_get(t, obj, key) lv_sql_getn((t), (obj), (key), strlen(key))
/* Whether the string token i, unescaped, equals s[0..n). */
int lv_sql_str_eqn(const lv_sql_tree *t, uint32_t i, const char *s, size_t n);
#define lv_sql_str_eq(t, i, s) lv_sql_str_eqn((t), (i), (s), strlen(s))
/* The string token i, unescaped: zero-copy when it has no escapes, else
 * into a (NULL on failure). */
const char *lv_sql_str(const lv_sql_tree *t, uint32_t i, lv_arena *a,
                       size_t *len);
/* Copies the string token i, unescaped and cut, into buf (NUL-terminated). */
void lv_sql_str_copy(const lv_sql_tree *t, uint32_t i, char *buf, size_t cap);
/* A node: if token i is {"Type": {...}}, returns the body's index and sets
 * *name and *name_len (the type, not NUL-terminated); else 0. */
uint32_t lv_sql_node(const lv_sql_tree *t, uint32_t i, const char **name,
                     size_t *name_len);
/* The body of node i when its type is type, else 0. */
uint32_t lv_sql_node_is(const lv_sql_tree *t, uint32_t i, const char *type);
/* Arrays: the first element (0 when empty or not an array), the next. */
uint32_t lv_sql_first(const lv_sql_tree *t, uint32_t arr);
static inline uint32_t lv_sql_after(const lv_sql_tree *t, uint32_t arr,
                                    uint32_t el) {
  uint32_t nx = t->toks[el].next;
  return nx < t->toks[arr].next ? nx : 0;
}
uint32_t lv_sql_count(const lv_sql_tree *t, uint32_t arr);
/* A scalar's bytes (numbers, true/false/null). */
int lv_sql_int(const lv_sql_tree *t, uint32_t i, int64_t *out);
int lv_sql_bool(const lv_sql_tree *t, uint32_t i); /* absent/false: 0 */
/* Whether the subtree of i contains a node of type name (a key "name":). */
int lv_sql_contains(const lv_sql_tree *t, uint32_t i, const char *name);
/* Whether subtrees a and b are the same, locations aside. */
int lv_sql_same(const lv_sql_tree *t, uint32_t a, uint32_t b);
/* The last string of a list of String nodes (funcname, typeName.names). */
uint32_t lv_sql_last_name(const lv_sql_tree *t, uint32_t list);

/* --- classification (sql_classify.c) ------------------------------------ */

/* A value in constant evaluation (sql_const.c). */
typedef enum lv_sql_vkind {
  LV_SQL_V_UNKNOWN = 0, /* not a constant, or not evaluated */
  LV_SQL_V_NULL,
  LV_SQL_V_BOOL,
  LV_SQL_V_INT,
  LV_SQL_V_FLOAT,
  LV_SQL_V_STR,  /* text */
  LV_SQL_V_BYTES /* bytea (decode(), convert_to()) */
} lv_sql_vkind;

typedef struct lv_sql_val {
  lv_sql_vkind kind;
  int b;
  int64_t i;
  double f;
  const char *s; /* text, bytes, or a numeric literal as written; arena or
                    tree; not NUL-terminated */
  size_t len;
} lv_sql_val;

/* PL/pgSQL variables that hold known constants (sql_plpgsql.c). Each has
 * a set of possible values, or none known (top). */
#define LV_SQL_MAX_VALUES 8    /* possible values kept per variable */
#define LV_SQL_MAX_VARIANTS 16 /* combinations tried for one expression */

typedef struct lv_sql_valset {
  int top; /* any value */
  int n;
  lv_sql_val v[LV_SQL_MAX_VALUES];
} lv_sql_valset;

typedef struct lv_sql_env {
  int n;              /* variables */
  const char **names; /* NUL-terminated, as the SQL parser folds them */
  lv_sql_valset *sets;
  int *choice; /* while trying combinations: the value taken, or -1 */
} lv_sql_env;

/* Nested SQL parsed in one call (bodies, expressions, dynamic texts), and
 * PL/pgSQL statements interpreted: past these the rest is unresolved. */
#define LV_SQL_MAX_PARSES 20000
#define LV_SQL_MAX_PL_STEPS 200000
/* libpg_query 15-4.0.0 leaks one small allocation (its parser's captured
 * stderr) each time its PL/pgSQL parser fails on a body. Past this many
 * failures in the process, PL/pgSQL bodies are no longer parsed but
 * reported unresolved, so that what clients send cannot grow memory
 * without end (about 3 MB at the limit). */
#define LV_SQL_MAX_PLPGSQL_FAILURES 100000
/* Bytes of strings built by constant evaluation in one call. */
#define LV_SQL_MAX_EVAL_BYTES (16u << 20)
/* Recursion of constant evaluation and tree comparison. */
#define LV_SQL_MAX_EVAL_DEPTH 64

typedef struct lv_sql_ctx {
  lv_sql_statement *cur; /* the top-level statement being classified */
  const char *where;     /* what nested SQL is being read ("DO block") */
  int scs;               /* standard_conforming_strings of the session */
  int scs_changes;       /* the text sets standard_conforming_strings itself */
  int depth;             /* nesting of bodies and dynamic SQL */
  unsigned parses;       /* nested parses so far */
  unsigned pl_steps;
  lv_sql_env *env;  /* PL/pgSQL variables in scope, or NULL */
  lv_arena arena;   /* evaluation strings, nested texts */
  int status;       /* LEVEE_ENOMEM once an allocation failed */
  int beyond_shape; /* the walk met a node whose verdict may depend on more
                       than the text's shape (sql_cache.c) */
} lv_sql_ctx;

/* Adds bit to the current statement; the first bit found sets the reason
 * (printf-style). */
void lv_sql_flag(lv_sql_ctx *c, unsigned bit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* How a nested text is read. */
enum {
  LV_SQL_NESTED_SQL = 0,  /* SQL statements */
  LV_SQL_NESTED_BODY = 1, /* a function body, kept to run later: read with
                             standard_conforming_strings either way when it
                             has a backslash */
};
/* Classifies SQL text[0..len) found inside the statement (a function body,
 * a resolved dynamic EXECUTE, dblink's SQL) into c->cur. what names it in
 * reasons ("dynamic EXECUTE"). Returns 0 or LEVEE_ENOMEM. */
int lv_sql_classify_nested(lv_sql_ctx *c, const char *text, size_t len, int how,
                           const char *what);
/* Walks the tree t (SQL statements or an expression) from token from to
 * token to, classifying every node into c->cur. stmt_text is the statement
 * the nodes belong to (PL/pgSQL needs it whole). */
void lv_sql_walk(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t from,
                 uint32_t to, const char *stmt_text, size_t stmt_len);

/* Walks every statement of the parsed text t (text[0..len) is what it was
 * parsed from) into c->cur. */
void lv_sql_walk_all(lv_sql_ctx *c, const lv_sql_tree *t, const char *text,
                     size_t len);
/* Parses text (NUL-terminated) with the context's settings and reads the
 * tree; json is owned by the caller afterwards (free()). Returns 0, or
 * LEVEE_ESYNTAX with the parser's message in msg, or LEVEE_ENOMEM. */
int lv_sql_parse(lv_sql_ctx *c, const char *text, size_t len, int scs,
                 lv_sql_tree *t, char **json, char *msg, size_t msg_cap);

/* --- the shape cache (sql_cache.c) -------------------------------------- */

/* 1 when a node of this type (a parse-tree node name, not NUL-terminated)
 * is one whose classification depends only on the text's shape: a plain
 * read (SELECT, its expressions, its FROM), where no handler looks at
 * constants and no number in the text changes the tree but as a
 * constant. The walk marks a statement with any other node beyond_shape. */
int lv_sql_shape_node(const char *name, size_t len);

/* --- constants (sql_const.c) --------------------------------------------- */

/* Evaluates expression node e of t (column references unknown, PL/pgSQL
 * variables from c->env). */
void lv_sql_eval(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e,
                 lv_sql_val *out);
/* Whether a WHERE (or a MERGE join) lets every row through: it evaluates
 * to true, or it has no row reference and is not provably false or null
 * (the rule is spelled out in sql_const.c). */
int lv_sql_always_true(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e);
/* The possible values of expression e as text, trying each combination of
 * the PL/pgSQL variables' known values. Returns the number of values (NULLs
 * left out: EXECUTE of NULL fails), or -1 when some value is not known. */
int lv_sql_eval_texts(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e,
                      lv_sql_val *out, int cap);
/* The possible values of e (any kind), into set (top when unknown). */
void lv_sql_eval_set(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t e,
                     lv_sql_valset *set);

/* --- PL/pgSQL (sql_plpgsql.c) --------------------------------------------- */

/* Classifies a DO block or a CREATE FUNCTION/PROCEDURE in LANGUAGE plpgsql
 * whose whole statement is stmt[0..len): its body through libpg_query's
 * PL/pgSQL parser, every SQL statement and expression in it, and dynamic
 * EXECUTE resolved from constants. */
int lv_sql_plpgsql(lv_sql_ctx *c, const char *stmt, size_t len, int is_body);

/* --- encodings (sql_encoding.c) ------------------------------------------- */

/* Converts in[0..n) from the client encoding (PostgreSQL's name or alias;
 * NULL is UTF8) to UTF-8 in *out (malloc, NUL-terminated, *out_len bytes).
 * Returns 0; LEVEE_EENCODING with why (an encoding not supported, bytes
 * that are not valid in it); LEVEE_ENOMEM. */
int lv_sql_to_utf8(const char *encoding, const char *in, size_t n, char **out,
                   size_t *out_len, char *why, size_t why_cap);

#endif
