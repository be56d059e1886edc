/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sql_plpgsql.c: PL/pgSQL bodies (DO blocks, CREATE FUNCTION/PROCEDURE ...
 * LANGUAGE plpgsql), for the classifier (sql_classify.c).
 *
 * libpg_query's PL/pgSQL parser turns the statement into a tree of
 * PL/pgSQL statements whose SQL is kept as text ("query" of each
 * PLpgSQL_expr). Every such text is parsed and walked like any SQL: whole
 * statements (INSERT ..., PERFORM ..., RETURN QUERY ...) as they are,
 * expressions (IF conditions, RAISE arguments, assignments) as SELECT
 * <expr>. Dynamic SQL (EXECUTE, FOR ... IN EXECUTE, RETURN QUERY EXECUTE)
 * is evaluated to text from constants (sql_const.c) and that text
 * classified in turn; when it cannot be, the statement is unresolved.
 *
 * Variables that hold built-up strings are followed by a small abstract
 * interpretation of the body: each variable declared in the body has a set
 * of possible values (LV_SQL_MAX_VALUES) or "any"; assignments replace the
 * set, IF/CASE branches and exception handlers are joined (the set before a
 * branch is always kept, so a skipped branch is covered), and loops are
 * run until the sets stop changing (three passes, then what still changes
 * is "any"). Parameters, loop variables, INTO targets, GET DIAGNOSTICS
 * targets and element or field assignments make a variable "any". This
 * over-approximates: a value that cannot happen at run time may be
 * classified, never the other way round.
 *
 * libpg_query's PL/pgSQL parser does not know types: cursor variables
 * (OPEN, FETCH, FOR ... IN cursor) make it fail, and such a body is
 * unresolved ("PL/pgSQL body not understood").
 */
#include <pg_query.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "sql/sql_int.h"

extern __thread bool standard_conforming_strings;

/* How a PLpgSQL_expr's text is read. */
typedef enum expr_mode {
  M_EXPR,   /* an expression: SELECT <text> */
  M_ASSIGN, /* target := expression */
  M_STMT,   /* a whole SQL statement */
  M_DYN,    /* an expression giving SQL text to run */
  M_ANY,    /* an expression, or failing that a statement */
} expr_mode;

/* Failed PL/pgSQL parses in this process (LV_SQL_MAX_PLPGSQL_FAILURES). */
static atomic_ulong plpgsql_failures;

int lv_sql_plpgsql_off(void) {
  return atomic_load(&plpgsql_failures) >= LV_SQL_MAX_PLPGSQL_FAILURES;
}

/* PL/pgSQL statements nested deeper than this are not followed. */
#define PL_MAX_NESTING 64

typedef struct pl_expr {
  int state; /* 0 not parsed yet, 1 parsed, -1 failed */
  char *json;
  lv_sql_tree tree;
  uint32_t root; /* the expression, for M_EXPR/M_ASSIGN/M_DYN */
  int subscript; /* an assignment to an element: the variable is "any" */
  const char *text;
  size_t len;
} pl_expr;

typedef struct pl_fn {
  lv_sql_ctx *c;
  const lv_sql_tree *t; /* the PL/pgSQL tree */
  uint32_t datums;
  uint32_t n_datums;
  int *var_of;  /* datum -> variable, or -1 */
  int *tracked; /* variable: its values are followed */
  lv_sql_env env;
  uint32_t *cache_of; /* token -> index in exprs + 1 */
  pl_expr **exprs;    /* each allocated alone: callers keep pointers */
  uint32_t n_exprs, cap_exprs;
  int stop;
} pl_fn;

/* --- value sets ----------------------------------------------------------- */

static lv_sql_valset *sets_new(const pl_fn *f) {
  return calloc((size_t)(f->env.n ? f->env.n : 1), sizeof(lv_sql_valset));
}

static lv_sql_valset *sets_copy(pl_fn *f, const lv_sql_valset *s) {
  lv_sql_valset *d = sets_new(f);
  if (!d) {
    f->c->status = LEVEE_ENOMEM;
    return NULL;
  }
  memcpy(d, s, (size_t)f->env.n * sizeof *d);
  return d;
}

static int val_eq(const lv_sql_val *a, const lv_sql_val *b) {
  if (a->kind != b->kind)
    return 0;
  switch (a->kind) {
  case LV_SQL_V_BOOL: return a->b == b->b;
  case LV_SQL_V_INT: return a->i == b->i;
  case LV_SQL_V_FLOAT: return a->f == b->f;
  case LV_SQL_V_STR:
  case LV_SQL_V_BYTES:
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
  default: return 1;
  }
}

