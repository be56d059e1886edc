/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c: registered confidential documents and images (registry.h,
 * levee.h): filling a registry, sealing it into its indexes, and the
 * fingerprints of a text as a registration keeps them.
 */
#include "core/registry.h"

#include <stdlib.h>
#include <string.h>

#include "core/normalize.h"
#include "core/winnow.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/utf8.h"

int levee_registry_new(levee_registry **out) {
  levee_registry *r = calloc(1, sizeof *r);
  if (!r)
    return LEVEE_ENOMEM;
  atomic_init(&r->refs, 1);
  if (lv_doc_index_new(&r->docs) || lv_image_index_new(&r->imgs) ||
      lv_doc_index_new(&r->img_texts)) {
    levee_registry_unref(r);
    return LEVEE_ENOMEM;
  }
  /* A page photo's hash must be near too (registry.h). */
  lv_doc_index_accept_scattered(r->img_texts);
  *out = r;
  return LEVEE_OK;
}

levee_registry *levee_registry_ref(levee_registry *r) {
  atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
  return r;
}

static void free_str(levee_str *s) {
  free((char *)s->ptr);
  *s = (levee_str){0};
}

void levee_registry_unref(levee_registry *r) {
  if (!r || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
    return;
  for (size_t i = 0; i < r->n; i++) {
    free_str(&r->regs[i].label);
    free_str(&r->regs[i].level);
    free_str(&r->regs[i].name);
  }
  free(r->regs);
  free(r->entries);
  lv_doc_index_free(r->docs);
  lv_image_index_free(r->imgs);
  lv_doc_index_free(r->img_texts);
  free(r);
}

size_t levee_registry_documents(const levee_registry *r) {
  return r->documents;
}

size_t levee_registry_images(const levee_registry *r) {
  return r->images;
}

/* A copy of s, NUL-terminated, absent staying absent. */
static int copy_str(levee_str s, levee_str *out) {
  if (!s.ptr) {
    *out = (levee_str){0};
    return LEVEE_OK;
  }
  char *p = malloc(s.len + 1);
  if (!p)
    return LEVEE_ENOMEM;
  memcpy(p, s.ptr, s.len);
  p[s.len] = '\0';
  *out = (levee_str){p, s.len};
  return LEVEE_OK;
}

/* Appends reg's copy; *place is where. */
static int append(levee_registry *r, const levee_registration *reg,
                  uint32_t *place) {
  if (r->sealed)
    return LEVEE_EINVAL;
  if (r->n >= UINT32_MAX)
    return LEVEE_ETOOBIG;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 16;
    levee_registration *v = realloc(r->regs, cap * sizeof *v);
    if (!v)
      return LEVEE_ENOMEM;
    r->regs = v;
    lv_image_entry *t = realloc(r->entries, cap * sizeof *t);
    if (!t)
      return LEVEE_ENOMEM;
    r->entries = t;
    r->cap = cap;
  }
  levee_registration *c = &r->regs[r->n];
  *c = (levee_registration){.id = reg->id};
  memset(&r->entries[r->n], 0, sizeof r->entries[r->n]);
  if (copy_str(reg->label, &c->label) || copy_str(reg->level, &c->level) ||
      copy_str(reg->name, &c->name)) {
    free_str(&c->label);
    free_str(&c->level);
    free_str(&c->name);
    return LEVEE_ENOMEM;
  }
  *place = (uint32_t)r->n++;
  return LEVEE_OK;
}

/* Takes back the registration append() made last. */
static void unappend(levee_registry *r) {
  levee_registration *c = &r->regs[--r->n];
  free_str(&c->label);
  free_str(&c->level);
  free_str(&c->name);
}

/* fp[0..n) as doc_index takes them (malloc'd). */
static lv_fingerprint *as_fingerprints(const uint64_t *fp, size_t n) {
  lv_fingerprint *v = malloc(n * sizeof *v);
  for (size_t i = 0; v && i < n; i++)
    v[i] = (lv_fingerprint){fp[i], 0, 0};
  return v;
}

