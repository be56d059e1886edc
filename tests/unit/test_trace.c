/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_trace.c: the trace index and `levee trace`'s store API
 * (src/store/trace_index.h, trace.h, trace_graph.h).
 *
 * Pure parts: short chatter has no fingerprints and long text has them,
 * distinct and bounded; multi-index hashing's probe keys catch every hash
 * within 10 bits; the link rules (forward, same bytes, near pictures, page
 * photos only with their texts, shared text at half the shorter text);
 * the graph's edges (forwarded from, the latest copy the sender could see
 * by recipients or by the store's members, else the earliest) and what it
 * reached.
 *
 * Through the store (SQLite, or PostgreSQL with LEVEE_TEST_STORE_URL, as
 * test_store.c): a photo re-encoded at every hop, so that its far hops are
 * 30 bits apart, traced from any hop gives exactly the chain, with
 * bystanders (other pictures, "收到", other texts) left out; a pasted
 * paragraph links to its document; deleting content under retention
 * drops the fingerprints but not the image hashes; an older store gets
 * fingerprints and members from its content on open; the log's hashes are
 * what they were, and the store still verifies; a text forwarded past the
 * bound gives LV_MAX_TRACE_COPIES copies and says truncated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/image_index.h"
#include "core/policy.h"
#include "store/evidence.h"
#include "store/pq_lib.h"
#include "store/store.h"
#include "store/store_backend.h"
#include "store/trace.h"
#include "store/trace_graph.h"
#include "store/trace_index.h"
#include "util/limits.h"

static levee_str S(const char *s) {
  return (levee_str){s, s ? strlen(s) : 0};
}

/* A paragraph of an official notice: some 80 characters. */
static const char para1[] =
    "各乡镇人民政府，县直各单位：为切实做好今年汛期地质灾害防治工作，"
    "确保人民群众生命财产安全，经县政府研究决定，自即日起全面开展隐患点"
    "排查整治行动，请各单位高度重视，认真组织实施。";
static const char para2[] =
    "二、排查范围包括辖区内所有在建工地、削坡建房户、学校、卫生院及人员"
    "密集场所周边的边坡和河道，发现险情立即上报县应急管理局值班室，"
    "并组织群众有序撤离到安全地带。";
static const char para3[] =
    "三、各单位要严格落实二十四小时值班和领导带班制度，保持通讯畅通，"
    "对迟报、漏报、瞒报造成严重后果的，依法依规追究有关人员责任，"
    "决不姑息迁就，特此通知。";

/* --- the pure parts ------------------------------------------------------- */

