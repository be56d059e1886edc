/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scanner.c: inspecting one event with a compiled engine.
 *
 * For the event's text and each attachment's extracted text (a "source"):
 * normalize, scan the literal and regex databases, hand each detector the
 * hits of its own patterns, and turn what the validators emit into findings
 * in original-text offsets (the normalizer's offset map is built only for
 * texts where that, or a detector, asks for an original offset). The policy
 * then decides each finding's rule, action and severity; the verdict takes the
 * strongest. A scanner belongs to one thread: it owns the Hyperscan scratch
 * and the per-message arena that the verdict lives in.
 *
 * Batches (levee_scanner_inspect_batch): on short messages the fixed cost
 * of a Hyperscan call is most of a scan, so the texts of a batch are
 * normalized one after another into one buffer, NUL after each, and the
 * literal database scans that buffer once. Each hit is given to the event
 * whose text contains it whole; a hit that would span two texts is
 * dropped, as it could not occur in a scan of either text alone. Then each
 * event goes through the same steps as levee_scanner_inspect() with those
 * hits, so the verdicts are the same.
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"
#include "core/mask.h"
#include "core/normalize.h"
#include "core/registry.h"
#include "core/winnow.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

/* A literal hit of a batch scan, with offsets in its event's text. */
typedef struct batch_hit {
  uint32_t event;
  lv_hit hit;
} batch_hit;

/* What a batch keeps per event. */
typedef struct batch_event {
  size_t start;       /* where its text starts in the batch texts */
  uint32_t first_hit; /* its literal hits: sorted[first_hit..+n_hits) */
  uint32_t n_hits;
  unsigned char flags; /* BATCH_HAS_TEXT, BATCH_TRUNCATED, BATCH_HITS_FULL */
} batch_event;

/* What a batch scan keeps between normalizing and inspecting. */
typedef struct batch_state {
  lv_norm texts;   /* normalized texts, each followed by its NUL
                      (lv_normalize_at); each one's map is built in place
                      when its inspection needs it (lv_norm_view) */
  size_t len;      /* bytes of texts in use */
  batch_event *ev; /* per event, and one past the last (its start only) */
  size_t n, cap_events;
  batch_hit *hits; /* in scan order */
  size_t n_hits, cap_hits;
  lv_hit *sorted; /* the same, grouped by event */
  size_t cap_sorted;
  size_t base;   /* batch offset where the current hs_scan started */
  size_t cursor; /* the event the last hit fell in */
  size_t resume; /* set when a scan stopped: the event to resume at */
} batch_state;

enum { BATCH_TRUNCATED = 1, BATCH_HITS_FULL = 2, BATCH_HAS_TEXT = 4 };

struct levee_scanner {
  levee_engine *e;
  hs_scratch_t *scratch;
  lv_norm norm;
  const lv_norm *cur; /* the text being inspected: norm, or a batch view */
  batch_state batch;
  lv_arena arena;
  lv_hit *hits; /* LV_MAX_CANDIDATES */
  size_t n_hits;
  int hits_full;
  unsigned char *rule_ok; /* per rule: it applies to the current event */
  levee_finding *finds;   /* LV_MAX_FINDINGS */
  size_t n_finds;
  int truncated;
  levee_verdict v;
  levee_registry *registry; /* registered documents and images, or NULL */
  lv_buf fingerprints;      /* a text's, when registry has documents or
                               images that hold text */
  int fingerprinted;        /* the source they are of, or NO_SOURCE */
};

enum { NO_SOURCE = -2 };

struct lv_inspect {
  levee_scanner *s;
  const levee_event *ev;
  int source;
};

int levee_scanner_create(levee_engine *e, levee_scanner **out) {
  levee_scanner *s = calloc(1, sizeof *s);
  if (!s)
    return LEVEE_ENOMEM;
  s->e = levee_engine_ref(e);
  lv_norm_init(&s->norm);
  lv_norm_init(&s->batch.texts);
  s->cur = &s->norm;
  lv_arena_init(&s->arena, LV_MAX_ARENA_BYTES);
  lv_buf_init(&s->fingerprints, SIZE_MAX);
  s->hits = malloc(LV_MAX_CANDIDATES * sizeof *s->hits);
  s->finds = malloc(LV_MAX_FINDINGS * sizeof *s->finds);
  s->rule_ok = malloc(e->policy->n_rules + 1);
  if (!s->hits || !s->finds || !s->rule_ok)
    goto nomem;
  if ((e->lit_db && hs_alloc_scratch(e->lit_db, &s->scratch) != HS_SUCCESS) ||
      (e->re_db && hs_alloc_scratch(e->re_db, &s->scratch) != HS_SUCCESS))
    goto nomem;
  *out = s;
  return LEVEE_OK;
nomem:
  levee_scanner_destroy(s);
  return LEVEE_ENOMEM;
}

