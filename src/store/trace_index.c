/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_index.c: an event's entry in the trace index (trace_index.h):
 * its text's fingerprints, its images' hashes, its conversation's members.
 */
#include "store/trace_index.h"

#include <stdlib.h>
#include <string.h>

#include "core/winnow.h"
#include "util/utf8.h"

void lv_trace_indexer_init(lv_trace_indexer *x) {
  memset(x, 0, sizeof *x);
  lv_norm_init(&x->norm);
  lv_buf_init(&x->found, SIZE_MAX);
  lv_buf_init(&x->fps, (size_t)LV_MAX_TRACE_FINGERPRINTS * sizeof(uint64_t));
  lv_json_doc_init(&x->doc);
  lv_arena_init(&x->arena, LV_MAX_ARENA_BYTES);
}

void lv_trace_indexer_cleanup(lv_trace_indexer *x) {
  lv_norm_cleanup(&x->norm);
  lv_buf_cleanup(&x->found);
  lv_buf_cleanup(&x->fps);
  free(x->seen);
  lv_json_doc_cleanup(&x->doc);
  lv_arena_cleanup(&x->arena);
  free(x->members);
  memset(x, 0, sizeof *x);
}

/* A normalizer's scratch grown past this by one long text is released, so
 * an indexer kept for a whole ingest stays small. */
#define NORM_KEEP_BYTES (256u << 10)

/* The fingerprints of one text, appended to x->found. */
static int winnow_text(lv_trace_indexer *x, levee_str t) {
  if (!t.ptr || !t.len)
    return LEVEE_OK;
  size_t len = t.len;
  if (len > LV_MAX_TEXT_BYTES)
    len = lv_utf8_floor(t.ptr, LV_MAX_TEXT_BYTES);
  int rc = lv_normalize(&x->norm, t.ptr, len);
  if (rc == LEVEE_ETOOBIG)
    return LEVEE_OK; /* a text of ligatures: nothing to index */
  if (!rc)
    rc = lv_winnow(&x->norm, &x->found);
  if (x->norm.cap > NORM_KEEP_BYTES) {
    lv_norm_cleanup(&x->norm);
    lv_norm_init(&x->norm);
  }
  return rc == LEVEE_ETOOBIG ? LEVEE_OK : rc;
}

static uint64_t spread(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

/* Adds h to the entry's fingerprints unless it is there already. */
static int keep_fp(lv_trace_indexer *x, uint64_t h) {
  if (h == 0) {
    if (x->seen_zero)
      return LEVEE_OK;
    x->seen_zero = 1;
    return lv_buf_append(&x->fps, &h, sizeof h);
  }
  size_t mask = x->n_seen_slots - 1;
  for (size_t k = spread(h) & mask;; k = (k + 1) & mask) {
    if (x->seen[k] == h)
      return LEVEE_OK;
    if (!x->seen[k]) {
      x->seen[k] = h;
      return lv_buf_append(&x->fps, &h, sizeof h);
    }
  }
}

#define MIN_CHARS                                                              \
  (LV_WINNOW_K + LV_WINNOW_W - 1 + LV_TRACE_MIN_FINGERPRINTS - 1)

/* The code points of a and b (UTF-8 lead bytes and others not
 * continuation bytes), counted up to want. */
static size_t chars_at_least(levee_str a, levee_str b, size_t want) {
  size_t n = 0;
  const levee_str t[2] = {a, b};
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; t[k].ptr && i < t[k].len && n < want; i++)
      n += ((unsigned char)t[k].ptr[i] & 0xc0) != 0x80;
  return n;
}