static void test_text_fingerprints(void **state) {
  (void)state;
  lv_trace_indexer x;
  lv_trace_indexer_init(&x);
  const uint64_t *fps;
  size_t n;
  /* Chatter: nothing to index. */
  static const char *const short_ones[] = {"收到", "好的，收到，马上处理", "ok",
                                           "", "谢谢领导"};
  for (size_t i = 0; i < sizeof short_ones / sizeof *short_ones; i++) {
    assert_int_equal(
        lv_trace_text_fps(&x, S(short_ones[i]), (levee_str){NULL, 0}, &fps, &n),
        0);
    assert_int_equal(n, 0);
  }
  assert_int_equal(lv_trace_text_fps(&x, (levee_str){NULL, 0},
                                     (levee_str){NULL, 0}, &fps, &n),
                   0);
  assert_int_equal(n, 0);
  /* A paragraph: distinct fingerprints; the same ones from the extracted
   * text as from the message; deterministic. */
  assert_int_equal(
      lv_trace_text_fps(&x, S(para1), (levee_str){NULL, 0}, &fps, &n), 0);
  assert_true(n >= 10);
  uint64_t first[64];
  size_t n1 = n < 64 ? n : 64;
  memcpy(first, fps, n1 * sizeof *fps);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      assert_true(fps[i] != fps[j]);
  assert_int_equal(
      lv_trace_text_fps(&x, (levee_str){NULL, 0}, S(para1), &fps, &n), 0);
  assert_int_equal(n, n1);
  assert_memory_equal(fps, first, n1 * sizeof *fps);
  /* Spacing and punctuation do not change them (the normalized letters
   * are winnowed). */
  assert_int_equal(
      lv_trace_text_fps(&x,
                        S("各乡镇人民政府  县直各单位 为切实做好今年汛期"
                          "地质灾害防治工作 确保人民群众生命财产安全"),
                        (levee_str){NULL, 0}, &fps, &n),
      0);
  assert_true(n >= 3);
  assert_int_equal(fps[0], first[0]);
  /* A long text is indexed up to the bound. */
  size_t len = (size_t)3 * 40000;
  char *big = malloc(len + 1);
  assert_non_null(big);
  for (size_t i = 0; i < 40000; i++) {
    unsigned cp = 0x4e00 + (unsigned)((i * 7919u) % 20000u);
    big[3 * i] = (char)(0xe0 | (cp >> 12));
    big[3 * i + 1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    big[3 * i + 2] = (char)(0x80 | (cp & 0x3f));
  }
  big[len] = '\0';
  assert_int_equal(lv_trace_text_fps(&x, (levee_str){big, len},
                                     (levee_str){NULL, 0}, &fps, &n),
                   0);
  assert_int_equal(n, LV_MAX_TRACE_FINGERPRINTS);
  free(big);
  lv_trace_indexer_cleanup(&x);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 7;
  rnd_state ^= rnd_state << 17;
  return rnd_state;
}

/* h with d bits flipped (d distinct bits). */
static uint64_t flip_bits(uint64_t h, unsigned d) {
  uint64_t out = h;
  while (lv_hamming64(out, h) < d)
    out ^= 1ull << (rnd() % 64);
  return out;
}

static void test_probe_keys(void **state) {
  (void)state;
  uint32_t keys[LV_TRACE_PROBE_KEYS];
  size_t n;
  lv_trace_probe_keys(0x0123456789abcdefull, 10, keys, &n);
  assert_int_equal(n, 4 * 137); /* 1 + 16 + 120 values per block */
  lv_trace_probe_keys(0x0123456789abcdefull, 3, keys, &n);
  assert_int_equal(n, 4);
  lv_trace_probe_keys(0x0123456789abcdefull, 15, keys, &n);
  assert_int_equal(n, LV_TRACE_PROBE_KEYS);
  /* Every hash within 10 bits has a block key among the probes. */
  for (int t = 0; t < 2000; t++) {
    uint64_t h = rnd(), g = flip_bits(h, (unsigned)(t % 11));
    lv_trace_probe_keys(h, 10, keys, &n);
    int hit = 0;
    for (int b = 0; b < LV_TRACE_BLOCKS && !hit; b++)
      for (size_t k = 0; k < n && !hit; k++)
        hit = keys[k] == lv_trace_block_key(g, b);
    assert_true(hit);
  }
  assert_int_equal(lv_trace_block_key(0xffff000000000000ull, 3),
                   3u << 16 | 0xffff);
}

static void test_member_keys(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 1 << 20);
  levee_str c, p;
  assert_int_equal(
      lv_trace_member_key(&b, (levee_str){"g\0x", 3}, (levee_str){"u\0", 2}),
      0);
  assert_int_equal(lv_trace_member_split((levee_str){b.data, b.len}, &c, &p),
                   0);
  assert_int_equal(c.len, 3);
  assert_memory_equal(c.ptr, "g\0x", 3);
  assert_int_equal(p.len, 2);
  assert_memory_equal(p.ptr, "u\0", 2);
  assert_int_equal(lv_trace_member_split((levee_str){"\0\0\0\x09"
                                                     "ab",
                                                     6},
                                         &c, &p),
                   LEVEE_EINVAL);
  lv_buf_cleanup(&b);
}

/* An event in memory. */
typedef struct mem_event {
  lv_trace_event e;
  lv_trace_image img[2];
  levee_str sha[1], md5[1];
  uint64_t fps[LV_MAX_TRACE_FINGERPRINTS];
  lv_trace_indexer x;
} mem_event;

static void mem(mem_event *m, uint64_t seq, const char *id, int64_t t,
                const char *conv, const char *sender, const char *text) {
  memset(m, 0, sizeof *m);
  m->e.seq = seq;
  m->e.id = S(id);
  m->e.time_ms = t;
  m->e.conversation_id = S(conv);
  m->e.sender_id = S(sender);
  if (text) {
    lv_trace_indexer_init(&m->x);
    const uint64_t *f;
    size_t n;
    assert_int_equal(
        lv_trace_text_fps(&m->x, S(text), (levee_str){NULL, 0}, &f, &n), 0);
    if (n)
      memcpy(m->fps, f, n * sizeof *f);
    lv_trace_indexer_cleanup(&m->x);
    m->e.fps = m->fps;
    m->e.n_fps = n;
    lv_trace_event_sort(&m->e);
  }
}

static void mem_image(mem_event *m, uint64_t phash, uint32_t text_fps) {
  m->img[m->e.n_images] =
      (lv_trace_image){(uint32_t)m->e.n_images, text_fps, phash};
  m->e.images = m->img;
  m->e.n_images++;
}