void levee_scanner_destroy(levee_scanner *s) {
  if (!s)
    return;
  hs_free_scratch(s->scratch);
  lv_norm_cleanup(&s->norm);
  lv_norm_cleanup(&s->batch.texts);
  free(s->batch.ev);
  free(s->batch.hits);
  free(s->batch.sorted);
  lv_arena_cleanup(&s->arena);
  free(s->hits);
  free(s->finds);
  free(s->rule_ok);
  lv_buf_cleanup(&s->fingerprints);
  levee_registry_unref(s->registry);
  levee_engine_unref(s->e);
  free(s);
}

int levee_scanner_set_registry(levee_scanner *s, levee_registry *r) {
  if (r && !r->sealed)
    return LEVEE_EINVAL;
  if (r)
    levee_registry_ref(r);
  levee_registry_unref(s->registry);
  s->registry = r;
  return LEVEE_OK;
}

/* --- services for detectors ----------------------------------------------- */

const lv_pattern_info *lv_inspect_pattern(const lv_inspect *in, uint32_t pid) {
  return &in->s->e->pats[pid];
}

const lv_norm *lv_inspect_norm(const lv_inspect *in) {
  return in->s->cur;
}

const levee_event *lv_inspect_event(const lv_inspect *in) {
  return in->ev;
}

int lv_inspect_source(const lv_inspect *in) {
  return in->source;
}

levee_str lv_inspect_original(const lv_inspect *in, uint32_t from,
                              uint32_t to) {
  const lv_norm *n = in->s->cur;
  size_t a = lv_norm_orig_start(n, from);
  size_t b = to > from ? lv_norm_orig_end(n, to) : a;
  levee_str r = {n->orig + a, b - a};
  return r;
}

/* The strongest rule that applies to a finding, or NULL. */
static const lv_rule *decide(const levee_scanner *s, const char *category,
                             double confidence) {
  const levee_policy *p = s->e->policy;
  const lv_rule *best = NULL;
  for (size_t i = 0; i < p->n_rules; i++) {
    const lv_rule *r = &p->rules[i];
    if (!s->rule_ok[i] || confidence < r->threshold)
      continue;
    if (best && (r->action < best->action ||
                 (r->action == best->action && r->severity <= best->severity)))
      continue;
    for (size_t j = 0; j < r->categories.n; j++)
      if (lv_category_match(r->categories.v[j], category)) {
        best = r;
        break;
      }
  }
  return best;
}

/* A finding of category over normalized [from, to) of the current text,
 * source; NULL when no rule applies to it, or it is weaker than one of the
 * same category already found there. */
static levee_finding *emit(levee_scanner *s, int source, const char *category,
                           uint32_t from, uint32_t to, double confidence,
                           lv_mask mask) {
  const lv_rule *r = decide(s, category, confidence);
  if (!r)
    return NULL;
  const lv_norm *n = s->cur;
  size_t start = lv_norm_orig_start(n, from);
  size_t end = to > from ? lv_norm_orig_end(n, to) : start;
  /* One finding per category and span: an overlapping finding of the same
   * category is replaced by the stronger (then longer) of the two. */
  size_t idx = s->n_finds;
  for (size_t i = 0; i < s->n_finds; i++) {
    const levee_finding *f = &s->finds[i];
    if (f->source != source || strcmp(f->category, category) ||
        f->end <= start || end <= f->start)
      continue;
    if (confidence < f->confidence ||
        (confidence == f->confidence && end - start <= f->end - f->start))
      return NULL;
    idx = i;
    break;
  }
  if (idx == s->n_finds) {
    if (idx >= LV_MAX_FINDINGS) {
      s->truncated = 1;
      return NULL;
    }
    s->n_finds++;
  }
  levee_finding *f = &s->finds[idx];
  f->rule = r->id;
  f->category = category;
  f->source = source;
  f->start = start;
  f->end = end;
  f->confidence = confidence;
  f->action = r->action;
  f->severity = r->severity;
  f->excerpt = lv_mask_excerpt(&s->arena, n->orig + start, end - start, mask);
  if (!f->excerpt)
    f->excerpt = "";
  f->registration = NULL;
  f->matched = 0;
  f->distance = -1;
  return f;
}