int lv_trace_text_fps(lv_trace_indexer *x, levee_str text, levee_str extracted,
                      const uint64_t **fps, size_t *n) {
  lv_buf_reset(&x->found);
  lv_buf_reset(&x->fps);
  x->seen_zero = 0;
  *fps = NULL;
  *n = 0;
  /* LV_TRACE_MIN_FINGERPRINTS fingerprints take that many windows of
   * LV_WINNOW_W k-grams of LV_WINNOW_K characters: a text of fewer
   * characters (counted before normalizing, which only drops some) has
   * fewer, so most chatter is not normalized at all. */
  if (chars_at_least(text, extracted, MIN_CHARS) < MIN_CHARS)
    return LEVEE_OK;
  int rc = winnow_text(x, text);
  if (!rc)
    rc = winnow_text(x, extracted);
  if (rc)
    return rc;
  size_t found = x->found.len / sizeof(lv_fingerprint);
  if (found < LV_TRACE_MIN_FINGERPRINTS)
    return LEVEE_OK;
  /* A set twice the fingerprints kept, at most. */
  size_t want = 64;
  while (want < 2 * (found < LV_MAX_TRACE_FINGERPRINTS
                         ? found
                         : (size_t)LV_MAX_TRACE_FINGERPRINTS))
    want *= 2;
  if (want != x->n_seen_slots) {
    uint64_t *s = realloc(x->seen, want * sizeof *s);
    if (!s)
      return LEVEE_ENOMEM;
    x->seen = s;
    x->n_seen_slots = want;
  }
  memset(x->seen, 0, x->n_seen_slots * sizeof *x->seen);
  const lv_fingerprint *f = (const lv_fingerprint *)(void *)x->found.data;
  for (size_t i = 0; i < found; i++) {
    if (x->fps.len / sizeof(uint64_t) >= LV_MAX_TRACE_FINGERPRINTS)
      break;
    if ((rc = keep_fp(x, f[i].hash)))
      return rc;
  }
  size_t kept = x->fps.len / sizeof(uint64_t);
  if (kept < LV_TRACE_MIN_FINGERPRINTS)
    return LEVEE_OK;
  *fps = (const uint64_t *)(void *)x->fps.data;
  *n = kept;
  return LEVEE_OK;
}

/* The fingerprints of one image's own text, counted (distinct). */
static int image_text_fps(lv_trace_indexer *x, levee_str text,
                          uint32_t *count) {
  lv_buf_reset(&x->found);
  *count = 0;
  int rc = winnow_text(x, text);
  if (rc)
    return rc;
  size_t n = x->found.len / sizeof(lv_fingerprint);
  const lv_fingerprint *f = (const lv_fingerprint *)(void *)x->found.data;
  /* Distinct ones, up to a few times the count that matters: each is
   * compared with those kept (at most that many), so a text of one
   * k-gram repeated costs a pass, not a square. */
  uint64_t kept[4 * LV_TRACE_READABLE_FINGERPRINTS];
  uint32_t c = 0;
  for (size_t i = 0; i < n && c < 4 * LV_TRACE_READABLE_FINGERPRINTS; i++) {
    uint32_t j = 0;
    while (j < c && kept[j] != f[i].hash)
      j++;
    if (j == c)
      kept[c++] = f[i].hash;
  }
  *count = c;
  return LEVEE_OK;
}

static int same_str(levee_str a, levee_str b) {
  return a.len == b.len && (!a.len || !memcmp(a.ptr, b.ptr, a.len));
}

/* Appends id to the members (a repeated one is the back end's set's to
 * fold: comparing each with all would be quadratic in a group's). */
static int add_member(lv_trace_indexer *x, size_t *n, levee_str id) {
  if (!id.ptr || (*n && same_str(x->members[0], id)))
    return LEVEE_OK;
  if (*n == x->cap_members) {
    size_t ncap = x->cap_members ? x->cap_members * 2 : 16;
    levee_str *m = realloc(x->members, ncap * sizeof *m);
    if (!m)
      return LEVEE_ENOMEM;
    x->members = m;
    x->cap_members = ncap;
  }
  x->members[(*n)++] = id;
  return LEVEE_OK;
}