static void test_links(void **state) {
  (void)state;
  static mem_event a, b;
  lv_trace_link l;
  /* Nothing alike. */
  mem(&a, 1, "a", 1, "g", "u", "收到");
  mem(&b, 2, "b", 2, "g", "v", "收到");
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 0);
  assert_int_equal(l.reason, LV_TRACE_NONE);
  /* Forwarded, either way. */
  b.e.forwarded_from = S("a");
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_FORWARD);
  assert_int_equal(lv_trace_link_of(&b.e, &a.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_FORWARD);
  b.e.forwarded_from = (levee_str){NULL, 0};
  /* The same bytes; MD5 alone a shade less sure. */
  a.sha[0] = b.sha[0] = S("ab12");
  a.e.sha256 = a.sha;
  b.e.sha256 = b.sha;
  a.e.n_sha256 = b.e.n_sha256 = 1;
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_SAME_BYTES);
  assert_true(l.confidence == 1.0);
  a.e.n_sha256 = b.e.n_sha256 = 0;
  a.md5[0] = b.md5[0] = S("cd34");
  a.e.md5 = a.md5;
  b.e.md5 = b.md5;
  a.e.n_md5 = b.e.n_md5 = 1;
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_SAME_BYTES);
  assert_true(l.confidence < 1.0 && l.confidence > 0.9);
  a.e.n_md5 = b.e.n_md5 = 0;
  /* Pictures within 10 bits, not 11. */
  uint64_t h = 0x5a5aa5a5f00f0ff0ull;
  mem_image(&a, h, 0);
  mem_image(&b, flip_bits(h, 10), 0);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_NEAR_IMAGE);
  assert_int_equal(l.distance, 10);
  assert_true(l.confidence > 0.49 && l.confidence < 0.6);
  b.img[0].phash = flip_bits(h, 11);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 0);
  b.img[0].phash = h;
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_true(l.confidence > 0.9);
  /* A picture beside a photographed page: within 3 bits only. */
  b.img[0].text_fps = LV_TRACE_READABLE_FINGERPRINTS;
  b.img[0].phash = flip_bits(h, 4);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 0);
  b.img[0].phash = flip_bits(h, 3);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  /* Two pages: the same hash is not enough (pages of one layout hash
   * alike) ... */
  a.img[0].text_fps = LV_TRACE_READABLE_FINGERPRINTS;
  b.img[0].phash = h;
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 0);
  /* ... their texts must link, and then up to 24 bits are near. */
  mem(&a, 1, "a", 1, "g", "u", para1);
  mem(&b, 2, "b", 2, "g", "v", para1);
  mem_image(&a, h, 40);
  mem_image(&b, flip_bits(h, 20), 40);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_NEAR_IMAGE);
  assert_int_equal(l.distance, 20);
  assert_true(l.shared >= 10);
  b.img[0].phash = flip_bits(h, 25);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_SHARED_TEXT); /* the texts alone */
  /* Shared text: a paragraph pasted from a longer document, either way
   * round; another paragraph of the same kind of notice is not. */
  char doc[4096];
  snprintf(doc, sizeof doc, "%s\n%s\n%s", para1, para2, para3);
  mem(&a, 1, "doc", 1, "g", "u", doc);
  mem(&b, 2, "paste", 2, "h", "v", para2);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 1);
  assert_int_equal(l.reason, LV_TRACE_SHARED_TEXT);
  assert_int_equal(l.shared, b.e.n_fps);
  assert_true(l.confidence > 0.9);
  assert_int_equal(lv_trace_link_of(&b.e, &a.e, &l), 1);
  mem(&a, 1, "p1", 1, "g", "u", para1);
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 0);
  mem(&a, 1, "x", 1, "g", "u", "排查范围包括辖区内所有在建工地");
  assert_int_equal(lv_trace_link_of(&a.e, &b.e, &l), 0); /* too short */
}

/* Members the store knows, for the graph: "g2" has u7 and u2. */
static int stub_member(void *ud, levee_str conversation, levee_str person,
                       int *member) {
  int *asked = ud;
  (*asked)++;
  *member = conversation.len == 2 && !memcmp(conversation.ptr, "g2", 2) &&
            person.len == 2 &&
            (!memcmp(person.ptr, "u7", 2) || !memcmp(person.ptr, "u2", 2));
  return 0;
}

