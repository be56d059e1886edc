/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_graph.c: the links between copies and the spread graph over them
 * (trace_graph.h, trace.h).
 */
#include "store/trace_graph.h"

#include <stdlib.h>
#include <string.h>

#include "core/image_index.h"
#include "util/hash.h"
#include "util/json_reader.h"
#include "util/limits.h"

const char *lv_trace_reason_name(lv_trace_reason r) {
  switch (r) {
  case LV_TRACE_FORWARD: return "forward";
  case LV_TRACE_SAME_BYTES: return "same_bytes";
  case LV_TRACE_NEAR_IMAGE: return "near_image";
  case LV_TRACE_SHARED_TEXT: return "shared_text";
  case LV_TRACE_NONE: break;
  }
  return "none";
}

const char *lv_trace_basis_name(lv_trace_basis b) {
  switch (b) {
  case LV_TRACE_FORWARDED: return "forwarded";
  case LV_TRACE_SEEN: return "seen";
  case LV_TRACE_EARLIEST: break;
  }
  return "earliest";
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

void lv_trace_event_sort(lv_trace_event *e) {
  if (e->n_fps > 1)
    qsort(e->fps, e->n_fps, sizeof *e->fps, cmp_u64);
}

static int same(levee_str a, levee_str b) {
  return a.ptr && b.ptr && a.len == b.len &&
         (!a.len || !memcmp(a.ptr, b.ptr, a.len));
}

static int any_same(const levee_str *a, size_t na, const levee_str *b,
                    size_t nb) {
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++)
      if (same(a[i], b[j]))
        return 1;
  return 0;
}

/* Fingerprints two sorted lists have in common. */
static uint32_t shared_fps(const lv_trace_event *a, const lv_trace_event *b) {
  uint32_t n = 0;
  size_t i = 0, j = 0;
  while (i < a->n_fps && j < b->n_fps) {
    if (a->fps[i] < b->fps[j])
      i++;
    else if (a->fps[i] > b->fps[j])
      j++;
    else
      n++, i++, j++;
  }
  return n;
}

/* The text rule: shared is at least LV_TRACE_TEXT_MIN_SHARED and half of
 * the shorter text's fingerprints. Its confidence grows with the share of
 * the shorter text found in the other: 0.5 at half, 0.95 whole. */
static int text_link(const lv_trace_event *a, const lv_trace_event *b,
                     uint32_t *shared, double *confidence) {
  size_t shorter = a->n_fps < b->n_fps ? a->n_fps : b->n_fps;
  uint32_t s = shared_fps(a, b);
  *shared = s;
  if (s < LV_TRACE_TEXT_MIN_SHARED || (size_t)s * 2 < shorter)
    return 0;
  *confidence = 0.05 + 0.9 * (double)s / (double)shorter;
  if (*confidence > 0.95)
    *confidence = 0.95;
  return 1;
}

/* A picture's confidence: 0.95 for the same hash, down to 0.5 at
 * LV_TRACE_IMAGE_DISTANCE bits. */
static double picture_confidence(unsigned d) {
  return 0.95 - 0.45 * (double)d / LV_TRACE_IMAGE_DISTANCE;
}

int lv_trace_link_of(const lv_trace_event *a, const lv_trace_event *b,
                     lv_trace_link *out) {
  memset(out, 0, sizeof *out);
  if (same(a->forwarded_from, b->id) || same(b->forwarded_from, a->id)) {
    *out = (lv_trace_link){LV_TRACE_FORWARD, 1.0, 0, 0};
    return 1;
  }
  if (any_same(a->sha256, a->n_sha256, b->sha256, b->n_sha256)) {
    *out = (lv_trace_link){LV_TRACE_SAME_BYTES, 1.0, 0, 0};
    return 1;
  }
  /* MD5 alone (a chat archive's md5sum): collisions can be made, so a
   * shade less sure. */
  if (any_same(a->md5, a->n_md5, b->md5, b->n_md5)) {
    *out = (lv_trace_link){LV_TRACE_SAME_BYTES, 0.99, 0, 0};
    return 1;
  }
  uint32_t shared = 0;
  double text_confidence = 0;
  int texts = text_link(a, b, &shared, &text_confidence);
  /* The nearest pair of images that the rules let link. */
  int found = 0;
  lv_trace_link best = {LV_TRACE_NEAR_IMAGE, 0, 0, 0};
  for (size_t i = 0; i < a->n_images; i++)
    for (size_t j = 0; j < b->n_images; j++) {
      const lv_trace_image *x = &a->images[i], *y = &b->images[j];
      unsigned d = lv_hamming64(x->phash, y->phash);
      int tx = x->text_fps >= LV_TRACE_READABLE_FINGERPRINTS;
      int ty = y->text_fps >= LV_TRACE_READABLE_FINGERPRINTS;
      double c;
      if (tx && ty) {
        /* Two pages: any two of one layout hash alike; their text says
         * whether they are one page. */
        if (d > LV_TRACE_PAGE_DISTANCE || !texts)
          continue;
        c = text_confidence;
      } else if (d <= (tx || ty ? LV_TRACE_IMAGE_TEXT_DISTANCE
                                : LV_TRACE_IMAGE_DISTANCE)) {
        c = picture_confidence(d);
      } else {
        continue;
      }
      if (!found || d < best.distance) {
        best.distance = d;
        best.confidence = c;
        best.shared = tx && ty ? shared : 0;
        found = 1;
      }
    }
  if (found) {
    *out = best;
    return 1;
  }
  if (texts) {
    *out = (lv_trace_link){LV_TRACE_SHARED_TEXT, text_confidence, 0, shared};
    return 1;
  }
  return 0;
}

