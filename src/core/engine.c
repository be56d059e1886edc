/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.c: compiling a policy into an engine.
 *
 * Every detector a rule can reach registers its patterns with the compiler;
 * literals go into one Hyperscan literal database (hs_compile_lit_multi,
 * which compiles thousands in a fraction of a second), regexes and logical
 * combinations into one regex database. The serialized databases are cached
 * through the caller's cache ops under a SHA-256 of every pattern, flag and
 * the Hyperscan version, so a restart with the same policy skips compiling.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"
#include "core/normalize.h"
#include "util/buf.h"
#include "util/error.h"

#define CACHE_MAGIC "LVHSDB1\n"

typedef struct lit_entry {
  char *bytes;
  size_t len;
  unsigned id;
} lit_entry;

typedef struct re_entry {
  char *expr;
  unsigned id;
  unsigned flags;
} re_entry;

struct lv_compiler {
  levee_engine *e;
  uint16_t cur; /* detector instance being compiled */
  lit_entry *lits;
  size_t n_lits, cap_lits;
  re_entry *res;
  size_t n_res, cap_res;
  size_t cap_pats;
  lv_norm norm;
  int rc;
  char msg[200];
};

void lv_compiler_fail(lv_compiler *c, const char *fmt, ...) {
  if (c->rc)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->msg, sizeof c->msg, fmt, ap);
  va_end(ap);
  c->rc = LEVEE_ECOMPILE;
}

static int grow(void **p, size_t *cap, size_t n, size_t elem) {
  if (n < *cap)
    return LEVEE_OK;
  size_t nc = *cap ? *cap * 2 : 64;
  void *q = realloc(*p, nc * elem);
  if (!q)
    return LEVEE_ENOMEM;
  *p = q;
  *cap = nc;
  return LEVEE_OK;
}

static int new_pattern(lv_compiler *c, lv_role role, uint32_t tag, float weight,
                       int kind, uint32_t lit_len) {
  levee_engine *e = c->e;
  if (grow((void **)&e->pats, &c->cap_pats, e->n_pats, sizeof *e->pats))
    return c->rc = LEVEE_ENOMEM;
  lv_pattern_info *pi = &e->pats[e->n_pats];
  pi->detector = c->cur;
  pi->role = (uint8_t)role;
  pi->kind = (uint8_t)kind;
  pi->tag = tag;
  pi->lit_len = lit_len;
  pi->weight = weight;
  return (int)e->n_pats++;
}

int lv_compiler_literal(lv_compiler *c, lv_role role, uint32_t tag,
                        float weight, const char *s, size_t n) {
  if (c->rc)
    return c->rc;
  int rc = lv_normalize(&c->norm, s, n);
  if (rc)
    return c->rc = rc;
  if (c->norm.len == 0)
    return LEVEE_EINVAL;
  if (grow((void **)&c->lits, &c->cap_lits, c->n_lits, sizeof *c->lits))
    return c->rc = LEVEE_ENOMEM;
  int id =
      new_pattern(c, role, tag, weight, LV_PAT_LITERAL, (uint32_t)c->norm.len);
  if (id < 0)
    return id;
  lit_entry *l = &c->lits[c->n_lits];
  if (!(l->bytes = malloc(c->norm.len)))
    return c->rc = LEVEE_ENOMEM;
  memcpy(l->bytes, c->norm.text, c->norm.len);
  l->len = c->norm.len;
  l->id = (unsigned)id;
  c->n_lits++;
  return id;
}

static int add_re(lv_compiler *c, lv_role role, uint32_t tag, float weight,
                  const char *expr, unsigned flags) {
  if (c->rc)
    return c->rc;
  if (grow((void **)&c->res, &c->cap_res, c->n_res, sizeof *c->res))
    return c->rc = LEVEE_ENOMEM;
  int kind = (flags & HS_FLAG_COMBINATION) ? LV_PAT_COMBINATION : LV_PAT_REGEX;
  int id = new_pattern(c, role, tag, weight, kind, 0);
  if (id < 0)
    return id;
  re_entry *r = &c->res[c->n_res];
  if (!(r->expr = strdup(expr)))
    return c->rc = LEVEE_ENOMEM;
  r->id = (unsigned)id;
  r->flags = flags;
  c->n_res++;
  return id;
}

int lv_compiler_regex(lv_compiler *c, lv_role role, uint32_t tag, float weight,
                      const char *expr) {
  return add_re(c, role, tag, weight, expr,
                HS_FLAG_UTF8 | HS_FLAG_DOTALL | HS_FLAG_SOM_LEFTMOST);
}

int lv_compiler_quiet_regex(lv_compiler *c, const char *expr) {
  return add_re(c, LV_ROLE_AUX, 0, 0, expr,
                HS_FLAG_UTF8 | HS_FLAG_DOTALL | HS_FLAG_QUIET);
}

int lv_compiler_combination(lv_compiler *c, lv_role role, uint32_t tag,
                            float weight, const char *expr) {
  return add_re(c, role, tag, weight, expr, HS_FLAG_COMBINATION);
}