static void test_graph(void **state) {
  (void)state;
  static mem_event ev[6];
  /* Found in another order than time: the graph sorts them. */
  mem(&ev[0], 4, "c", 400, "g3", "u7", para1); /* the traced event */
  mem(&ev[1], 1, "a", 100, "g1", "u1", para1);
  mem(&ev[2], 2, "b", 200, "g2", "u2", para1); /* u2: a recipient of a */
  mem(&ev[3], 5, "d", 500, "g4", "u8", para1); /* u8: nowhere before */
  mem(&ev[4], 6, "e", 600, "g4", "u9", para1); /* forwards b */
  mem(&ev[5], 3, "f", 300, "g1", "u1", para1); /* u1 again */
  ev[1].e.recipients = S("[{\"id\":\"u2\",\"name\":\"李四\"},{\"id\":\"u3\"}]");
  ev[1].e.sender_name = S("张三");
  ev[1].e.conversation_title = S("民政群");
  ev[4].e.forwarded_from = S("b");
  lv_trace_found f[6];
  for (int i = 0; i < 6; i++)
    f[i] = (lv_trace_found){&ev[i].e, 0, {LV_TRACE_SHARED_TEXT, 0.9, 0, 9}};
  f[0].link = (lv_trace_link){LV_TRACE_NONE, 1, 0, 0};
  lv_trace_graph g;
  memset(&g, 0, sizeof g);
  lv_arena_init(&g.arena, 1 << 24);
  int asked = 0;
  assert_int_equal(lv_trace_graph_build(&g, f, 6, stub_member, &asked), 0);
  assert_int_equal(g.n_nodes, 6);
  const char *order[] = {"a", "b", "f", "c", "d", "e"};
  for (int i = 0; i < 6; i++)
    assert_memory_equal(g.nodes[i].id.ptr, order[i], 1);
  assert_int_equal(g.target, 3);
  assert_int_equal(g.n_edges, 5);
  /* b: its sender was among a's recipients. */
  assert_int_equal(g.edges[0].from, 0);
  assert_int_equal(g.edges[0].to, 1);
  assert_int_equal(g.edges[0].basis, LV_TRACE_SEEN);
  assert_int_equal(g.edges[0].direct, 1);
  /* f: u1 sent a, in g1 (the latest copy he could see). */
  assert_int_equal(g.edges[1].from, 0);
  assert_int_equal(g.edges[1].basis, LV_TRACE_SEEN);
  /* c: u7 takes part in g2 (the store says), where b is. */
  assert_int_equal(g.edges[2].from, 1);
  assert_int_equal(g.edges[2].to, 3);
  assert_int_equal(g.edges[2].basis, LV_TRACE_SEEN);
  /* d: u8 could see none: from the earliest copy. */
  assert_int_equal(g.edges[3].from, 0);
  assert_int_equal(g.edges[3].basis, LV_TRACE_EARLIEST);
  /* e: forwarded from b. */
  assert_int_equal(g.edges[4].from, 1);
  assert_int_equal(g.edges[4].basis, LV_TRACE_FORWARDED);
  assert_int_equal(g.edges[4].link.reason, LV_TRACE_FORWARD);
  assert_true(asked > 0);
  /* Reached: four conversations, in the order reached; people with what
   * they sent and received. */
  assert_int_equal(g.n_conversations, 4);
  assert_memory_equal(g.conversations[0].id.ptr, "g1", 2);
  assert_int_equal(g.conversations[0].copies, 2);
  assert_memory_equal(g.conversations[0].title.ptr, "民政群", 9);
  assert_int_equal(g.conversations[0].first_ms, 100);
  assert_int_equal(g.n_people, 6); /* u1 u2 u3 u7 u8 u9 */
  for (size_t i = 0; i < g.n_people; i++) {
    const lv_trace_person *p = &g.people[i];
    if (p->id.len == 2 && !memcmp(p->id.ptr, "u1", 2)) {
      assert_int_equal(p->sent, 2);
      assert_memory_equal(p->name.ptr, "张三", 6);
    }
    if (p->id.len == 2 && !memcmp(p->id.ptr, "u2", 2)) {
      assert_int_equal(p->sent, 1);
      assert_int_equal(p->received, 1);
      assert_memory_equal(p->name.ptr, "李四", 6);
    }
  }
  /* JSON: the contract's fields. */
  lv_buf out;
  lv_buf_init(&out, 1 << 20);
  lv_jw w;
  lv_jw_init(&w, &out);
  lv_trace_graph_json(&w, &g);
  assert_int_equal(lv_jw_status(&w), 0);
  assert_int_equal(lv_buf_putc(&out, '\0'), 0);
  assert_non_null(strstr(out.data, "{\"origin\":{\"id\":\"a\",\"conversation\":"
                                   "\"g1\",\"sender\":\"u1\",\"time\":"));
  assert_non_null(strstr(out.data, "\"edges\":[{\"from\":\"a\",\"to\":\"b\","));
  assert_non_null(strstr(out.data, "\"from\":\"b\",\"to\":\"e\",\"reason\":"
                                   "\"forward\""));
  lv_buf_reset(&out);
  assert_int_equal(lv_trace_graph_dot(&out, &g), 0);
  assert_int_equal(lv_buf_putc(&out, '\0'), 0);
  assert_non_null(strstr(out.data, "digraph trace {"));
  assert_non_null(strstr(out.data, "n1 -> n5 [label=\"forward 1.00\"]"));
  assert_non_null(strstr(out.data, "style=dashed")); /* the earliest */
  lv_buf_cleanup(&out);
  lv_arena_cleanup(&g.arena);
}

/* --- through the store ------------------------------------------------------
 */

#include "store_fixture.h"

static int setup(void **state) {
  return store_fixture_setup(state, "trace");
}

static int teardown(void **state) {
  return store_fixture_teardown(state);
}