/* --- the graph ----------------------------------------------------------- */

/* A recipient as an event lists it. */
typedef struct party {
  levee_str id, name;
} party;

typedef struct builder {
  lv_trace_graph *g;
  const lv_trace_found *copies;
  size_t n;
  size_t *order;      /* order[k]: the copy at node k */
  size_t *node;       /* node[i]: the node of copy i */
  party **recipients; /* per node */
  size_t *n_recipients;
  lv_arena scratch;
  lv_json_doc doc;
  lv_trace_member_fn member;
  void *ud;
  /* people: open addressing over their ids */
  uint32_t *slots; /* index + 1, 0 empty */
  size_t n_slots;
} builder;

static int by_time(const void *pa, const void *pb, void *ud) {
  const builder *b = ud;
  const lv_trace_event *x = b->copies[*(const size_t *)pa].ev;
  const lv_trace_event *y = b->copies[*(const size_t *)pb].ev;
  if (x->time_ms != y->time_ms)
    return x->time_ms < y->time_ms ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sorts idx[0..n) with by_time, stably: a bottom-up merge sort (qsort
 * takes no context, and qsort_r is not C17). */
static int sort_order(builder *b, size_t *idx, size_t n) {
  size_t *tmp = malloc(n * sizeof *tmp);
  if (!tmp)
    return LEVEE_ENOMEM;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n,
             hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = by_time(&idx[j], &idx[i], b) < 0 ? idx[j++] : idx[i++];
      while (i < mid)
        tmp[k++] = idx[i++];
      while (j < hi)
        tmp[k++] = idx[j++];
    }
    memcpy(idx, tmp, n * sizeof *idx);
  }
  free(tmp);
  return LEVEE_OK;
}

static int keep(lv_arena *a, levee_str in, levee_str *out) {
  *out = (levee_str){NULL, 0};
  if (!in.ptr)
    return LEVEE_OK;
  char *c = lv_arena_strndup(a, in.ptr, in.len);
  if (!c)
    return LEVEE_ENOMEM;
  *out = (levee_str){c, in.len};
  return LEVEE_OK;
}

/* The recipients an event lists (ids and names), into b's scratch. A list
 * that does not parse lists no one. */
static int parse_recipients(builder *b, levee_str json, party **out,
                            size_t *n) {
  *out = NULL;
  *n = 0;
  if (!json.ptr || !json.len ||
      lv_json_parse(&b->doc, json.ptr, json.len, NULL) != LEVEE_OK ||
      lv_json_type_of(&b->doc, 0) != LV_JSON_ARRAY)
    return LEVEE_OK;
  size_t cap = (size_t)lv_json_size(&b->doc, 0);
  if (!cap)
    return LEVEE_OK;
  party *p = lv_arena_alloc(&b->scratch, cap * sizeof *p);
  if (!p)
    return LEVEE_ENOMEM;
  for (int it = lv_json_first(&b->doc, 0); it >= 0 && *n < cap;
       it = lv_json_next(&b->doc, 0, it)) {
    int id = lv_json_get(&b->doc, it, "id");
    int name = lv_json_get(&b->doc, it, "name");
    party x = {{NULL, 0}, {NULL, 0}};
    if (lv_json_type_of(&b->doc, id) != LV_JSON_STRING)
      continue;
    if (lv_json_string(&b->doc, id, &b->scratch, &x.id) ||
        (lv_json_type_of(&b->doc, name) == LV_JSON_STRING &&
         lv_json_string(&b->doc, name, &b->scratch, &x.name)))
      return LEVEE_ENOMEM;
    /* Zero-copy strings point into json, which outlives the build. */
    p[(*n)++] = x;
  }
  *out = p;
  return LEVEE_OK;
}