void lv_inspect_emit(lv_inspect *in, const char *category, uint32_t from,
                     uint32_t to, double confidence, lv_mask mask) {
  emit(in->s, in->source, category, from, to, confidence, mask);
}

/* A finding about attachment source as a whole (start and end 0), its
 * excerpt saying what; NULL when no rule applies or the findings are full. */
static levee_finding *attachment_finding(levee_scanner *s, int source,
                                         const char *category,
                                         double confidence,
                                         const char *excerpt) {
  const lv_rule *r = decide(s, category, confidence);
  if (!r)
    return NULL;
  if (s->n_finds >= LV_MAX_FINDINGS) {
    s->truncated = 1;
    return NULL;
  }
  levee_finding *f = &s->finds[s->n_finds++];
  *f = (levee_finding){.rule = r->id,
                       .category = category,
                       .source = source,
                       .confidence = confidence,
                       .excerpt = excerpt,
                       .action = r->action,
                       .severity = r->severity,
                       .distance = -1};
  return f;
}

/* --- registered documents and images ------------------------------------- */

/* The registered documents the current text shares enough of: a
 * classified.document finding each, over the span their fingerprints lie
 * in. */
static int match_documents(levee_scanner *s, int source) {
  const levee_registry *r = s->registry;
  if (!r || (r->documents == 0 && r->text_images == 0))
    return LEVEE_OK;
  lv_buf_truncate(&s->fingerprints, 0);
  s->fingerprinted = source;
  int rc = lv_winnow(s->cur, &s->fingerprints);
  if (rc || s->fingerprints.len == 0 || r->documents == 0)
    return rc;
  lv_doc_match m[LV_REGISTRY_MATCHES];
  size_t found = 0;
  rc = lv_doc_index_match(r->docs,
                          (const lv_fingerprint *)(void *)s->fingerprints.data,
                          s->fingerprints.len / sizeof(lv_fingerprint), m,
                          LV_REGISTRY_MATCHES, &found);
  for (size_t i = 0; !rc && i < found; i++) {
    levee_finding *f =
        emit(s, source, "classified.document", m[i].start, m[i].end,
             lv_registry_document_confidence(&m[i]), LV_MASK_NONE);
    if (f) {
      f->registration = &r->regs[m[i].id];
      f->matched = m[i].total ? (double)m[i].matched / m[i].total : 0;
    }
  }
  return rc;
}

/* The registered image attachment source is a copy of (registry.h says
 * how it is told): 1, *out and how sure, or 0 when there is none. */
static int find_image(levee_scanner *s, int source, const levee_attachment *at,
                      lv_image_match *out, double *confidence) {
  const levee_registry *r = s->registry;
  const lv_fingerprint *fp =
      (const lv_fingerprint *)(void *)s->fingerprints.data;
  size_t n_fp = s->fingerprinted == source
                    ? s->fingerprints.len / sizeof(lv_fingerprint)
                    : 0;
  int rc;
  /* A page photo, by its text: the most matched first. */
  if (r->text_images && n_fp) {
    lv_doc_match m[LV_REGISTRY_MATCHES];
    size_t found = 0;
    if ((rc = lv_doc_index_match(r->img_texts, fp, n_fp, m, LV_REGISTRY_MATCHES,
                                 &found)))
      return rc;
    for (size_t i = 0; i < found; i++) {
      unsigned d = lv_registry_image_distance(r, m[i].id, at->phash);
      if (d <= LV_IMAGE_TEXT_DISTANCE) {
        /* The text is the evidence here; the hash only says the
         * pictures are alike. */
        *out = (lv_image_match){m[i].id, d};
        *confidence = lv_registry_document_confidence(&m[i]);
        return 1;
      }
    }
  }
  /* A picture by its hash; a page only by a very near one, and only when
   * this image's text could not be read. */
  lv_image_match m[LV_REGISTRY_IMAGE_CANDIDATES];
  size_t found = 0;
  if ((rc = lv_image_index_match(r->imgs, at->phash, LV_IMAGE_MATCH_DISTANCE, m,
                                 LV_REGISTRY_IMAGE_CANDIDATES, &found)))
    return rc;
  for (size_t i = 0; i < found; i++)
    if (!r->entries[m[i].id].has_text ||
        (n_fp == 0 && m[i].distance <= LV_IMAGE_UNCONFIRMED_DISTANCE)) {
      *out = m[i];
      *confidence = lv_registry_image_confidence(m[i].distance);
      return 1;
    }
  return 0;
}