static int64_t sql_value(fixture *f, const char *q_sqlite, const char *q_pg) {
  int64_t v = -1;
  if (f->schema[0]) {
    const lv_pq *pq;
    assert_int_equal(lv_pq_load(&pq, NULL), 0);
    PGresult *r = pg_run(f->location, q_pg);
    v = strtoll(pq->getvalue(r, 0, 0), NULL, 10);
    pq->clear(r);
    return v;
  }
  sqlite3 *db;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, q_sqlite, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

/* An event to store. */
typedef struct spec {
  const char *id;
  int64_t t;
  const char *conv, *sender, *recipients, *text, *fwd;
  const char *sha, *md5; /* an attachment's digests */
  int has_phash;         /* ... an image, with this hash */
  uint64_t phash;
  const char *extracted; /* ... and this text read from it */
} spec;

static void put(lv_store *s, const spec *p) {
  lv_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.id = S(p->id);
  ev.time_ms = p->t;
  ev.channel = S("wechat");
  ev.conversation_id = S(p->conv);
  ev.conversation_type = S(p->conv ? "group" : NULL);
  ev.conversation_external = -1;
  ev.sender_id = S(p->sender);
  ev.recipients = S(p->recipients);
  ev.forwarded_from = S(p->fwd);
  ev.action = S("allow");
  ev.severity = S("info");
  lv_ev_attachment at;
  memset(&at, 0, sizeof at);
  lv_content c;
  memset(&c, 0, sizeof c);
  c.text = S(p->text);
  if (p->sha || p->md5 || p->has_phash || p->extracted) {
    at.kind = S(p->has_phash ? "image" : "file");
    at.sha256 = S(p->sha);
    at.md5 = S(p->md5);
    at.size = 100;
    at.text_start = at.text_len = -1;
    at.has_phash = p->has_phash;
    at.phash = p->phash;
    if (p->extracted) {
      c.extracted = S(p->extracted);
      at.text_start = 0;
      at.text_len = (int64_t)strlen(p->extracted);
    }
    ev.attachments = &at;
    ev.n_attachments = 1;
  }
  uint64_t seq = 0;
  levee_error err = {0};
  int rc = lv_store_add_event(s, S("tester"), &ev, &c, &seq, &err);
  if (rc)
    fprintf(stderr, "add: %s\n", err.message);
  assert_int_equal(rc, 0);
  assert_true(seq > 0);
}

static void put_all(lv_store *s, const spec *p, size_t n) {
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  for (size_t i = 0; i < n; i++)
    put(s, &p[i]);
  assert_int_equal(lv_store_commit(s, &err), 0);
}

/* The ids of the copies of id's content, in the graph's order, joined by
 * commas into out; the graph itself for more checks (the caller frees). */
static lv_trace_graph *trace(lv_store *s, const char *id, char *out,
                             size_t cap) {
  lv_trace_graph *g = NULL;
  levee_error err = {0};
  int rc = lv_store_trace(s, S(id), &g, &err);
  if (rc)
    fprintf(stderr, "trace %s: %s\n", id, err.message);
  assert_int_equal(rc, 0);
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < g->n_nodes; i++)
    k += (size_t)snprintf(out + k, cap - k, "%s%.*s", i ? "," : "",
                          (int)g->nodes[i].id.len, g->nodes[i].id.ptr);
  return g;
}

/* Hashes of a photo re-encoded hop after hop: each 6 bits from the one
 * before (bits not flipped before), so hop i and j are 6|i - j| apart:
 * only neighbours are within 10. */
#define HOPS 6
static void chain_hashes(uint64_t h[HOPS]) {
  h[0] = 0x8f3a5c1e7b2d4960ull;
  for (int k = 1; k < HOPS; k++)
    h[k] = h[k - 1] ^ (0x3full << (6 * (k - 1)));
}

static const char *const chain_ids[HOPS] = {
    "fax", "mms", "wx-civil", "wx-town1", "wx-town2", "wx-village"};