/* Nodes walked back, at most, looking for a conversation the sender takes
 * part in (each asks the store once per conversation, at most
 * LV_MAX_TRACE_LOOKBACK of them). */
#define WALK_MAX 4096
/* Slots of the set of conversations asked for one node. */
#define ASKED_SLOTS 1024
_Static_assert(ASKED_SLOTS >= 2 * LV_MAX_TRACE_LOOKBACK, "room to ask");

/* The nodes each person sent or was listed as a recipient in, ascending:
 * people (by their id's hash) to a list, so the latest copy a sender got
 * is a binary search away, whatever the recipients' number. */
typedef struct seen_list {
  uint64_t who;
  size_t *nodes;
  size_t n, cap;
} seen_list;

typedef struct seen_index {
  seen_list *v; /* open addressing; who 0 with no nodes: empty */
  size_t cap;
  size_t n;
} seen_index;

static seen_list *seen_slot(seen_index *x, uint64_t who) {
  for (size_t i = who & (x->cap - 1);; i = (i + 1) & (x->cap - 1))
    if (!x->v[i].n || x->v[i].who == who)
      return &x->v[i];
}

/* Notes that person id could see node k (nodes come in order). */
static int seen_add(seen_index *x, levee_str id, size_t k) {
  if (!id.ptr)
    return LEVEE_OK;
  if ((x->n + 1) * 2 > x->cap) {
    size_t ncap = x->cap ? x->cap * 2 : 256;
    seen_list *nv = calloc(ncap, sizeof *nv);
    if (!nv)
      return LEVEE_ENOMEM;
    seen_index g = {nv, ncap, 0};
    for (size_t i = 0; i < x->cap; i++)
      if (x->v[i].n) {
        *seen_slot(&g, x->v[i].who) = x->v[i];
        g.n++;
      }
    free(x->v);
    *x = g;
  }
  uint64_t who = lv_fnv1a(id.ptr, id.len);
  seen_list *l = seen_slot(x, who);
  if (!l->n) {
    l->who = who;
    x->n++;
  } else if (l->nodes[l->n - 1] == k) {
    return LEVEE_OK;
  }
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 4;
    size_t *nn = realloc(l->nodes, ncap * sizeof *nn);
    if (!nn)
      return LEVEE_ENOMEM;
    l->nodes = nn;
    l->cap = ncap;
  }
  l->nodes[l->n++] = k;
  return LEVEE_OK;
}

static void seen_free(seen_index *x) {
  for (size_t i = 0; i < x->cap; i++)
    free(x->v[i].nodes);
  free(x->v);
}

/* The latest node before k that person id sent or was listed in, or k. */
static size_t seen_before(seen_index *x, levee_str id, size_t k) {
  if (!id.ptr || !x->cap)
    return k;
  const seen_list *l = seen_slot(x, lv_fnv1a(id.ptr, id.len));
  size_t lo = 0, hi = l->n; /* the first entry >= k */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (l->nodes[mid] < k)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo ? l->nodes[lo - 1] : k;
}

/* Whether conversation c was asked about for the node (stamp) already;
 * notes it when not. */
static int asked_before(uint64_t *keys, size_t *stamps, size_t stamp,
                        uint64_t c) {
  for (size_t i = c & (ASKED_SLOTS - 1);; i = (i + 1) & (ASKED_SLOTS - 1)) {
    if (stamps[i] != stamp) {
      stamps[i] = stamp;
      keys[i] = c;
      return 0;
    }
    if (keys[i] == c)
      return 1;
  }
}