int lv_trace_members(lv_trace_indexer *x, levee_str sender,
                     levee_str recipients, const levee_str **members,
                     size_t *n) {
  size_t k = 0;
  int rc = add_member(x, &k, sender);
  lv_arena_reset(&x->arena);
  if (!rc && recipients.ptr && recipients.len &&
      lv_json_parse(&x->doc, recipients.ptr, recipients.len, NULL) ==
          LEVEE_OK &&
      lv_json_type_of(&x->doc, 0) == LV_JSON_ARRAY) {
    /* The recipients are bounded when stored (LV_MAX_RECIPIENTS). */
    for (int it = lv_json_first(&x->doc, 0);
         !rc && it >= 0 && k <= LV_MAX_RECIPIENTS;
         it = lv_json_next(&x->doc, 0, it)) {
      int id = lv_json_get(&x->doc, it, "id");
      levee_str v;
      if (lv_json_type_of(&x->doc, id) != LV_JSON_STRING ||
          lv_json_string(&x->doc, id, &x->arena, &v))
        continue;
      rc = add_member(x, &k, v);
    }
  }
  if (rc)
    return rc;
  *members = x->members;
  *n = k;
  return LEVEE_OK;
}

static uint64_t fnv(uint64_t h, levee_str s) {
  for (size_t i = 0; i < s.len; i++)
    h = (h ^ (unsigned char)s.ptr[i]) * 1099511628211ull;
  return (h ^ 0xff) * 1099511628211ull; /* the end of a string */
}

int lv_trace_indexer_entry(lv_trace_indexer *x, const lv_evidence *ev,
                           const lv_content *c, lv_trace_entry *out) {
  lv_trace_entry e;
  memset(&e, 0, sizeof e);
  int rc;
  size_t ni = 0;
  for (size_t i = 0; i < ev->n_attachments && ni < LV_MAX_ATTACHMENTS; i++) {
    const lv_ev_attachment *a = &ev->attachments[i];
    if (!a->has_phash)
      continue;
    lv_trace_image *im = &x->images[ni++];
    im->n = (uint32_t)i;
    im->phash = a->phash;
    im->text_fps = 0;
    if (c && c->extracted.ptr && a->text_start >= 0 && a->text_len > 0 &&
        (uint64_t)a->text_start <= c->extracted.len &&
        (uint64_t)a->text_len <= c->extracted.len - (uint64_t)a->text_start &&
        (rc = image_text_fps(
             x,
             (levee_str){c->extracted.ptr + a->text_start, (size_t)a->text_len},
             &im->text_fps)))
      return rc;
  }
  e.images = x->images;
  e.n_images = ni;
  if (c && (rc = lv_trace_text_fps(x, c->text, c->extracted, &e.fps, &e.n_fps)))
    return rc;
  if (ev->conversation_id.ptr) {
    e.conversation = ev->conversation_id;
    if ((rc = lv_trace_members(x, ev->sender_id, ev->recipients, &e.members,
                               &e.n_members)))
      return rc;
    uint64_t h = fnv(1469598103934665603ull, ev->conversation_id);
    for (size_t i = 0; i < e.n_members; i++)
      h = fnv(h, e.members[i]);
    e.members_hash = h ? h : 1;
  }
  *out = e;
  return LEVEE_OK;
}

/* Every 16-bit value within r bits of v, appended to keys of block i. */
static void near_values(uint32_t v, int i, unsigned r, uint32_t *keys,
                        size_t *n) {
  uint32_t base = (uint32_t)i << 16;
  keys[(*n)++] = base | v;
  for (unsigned a = 0; r >= 1 && a < 16; a++) {
    keys[(*n)++] = base | (v ^ (1u << a));
    for (unsigned b = a + 1; r >= 2 && b < 16; b++) {
      keys[(*n)++] = base | (v ^ (1u << a) ^ (1u << b));
      for (unsigned c = b + 1; r >= 3 && c < 16; c++)
        keys[(*n)++] = base | (v ^ (1u << a) ^ (1u << b) ^ (1u << c));
    }
  }
}