static void store_chain(lv_store *s) {
  uint64_t h[HOPS];
  chain_hashes(h);
  const spec events[] = {
      /* The chain: faxed, photographed and sent by MMS, forwarded to the
       * civil-affairs group, and on. */
      {chain_ids[0], 1000, "fax-office", "clerk", NULL, NULL, NULL, NULL, NULL,
       1, h[0], NULL},
      {"chat-1", 1500, "civil", "a1", NULL, "收到", NULL, NULL, NULL, 0, 0,
       NULL},
      {chain_ids[1], 2000, "mms:clerk|wang", "clerk",
       "[{\"id\":\"wang\",\"name\":\"王科长\"}]", NULL, NULL, NULL, NULL, 1,
       h[1], NULL},
      {"pic-1", 2500, "civil", "a2", NULL, NULL, NULL, NULL, NULL, 1,
       0x0123456789abcdefull, NULL},
      {chain_ids[2], 3000, "civil", "wang",
       "[{\"id\":\"a1\"},{\"id\":\"a2\"},{\"id\":\"zhao\",\"name\":\"赵\"}]",
       "请各位注意", NULL, NULL, NULL, 1, h[2], NULL},
      {"chat-2", 3500, "town1", "qian", NULL, "收到", NULL, NULL, NULL, 0, 0,
       NULL},
      {chain_ids[3], 4000, "town1", "zhao", NULL, NULL, NULL, NULL, NULL, 1,
       h[3], NULL},
      {"pic-2", 4200, "town1", "a3", NULL, "好的", NULL, NULL, NULL, 1,
       0xfedcba9876543210ull, NULL},
      {"chat-3", 4500, "town2", "a4", NULL,
       "明天上午九点在三楼会议室召开全体"
       "职工大会，请大家准时参加，不得缺席。",
       NULL, NULL, NULL, 0, 0, NULL},
      {chain_ids[4], 5000, "town2", "qian", NULL, NULL, NULL, NULL, NULL, 1,
       h[4], NULL},
      {chain_ids[5], 6000, "village", "sun", NULL, NULL, NULL, NULL, NULL, 1,
       h[5], NULL},
      {"chat-4", 7000, "village", "sun", NULL, "收到", NULL, NULL, NULL, 0, 0,
       NULL},
  };
  put_all(s, events, sizeof events / sizeof *events);
}

static void test_store_chain(void **state) {
  fixture *f = *state;
  lv_store *s = store_fixture_open(f, 0);
  store_chain(s);
  assert_int_equal(lv_store_close(s, NULL), 0);
  /* Read-only, as an auditor's copy would be. */
  s = store_fixture_open(f, 1);
  char ids[1024];
  for (int k = 0; k < HOPS; k++) {
    lv_trace_graph *g = trace(s, chain_ids[k], ids, sizeof ids);
    assert_string_equal(ids, "fax,mms,wx-civil,wx-town1,wx-town2,wx-village");
    assert_int_equal(g->target, (size_t)k);
    assert_false(g->truncated);
    /* Neighbours link by their pictures; the far ones are not alike. */
    lv_trace_link l = g->edges[0].link;
    assert_int_equal(l.reason, LV_TRACE_NEAR_IMAGE);
    assert_int_equal(l.distance, 6);
    /* Who passed it on: clerk sent both (seen); wang got the MMS; zhao
     * was in the civil-affairs group's recipients; qian had written in
     * town1 (the store's members); sun was nowhere: the earliest. */
    const size_t from[HOPS - 1] = {0, 1, 2, 3, 0};
    const lv_trace_basis basis[HOPS - 1] = {LV_TRACE_SEEN, LV_TRACE_SEEN,
                                            LV_TRACE_SEEN, LV_TRACE_SEEN,
                                            LV_TRACE_EARLIEST};
    assert_int_equal(g->n_edges, HOPS - 1);
    for (int e = 0; e < HOPS - 1; e++) {
      assert_int_equal(g->edges[e].to, (size_t)e + 1);
      assert_int_equal(g->edges[e].from, from[e]);
      assert_int_equal(g->edges[e].basis, basis[e]);
    }
    assert_int_equal(g->edges[4].direct, 0); /* 30 bits apart */
    assert_int_equal(g->n_conversations, 6);
    assert_memory_equal(g->conversations[2].id.ptr, "civil", 5);
    lv_trace_graph_free(g);
  }
  /* A bystander's own trace is itself. */
  lv_trace_graph *g = trace(s, "pic-1", ids, sizeof ids);
  assert_string_equal(ids, "pic-1");
  lv_trace_graph_free(g);
  g = trace(s, "chat-1", ids, sizeof ids);
  assert_string_equal(ids, "chat-1"); /* "收到" links nothing */
  lv_trace_graph_free(g);
  levee_error err = {0};
  assert_int_equal(lv_store_trace(s, S("nope"), &g, &err), LEVEE_ENOTFOUND);
  assert_int_equal(lv_store_close(s, NULL), 0);
}

static void store_document(lv_store *s) {
  char doc[4096];
  snprintf(doc, sizeof doc, "%s\n%s\n%s", para1, para2, para3);
  char with_words[1024];
  snprintf(with_words, sizeof with_words, "大家看看这段：%s", para3);
  /* The document, its file forwarded as is, and its paragraphs pasted. */
  const spec events[] = {
      {"doc", 1000, "office", "liu", NULL, "通知见附件", NULL, "aa11", NULL, 0,
       0, doc},
      {"chat-a", 1500, "g5", "u5", NULL, "收到", NULL, NULL, NULL, 0, 0, NULL},
      {"paste-2", 2000, "g5", "u5", NULL, para2, NULL, NULL, NULL, 0, 0, NULL},
      {"other", 2500, "g5", "u6", NULL,
       "关于组织开展职工秋季运动会的通知：为丰富职工业余文化生活，增强职工"
       "体质，经研究决定于十月中旬举办秋季运动会，请各部门积极组织报名。",
       NULL, NULL, NULL, 0, 0, NULL},
      {"paste-3", 3000, "g6", "u6", NULL, with_words, NULL, NULL, NULL, 0, 0,
       NULL},
      {"file-again", 4000, "g7", "u7", NULL, NULL, NULL, "aa11", NULL, 0, 0,
       doc},
  };
  put_all(s, events, sizeof events / sizeof *events);
}