static int set_has(const lv_sql_valset *s, const lv_sql_val *v) {
  for (int k = 0; k < s->n; k++)
    if (val_eq(&s->v[k], v))
      return 1;
  return 0;
}

static void set_join(lv_sql_valset *d, const lv_sql_valset *s) {
  if (d->top)
    return;
  if (s->top) {
    d->top = 1;
    return;
  }
  for (int k = 0; k < s->n && !d->top; k++) {
    if (set_has(d, &s->v[k]))
      continue;
    if (d->n == LV_SQL_MAX_VALUES)
      d->top = 1;
    else
      d->v[d->n++] = s->v[k];
  }
}

static int set_eq(const lv_sql_valset *a, const lv_sql_valset *b) {
  if (a->top || b->top)
    return a->top == b->top;
  if (a->n != b->n)
    return 0;
  for (int k = 0; k < a->n; k++)
    if (!set_has(b, &a->v[k]))
      return 0;
  return 1;
}

static void sets_join(const pl_fn *f, lv_sql_valset *d,
                      const lv_sql_valset *s) {
  for (int k = 0; k < f->env.n; k++)
    set_join(&d[k], &s[k]);
}

static int sets_eq(const pl_fn *f, const lv_sql_valset *a,
                   const lv_sql_valset *b) {
  for (int k = 0; k < f->env.n; k++)
    if (!set_eq(&a[k], &b[k]))
      return 0;
  return 1;
}

/* --- expressions ---------------------------------------------------------- */

static int ident_byte(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' || ch >= 0x80;
}

/* Skips blanks and comments from q[p]. */
static size_t skip_blank(const char *q, size_t n, size_t p) {
  for (;;) {
    while (p < n && (q[p] == ' ' || q[p] == '\t' || q[p] == '\n' ||
                     q[p] == '\r' || q[p] == '\f'))
      p++;
    if (p + 1 < n && q[p] == '-' && q[p + 1] == '-') {
      while (p < n && q[p] != '\n')
        p++;
      continue;
    }
    if (p + 1 < n && q[p] == '/' && q[p + 1] == '*') {
      int depth = 0;
      while (p + 1 < n) {
        if (q[p] == '/' && q[p + 1] == '*') {
          depth++;
          p += 2;
        } else if (q[p] == '*' && q[p + 1] == '/') {
          p += 2;
          if (--depth == 0)
            break;
        } else {
          p++;
        }
      }
      if (depth)
        return n;
      continue;
    }
    return p;
  }
}

/* "v := expr", "v = expr", "blk.v := expr", "a[1] := expr": where expr
 * starts (0: not an assignment), and whether the target has a subscript. */
static size_t split_assign(const char *q, size_t n, int *subscript) {
  size_t p = 0;
  *subscript = 0;
  for (;;) {
    p = skip_blank(q, n, p);
    if (p >= n)
      return 0;
    if (q[p] == '"') {
      for (p++; p < n; p++)
        if (q[p] == '"') {
          if (p + 1 < n && q[p + 1] == '"')
            p++;
          else
            break;
        }
      p++;
    } else if (ident_byte((unsigned char)q[p])) {
      while (p < n && ident_byte((unsigned char)q[p]))
        p++;
    } else if (q[p] == '.') {
      p++;
    } else if (q[p] == '[') {
      *subscript = 1;
      int depth = 0;
      for (; p < n; p++) {
        if (q[p] == '\'') {
          for (p++; p < n && q[p] != '\''; p++)
            ;
        } else if (q[p] == '[') {
          depth++;
        } else if (q[p] == ']' && --depth == 0) {
          break;
        }
      }
      p++;
    } else {
      break;
    }
  }
  if (p + 1 < n && q[p] == ':' && q[p + 1] == '=')
    return p + 2;
  if (p < n && q[p] == '=')
    return p + 1;
  return 0;
}

/* The expression of SELECT <expr>: stmts[0].stmt.SelectStmt.targetList[0]
 * .ResTarget.val. */