void lv_trace_probe_keys(uint64_t phash, unsigned max_distance, uint32_t *keys,
                         size_t *n) {
  unsigned r = max_distance / LV_TRACE_BLOCKS;
  if (r > 3)
    r = 3;
  *n = 0;
  for (int i = 0; i < LV_TRACE_BLOCKS; i++)
    near_values((uint32_t)(phash >> (16 * i) & 0xffff), i, r, keys, n);
}

int lv_trace_member_key(lv_buf *b, levee_str conversation, levee_str person) {
  if (conversation.len > UINT32_MAX)
    return LEVEE_ETOOBIG;
  uint32_t l = (uint32_t)conversation.len;
  unsigned char h[4] = {(unsigned char)(l >> 24), (unsigned char)(l >> 16),
                        (unsigned char)(l >> 8), (unsigned char)l};
  lv_buf_reset(b);
  int rc = lv_buf_append(b, h, 4);
  if (!rc && conversation.len)
    rc = lv_buf_append(b, conversation.ptr, conversation.len);
  if (!rc && person.len)
    rc = lv_buf_append(b, person.ptr, person.len);
  return rc;
}

int lv_trace_member_split(levee_str key, levee_str *conversation,
                          levee_str *person) {
  if (key.len < 4)
    return LEVEE_EINVAL;
  const unsigned char *p = (const unsigned char *)key.ptr;
  size_t l = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
  if (l > key.len - 4)
    return LEVEE_EINVAL;
  *conversation = (levee_str){key.ptr + 4, l};
  *person = (levee_str){key.ptr + 4 + l, key.len - 4 - l};
  return LEVEE_OK;
}

uint64_t lv_trace_id_key(levee_str id) {
  uint8_t h[LV_SHA256_LEN];
  if (lv_sha256_once(id.ptr ? id.ptr : "", id.len, h))
    memset(h, 0, sizeof h);
  uint64_t k = 0;
  for (int i = 0; i < 8; i++)
    k = k << 8 | h[i];
  return k;
}

void lv_trace_keyset_init(lv_trace_keyset *k, size_t max) {
  memset(k, 0, sizeof *k);
  k->max = max;
}

void lv_trace_keyset_cleanup(lv_trace_keyset *k) {
  free(k->slots);
  memset(k, 0, sizeof *k);
}

void lv_trace_keyset_clear(lv_trace_keyset *k) {
  if (k->slots)
    memset(k->slots, 0, k->cap * sizeof *k->slots);
  k->n = 0;
  k->has_zero = 0;
}

int lv_trace_keyset_has(const lv_trace_keyset *k, uint64_t key) {
  if (!key)
    return k->has_zero;
  if (!k->cap)
    return 0;
  for (size_t i = spread(key) & (k->cap - 1);; i = (i + 1) & (k->cap - 1)) {
    if (k->slots[i] == key)
      return 1;
    if (!k->slots[i])
      return 0;
  }
}

int lv_trace_keyset_add(lv_trace_keyset *k, uint64_t key) {
  if (lv_trace_keyset_has(k, key))
    return 0;
  if (k->n >= k->max)
    lv_trace_keyset_clear(k);
  if (!key) {
    k->has_zero = 1;
    return 1;
  }
  if ((k->n + 1) * 2 > k->cap) {
    size_t ncap = k->cap ? k->cap * 2 : 1024;
    uint64_t *s = calloc(ncap, sizeof *s);
    if (!s)
      return LEVEE_ENOMEM;
    for (size_t i = 0; i < k->cap; i++) {
      if (!k->slots[i])
        continue;
      size_t j = spread(k->slots[i]) & (ncap - 1);
      while (s[j])
        j = (j + 1) & (ncap - 1);
      s[j] = k->slots[i];
    }
    free(k->slots);
    k->slots = s;
    k->cap = ncap;
  }
  size_t i = spread(key) & (k->cap - 1);
  while (k->slots[i])
    i = (i + 1) & (k->cap - 1);
  k->slots[i] = key;
  k->n++;
  return 1;
}