/* The copy node k's edge comes from (trace.h): *from and *basis. */
static int edge_source(builder *b, seen_index *seen, uint64_t *keys,
                       size_t *stamps, size_t k, size_t *from,
                       lv_trace_basis *basis) {
  const lv_trace_node *c = &b->g->nodes[k];
  *from = 0;
  *basis = LV_TRACE_EARLIEST;
  for (size_t j = 0; c->forwarded_from.ptr && j < k; j++)
    if (same(c->forwarded_from, b->g->nodes[j].id)) {
      *from = j;
      *basis = LV_TRACE_FORWARDED;
      return LEVEE_OK;
    }
  if (!c->sender_id.ptr)
    return LEVEE_OK;
  /* The latest copy the sender sent or was listed in ... */
  size_t got = seen_before(seen, c->sender_id, k);
  /* ... or a later one in a conversation the store says the sender takes
   * part in. */
  size_t n_asked = 0, walked = 0;
  for (size_t j = k; j-- > 0 && (got == k || j > got) && walked < WALK_MAX;
       walked++) {
    levee_str conv = b->g->nodes[j].conversation_id;
    if (!conv.ptr ||
        asked_before(keys, stamps, k + 1, lv_fnv1a(conv.ptr, conv.len) | 1) ||
        n_asked >= LV_MAX_TRACE_LOOKBACK)
      continue;
    n_asked++;
    int yes = 0;
    int rc = b->member(b->ud, conv, c->sender_id, &yes);
    if (rc)
      return rc;
    if (yes) {
      got = j;
      break;
    }
  }
  if (got < k) {
    *from = got;
    *basis = LV_TRACE_SEEN;
  }
  return LEVEE_OK;
}

static int add_edge(builder *b, size_t from, size_t to, lv_trace_basis basis) {
  lv_trace_graph *g = b->g;
  lv_trace_edge *e = &g->edges[g->n_edges++];
  const lv_trace_found *cf = &b->copies[b->order[from]];
  const lv_trace_found *ct = &b->copies[b->order[to]];
  e->from = from;
  e->to = to;
  e->basis = basis;
  e->direct = lv_trace_link_of(cf->ev, ct->ev, &e->link);
  if (!e->direct) {
    /* Not alike by themselves (a copy of a copy, changed at each hop):
     * the link through which the trace reached the later one. */
    e->link = ct->link;
    if (e->link.reason == LV_TRACE_NONE)
      e->link = cf->link;
  }
  return LEVEE_OK;
}

/* The person with this id (added when new); NULL past the bound. */
static int person_of(builder *b, levee_str id, levee_str name,
                     lv_trace_person **out) {
  lv_trace_graph *g = b->g;
  *out = NULL;
  if (!id.ptr)
    return LEVEE_OK;
  size_t mask = b->n_slots - 1;
  size_t k = lv_fnv1a(id.ptr, id.len) & mask;
  for (; b->slots[k]; k = (k + 1) & mask) {
    lv_trace_person *p = &g->people[b->slots[k] - 1];
    if (same(p->id, id)) {
      if (!p->name.ptr && name.ptr && keep(&g->arena, name, &p->name))
        return LEVEE_ENOMEM;
      *out = p;
      return LEVEE_OK;
    }
  }
  if (g->n_people >= LV_MAX_TRACE_PEOPLE) {
    g->people_truncated = 1;
    return LEVEE_OK;
  }
  lv_trace_person *p = &g->people[g->n_people];
  memset(p, 0, sizeof *p);
  if (keep(&g->arena, id, &p->id) || keep(&g->arena, name, &p->name))
    return LEVEE_ENOMEM;
  b->slots[k] = (uint32_t)++g->n_people;
  *out = p;
  return LEVEE_OK;
}

static int reached(builder *b) {
  lv_trace_graph *g = b->g;
  int rc = LEVEE_OK;
  g->conversations =
      lv_arena_alloc(&g->arena, g->n_nodes * sizeof *g->conversations);
  g->people =
      lv_arena_alloc(&g->arena, LV_MAX_TRACE_PEOPLE * sizeof *g->people);
  b->n_slots = 2 * (size_t)LV_MAX_TRACE_PEOPLE;
  size_t pow2 = 1;
  while (pow2 < b->n_slots)
    pow2 *= 2;
  b->n_slots = pow2;
  b->slots = calloc(b->n_slots, sizeof *b->slots);
  if (!g->conversations || !g->people || !b->slots)
    return LEVEE_ENOMEM;
  for (size_t k = 0; !rc && k < g->n_nodes; k++) {
    const lv_trace_node *n = &g->nodes[k];
    if (n->conversation_id.ptr) {
      size_t c = 0;
      while (c < g->n_conversations &&
             !same(g->conversations[c].id, n->conversation_id))
        c++;
      lv_trace_place *p = &g->conversations[c];
      if (c == g->n_conversations) {
        *p = (lv_trace_place){n->conversation_id, n->conversation_type,
                              n->conversation_title, 0, n->time_ms};
        g->n_conversations++;
      }
      p->copies++;
      if (!p->title.ptr)
        p->title = n->conversation_title;
    }
    lv_trace_person *p;
    if ((rc = person_of(b, n->sender_id, n->sender_name, &p)))
      break;
    if (p)
      p->sent++;
    for (size_t i = 0; !rc && i < b->n_recipients[k]; i++) {
      const party *r = &b->recipients[k][i];
      if (same(r->id, n->sender_id))
        continue;
      if (!(rc = person_of(b, r->id, r->name, &p)) && p)
        p->received++;
    }
  }
  return rc;
}