static void compiler_cleanup(lv_compiler *c) {
  for (size_t i = 0; i < c->n_lits; i++)
    free(c->lits[i].bytes);
  free(c->lits);
  for (size_t i = 0; i < c->n_res; i++)
    free(c->res[i].expr);
  free(c->res);
  lv_norm_cleanup(&c->norm);
}

/* The cache key: everything that determines the databases. */
static void compute_key(const lv_compiler *c, char out[65]) {
  crypto_hash_sha256_state st;
  unsigned char h[32];
  crypto_hash_sha256_init(&st);
  const char *ver = hs_version();
  crypto_hash_sha256_update(&st, (const unsigned char *)CACHE_MAGIC,
                            strlen(CACHE_MAGIC));
  crypto_hash_sha256_update(&st, (const unsigned char *)ver, strlen(ver) + 1);
  for (size_t i = 0; i < c->n_lits; i++) {
    uint64_t hdr[2] = {c->lits[i].id, c->lits[i].len};
    crypto_hash_sha256_update(&st, (const unsigned char *)hdr, sizeof hdr);
    crypto_hash_sha256_update(&st, (const unsigned char *)c->lits[i].bytes,
                              c->lits[i].len);
  }
  for (size_t i = 0; i < c->n_res; i++) {
    uint64_t hdr[2] = {c->res[i].id, c->res[i].flags};
    crypto_hash_sha256_update(&st, (const unsigned char *)hdr, sizeof hdr);
    crypto_hash_sha256_update(&st, (const unsigned char *)c->res[i].expr,
                              strlen(c->res[i].expr) + 1);
  }
  crypto_hash_sha256_final(&st, h);
  sodium_bin2hex(out, 65, h, sizeof h);
}

static int compile_dbs(lv_compiler *c, levee_error *err) {
  levee_engine *e = c->e;
  hs_compile_error_t *ce = NULL;
  if (c->n_lits) {
    const char **exprs = malloc(c->n_lits * sizeof *exprs);
    size_t *lens = malloc(c->n_lits * sizeof *lens);
    unsigned *ids = malloc(c->n_lits * sizeof *ids);
    unsigned *flags = calloc(c->n_lits, sizeof *flags);
    int rc = LEVEE_OK;
    if (!exprs || !lens || !ids || !flags)
      rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < c->n_lits; i++) {
      exprs[i] = c->lits[i].bytes;
      lens[i] = c->lits[i].len;
      ids[i] = c->lits[i].id;
    }
    if (!rc && hs_compile_lit_multi(exprs, flags, ids, lens,
                                    (unsigned)c->n_lits, HS_MODE_BLOCK, NULL,
                                    &e->lit_db, &ce) != HS_SUCCESS) {
      rc = lv_error_set(err, LEVEE_ECOMPILE, "literal database: %s",
                        ce ? ce->message : "unknown error");
      hs_free_compile_error(ce);
    }
    free(exprs);
    free(lens);
    free(ids);
    free(flags);
    if (rc)
      return rc;
  }
  if (c->n_res) {
    const char **exprs = malloc(c->n_res * sizeof *exprs);
    unsigned *ids = malloc(c->n_res * sizeof *ids);
    unsigned *flags = malloc(c->n_res * sizeof *flags);
    int rc = LEVEE_OK;
    if (!exprs || !ids || !flags)
      rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < c->n_res; i++) {
      exprs[i] = c->res[i].expr;
      ids[i] = c->res[i].id;
      flags[i] = c->res[i].flags;
    }
    if (!rc &&
        hs_compile_multi(exprs, flags, ids, (unsigned)c->n_res, HS_MODE_BLOCK,
                         NULL, &e->re_db, &ce) != HS_SUCCESS) {
      int at = ce ? ce->expression : -1;
      rc = lv_error_set(err, LEVEE_ECOMPILE, "regex database: %s%s%s",
                        ce ? ce->message : "unknown error",
                        at >= 0 ? " in " : "", at >= 0 ? c->res[at].expr : "");
      hs_free_compile_error(ce);
    }
    free(exprs);
    free(ids);
    free(flags);
    if (rc)
      return rc;
  }
  return LEVEE_OK;
}

/* Cache blob: magic, then for each database a u64 size and its bytes. */
static void cache_store(const levee_cache_ops *cache, levee_engine *e) {
  char *blob[2] = {NULL, NULL};
  size_t len[2] = {0, 0};
  hs_database_t *dbs[2] = {e->lit_db, e->re_db};
  lv_buf out;
  lv_buf_init(&out, (size_t)1 << 31);
  for (int i = 0; i < 2; i++)
    if (dbs[i] &&
        hs_serialize_database(dbs[i], &blob[i], &len[i]) != HS_SUCCESS)
      goto out;
  if (lv_buf_append(&out, CACHE_MAGIC, strlen(CACHE_MAGIC)))
    goto out;
  for (int i = 0; i < 2; i++) {
    uint64_t n = len[i];
    if (lv_buf_append(&out, &n, sizeof n) ||
        lv_buf_append(&out, blob[i], len[i]))
      goto out;
  }
  cache->store(cache->ud, e->key, out.data, out.len);
out:
  free(blob[0]);
  free(blob[1]);
  lv_buf_cleanup(&out);
}