int levee_registry_add_document(levee_registry *r,
                                const levee_registration *reg,
                                const uint64_t *fp, size_t n) {
  if (n == 0)
    return LEVEE_EINVAL;
  lv_fingerprint *v = as_fingerprints(fp, n);
  if (!v)
    return LEVEE_ENOMEM;
  uint32_t place;
  int rc = append(r, reg, &place);
  if (!rc && (rc = lv_doc_index_add(r->docs, place, v, n)))
    unappend(r);
  free(v);
  if (!rc)
    r->documents++;
  return rc;
}

int levee_registry_add_image(levee_registry *r, const levee_registration *reg,
                             const uint64_t *phash, size_t n,
                             const uint64_t *text_fp, size_t n_text_fp) {
  if (n == 0 || n > LV_REGISTRY_IMAGE_HASHES)
    return LEVEE_EINVAL;
  lv_fingerprint *fp = NULL;
  if (n_text_fp && !(fp = as_fingerprints(text_fp, n_text_fp)))
    return LEVEE_ENOMEM;
  uint32_t place;
  int rc = append(r, reg, &place);
  /* Its text first: what fails there leaves nothing behind. */
  if (!rc && fp && (rc = lv_doc_index_add(r->img_texts, place, fp, n_text_fp)))
    unappend(r);
  free(fp);
  if (rc)
    return rc;
  lv_image_entry *e = &r->entries[place];
  e->has_text = n_text_fp > 0;
  r->text_images += e->has_text;
  r->images++;
  for (size_t i = 0; i < n; i++) {
    /* A hash that does not make it into the index is still the
     * registration's: it stays, with the hashes that did. */
    if ((rc = lv_image_index_add(r->imgs, place, phash[i])))
      return rc;
    e->hash[e->n_hash++] = phash[i];
  }
  return LEVEE_OK;
}

unsigned lv_registry_image_distance(const levee_registry *r, uint32_t place,
                                    uint64_t hash) {
  const lv_image_entry *e = &r->entries[place];
  unsigned best = 64;
  for (unsigned i = 0; i < e->n_hash; i++) {
    unsigned d = lv_hamming64(e->hash[i], hash);
    if (d < best)
      best = d;
  }
  return best;
}

int levee_registry_seal(levee_registry *r) {
  if (r->sealed)
    return LEVEE_OK;
  int rc = lv_doc_index_seal(r->docs);
  if (!rc)
    rc = lv_image_index_seal(r->imgs);
  if (!rc)
    rc = lv_doc_index_seal(r->img_texts);
  if (!rc)
    r->sealed = 1;
  return rc;
}

int levee_fingerprint_text(const char *text, size_t len, uint64_t **fp,
                           size_t *n) {
  if (len > LV_MAX_TEXT_BYTES)
    len = lv_utf8_floor(text, LV_MAX_TEXT_BYTES);
  lv_norm norm;
  lv_norm_init(&norm);
  lv_buf found;
  lv_buf_init(&found, SIZE_MAX);
  uint64_t *out = NULL;
  size_t k = 0;
  int rc = lv_normalize(&norm, text, len);
  if (!rc)
    rc = lv_winnow(&norm, &found);
  if (!rc && found.len) {
    const lv_fingerprint *f = (const lv_fingerprint *)(void *)found.data;
    k = found.len / sizeof *f;
    if (!(out = malloc(k * sizeof *out)))
      rc = LEVEE_ENOMEM;
    for (size_t i = 0; !rc && i < k; i++)
      out[i] = f[i].hash;
  }
  lv_buf_cleanup(&found);
  lv_norm_cleanup(&norm);
  if (rc)
    return rc;
  *fp = out;
  *n = out ? k : 0;
  return LEVEE_OK;
}

double lv_registry_document_confidence(const lv_doc_match *m) {
  double by_count = 0.6 + 0.4 * (m->matched >= 30 ? 1.0 : m->matched / 30.0);
  double by_share = m->total ? 0.6 + 0.4 * (double)m->matched / m->total : 0;
  return by_count > by_share ? by_count : by_share;
}

double lv_registry_image_confidence(unsigned distance) {
  double c = 1.0 - distance / 40.0;
  return c < 0 ? 0 : c;
}