static uint32_t select_expr(const lv_sql_tree *t) {
  uint32_t stmts = lv_sql_get(t, 0, "stmts");
  uint32_t raw = lv_sql_first(t, stmts);
  uint32_t sel =
      raw ? lv_sql_node_is(t, lv_sql_get(t, raw, "stmt"), "SelectStmt") : 0;
  uint32_t tl = sel ? lv_sql_first(t, lv_sql_get(t, sel, "targetList")) : 0;
  uint32_t rt = tl ? lv_sql_node_is(t, tl, "ResTarget") : 0;
  return rt ? lv_sql_get(t, rt, "val") : 0;
}

static int parse_text(pl_fn *f, pl_expr *x, const char *prefix, const char *q,
                      size_t n, char *msg, size_t cap) {
  lv_sql_ctx *c = f->c;
  size_t pl = strlen(prefix);
  char *text = lv_arena_alloc(&c->arena, pl + n + 1);
  if (!text) {
    snprintf(msg, cap, "too large to check");
    return LEVEE_ESYNTAX;
  }
  memcpy(text, prefix, pl);
  memcpy(text + pl, q, n);
  text[pl + n] = '\0';
  lv_sql_tree_init(&x->tree, NULL, 0);
  int rc = lv_sql_parse(c, text, pl + n, c->scs, &x->tree, &x->json, msg, cap);
  if (rc == LEVEE_ENOMEM)
    c->status = LEVEE_ENOMEM;
  if (rc != LEVEE_OK) {
    lv_sql_tree_cleanup(&x->tree);
    return rc;
  }
  x->text = text;
  x->len = pl + n;
  return LEVEE_OK;
}

/* The parsed form of the PLpgSQL_expr at token tok (parsed once). */
static pl_expr *get_expr(pl_fn *f, uint32_t tok, expr_mode mode) {
  lv_sql_ctx *c = f->c;
  const lv_sql_tree *t = f->t;
  if (f->cache_of[tok]) {
    pl_expr *x = f->exprs[f->cache_of[tok] - 1];
    return x->state == 1 ? x : NULL;
  }
  if (f->n_exprs == f->cap_exprs) {
    uint32_t cap = f->cap_exprs ? f->cap_exprs * 2 : 16;
    pl_expr **ne = realloc(f->exprs, (size_t)cap * sizeof(pl_expr *));
    if (!ne) {
      c->status = LEVEE_ENOMEM;
      return NULL;
    }
    f->exprs = ne;
    f->cap_exprs = cap;
  }
  pl_expr *x = calloc(1, sizeof *x);
  if (!x) {
    c->status = LEVEE_ENOMEM;
    return NULL;
  }
  x->state = -1;
  f->exprs[f->n_exprs] = x;
  f->cache_of[tok] = ++f->n_exprs;
  if (++c->parses > LV_SQL_MAX_PARSES) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "too much nested SQL to check");
    f->stop = 1;
    return NULL;
  }
  uint32_t body = lv_sql_node_is(t, tok, "PLpgSQL_expr");
  size_t n = 0;
  const char *q =
      body ? lv_sql_str(t, lv_sql_get(t, body, "query"), &c->arena, &n) : NULL;
  if (!q) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "PL/pgSQL expression not understood");
    return NULL;
  }
  char msg[LV_SQL_REASON_MAX] = "";
  int rc;
  if (mode == M_STMT) {
    rc = parse_text(f, x, "", q, n, msg, sizeof msg);
  } else if (mode == M_ASSIGN) {
    size_t at = split_assign(q, n, &x->subscript);
    rc = at ? parse_text(f, x, "SELECT ", q + at, n - at, msg, sizeof msg)
            : LEVEE_ESYNTAX;
  } else {
    rc = parse_text(f, x, "SELECT ", q, n, msg, sizeof msg);
    if (rc == LEVEE_ESYNTAX && mode == M_ANY)
      rc = parse_text(f, x, "", q, n, msg, sizeof msg);
  }
  if (rc != LEVEE_OK) {
    if (c->status == LEVEE_OK)
      lv_sql_flag(c, LV_SQL_UNRESOLVED,
                  "PL/pgSQL expression not understood%s%s", msg[0] ? ": " : "",
                  msg);
    return NULL;
  }
  x->state = 1;
  if (mode != M_STMT)
    x->root = select_expr(&x->tree);
  return x;
}

/* Parses (once), classifies and, for dynamic SQL, resolves one
 * PLpgSQL_expr with the variables' values st. */