/* A registered image near attachment source's perceptual hash: a
 * classified.image finding, its excerpt the registration's label. */
static int match_image(levee_scanner *s, int source,
                       const levee_attachment *at) {
  const levee_registry *r = s->registry;
  if (!r || r->images == 0 || !at->has_phash)
    return LEVEE_OK;
  lv_image_match m;
  double confidence;
  int rc = find_image(s, source, at, &m, &confidence);
  if (rc <= 0)
    return rc;
  const levee_registration *reg = &r->regs[m.id];
  levee_finding *f =
      attachment_finding(s, source, "classified.image", confidence,
                         reg->label.ptr ? reg->label.ptr : "");
  if (f) {
    f->registration = reg;
    f->matched = 1.0 - m.distance / 64.0;
    f->distance = (int)m.distance;
  }
  return LEVEE_OK;
}

/* --- the scan ------------------------------------------------------------- */

static int on_hit(unsigned id, unsigned long long from, unsigned long long to,
                  unsigned flags, void *ctx) {
  levee_scanner *s = ctx;
  (void)flags;
  if (s->n_hits >= LV_MAX_CANDIDATES) {
    s->hits_full = 1;
    return 1; /* stop: the verdict says it was truncated */
  }
  const lv_pattern_info *pi = &s->e->pats[id];
  uint32_t f;
  switch (pi->kind) {
  case LV_PAT_LITERAL: f = (uint32_t)(to - pi->lit_len); break;
  case LV_PAT_REGEX: f = (uint32_t)from; break;
  default: f = (uint32_t)to; break;
  }
  s->hits[s->n_hits++] = (lv_hit){id, f, (uint32_t)to};
  return 0;
}