int lv_trace_graph_build(lv_trace_graph *g, const lv_trace_found *copies,
                         size_t n, lv_trace_member_fn member, void *ud) {
  builder b;
  memset(&b, 0, sizeof b);
  b.g = g;
  b.copies = copies;
  b.n = n;
  b.member = member;
  b.ud = ud;
  lv_arena_init(&b.scratch, (size_t)1 << 30);
  lv_json_doc_init(&b.doc);
  seen_index seen = {NULL, 0, 0};
  uint64_t *asked_keys = NULL;
  size_t *asked_stamps = NULL;
  int rc = LEVEE_ENOMEM;
  b.order = malloc(n * sizeof *b.order);
  b.node = malloc(n * sizeof *b.node);
  b.recipients = calloc(n, sizeof(party *));
  b.n_recipients = calloc(n, sizeof *b.n_recipients);
  asked_keys = malloc(ASKED_SLOTS * sizeof *asked_keys);
  asked_stamps = calloc(ASKED_SLOTS, sizeof *asked_stamps);
  g->nodes = lv_arena_alloc(&g->arena, n * sizeof *g->nodes);
  g->edges = lv_arena_alloc(&g->arena, n * sizeof *g->edges);
  if (!n || !b.order || !b.node || !b.recipients || !b.n_recipients ||
      !asked_keys || !asked_stamps || !g->nodes || !g->edges)
    goto out;
  for (size_t i = 0; i < n; i++)
    b.order[i] = i;
  if ((rc = sort_order(&b, b.order, n)))
    goto out;
  for (size_t k = 0; k < n; k++)
    b.node[b.order[k]] = k;
  /* The nodes, their strings in the graph's arena. */
  for (size_t k = 0; k < n; k++) {
    const lv_trace_found *f = &copies[b.order[k]];
    const lv_trace_event *e = f->ev;
    lv_trace_node *d = &g->nodes[k];
    memset(d, 0, sizeof *d);
    d->seq = e->seq;
    d->time_ms = e->time_ms;
    d->found_from = f->from < n ? b.node[f->from] : k;
    d->found = f->link;
    if ((rc = keep(&g->arena, e->id, &d->id)) ||
        (rc = keep(&g->arena, e->channel, &d->channel)) ||
        (rc = keep(&g->arena, e->conversation_id, &d->conversation_id)) ||
        (rc = keep(&g->arena, e->conversation_type, &d->conversation_type)) ||
        (rc = keep(&g->arena, e->conversation_title, &d->conversation_title)) ||
        (rc = keep(&g->arena, e->sender_id, &d->sender_id)) ||
        (rc = keep(&g->arena, e->sender_name, &d->sender_name)) ||
        (rc = keep(&g->arena, e->forwarded_from, &d->forwarded_from)) ||
        (rc = parse_recipients(&b, e->recipients, &b.recipients[k],
                               &b.n_recipients[k])))
      goto out;
  }
  g->n_nodes = n;
  g->target = b.node[0];
  /* Who could see which copy, then an edge into each node but the
   * first. */
  for (size_t k = 0; k < n && !rc; k++) {
    rc = seen_add(&seen, g->nodes[k].sender_id, k);
    for (size_t i = 0; !rc && i < b.n_recipients[k]; i++)
      rc = seen_add(&seen, b.recipients[k][i].id, k);
  }
  if (rc)
    goto out;
  for (size_t k = 1; k < n; k++) {
    size_t from;
    lv_trace_basis basis;
    if ((rc = edge_source(&b, &seen, asked_keys, asked_stamps, k, &from,
                          &basis)) ||
        (rc = add_edge(&b, from, k, basis)))
      goto out;
  }
  rc = reached(&b);
out:
  free(b.order);
  free(b.node);
  free(b.recipients);
  free(b.n_recipients);
  free(b.slots);
  free(asked_keys);
  free(asked_stamps);
  seen_free(&seen);
  lv_json_doc_cleanup(&b.doc);
  lv_arena_cleanup(&b.scratch);
  return rc;
}
