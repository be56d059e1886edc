/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scanner.c: inspecting one event with a compiled engine.
 *
 * For the event's text and each attachment's extracted text (a "source"):
 * normalize with an offset map, scan the literal and regex databases,
 * hand each detector the hits of its own patterns, and turn what the
 * validators emit into findings in original-text offsets. The policy then
 * decides each finding's rule, action and severity; the verdict takes the
 * strongest. A scanner belongs to one thread: it owns the Hyperscan scratch
 * and the per-message arena that the verdict lives in.
 */
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"
#include "core/mask.h"
#include "core/normalize.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

struct levee_scanner {
  levee_engine *e;
  hs_scratch_t *scratch;
  lv_norm norm;
  lv_arena arena;
  lv_hit *hits; /* LV_MAX_CANDIDATES */
  size_t n_hits;
  int hits_full;
  unsigned char *rule_ok; /* per rule: it applies to the current event */
  levee_finding *finds;   /* LV_MAX_FINDINGS */
  size_t n_finds;
  int truncated;
  levee_verdict v;
};

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
  lv_arena_init(&s->arena, LV_MAX_ARENA_BYTES);
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
  lv_arena_cleanup(&s->arena);
  free(s->hits);
  free(s->finds);
  free(s->rule_ok);
  levee_engine_unref(s->e);
  free(s);
}

/* --- services for detectors ----------------------------------------------- */

const lv_pattern_info *lv_inspect_pattern(const lv_inspect *in, uint32_t pid) {
  return &in->s->e->pats[pid];
}

const lv_norm *lv_inspect_norm(const lv_inspect *in) {
  return &in->s->norm;
}

const levee_event *lv_inspect_event(const lv_inspect *in) {
  return in->ev;
}

levee_str lv_inspect_original(const lv_inspect *in, uint32_t from,
                              uint32_t to) {
  const lv_norm *n = &in->s->norm;
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

void lv_inspect_emit(lv_inspect *in, const char *category, uint32_t from,
                     uint32_t to, double confidence, lv_mask mask) {
  levee_scanner *s = in->s;
  const lv_rule *r = decide(s, category, confidence);
  if (!r)
    return;
  const lv_norm *n = &s->norm;
  size_t start = lv_norm_orig_start(n, from);
  size_t end = to > from ? lv_norm_orig_end(n, to) : start;
  /* One finding per category and span: an overlapping finding of the same
   * category is replaced by the stronger (then longer) of the two. */
  size_t idx = s->n_finds;
  for (size_t i = 0; i < s->n_finds; i++) {
    const levee_finding *f = &s->finds[i];
    if (f->source != in->source || strcmp(f->category, category) ||
        f->end <= start || end <= f->start)
      continue;
    if (confidence < f->confidence ||
        (confidence == f->confidence && end - start <= f->end - f->start))
      return;
    idx = i;
    break;
  }
  if (idx == s->n_finds) {
    if (idx >= LV_MAX_FINDINGS) {
      s->truncated = 1;
      return;
    }
    s->n_finds++;
  }
  levee_finding *f = &s->finds[idx];
  f->rule = r->id;
  f->category = category;
  f->source = in->source;
  f->start = start;
  f->end = end;
  f->confidence = confidence;
  f->action = r->action;
  f->severity = r->severity;
  f->excerpt = lv_mask_excerpt(&s->arena, n->orig + start, end - start, mask);
  if (!f->excerpt)
    f->excerpt = "";
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

static int inspect_source(levee_scanner *s, const levee_event *ev, int source,
                          levee_str text) {
  levee_engine *e = s->e;
  if (!text.ptr || text.len == 0)
    return LEVEE_OK;
  if (text.len > LV_MAX_TEXT_BYTES) {
    /* Inspect what fits; the verdict says it was truncated. */
    text.len = lv_utf8_floor(text.ptr, LV_MAX_TEXT_BYTES);
    s->truncated = 1;
  }
  int rc = lv_normalize(&s->norm, text.ptr, text.len);
  if (rc)
    return rc;
  s->n_hits = 0;
  s->hits_full = 0;
  if (e->lit_db &&
      hs_scan(e->lit_db, s->norm.text, (unsigned)s->norm.len, 0, s->scratch,
              on_hit, s) == HS_SCAN_TERMINATED &&
      !s->hits_full)
    return LEVEE_ESCAN;
  if (e->re_db && !s->hits_full &&
      hs_scan(e->re_db, s->norm.text, (unsigned)s->norm.len, 0, s->scratch,
              on_hit, s) == HS_SCAN_TERMINATED &&
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

int levee_scanner_inspect(levee_scanner *s, const levee_event *ev,
                          const levee_verdict **out) {
  const levee_policy *p = s->e->policy;
  lv_arena_reset(&s->arena);
  s->n_finds = 0;
  s->truncated = 0;
  for (size_t i = 0; i < p->n_rules; i++)
    s->rule_ok[i] = (unsigned char)lv_rule_matches_event(&p->rules[i], ev);
  int rc = inspect_source(s, ev, -1, ev->text);
  for (size_t i = 0; !rc && i < ev->n_attachments; i++)
    rc = inspect_source(s, ev, (int)i, ev->attachments[i].text);
  if (rc)
    return rc;
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
  *out = v;
  return LEVEE_OK;
}