static pl_expr *expr(pl_fn *f, uint32_t tok, expr_mode mode,
                     lv_sql_valset *st) {
  lv_sql_ctx *c = f->c;
  if (f->stop || c->status != LEVEE_OK || !tok)
    return NULL;
  pl_expr *x = get_expr(f, tok, mode);
  if (!x)
    return NULL;
  lv_sql_env *env_before = c->env;
  f->env.sets = st;
  c->env = &f->env;
  lv_sql_walk_all(c, &x->tree, x->text, x->len);
  if (mode == M_DYN && c->status == LEVEE_OK) {
    lv_sql_val vals[LV_SQL_MAX_VALUES];
    int n = x->root ? lv_sql_eval_texts(c, &x->tree, x->root, vals,
                                        LV_SQL_MAX_VALUES)
                    : -1;
    c->env = env_before;
    if (n < 0)
      lv_sql_flag(c, LV_SQL_UNRESOLVED, "dynamic EXECUTE of text not known");
    for (int k = 0; k < n && c->status == LEVEE_OK; k++)
      lv_sql_classify_nested(c, vals[k].s, vals[k].len, LV_SQL_NESTED_SQL,
                             "dynamic EXECUTE");
  }
  c->env = env_before;
  return x;
}

/* The values of an expression into *set (any when not known). */
static void expr_values(pl_fn *f, pl_expr *x, lv_sql_valset *st,
                        lv_sql_valset *set) {
  lv_sql_ctx *c = f->c;
  if (!x || !x->root) {
    memset(set, 0, sizeof *set);
    set->top = 1;
    return;
  }
  lv_sql_env *env_before = c->env;
  f->env.sets = st;
  c->env = &f->env;
  lv_sql_eval_set(c, &x->tree, x->root, set);
  c->env = env_before;
}

/* --- statements ----------------------------------------------------------- */

static void run_list(pl_fn *f, uint32_t arr, lv_sql_valset *st, int depth);

/* Members of a statement that hold statements (run by the statement's own
 * code), not expressions. */
static int is_list_member(const lv_sql_tree *t, uint32_t key) {
  static const char *const lists[] = {
      "body",   "then_body",  "else_body",      "stmts",     "else_stmts",
      "action", "elsif_list", "case_when_list", "exceptions"};
  for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
    if (lv_sql_str_eq(t, key, lists[k]))
      return 1;
  return 0;
}

/* How the expression in member key of a statement of type stmt is read. */
static expr_mode mode_of(const lv_sql_tree *t, const char *stmt, size_t sl,
                         uint32_t key) {
#define STMT_IS(s) (sl == sizeof(s) - 1 && memcmp(stmt, s, sl) == 0)
  if (lv_sql_str_eq(t, key, "sqlstmt"))
    return M_STMT;
  if (lv_sql_str_eq(t, key, "dynquery"))
    return M_DYN;
  if (lv_sql_str_eq(t, key, "query"))
    return STMT_IS("PLpgSQL_stmt_dynexecute") || STMT_IS("PLpgSQL_stmt_dynfors")
               ? M_DYN
               : M_STMT;
  if (lv_sql_str_eq(t, key, "expr")) {
    if (STMT_IS("PLpgSQL_stmt_perform") || STMT_IS("PLpgSQL_stmt_call"))
      return M_STMT;
    if (STMT_IS("PLpgSQL_stmt_assign"))
      return M_ASSIGN;
    return M_EXPR;
  }
  if (lv_sql_str_eq(t, key, "argquery"))
    return M_ANY;
  return M_EXPR;
#undef STMT_IS
}

/* Every expression of a statement (lists of statements aside). */
static void stmt_exprs(pl_fn *f, const char *stmt, size_t sl, uint32_t body,
                       lv_sql_valset *st) {
  const lv_sql_tree *t = f->t;
  uint32_t end = t->toks[body].next;
  for (uint32_t m = body + 1; m + 1 < end && !f->stop;
       m = t->toks[m + 1].next) {
    uint32_t v = m + 1;
    if (is_list_member(t, m))
      continue;
    if (lv_sql_node_is(t, v, "PLpgSQL_expr")) {
      expr_mode mode = mode_of(t, stmt, sl, m);
      if (mode == M_ASSIGN)
        continue; /* the assignment's own code reads it */
      expr(f, v, mode, st);
    } else if (lv_sql_tok_kind(t, v) == '[') {
      /* params, raise options: expressions, possibly in a wrapper */
      for (uint32_t e = lv_sql_first(t, v); e && !f->stop;
           e = lv_sql_after(t, v, e)) {
        if (lv_sql_node_is(t, e, "PLpgSQL_expr")) {
          expr(f, e, M_EXPR, st);
          continue;
        }
        const char *en;
        size_t el;
        uint32_t eb = lv_sql_node(t, e, &en, &el);
        uint32_t x = eb ? lv_sql_get(t, eb, "expr") : 0;
        if (x && lv_sql_node_is(t, x, "PLpgSQL_expr"))
          expr(f, x, M_EXPR, st);
      }
    }
  }
}