static int cache_load(const levee_cache_ops *cache, levee_engine *e) {
  char *data = NULL;
  size_t len = 0;
  if (cache->load(cache->ud, e->key, &data, &len))
    return 0;
  hs_database_t *dbs[2] = {NULL, NULL};
  size_t off = strlen(CACHE_MAGIC);
  int ok = len >= off && !memcmp(data, CACHE_MAGIC, off);
  for (int i = 0; ok && i < 2; i++) {
    uint64_t n;
    if (len - off < sizeof n) {
      ok = 0;
      break;
    }
    memcpy(&n, data + off, sizeof n);
    off += sizeof n;
    if (n > len - off) {
      ok = 0;
      break;
    }
    if (n &&
        hs_deserialize_database(data + off, (size_t)n, &dbs[i]) != HS_SUCCESS)
      ok = 0;
    off += (size_t)n;
  }
  /* A database must be present exactly when there are patterns for it. */
  ok = ok && off == len;
  free(data);
  if (!ok) {
    hs_free_database(dbs[0]);
    hs_free_database(dbs[1]);
    return 0;
  }
  e->lit_db = dbs[0];
  e->re_db = dbs[1];
  return 1;
}

static int add_detector(levee_engine *e, size_t *cap,
                        const lv_detector_ops *ops, const char *category,
                        const void *config) {
  if (grow((void **)&e->dets, cap, e->n_dets, sizeof *e->dets))
    return LEVEE_ENOMEM;
  char *cat = strdup(category);
  if (!cat)
    return LEVEE_ENOMEM;
  e->dets[e->n_dets].ops = ops;
  e->dets[e->n_dets].category = cat;
  e->dets[e->n_dets].config = config;
  e->n_dets++;
  return LEVEE_OK;
}

int levee_engine_compile(const levee_policy *policy,
                         const levee_cache_ops *cache, levee_engine **out,
                         levee_error *err) {
  int rc = LEVEE_OK;
  size_t cap_dets = 0;
  lv_compiler c;
  memset(&c, 0, sizeof c);
  lv_norm_init(&c.norm);
  if (!policy)
    return lv_error_set(err, LEVEE_EINVAL, "no policy");
  if (sodium_init() < 0)
    return lv_error_set(err, LEVEE_ENOMEM, "libsodium failed to initialise");
  levee_engine *e = calloc(1, sizeof *e);
  if (!e)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  atomic_init(&e->refs, 1);
  e->policy = lv_policy_ref((levee_policy *)policy);
  c.e = e;

  /* Only the detectors some rule can reach are compiled in. */
  for (size_t i = 0; i < lv_n_builtin_detectors; i++) {
    const lv_detector_ops *ops = lv_builtin_detectors[i];
    if (lv_policy_uses_category(policy, ops->category) &&
        (rc = add_detector(e, &cap_dets, ops, ops->category, NULL)))
      goto fail_nomem;
  }
  for (size_t i = 0; i < policy->n_lists; i++) {
    char cat[160];
    snprintf(cat, sizeof cat, "keyword.%s", policy->lists[i].name);
    if (lv_policy_uses_category(policy, cat) &&
        (rc = add_detector(e, &cap_dets, &lv_keyword_list_detector, cat,
                           &policy->lists[i])))
      goto fail_nomem;
  }
  for (size_t i = 0; i < e->n_dets; i++) {
    c.cur = (uint16_t)i;
    rc = e->dets[i].ops->compile(&c, &e->dets[i]);
    if (c.rc || rc < 0) {
      if (c.rc == LEVEE_ENOMEM || rc == LEVEE_ENOMEM)
        goto fail_nomem;
      rc = lv_error_set(err, LEVEE_ECOMPILE, "detector %s: %s",
                        e->dets[i].category,
                        c.msg[0] ? c.msg : levee_strerror(rc ? rc : c.rc));
      goto fail;
    }
  }
  compute_key(&c, e->key);
  if (cache && cache->version == 1 && cache->load && cache_load(cache, e))
    e->from_cache = 1;
  else {
    if ((rc = compile_dbs(&c, err)))
      goto fail;
    if (cache && cache->version == 1 && cache->store)
      cache_store(cache, e);
  }
  compiler_cleanup(&c);
  *out = e;
  return LEVEE_OK;

fail_nomem:
  rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
fail:
  compiler_cleanup(&c);
  levee_engine_unref(e);
  return rc;
}

levee_engine *levee_engine_ref(levee_engine *e) {
  if (e)
    atomic_fetch_add(&e->refs, 1);
  return e;
}

void levee_engine_unref(levee_engine *e) {
  if (!e || atomic_fetch_sub(&e->refs, 1) != 1)
    return;
  hs_free_database(e->lit_db);
  hs_free_database(e->re_db);
  for (size_t i = 0; i < e->n_dets; i++)
    free((char *)e->dets[i].category);
  free(e->dets);
  free(e->pats);
  levee_policy_destroy(e->policy);
  free(e);
}

int levee_engine_from_cache(const levee_engine *e) {
  return e->from_cache;
}