static void test_store_document(void **state) {
  fixture *f = *state;
  lv_store *s = store_fixture_open(f, 0);
  store_document(s);
  char ids[1024];
  static const char *const all[] = {"doc", "paste-2", "paste-3", "file-again"};
  for (size_t i = 0; i < 4; i++) {
    lv_trace_graph *g = trace(s, all[i], ids, sizeof ids);
    assert_string_equal(ids, "doc,paste-2,paste-3,file-again");
    lv_trace_graph_free(g);
  }
  lv_trace_graph *g = trace(s, "doc", ids, sizeof ids);
  assert_int_equal(g->edges[0].link.reason, LV_TRACE_SHARED_TEXT);
  assert_int_equal(g->edges[2].link.reason, LV_TRACE_SAME_BYTES);
  assert_true(g->edges[2].link.confidence == 1.0);
  lv_trace_graph_free(g);
  g = trace(s, "other", ids, sizeof ids);
  assert_string_equal(ids, "other");
  lv_trace_graph_free(g);
  assert_int_equal(lv_store_close(s, NULL), 0);
}

/* The log's hashes do not see the trace index: a hash given or not, the
 * evidence hashes alike; and a store with it verifies. */
static void test_store_hashes_unchanged(void **state) {
  fixture *f = *state;
  lv_ev_attachment at;
  memset(&at, 0, sizeof at);
  at.kind = S("image");
  at.size = 5;
  at.text_start = at.text_len = -1;
  lv_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.id = S("x");
  ev.channel = S("qq");
  ev.action = S("allow");
  ev.severity = S("info");
  ev.attachments = &at;
  ev.n_attachments = 1;
  lv_sha256 sha;
  assert_int_equal(lv_sha256_init(&sha), 0);
  uint8_t h1[LV_SHA256_LEN], h2[LV_SHA256_LEN];
  lv_evidence_hash(&sha, &ev, h1);
  at.has_phash = 1;
  at.phash = 0x1234;
  lv_evidence_hash(&sha, &ev, h2);
  assert_memory_equal(h1, h2, sizeof h1);
  lv_sha256_cleanup(&sha);

  lv_store *s = store_fixture_open(f, 0);
  store_chain(s);
  store_document(s);
  assert_int_equal(lv_store_close(s, NULL), 0);
  lv_store_opened info;
  lv_store_options o = {
      .location = f->location, .key_path = f->key, .read_only = 1};
  levee_error err = {0};
  assert_int_equal(lv_store_open(&o, &s, &info, &err), 0);
  uint8_t pub[32];
  for (size_t i = 0; i < 32; i++) {
    char hex[3] = {info.public_key[2 * i], info.public_key[2 * i + 1], 0};
    pub[i] = (uint8_t)strtoul(hex, NULL, 16);
  }
  lv_verify_summary sum;
  assert_int_equal(lv_store_verify(s, pub, NULL, NULL, &sum, &err), 0);
  assert_int_equal(sum.problems, 0);
  assert_int_equal(sum.events, 18);
  assert_int_equal(lv_store_close(s, NULL), 0);
}

/* Content deleted under retention takes its fingerprints along; image
 * hashes (not content) stay. */
static void test_store_retention(void **state) {
  fixture *f = *state;
  setenv("LEVEE_TEST_NOW_MS", "1000000000000", 1); /* stored in 2001 */
  lv_store *s = store_fixture_open(f, 0);
  store_chain(s);
  store_document(s);
  assert_int_equal(lv_store_close(s, NULL), 0);
  unsetenv("LEVEE_TEST_NOW_MS");
  s = store_fixture_open(f, 0);
  lv_retention r = {.set = 1, .record_days = 0, .content_days = 30};
  lv_purge_summary sum;
  levee_error err = {0};
  assert_int_equal(
      lv_store_purge(s, &r, lv_store_now_ms(), 0, S("tester"), &sum, &err), 0);
  assert_int_equal(sum.content_deleted, 18);
  assert_int_equal(sql_value(f, "SELECT count(*) FROM trace_fp",
                             "SELECT count(*) FROM trace_fp"),
                   0);
  char ids[1024];
  lv_trace_graph *g = trace(s, "paste-2", ids, sizeof ids);
  assert_string_equal(ids, "paste-2");
  lv_trace_graph_free(g);
  g = trace(s, "doc", ids, sizeof ids); /* its file, by its digest */
  assert_string_equal(ids, "doc,file-again");
  lv_trace_graph_free(g);
  g = trace(s, "wx-town2", ids, sizeof ids);
  assert_string_equal(ids, "fax,mms,wx-civil,wx-town1,wx-town2,wx-village");
  lv_trace_graph_free(g);
  assert_int_equal(lv_store_close(s, NULL), 0);
}