static void assign(pl_fn *f, uint32_t body, lv_sql_valset *st) {
  const lv_sql_tree *t = f->t;
  pl_expr *x = expr(f, lv_sql_get(t, body, "expr"), M_ASSIGN, st);
  int64_t varno = -1;
  uint32_t vn = lv_sql_get(t, body, "varno");
  if (!vn || !lv_sql_int(t, vn, &varno) || varno < 0 ||
      (uint64_t)varno >= f->n_datums)
    return;
  int var = f->var_of[varno];
  if (var < 0 || !f->tracked[var])
    return;
  lv_sql_valset set;
  if (!x || x->subscript) {
    memset(&set, 0, sizeof set);
    set.top = 1;
  } else {
    expr_values(f, x, st, &set);
  }
  st[var] = set;
}

/* Branches (IF, CASE): each runs from st; st becomes the join of st and
 * every branch's end. */
static void branch(pl_fn *f, uint32_t list, lv_sql_valset *st,
                   lv_sql_valset *out, int depth) {
  if (!list || f->stop)
    return;
  lv_sql_valset *b = sets_copy(f, st);
  if (!b)
    return;
  run_list(f, list, b, depth);
  sets_join(f, out, b);
  free(b);
}

/* A loop: the body runs until the variables' sets settle. */
static void loop(pl_fn *f, const char *stmt, size_t sl, uint32_t body,
                 lv_sql_valset *st, int depth) {
  const lv_sql_tree *t = f->t;
  uint32_t list = lv_sql_get(t, body, "body");
  lv_sql_valset *b = NULL;
  int settled = 0;
  for (int pass = 0; pass < 3 && !f->stop && f->c->status == LEVEE_OK; pass++) {
    stmt_exprs(f, stmt, sl, body, st);
    b = sets_copy(f, st);
    if (!b)
      return;
    run_list(f, list, b, depth);
    sets_join(f, b, st);
    settled = sets_eq(f, b, st);
    memcpy(st, b, (size_t)f->env.n * sizeof *st);
    free(b);
    if (settled)
      return;
  }
  if (f->stop || f->c->status != LEVEE_OK)
    return;
  /* still changing: what changes is any value; one more pass reads it so */
  b = sets_copy(f, st);
  if (!b)
    return;
  run_list(f, list, b, depth);
  for (int k = 0; k < f->env.n; k++)
    if (!set_eq(&b[k], &st[k]))
      st[k].top = 1;
  free(b);
  stmt_exprs(f, stmt, sl, body, st);
  b = sets_copy(f, st);
  if (b) {
    run_list(f, list, b, depth);
    free(b);
  }
}

static void run_stmt(pl_fn *f, uint32_t node, lv_sql_valset *st, int depth) {
  lv_sql_ctx *c = f->c;
  const lv_sql_tree *t = f->t;
  if (f->stop || c->status != LEVEE_OK)
    return;
  if (++c->pl_steps > LV_SQL_MAX_PL_STEPS || depth > PL_MAX_NESTING) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "PL/pgSQL body too large to check");
    f->stop = 1;
    return;
  }
  const char *name;
  size_t nl;
  uint32_t body = lv_sql_node(t, node, &name, &nl);
  if (!body)
    return;