static int by_detector_then_offset(const void *a, const void *b, void *ctx) {
  const lv_hit *x = a, *y = b;
  const lv_pattern_info *p = ctx;
  if (p[x->pid].detector != p[y->pid].detector)
    return p[x->pid].detector < p[y->pid].detector ? -1 : 1;
  if (x->from != y->from)
    return x->from < y->from ? -1 : 1;
  if (x->to != y->to)
    return x->to < y->to ? -1 : 1;
  return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Scans s->cur with the regex database, and with the literal database
 * unless its hits are already in s->hits (a batch), then hands each
 * detector the hits of its own patterns. */
static int detect(levee_scanner *s, const levee_event *ev, int source,
                  int have_literal_hits) {
  levee_engine *e = s->e;
  const lv_norm *n = s->cur;
  if (!have_literal_hits) {
    s->n_hits = 0;
    s->hits_full = 0;
    if (e->lit_db &&
        hs_scan(e->lit_db, n->text, (unsigned)n->len, 0, s->scratch, on_hit,
                s) == HS_SCAN_TERMINATED &&
        !s->hits_full)
      return LEVEE_ESCAN;
  }
  if (e->re_db && !s->hits_full &&
      hs_scan(e->re_db, n->text, (unsigned)n->len, 0, s->scratch, on_hit, s) ==
          HS_SCAN_TERMINATED &&
      !s->hits_full)
    return LEVEE_ESCAN;
  if (s->hits_full)
    s->truncated = 1;
  if (s->n_hits == 0)
    return LEVEE_OK;
  qsort_r(s->hits, s->n_hits, sizeof *s->hits, by_detector_then_offset,
          e->pats);
  lv_inspect in = {s, ev, source};
  size_t i = 0;
  while (i < s->n_hits) {
    uint16_t d = e->pats[s->hits[i].pid].detector;
    size_t j = i + 1;
    while (j < s->n_hits && e->pats[s->hits[j].pid].detector == d)
      j++;
    const lv_detector_inst *inst = &e->dets[d];
    inst->ops->validate(&in, inst, s->hits + i, j - i);
    i = j;
  }
  return LEVEE_OK;
}

/* What of a text is inspected: at most LV_MAX_TEXT_BYTES, cut at a
 * character boundary (*truncated is set when it was cut). */
static levee_str inspected_part(levee_str text, int *truncated) {
  if (text.len > LV_MAX_TEXT_BYTES) {
    text.len = lv_utf8_floor(text.ptr, LV_MAX_TEXT_BYTES);
    *truncated = 1;
  }
  return text;
}

static int inspect_source(levee_scanner *s, const levee_event *ev, int source,
                          levee_str text) {
  if (!text.ptr || text.len == 0)
    return LEVEE_OK;
  /* Inspect what fits; the verdict says when it was truncated. */
  text = inspected_part(text, &s->truncated);
  int rc = lv_normalize(&s->norm, text.ptr, text.len);
  if (rc)
    return rc;
  s->cur = &s->norm;
  rc = detect(s, ev, source, 0);
  if (!rc)
    rc = match_documents(s, source);
  return rc;
}

/* An attachment whose text could not be extracted (corrupt, over a limit,
 * OCR missing): a finding of its own, its excerpt saying why, since what
 * levee cannot read it cannot clear either. */
static void attachment_unreadable(levee_scanner *s, int source, levee_str why) {
  size_t len = why.len < LV_MAX_EXCERPT_BYTES ? why.len : LV_MAX_EXCERPT_BYTES;
  while (len && len < why.len && ((unsigned char)why.ptr[len] & 0xC0) == 0x80)
    len--; /* cut at a character boundary */
  char *excerpt = lv_arena_strndup(&s->arena, why.ptr, len);
  attachment_finding(s, source, "attachment.unreadable", 1.0,
                     excerpt ? excerpt : "");
}

/* Each attachment's text, or the reason it has none. */
static int inspect_attachments(levee_scanner *s, const levee_event *ev) {
  int rc = LEVEE_OK;
  for (size_t i = 0; !rc && i < ev->n_attachments; i++) {
    const levee_attachment *at = &ev->attachments[i];
    rc = inspect_source(s, ev, (int)i, at->text);
    if (!rc && at->error.ptr && at->error.len)
      attachment_unreadable(s, (int)i, at->error);
    if (!rc)
      rc = match_image(s, (int)i, at);
  }
  return rc;
}

static int by_source_then_start(const void *a, const void *b) {
  const levee_finding *x = a, *y = b;
  if (x->source != y->source)
    return x->source < y->source ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return (x->end > y->end) - (x->end < y->end);
}

/* The event text with every finding in it replaced by '*' per character. */
static const char *redact(levee_scanner *s, levee_str text) {
  char *out = lv_arena_alloc(&s->arena, text.len + 1);
  if (!out)
    return NULL;
  size_t o = 0, i = 0;
  while (i < text.len) {
    int covered = 0;
    for (size_t k = 0; k < s->n_finds && !covered; k++)
      covered = s->finds[k].source == -1 && s->finds[k].start <= i &&
                i < s->finds[k].end;
    int32_t cp;
    int len =
        lv_utf8_decode((const unsigned char *)text.ptr + i, text.len - i, &cp);
    if (covered)
      out[o++] = '*';
    else {
      memcpy(out + o, text.ptr + i, (size_t)len);
      o += (size_t)len;
    }
    i += (size_t)len;
  }
  out[o] = '\0';
  return out;
}

static void begin_event(levee_scanner *s, const levee_event *ev) {
  const levee_policy *p = s->e->policy;
  lv_arena_reset(&s->arena);
  s->n_finds = 0;
  s->fingerprinted = NO_SOURCE;
  s->truncated = 0;
  for (size_t i = 0; i < p->n_rules; i++)
    s->rule_ok[i] = (unsigned char)lv_rule_matches_event(&p->rules[i], ev);
}

static const levee_verdict *finish_event(levee_scanner *s,
                                         const levee_event *ev) {
  levee_verdict *v = &s->v;
  memset(v, 0, sizeof *v);
  v->id = ev->id;
  for (size_t i = 0; i < s->n_finds; i++) {
    if (s->finds[i].action > v->action)
      v->action = s->finds[i].action;
    if (s->finds[i].severity > v->severity)
      v->severity = s->finds[i].severity;
  }
  if (s->n_finds > 1)
    qsort(s->finds, s->n_finds, sizeof *s->finds, by_source_then_start);
  v->findings = s->finds;
  v->n_findings = s->n_finds;
  v->truncated = s->truncated;
  /* When a bound cut the inspection short, findings may be missing from
   * the list, so a redacted text could leak what was not listed: block
   * instead. */
  if (v->action == LEVEE_ACTION_REDACT && s->truncated)
    v->action = LEVEE_ACTION_BLOCK;
  if (v->action == LEVEE_ACTION_REDACT && ev->text.ptr)
    v->redacted_text = redact(s, ev->text);
  return v;
}

int levee_scanner_inspect(levee_scanner *s, const levee_event *ev,
                          const levee_verdict **out) {
  begin_event(s, ev);
  int rc = inspect_source(s, ev, -1, ev->text);
  if (!rc)
    rc = inspect_attachments(s, ev);
  if (rc)
    return rc;
  *out = finish_event(s, ev);
  return LEVEE_OK;
}

/* --- batches -------------------------------------------------------------- */

static int grow_array(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return LEVEE_OK;
  size_t nc = *cap ? *cap : 256;
  while (nc < need)
    nc *= 2;
  void *q = realloc(*p, nc * elem);
  if (!q)
    return LEVEE_ENOMEM;
  *p = q;
  *cap = nc;
  return LEVEE_OK;
}

/* Normalizes the batch's texts into one buffer. */
static int batch_normalize(levee_scanner *s, const levee_event *evs, size_t n) {
  batch_state *b = &s->batch;
  if (grow_array((void **)&b->ev, &b->cap_events, n + 1, sizeof *b->ev))
    return LEVEE_ENOMEM;
  b->n = n;
  b->len = 0;
  for (size_t i = 0; i < n; i++) {
    int trunc = 0;
    levee_str text = inspected_part(evs[i].text, &trunc);
    b->ev[i] = (batch_event){b->len, 0, 0, trunc ? BATCH_TRUNCATED : 0};
    if (!text.ptr || text.len == 0)
      continue;
    size_t out;
    int rc = lv_normalize_at(&b->texts, b->len, text.ptr, text.len, &out);
    if (rc)
      return rc;
    b->ev[i].flags |= BATCH_HAS_TEXT;
    b->len += out + 1; /* and its NUL */
  }
  b->ev[n].start = b->len;
  return LEVEE_OK;
}

/* The event whose text (with its NUL) holds batch offset off. */
static size_t event_at(const batch_state *b, size_t off) {
  size_t i = b->cursor;
  if (b->ev[i].start <= off && off < b->ev[i + 1].start)
    return i;
  size_t lo = 0, hi = b->n; /* the last i with start[i] <= off */
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (b->ev[mid].start <= off)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

static int on_batch_hit(unsigned id, unsigned long long from,
                        unsigned long long to, unsigned flags, void *ctx) {
  levee_scanner *s = ctx;
  batch_state *b = &s->batch;
  (void)from, (void)flags;
  const lv_pattern_info *pi = &s->e->pats[id];
  size_t end = b->base + (size_t)to;
  size_t i = event_at(b, end - 1);
  size_t begin = b->ev[i].start, text_end = b->ev[i + 1].start - 1; /* NUL */
  if (end - pi->lit_len < begin || end > text_end)
    return 0; /* spans two texts: no scan of one text finds it */
  b->cursor = i;
  if (b->ev[i].n_hits >= LV_MAX_CANDIDATES) {
    /* This event is full, and its verdict will say so. Stop and resume at
     * the next event, so one text cannot make the batch scan long. */
    b->ev[i].flags |= BATCH_HITS_FULL;
    b->resume = i + 1;
    return 1;
  }
  if (b->n_hits == b->cap_hits && grow_array((void **)&b->hits, &b->cap_hits,
                                             b->n_hits + 1, sizeof *b->hits)) {
    b->resume = SIZE_MAX; /* out of memory */
    return 1;
  }
  b->ev[i].n_hits++;
  b->hits[b->n_hits++] = (batch_hit){
      (uint32_t)i,
      {id, (uint32_t)(end - pi->lit_len - begin), (uint32_t)(end - begin)}};
  return 0;
}

/* The literal database over the batch's texts: one scan, resumed after an
 * event that had too many hits. */
static int batch_scan(levee_scanner *s) {
  batch_state *b = &s->batch;
  b->n_hits = 0;
  b->cursor = 0;
  if (!s->e->lit_db)
    return LEVEE_OK;
  size_t first = 0;
  while (first < b->n && b->ev[first].start < b->len) {
    b->base = b->ev[first].start;
    b->resume = 0;
    hs_error_t r =
        hs_scan(s->e->lit_db, b->texts.text + b->base,
                (unsigned)(b->len - b->base), 0, s->scratch, on_batch_hit, s);
    if (r == HS_SUCCESS)
      break;
    if (r != HS_SCAN_TERMINATED || b->resume == 0)
      return LEVEE_ESCAN;
    if (b->resume == SIZE_MAX)
      return LEVEE_ENOMEM;
    first = b->resume;
  }
  /* Group the hits by event (a counting sort; order within an event does
   * not matter, detect() sorts them). */
  if (grow_array((void **)&b->sorted, &b->cap_sorted, b->n_hits + 1,
                 sizeof *b->sorted))
    return LEVEE_ENOMEM;
  uint32_t pos = 0;
  for (size_t i = 0; i < b->n; i++) {
    b->ev[i].first_hit = pos;
    pos += b->ev[i].n_hits;
    b->ev[i].n_hits = 0; /* counted again as the hits are placed */
  }
  for (size_t k = 0; k < b->n_hits; k++) {
    batch_event *e = &b->ev[b->hits[k].event];
    b->sorted[e->first_hit + e->n_hits++] = b->hits[k].hit;
  }
  return LEVEE_OK;
}

/* Inspects evs[0..n) as one batch; fn gets verdicts numbered from first.
 * Returns a status only when the batch as a whole failed before any
 * verdict was given. */
static int inspect_run(levee_scanner *s, const levee_event *evs, size_t n,
                       size_t first, levee_verdict_fn fn, void *ctx) {
  batch_state *b = &s->batch;
  int rc = batch_normalize(s, evs, n);
  if (!rc)
    rc = batch_scan(s);
  if (rc)
    return rc;
  for (size_t i = 0; i < n; i++) {
    const levee_event *ev = &evs[i];
    begin_event(s, ev);
    const batch_event *be = &b->ev[i];
    if (be->flags & BATCH_TRUNCATED)
      s->truncated = 1;
    if (be->flags & BATCH_HAS_TEXT) {
      size_t off = be->start, len = b->ev[i + 1].start - off - 1;
      int trunc = 0;
      lv_norm view;
      lv_norm_view(&view, &b->texts, off, len, ev->text.ptr,
                   inspected_part(ev->text, &trunc).len);
      s->cur = &view;
      s->n_hits = be->n_hits;
      memcpy(s->hits, b->sorted + be->first_hit, s->n_hits * sizeof *s->hits);
      s->hits_full = (be->flags & BATCH_HITS_FULL) != 0;
      rc = detect(s, ev, -1, 1);
      if (!rc)
        rc = match_documents(s, -1);
      s->cur = &s->norm;
    }
    if (!rc)
      rc = inspect_attachments(s, ev);
    fn(ctx, first + i, rc, rc ? NULL : finish_event(s, ev));
    rc = LEVEE_OK;
  }
  return LEVEE_OK;
}

int levee_scanner_inspect_batch(levee_scanner *s, const levee_event *evs,
                                size_t n, levee_verdict_fn fn, void *ctx) {
  size_t i = 0;
  while (i < n) {
    /* A run is bounded in events and text bytes, so the batch buffers and
     * Hyperscan's 32-bit lengths stay small whatever the caller passes. */
    size_t j = i, bytes = 0;
    while (j < n && j - i < LV_BATCH_EVENTS &&
           (j == i || bytes + evs[j].text.len <= LV_BATCH_TEXT_BYTES)) {
      bytes += evs[j].text.len < LV_MAX_TEXT_BYTES ? evs[j].text.len
                                                   : LV_MAX_TEXT_BYTES;
      j++;
    }
    if (inspect_run(s, evs + i, j - i, i, fn, ctx)) {
      /* The batch steps failed (out of memory, a text that normalizes too
       * long): inspect these events one by one, each with its own status. */
      for (size_t k = i; k < j; k++) {
        const levee_verdict *v = NULL;
        int rc = levee_scanner_inspect(s, &evs[k], &v);
        fn(ctx, k, rc, rc ? NULL : v);
      }
    }
    i = j;
  }
  return LEVEE_OK;
}