/* A store from before the trace index gets its events' fingerprints and
 * its conversations' members when opened to write; not image hashes. */
static void test_store_migration(void **state) {
  fixture *f = *state;
  lv_store *s = store_fixture_open(f, 0);
  store_chain(s);
  store_document(s);
  assert_int_equal(lv_store_close(s, NULL), 0);
  int64_t members = sql_value(f, "SELECT count(*) FROM member",
                              "SELECT count(*) FROM member");
  int64_t fps = sql_value(f, "SELECT count(*) FROM trace_fp",
                          "SELECT count(*) FROM trace_fp");
  assert_true(members >= 10);
  assert_true(fps >= 40);
  if (f->schema[0])
    sql(f, "DROP TABLE trace, trace_fp, trace_block, member;"
           " UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  else
    sql(f, "DROP TABLE trace; DROP TABLE trace_fp; DROP TABLE trace_block;"
           " DROP TABLE member; PRAGMA user_version = 6");
  /* Read-only, the old schema is refused. */
  lv_store_options o = {
      .location = f->location, .key_path = f->key, .read_only = 1};
  levee_error err = {0};
  assert_int_equal(lv_store_open(&o, &s, NULL, &err), LEVEE_ESTORE);
  s = store_fixture_open(f, 0);
  assert_int_equal(
      sql_value(f, "PRAGMA user_version",
                "SELECT value::int FROM meta WHERE key = 'schema_version'"),
      f->schema[0] ? 4 : 7);
  assert_int_equal(sql_value(f, "SELECT count(*) FROM member",
                             "SELECT count(*) FROM member"),
                   members);
  assert_int_equal(sql_value(f, "SELECT count(*) FROM trace_fp",
                             "SELECT count(*) FROM trace_fp"),
                   fps);
  char ids[1024];
  lv_trace_graph *g = trace(s, "paste-3", ids, sizeof ids);
  assert_string_equal(ids, "doc,paste-2,paste-3,file-again");
  lv_trace_graph_free(g);
  g = trace(s, "wx-town1", ids, sizeof ids); /* no hashes: alone */
  assert_string_equal(ids, "wx-town1");
  lv_trace_graph_free(g);
  /* Opening again changes nothing. */
  assert_int_equal(lv_store_close(s, NULL), 0);
  s = store_fixture_open(f, 0);
  assert_int_equal(sql_value(f, "SELECT count(*) FROM trace_fp",
                             "SELECT count(*) FROM trace_fp"),
                   fps);
  assert_int_equal(lv_store_close(s, NULL), 0);
}

/* A text forwarded more times than a trace follows: the copies stop at the
 * bound and the graph says truncated; the forwards of one text cost one
 * lookup of its fingerprints, and the graph's questions to the store are
 * bounded. */
static void test_store_truncated(void **state) {
  fixture *f = *state;
  lv_store *s = store_fixture_open(f, 0);
  levee_error err = {0};
  assert_int_equal(lv_store_begin(s, &err), 0);
  size_t n = LV_MAX_TRACE_COPIES + 50;
  for (size_t i = 0; i < n; i++) {
    char id[32], conv[32], sender[32];
    snprintf(id, sizeof id, "v%zu", i);
    snprintf(conv, sizeof conv, "g%zu", i % 500);
    snprintf(sender, sizeof sender, "u%zu", i % 3000);
    spec p = {id,   (int64_t)i * 1000,
              conv, sender,
              NULL, para1,
              NULL, NULL,
              NULL, 0,
              0,    NULL};
    put(s, &p);
  }
  assert_int_equal(lv_store_commit(s, &err), 0);
  lv_trace_graph *g = NULL;
  assert_int_equal(lv_store_trace(s, S("v7000"), &g, &err), 0);
  assert_int_equal(g->n_nodes, LV_MAX_TRACE_COPIES);
  assert_true(g->truncated);
  assert_int_equal(g->n_edges, LV_MAX_TRACE_COPIES - 1);
  assert_int_equal(g->n_conversations, 500);
  assert_int_equal(g->n_people, 3000);
  lv_trace_graph_free(g);
  assert_int_equal(lv_store_close(s, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_fingerprints),
      cmocka_unit_test(test_probe_keys),
      cmocka_unit_test(test_member_keys),
      cmocka_unit_test(test_links),
      cmocka_unit_test(test_graph),
      cmocka_unit_test_setup_teardown(test_store_chain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_store_document, setup, teardown),
      cmocka_unit_test_setup_teardown(test_store_hashes_unchanged, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_store_retention, setup, teardown),
      cmocka_unit_test_setup_teardown(test_store_migration, setup, teardown),
      cmocka_unit_test_setup_teardown(test_store_truncated, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