#define IS(s) (nl == sizeof(s) - 1 && memcmp(name, s, nl) == 0)
  if (IS("PLpgSQL_stmt_assign")) {
    assign(f, body, st);
  } else if (IS("PLpgSQL_stmt_block")) {
    lv_sql_valset *in = sets_copy(f, st);
    if (!in)
      return;
    run_list(f, lv_sql_get(t, body, "body"), st, depth + 1);
    uint32_t exb = lv_sql_node_is(t, lv_sql_get(t, body, "exceptions"),
                                  "PLpgSQL_exception_block");
    uint32_t excs = exb ? lv_sql_get(t, exb, "exc_list") : 0;
    if (excs) {
      /* a handler may start anywhere in the body */
      lv_sql_valset *h_in = sets_copy(f, st);
      if (h_in) {
        sets_join(f, h_in, in);
        for (uint32_t e = lv_sql_first(t, excs); e;
             e = lv_sql_after(t, excs, e)) {
          uint32_t ex = lv_sql_node_is(t, e, "PLpgSQL_exception");
          if (ex)
            branch(f, lv_sql_get(t, ex, "action"), h_in, st, depth + 1);
        }
        free(h_in);
      }
    }
    free(in);
  } else if (IS("PLpgSQL_stmt_if") || IS("PLpgSQL_stmt_case")) {
    stmt_exprs(f, name, nl, body, st);
    lv_sql_valset *out = sets_copy(f, st);
    if (!out)
      return;
    branch(f, lv_sql_get(t, body, "then_body"), st, out, depth + 1);
    branch(f, lv_sql_get(t, body, "else_body"), st, out, depth + 1);
    branch(f, lv_sql_get(t, body, "else_stmts"), st, out, depth + 1);
    uint32_t alts = lv_sql_get(
        t, body, IS("PLpgSQL_stmt_if") ? "elsif_list" : "case_when_list");
    for (uint32_t e = lv_sql_first(t, alts); e; e = lv_sql_after(t, alts, e)) {
      const char *an;
      size_t al;
      uint32_t ab = lv_sql_node(t, e, &an, &al);
      if (!ab)
        continue;
      expr(f, lv_sql_get(t, ab, IS("PLpgSQL_stmt_if") ? "cond" : "expr"),
           M_EXPR, st);
      branch(f, lv_sql_get(t, ab, "stmts"), st, out, depth + 1);
    }
    memcpy(st, out, (size_t)f->env.n * sizeof *st);
    free(out);
  } else if (IS("PLpgSQL_stmt_loop") || IS("PLpgSQL_stmt_while") ||
             IS("PLpgSQL_stmt_fori") || IS("PLpgSQL_stmt_fors") ||
             IS("PLpgSQL_stmt_forc") || IS("PLpgSQL_stmt_foreach_a") ||
             IS("PLpgSQL_stmt_dynfors")) {
    loop(f, name, nl, body, st, depth + 1);
  } else if (nl > 13 && memcmp(name, "PLpgSQL_stmt_", 13) == 0) {
    /* execsql, dynexecute, perform, call, return*, raise, assert, exit,
     * getdiag, open, fetch, close, commit, rollback: expressions only */
    stmt_exprs(f, name, nl, body, st);
  } else {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "PL/pgSQL statement %.*s not understood",
                (int)nl, name);
  }
#undef IS
}

static void run_list(pl_fn *f, uint32_t arr, lv_sql_valset *st, int depth) {
  const lv_sql_tree *t = f->t;
  for (uint32_t e = lv_sql_first(t, arr); e && !f->stop;
       e = lv_sql_after(t, arr, e))
    run_stmt(f, e, st, depth);
}

/* --- variables ------------------------------------------------------------ */

/* Marks the variables named name as "any". */
static void taint_name(pl_fn *f, const char *name, size_t n) {
  for (int k = 0; k < f->env.n; k++)
    if (strlen(f->env.names[k]) == n && memcmp(f->env.names[k], name, n) == 0)
      f->tracked[k] = 0;
}

static void taint_datum(pl_fn *f, int64_t d) {
  if (d >= 0 && (uint64_t)d < f->n_datums && f->var_of[d] >= 0)
    f->tracked[f->var_of[d]] = 0;
}

/* Variables written other than by an assignment: every "varno" outside an
 * assignment, every numeric "target", every "refname" (loop variables)
 * from index from to to. */
static void taint_writes(pl_fn *f, uint32_t from, uint32_t to, int names) {
  const lv_sql_tree *t = f->t;
  uint32_t assign_varno = 0;
  for (uint32_t i = from; i < to; i++) {
    if (lv_sql_tok_kind(t, i) != '{')
      continue;
    uint32_t ab = lv_sql_node_is(t, i, "PLpgSQL_stmt_assign");
    if (ab)
      assign_varno = lv_sql_get(t, ab, "varno");
    uint32_t end = t->toks[i].next;
    for (uint32_t m = i + 1; m + 1 < end; m = t->toks[m + 1].next) {
      int64_t d;
      if ((lv_sql_str_eq(t, m, "varno") && m + 1 != assign_varno) ||
          lv_sql_str_eq(t, m, "target")) {
        if (lv_sql_int(t, m + 1, &d))
          taint_datum(f, d);
      } else if (names && lv_sql_str_eq(t, m, "refname")) {
        size_t n;
        const char *s = lv_sql_str(t, m + 1, &f->c->arena, &n);
        if (s)
          taint_name(f, s, n);
      }
    }
  }
}

static int setup(pl_fn *f, uint32_t fn_body) {
  lv_sql_ctx *c = f->c;
  const lv_sql_tree *t = f->t;
  f->datums = lv_sql_get(t, fn_body, "datums");
  f->n_datums = lv_sql_count(t, f->datums);
  size_t nd = f->n_datums ? f->n_datums : 1;
  f->var_of = malloc(nd * sizeof *f->var_of);
  f->env.names = malloc(nd * sizeof *f->env.names);
  f->env.choice = malloc(nd * sizeof *f->env.choice);
  f->tracked = calloc(nd, sizeof *f->tracked);
  f->cache_of = calloc(t->n, sizeof *f->cache_of);
  if (!f->var_of || !f->env.names || !f->env.choice || !f->tracked ||
      !f->cache_of)
    return LEVEE_ENOMEM;
  uint32_t d = lv_sql_first(t, f->datums);
  for (uint32_t k = 0; k < f->n_datums;
       k++, d = lv_sql_after(t, f->datums, d)) {
    f->var_of[k] = -1;
    uint32_t body = lv_sql_node_is(t, d, "PLpgSQL_var");
    int is_var = body != 0;
    if (!body)
      body = lv_sql_node_is(t, d, "PLpgSQL_rec");
    size_t n;
    const char *name =
        body ? lv_sql_str(t, lv_sql_get(t, body, "refname"), &c->arena, &n)
             : NULL;
    char *copy = name ? lv_arena_strndup(&c->arena, name, n) : NULL;
    if (!copy)
      continue;
    int v = f->env.n++;
    f->var_of[k] = v;
    f->env.names[v] = copy;
    f->env.choice[v] = -1;
    /* followed: declared in the body (has a line), not a record, and not
     * an exception's SQLSTATE/SQLERRM (constants without a default) */
    f->tracked[v] = is_var && lv_sql_get(t, body, "lineno") &&
                    !(lv_sql_bool(t, lv_sql_get(t, body, "isconst")) &&
                      !lv_sql_get(t, body, "default_val"));
  }
  /* a name declared twice (nested blocks) is not followed */
  for (int a = 0; a < f->env.n; a++)
    for (int b = a + 1; b < f->env.n; b++)
      if (strcmp(f->env.names[a], f->env.names[b]) == 0)
        f->tracked[a] = f->tracked[b] = 0;
  if (f->datums)
    taint_writes(f, f->datums, t->toks[f->datums].next, 0);
  uint32_t action = lv_sql_get(t, fn_body, "action");
  if (action)
    taint_writes(f, action, t->toks[action].next, 1);
  return LEVEE_OK;
}

/* Initial values: each declared variable's default (or NULL); cursor
 * queries and defaults classified. */
static void declare(pl_fn *f, lv_sql_valset *st) {
  const lv_sql_tree *t = f->t;
  for (int v = 0; v < f->env.n; v++)
    st[v].top = 1;
  uint32_t d = lv_sql_first(t, f->datums);
  for (uint32_t k = 0; k < f->n_datums && d && !f->stop;
       k++, d = lv_sql_after(t, f->datums, d)) {
    uint32_t body = lv_sql_node_is(t, d, "PLpgSQL_var");
    if (!body)
      continue;
    pl_expr *x = expr(f, lv_sql_get(t, body, "default_val"), M_EXPR, st);
    expr(f, lv_sql_get(t, body, "cursor_explicit_expr"), M_STMT, st);
    int v = f->var_of[k];
    if (v < 0 || !f->tracked[v])
      continue;
    lv_sql_valset set;
    if (x) {
      expr_values(f, x, st, &set);
    } else {
      memset(&set, 0, sizeof set);
      if (lv_sql_get(t, body, "default_val"))
        set.top = 1;
      else
        set.v[set.n++].kind = LV_SQL_V_NULL;
    }
    st[v] = set;
  }
}

static void pl_fn_cleanup(pl_fn *f) {
  for (uint32_t k = 0; k < f->n_exprs; k++) {
    lv_sql_tree_cleanup(&f->exprs[k]->tree);
    free(f->exprs[k]->json);
    free(f->exprs[k]);
  }
  free(f->exprs);
  free(f->cache_of);
  free(f->var_of);
  free(f->tracked);
  free(f->env.names);
  free(f->env.choice);
}

static void run_function(lv_sql_ctx *c, const lv_sql_tree *t, uint32_t fn) {
  uint32_t body = lv_sql_node_is(t, fn, "PLpgSQL_function");
  if (!body)
    return;
  pl_fn f;
  memset(&f, 0, sizeof f);
  f.c = c;
  f.t = t;
  lv_sql_valset *st = NULL;
  if (setup(&f, body) != LEVEE_OK || !(st = sets_new(&f))) {
    c->status = LEVEE_ENOMEM;
    goto out;
  }
  declare(&f, st);
  uint32_t action = lv_sql_get(t, body, "action");
  if (action && !f.stop)
    run_stmt(&f, action, st, 0);
out:
  free(st);
  pl_fn_cleanup(&f);
}

int lv_sql_plpgsql(lv_sql_ctx *c, const char *stmt, size_t len, int is_body) {
  if (c->status != LEVEE_OK)
    return c->status;
  const char *where_before = c->where;
  lv_sql_env *env_before = c->env;
  int scs_before = c->scs;
  c->where = is_body ? "function body" : "DO block";
  if (c->depth >= LV_SQL_MAX_DEPTH) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "SQL nested deeper than %d levels",
                LV_SQL_MAX_DEPTH);
    goto out;
  }
  if (++c->parses > LV_SQL_MAX_PARSES) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "too much nested SQL to check");
    goto out;
  }
  if (atomic_load(&plpgsql_failures) >= LV_SQL_MAX_PLPGSQL_FAILURES) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED,
                "PL/pgSQL not checked: its parser failed too often");
    goto out;
  }
  char *copy = lv_arena_strndup(&c->arena, stmt, len);
  if (!copy) {
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "PL/pgSQL body too large to check");
    goto out;
  }
  /* as in lv_sql_classify_nested: a body with a backslash is read with
   * standard_conforming_strings either way */
  int scs_v[2] = {c->scs, !c->scs};
  int variants = (is_body || c->scs_changes) && memchr(copy, '\\', len) ? 2 : 1;
  char msg[LV_SQL_REASON_MAX] = "";
  int parsed = 0;
  c->env = NULL;
  c->depth++;
  for (int v = 0; v < variants && c->status == LEVEE_OK; v++) {
    if (v > 0) {
      /* read the other way, the statement itself may not parse: libpg_query
       * leaks a little on that path of its PL/pgSQL parser, so ask its SQL
       * parser first */
      standard_conforming_strings = scs_v[v] != 0;
      PgQueryParseResult pr = pg_query_parse(copy);
      int bad = pr.error != NULL;
      pg_query_free_parse_result(pr);
      if (bad)
        continue;
    }
    standard_conforming_strings = scs_v[v] != 0;
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(copy);
    if (r.error) {
      atomic_fetch_add(&plpgsql_failures, 1);
      snprintf(msg, sizeof msg, "%s",
               r.error->message ? r.error->message : "?");
      pg_query_free_plpgsql_parse_result(r);
      continue;
    }
    lv_sql_tree t;
    lv_sql_tree_init(&t, NULL, 0);
    int rc = r.plpgsql_funcs ? lv_sql_tree_read(&t, r.plpgsql_funcs,
                                                strlen(r.plpgsql_funcs))
                             : LEVEE_ESYNTAX;
    if (rc == LEVEE_OK) {
      parsed = 1;
      c->scs = scs_v[v];
      for (uint32_t e = lv_sql_first(&t, 0); e && c->status == LEVEE_OK;
           e = lv_sql_after(&t, 0, e))
        run_function(c, &t, e);
      c->scs = scs_before;
    } else if (rc == LEVEE_ENOMEM) {
      c->status = LEVEE_ENOMEM;
    } else {
      snprintf(msg, sizeof msg, "parse tree not understood");
    }
    lv_sql_tree_cleanup(&t);
    pg_query_free_plpgsql_parse_result(r);
  }
  c->depth--;
  if (!parsed && c->status == LEVEE_OK)
    lv_sql_flag(c, LV_SQL_UNRESOLVED, "PL/pgSQL body not understood: %s", msg);
out:
  c->scs = scs_before;
  c->env = env_before;
  c->where = where_before;
  return c->status;
}
