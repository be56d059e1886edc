/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: the audit log over a back end (store.h): sequence numbers,
 * record hashes, the RFC 6962 Merkle accumulator, signed checkpoints,
 * repair of an unsigned tail after a crash, and verification.
 *
 * The accumulator's state (lv_merkle) is kept in the meta table and
 * written in the same transaction as the records it covers, so opening a
 * store does not read its whole log.
 */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/policy.h"
#include "store/checkpoint.h"
#include "store/merkle.h"
#include "store/signing_key.h"
#include "store/store_backend.h"
#include "store/trace_index.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/json_writer.h"
#include "util/limits.h"

/* What a commit may have to undo in memory. */
typedef struct log_state {
  lv_merkle tree;
  uint64_t next_seq;
  uint64_t cp_seq, cp_size; /* the last checkpoint */
  int64_t cp_time_ms;
  uint8_t cp_hash[LV_SHA256_LEN];
} log_state;

struct lv_store {
  const lv_store_backend *be;
  void *db;
  char *location;        /* as opened: verify opens a second reader on it */
  uint64_t verify_chunk; /* records per chunk with two readers */
  int read_only;
  int in_txn;
  lv_signing_key key;
  lv_sha256 sha;
  log_state now, committed;
  uint64_t cp_records;
  int64_t cp_ms;
  lv_buf scratch;
  lv_trace_indexer tracer; /* each event's trace index entry */
  /* Random bytes for content salts, drawn 4 KiB at a time: a getrandom(2)
   * per event cost 4% of an ingest. */
  uint8_t salts[4096];
  size_t salts_used;
};

int64_t lv_store_now_ms(void) {
#ifdef LEVEE_TEST_CLOCK
  /* Debug builds only (CMakeLists.txt): tests of retention. */
  const char *fake = getenv("LEVEE_TEST_NOW_MS");
  if (fake && *fake)
    return strtoll(fake, NULL, 10);
#endif
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int64_t now_ms(void) {
  return lv_store_now_ms();
}

static void to_hex(const uint8_t *p, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = '\0';
}

static int from_hex(const char *s, size_t n, uint8_t *out) {
  size_t bin_len;
  return sodium_hex2bin(out, n / 2, s, n, NULL, &bin_len, NULL) == 0 &&
                 bin_len == n / 2
             ? 0
             : -1;
}

/* --- the accumulator in meta ------------------------------------------- */

/* "size:" then the stack's hashes in hex. */
static int tree_save(lv_store *s) {
  const lv_merkle *m = &s->now.tree;
  size_t cap = 32 + (size_t)m->depth * 2 * LV_SHA256_LEN;
  char *txt = malloc(cap);
  if (!txt)
    return LEVEE_ENOMEM;
  int k = snprintf(txt, cap, "%llu:", (unsigned long long)m->size);
  for (int i = 0; i < m->depth; i++)
    to_hex(m->stack[i], LV_SHA256_LEN,
           txt + k + (size_t)2 * LV_SHA256_LEN * (size_t)i);
  txt[(size_t)k + (size_t)2 * LV_SHA256_LEN * (size_t)m->depth] = '\0';
  int rc = s->be->meta_set(s->db, "merkle", txt);
  free(txt);
  return rc;
}

static int tree_load(lv_store *s, const char *txt) {
  lv_merkle *m = &s->now.tree;
  char *end;
  lv_merkle_init(m);
  errno = 0;
  unsigned long long size = strtoull(txt, &end, 10);
  if (errno || *end != ':')
    return -1;
  end++;
  int depth = __builtin_popcountll(size);
  if (strlen(end) != (size_t)depth * 2 * LV_SHA256_LEN)
    return -1;
  for (int i = 0; i < depth; i++)
    if (from_hex(end + (size_t)2 * LV_SHA256_LEN * (size_t)i,
                 (size_t)2 * LV_SHA256_LEN, m->stack[i]))
      return -1;
  m->size = size;
  m->depth = depth;
  return 0;
}

/* --- checkpoints -------------------------------------------------------- */

static int last_checkpoint_fn(void *ud, const lv_checkpoint *c) {
  lv_store *s = ud;
  s->now.cp_seq = c->seq;
  s->now.cp_size = c->size;
  s->now.cp_time_ms = c->time_ms;
  lv_checkpoint_hash(&s->sha, c, s->now.cp_hash);
  return 0;
}

/* Signs and stores a checkpoint of the tree as it is, inside the open
 * transaction. */
static int write_checkpoint(lv_store *s, levee_error *err) {
  lv_checkpoint c;
  memset(&c, 0, sizeof c);
  c.seq = s->now.cp_seq + 1;
  c.size = s->now.tree.size;
  lv_merkle_root(&s->now.tree, &s->sha, c.root);
  c.time_ms = now_ms();
  memcpy(c.prev, s->now.cp_hash, LV_SHA256_LEN);
  int rc = lv_checkpoint_sign(&c, s->key.secret);
  if (rc)
    return lv_error_set(err, rc, "signing a checkpoint failed");
  if ((rc = s->be->put_checkpoint(s->db, &c, err)))
    return rc;
  s->now.cp_seq = c.seq;
  s->now.cp_size = c.size;
  s->now.cp_time_ms = c.time_ms;
  lv_checkpoint_hash(&s->sha, &c, s->now.cp_hash);
  return LEVEE_OK;
}

/* --- one record's own consistency (verify and tail repair) ------------- */

/* Recomputes what can be recomputed of a stored record; returns the first
 * problem's kind, or -1 when there is none. The recomputed leaf goes to
 * leaf. */
static int check_row(lv_sha256 *sha, const lv_stored_row *row,
                     uint8_t leaf[LV_SHA256_LEN], const char **what) {
  uint8_t h[LV_SHA256_LEN];
  lv_record rec = row->rec;
  int problem = -1;
  if (row->expired) {
    /* Evidence and content deleted under retention: only the header and
     * the stored hashes are left to check against the leaf. */
    if (row->is_event || row->has_content) {
      problem = LV_VERIFY_INSERTED;
      *what = "rows were added back to a record that expired under "
              "retention";
    }
  } else if (row->is_event)
    lv_evidence_hash(sha, &row->ev, h);
  else
    lv_detail_hash(sha, row->detail, h);
  if (!row->expired && memcmp(h, rec.detail_hash, LV_SHA256_LEN) != 0) {
    problem = LV_VERIFY_ALTERED;
    *what = row->is_event
                ? "its event fields or findings do not match their hash"
                : "its detail does not match its hash";
  }
  if (row->has_content && !row->expired) {
    lv_content_hash(sha, &row->content, h);
    if (memcmp(h, rec.content_hash, LV_SHA256_LEN) != 0 && problem < 0) {
      problem = LV_VERIFY_CONTENT_ALTERED;
      *what = "its content (message text, extracted text or excerpts) does "
              "not match its hash";
    }
  } else if (row->is_event && !row->content_deleted && !row->expired &&
             problem < 0) {
    problem = LV_VERIFY_CONTENT_MISSING;
    *what = "its content is gone, and no purge deleted it";
  }
  lv_record_leaf(sha, &rec);
  if (memcmp(rec.leaf, row->rec.leaf, LV_SHA256_LEN) != 0 && problem < 0) {
    problem = LV_VERIFY_ALTERED;
    *what = "its header (sequence, time, actor, type or outcome) or its "
            "stored hashes do not match its leaf";
  }
  memcpy(leaf, rec.leaf, LV_SHA256_LEN);
  return problem;
}

typedef struct tail_check {
  lv_store *s;
  uint64_t expect, count;
  int bad;
} tail_check;

static int tail_fn(void *ud, const lv_stored_row *row) {
  tail_check *t = ud;
  uint8_t leaf[LV_SHA256_LEN];
  const char *what;
  if (row->rec.head.seq != t->expect ||
      check_row(&t->s->sha, row, leaf, &what) >= 0)
    t->bad = 1;
  t->expect++;
  t->count++;
  return t->bad;
}

/* Records after the last checkpoint, left by a crash between a commit and
 * the next checkpoint: checked on their own, then covered by a new
 * checkpoint. */
static int sign_tail(lv_store *s, uint64_t last_seq, lv_store_opened *info,
                     levee_error *err) {
  tail_check t = {s, s->now.cp_size + 1, 0, 0};
  int rc = s->be->each_row(s->db, t.expect, UINT64_MAX, tail_fn, NULL, &t);
  if (rc && !t.bad)
    return lv_error_set(err, rc, "reading records after the last checkpoint");
  if (t.bad || t.count != last_seq - s->now.cp_size)
    return lv_error_set(err, LEVEE_ETAMPER,
                        "records after the last checkpoint do not match "
                        "their hashes: run levee verify");
  if ((rc = s->be->begin(s->db, err)))
    return rc;
  if ((rc = write_checkpoint(s, err)) || (rc = s->be->commit(s->db, err))) {
    s->be->rollback(s->db);
    return rc;
  }
  info->tail_signed = t.count;
  return LEVEE_OK;
}

/* --- open and close ----------------------------------------------------- */

int lv_store_default_key(const char *store_id, char *buf, size_t cap) {
  const char *base = getenv("XDG_CONFIG_HOME");
  int n;
  if (base && base[0] == '/')
    n = snprintf(buf, cap, "%s/levee/keys/%s.key", base, store_id);
  else {
    const char *home = getenv("HOME");
    if (!home || home[0] != '/') {
      struct passwd *pw = getpwuid(geteuid());
      home = pw ? pw->pw_dir : NULL;
    }
    if (!home)
      return LEVEE_ENOTFOUND;
    n = snprintf(buf, cap, "%s/.config/levee/keys/%s.key", home, store_id);
  }
  return n > 0 && (size_t)n < cap ? LEVEE_OK : LEVEE_ETOOBIG;
}

int lv_store_is_url(const char *location) {
  return !strncmp(location, "postgres://", 11) ||
         !strncmp(location, "postgresql://", 13);
}

/* NULL for a back end this levee does not have. */
static const lv_store_backend *backend_for(const char *location) {
  if (lv_store_is_url(location))
    return &lv_store_pg;
  return &lv_store_sqlite;
}

/* Closes the back end and frees s, secrets wiped. */
static void destroy(lv_store *s) {
  if (s->db)
    s->be->close(s->db);
  lv_sha256_cleanup(&s->sha);
  lv_signing_key_wipe(&s->key);
  sodium_memzero(s->salts, sizeof s->salts);
  lv_buf_cleanup(&s->scratch);
  lv_trace_indexer_cleanup(&s->tracer);
  free(s->location);
  free(s);
}

int lv_store_open(const lv_store_options *o, lv_store **out,
                  lv_store_opened *info, levee_error *err) {
  lv_store_opened dummy;
  if (!info)
    info = &dummy;
  memset(info, 0, sizeof *info);
  if (!o->location || !*o->location)
    return lv_error_set(err, LEVEE_EINVAL, "no store given (--data DIR)");
  if (sodium_init() < 0)
    return lv_error_set(err, LEVEE_ENOMEM, "libsodium did not start");
  lv_store *s = calloc(1, sizeof *s);
  if (!s)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  lv_buf_init(&s->scratch, (size_t)1 << 20);
  lv_trace_indexer_init(&s->tracer);
  s->salts_used = sizeof s->salts; /* drawn on first use */
  if (!(s->location = strdup(o->location))) {
    lv_buf_cleanup(&s->scratch);
    lv_trace_indexer_cleanup(&s->tracer);
    free(s);
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  }
  s->be = backend_for(o->location);
  if (!s->be) {
    free(s->location);
    lv_buf_cleanup(&s->scratch);
    lv_trace_indexer_cleanup(&s->tracer);
    free(s);
    return lv_error_set(err, LEVEE_EINVAL,
                        "%s: this levee has no back end for it", o->location);
  }
  s->read_only = o->read_only;
  s->verify_chunk = o->verify_chunk ? o->verify_chunk : LV_STORE_VERIFY_CHUNK;
  s->cp_records = o->checkpoint_records ? o->checkpoint_records
                                        : LV_STORE_CHECKPOINT_RECORDS;
  s->cp_ms = o->checkpoint_ms ? o->checkpoint_ms : LV_STORE_CHECKPOINT_MS;
  lv_merkle_init(&s->now.tree);
  int rc = lv_sha256_init(&s->sha);
  if (rc) {
    lv_error_set(err, rc, "out of memory");
    goto fail;
  }
  if ((rc = s->be->open(o->location, o->create && !o->read_only, o->read_only,
                        &s->db, err)))
    goto fail;
  /* The store's identity and public key. */
  int found;
  char id[65], key_path[4096];
  if ((rc = s->be->meta_get(s->db, "store_id", &s->scratch, &found))) {
    lv_error_set(err, rc, "reading the store's identity");
    goto fail;
  }
  if (found) {
    snprintf(id, sizeof id, "%.*s", (int)s->scratch.len, s->scratch.data);
  } else if (o->read_only) {
    rc = lv_error_set(err, LEVEE_ESTORE, "%s: an empty store (no identity)",
                      o->location);
    goto fail;
  } else {
    uint8_t raw[16];
    randombytes_buf(raw, sizeof raw);
    to_hex(raw, sizeof raw, id);
    info->created = 1;
  }
  key_path[0] = '\0';
  if (o->key_path)
    snprintf(key_path, sizeof key_path, "%s", o->key_path);
  else if (!(o->read_only && o->public_key) &&
           (rc = lv_store_default_key(id, key_path, sizeof key_path))) {
    lv_error_set(err, rc, "no place for the signing key: set --key FILE");
    goto fail;
  }
  if (o->read_only && o->public_key) {
    memcpy(s->key.public, o->public_key, sizeof s->key.public);
  } else if (o->read_only) {
    /* Verifying needs only the public half. */
    if ((rc = lv_signing_key_load_public(key_path, s->key.public, err)))
      goto fail;
  } else if ((rc = lv_signing_key_load_or_create(key_path, &s->key,
                                                 &info->key_created, err)))
    goto fail;
  lv_signing_key_hex(s->key.public, info->public_key);
  if (info->created) {
    if ((rc = s->be->begin(s->db, err)))
      goto fail;
    if ((rc = s->be->meta_set(s->db, "store_id", id)) ||
        (rc = s->be->meta_set(s->db, "public_key", info->public_key)) ||
        (rc = tree_save(s)) || (rc = s->be->commit(s->db, err))) {
      s->be->rollback(s->db);
      lv_error_set(err, rc, "creating the store");
      goto fail;
    }
  } else {
    if ((rc = s->be->meta_get(s->db, "public_key", &s->scratch, &found))) {
      lv_error_set(err, rc, "reading the store's public key");
      goto fail;
    }
    if (!found || s->scratch.len != 64 ||
        memcmp(s->scratch.data, info->public_key, 64) != 0) {
      rc = lv_error_set(err, LEVEE_ETAMPER,
                        "the store was signed with another key than %s "
                        "(its public key is %.*s)",
                        key_path, found ? (int)s->scratch.len : 4,
                        found ? s->scratch.data : "none");
      goto fail;
    }
  }
  /* Where the log stands. */
  uint64_t last = 0;
  if ((rc = s->be->last_seq(s->db, &last)) ||
      (rc = s->be->each_checkpoint(s->db, last_checkpoint_fn, s))) {
    lv_error_set(err, rc, "reading the log");
    goto fail;
  }
  info->records = last;
  s->now.next_seq = last + 1;
  if (!o->read_only) {
    if (s->be->meta_get(s->db, "merkle", &s->scratch, &found) || !found ||
        lv_buf_putc(&s->scratch, '\0') || tree_load(s, s->scratch.data) ||
        s->now.tree.size != last) {
      rc = lv_error_set(err, LEVEE_ETAMPER,
                        "the log's saved state does not match its %llu "
                        "records: run levee verify",
                        (unsigned long long)last);
      goto fail;
    }
    if (last > s->now.cp_size && (rc = sign_tail(s, last, info, err)))
      goto fail;
  }
  s->committed = s->now;
  *out = s;
  return LEVEE_OK;
fail:
  destroy(s);
  return rc;
}

int lv_store_close(lv_store *s, levee_error *err) {
  if (!s)
    return LEVEE_OK;
  int rc = LEVEE_OK;
  if (s->in_txn)
    lv_store_rollback(s);
  if (!s->read_only)
    rc = lv_store_checkpoint(s, err);
  destroy(s);
  return rc;
}

/* --- writing ------------------------------------------------------------ */

int lv_store_begin(lv_store *s, levee_error *err) {
  if (s->read_only)
    return lv_error_set(err, LEVEE_EINVAL, "the store is open read-only");
  if (s->in_txn)
    return LEVEE_OK;
  int rc = s->be->begin(s->db, err);
  if (!rc)
    s->in_txn = 1;
  return rc;
}

static int append(lv_store *s, lv_record *rec, levee_str actor,
                  const char *type, const char *outcome) {
  rec->head.seq = s->now.next_seq;
  rec->head.time_ms = now_ms();
  rec->head.actor = actor;
  rec->head.type = (levee_str){type, strlen(type)};
  rec->head.outcome = (levee_str){outcome, strlen(outcome)};
  lv_record_leaf(&s->sha, rec);
  return lv_merkle_append(&s->now.tree, &s->sha, rec->leaf);
}

int lv_store_add_event(lv_store *s, levee_str actor, const lv_evidence *ev,
                       lv_content *content, uint64_t *seq, levee_error *err) {
  if (!s->in_txn)
    return lv_error_set(err, LEVEE_EINVAL, "no transaction");
  int seen = 0;
  int rc = s->be->event_seen(s->db, ev->id, &seen);
  if (rc)
    return lv_error_set(err, rc, "looking up an event id");
  if (seen) {
    *seq = 0;
    return LEVEE_OK;
  }
  lv_record rec;
  if (s->salts_used + sizeof content->salt > sizeof s->salts) {
    randombytes_buf(s->salts, sizeof s->salts);
    s->salts_used = 0;
  }
  memcpy(content->salt, s->salts + s->salts_used, sizeof content->salt);
  sodium_memzero(s->salts + s->salts_used, sizeof content->salt);
  s->salts_used += sizeof content->salt;
  lv_evidence_hash(&s->sha, ev, rec.detail_hash);
  lv_content_hash(&s->sha, content, rec.content_hash);
  char outcome[16];
  snprintf(outcome, sizeof outcome, "%.*s", (int)ev->action.len,
           ev->action.ptr ? ev->action.ptr : "");
  if ((rc = append(s, &rec, actor, "event", outcome)))
    return lv_error_set(err, rc, "the log is full");
  if ((rc = s->be->put_event(s->db, &rec, ev, content, err)))
    return rc;
  /* The trace index: derived data beside the record (trace_index.h). */
  lv_trace_entry t;
  if ((rc = lv_trace_indexer_entry(&s->tracer, ev, content, &t)))
    return lv_error_set(err, rc, "the trace index: %s", levee_strerror(rc));
  if ((rc = s->be->put_trace(s->db, rec.head.seq, &t, err)))
    return rc;
  *seq = rec.head.seq;
  s->now.next_seq++;
  return LEVEE_OK;
}

int lv_store_add_record(lv_store *s, levee_str actor, const char *type,
                        const char *outcome, levee_str detail, uint64_t *seq,
                        levee_error *err) {
  if (!s->in_txn)
    return lv_error_set(err, LEVEE_EINVAL, "no transaction");
  lv_record rec;
  lv_detail_hash(&s->sha, detail, rec.detail_hash);
  memset(rec.content_hash, 0, LV_SHA256_LEN); /* no content */
  int rc = append(s, &rec, actor, type, outcome);
  if (rc)
    return lv_error_set(err, rc, "the log is full");
  if ((rc = s->be->put_record(s->db, &rec, detail, err)))
    return rc;
  *seq = rec.head.seq;
  s->now.next_seq++;
  return LEVEE_OK;
}

int lv_store_commit(lv_store *s, levee_error *err) {
  if (!s->in_txn)
    return LEVEE_OK;
  int rc = LEVEE_OK;
  uint64_t unsigned_records = s->now.tree.size - s->now.cp_size;
  if (unsigned_records && (unsigned_records >= s->cp_records ||
                           now_ms() - s->now.cp_time_ms >= s->cp_ms))
    rc = write_checkpoint(s, err);
  if (!rc && (rc = tree_save(s)))
    lv_error_set(err, rc, "saving the log's state");
  if (!rc)
    rc = s->be->commit(s->db, err);
  if (rc) {
    lv_store_rollback(s);
    return rc;
  }
  s->in_txn = 0;
  s->committed = s->now;
  return LEVEE_OK;
}

void lv_store_rollback(lv_store *s) {
  if (s->in_txn)
    s->be->rollback(s->db);
  s->in_txn = 0;
  s->now = s->committed;
}

int lv_store_checkpoint(lv_store *s, levee_error *err) {
  if (s->read_only || s->now.tree.size == s->now.cp_size)
    return LEVEE_OK;
  int rc = lv_store_begin(s, err);
  if (rc)
    return rc;
  if ((rc = write_checkpoint(s, err))) {
    lv_store_rollback(s);
    return rc;
  }
  /* Due or not, commit now: the checkpoint is already in the
   * transaction. */
  if ((rc = tree_save(s)) || (rc = s->be->commit(s->db, err))) {
    lv_store_rollback(s);
    return rc;
  }
  s->in_txn = 0;
  s->committed = s->now;
  return LEVEE_OK;
}

/* --- retention ----------------------------------------------------------- */

typedef struct purge_plan {
  const lv_retention *r;
  int64_t now_ms;
  uint64_t (*items)[2]; /* seq, 1 expire / 0 delete content */
  size_t n, cap;
  lv_purge_summary *sum;
} purge_plan;

static int plan_fn(void *ud, const lv_purge_candidate *c) {
  purge_plan *p = ud;
  int64_t rec_days, con_days;
  p->sum->candidates++;
  lv_retention_for(p->r, c->categories, c->n_categories, &rec_days, &con_days);
  int64_t age = p->now_ms - c->time_ms;
  int expire = rec_days && age > rec_days * 86400000;
  int drop = !expire && c->has_content && con_days && age > con_days * 86400000;
  if (!expire && !drop)
    return 0;
  if (p->n == p->cap) {
    size_t ncap = p->cap ? p->cap * 2 : 1024;
    uint64_t(*n)[2] = realloc(p->items, ncap * sizeof *n);
    if (!n)
      return LEVEE_ENOMEM;
    p->items = n;
    p->cap = ncap;
  }
  p->items[p->n][0] = c->seq;
  p->items[p->n++][1] = (uint64_t)expire;
  if (expire)
    p->sum->records_expired++;
  else
    p->sum->content_deleted++;
  return 0;
}

static int64_t shortest_days(const lv_retention *r) {
  int64_t m = 0;
  int64_t all[2] = {r->record_days, r->content_days};
  for (int i = 0; i < 2; i++)
    if (all[i] && (!m || all[i] < m))
      m = all[i];
  for (size_t i = 0; i < r->n_rules; i++) {
    int64_t d[2] = {r->rules[i].record_days, r->rules[i].content_days};
    for (int k = 0; k < 2; k++)
      if (d[k] > 0 && (!m || d[k] < m))
        m = d[k];
  }
  return m;
}

int lv_store_purge(lv_store *s, const struct lv_retention *r, int64_t now_ms,
                   int dry_run, levee_str actor, lv_purge_summary *sum,
                   levee_error *err) {
  memset(sum, 0, sizeof *sum);
  if (s->read_only && !dry_run)
    return lv_error_set(err, LEVEE_EINVAL, "the store is open read-only");
  purge_plan plan = {.r = r, .now_ms = now_ms, .sum = sum};
  int64_t shortest = shortest_days(r);
  int rc = LEVEE_OK;
  lv_buf detail;
  lv_buf_init(&detail, 1u << 20);
  if (shortest && (rc = s->be->each_purge_candidate(
                       s->db, now_ms - shortest * 86400000, plan_fn, &plan))) {
    lv_error_set(err, rc, "finding what retention applies to");
    goto out;
  }
  if (dry_run)
    goto out;
  /* The purge's record first, so each deletion can name it. */
  lv_jw w;
  lv_jw_init(&w, &detail);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "now_ms");
  lv_jw_int(&w, now_ms);
  lv_jw_key(&w, "records_days");
  lv_jw_int(&w, r->record_days);
  lv_jw_key(&w, "content_days");
  lv_jw_int(&w, r->content_days);
  lv_jw_key(&w, "categories");
  lv_jw_object_begin(&w);
  for (size_t i = 0; i < r->n_rules; i++) {
    lv_jw_key(&w, r->rules[i].category);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "records_days");
    lv_jw_int(&w, r->rules[i].record_days >= 0 ? r->rules[i].record_days
                                               : r->record_days);
    lv_jw_key(&w, "content_days");
    lv_jw_int(&w, r->rules[i].content_days >= 0 ? r->rules[i].content_days
                                                : r->content_days);
    lv_jw_object_end(&w);
  }
  lv_jw_object_end(&w);
  lv_jw_key(&w, "content_deleted");
  lv_jw_int(&w, (int64_t)sum->content_deleted);
  lv_jw_key(&w, "records_expired");
  lv_jw_int(&w, (int64_t)sum->records_expired);
  lv_jw_object_end(&w);
  if ((rc = lv_jw_status(&w))) {
    lv_error_set(err, rc, "describing the purge");
    goto out;
  }
  if ((rc = lv_store_begin(s, err)) ||
      (rc = lv_store_add_record(s, actor, "purge", "ok",
                                (levee_str){detail.data, detail.len},
                                &sum->purge_seq, err)))
    goto fail;
  for (size_t i = 0; i < plan.n; i++) {
    uint64_t seq = plan.items[i][0];
    rc = plan.items[i][1]
             ? s->be->expire_record(s->db, seq, sum->purge_seq, err)
             : s->be->delete_content(s->db, seq, sum->purge_seq, err);
    if (rc)
      goto fail;
  }
  if ((rc = lv_store_commit(s, err)))
    goto out; /* rolled back */
  goto out;
fail:
  lv_store_rollback(s);
  sum->purge_seq = 0;
out:
  free(plan.items);
  lv_buf_cleanup(&detail);
  return rc;
}

void lv_store_backend_of(lv_store *s, const lv_store_backend **be, void **db) {
  *be = s->be;
  *db = s->db;
}

/* --- search -------------------------------------------------------------- */

int lv_store_search(lv_store *s, const lv_search_request *q,
                    lv_search_hit_fn fn, void *ud, levee_error *err) {
  return s->be->search(s->db, q, fn, ud, err);
}

/* --- counts -------------------------------------------------------------- */

static const char *const stats_by_names[] = {
    [LV_STATS_DAY] = "day",       [LV_STATS_CATEGORY] = "category",
    [LV_STATS_DEPT] = "dept",     [LV_STATS_CHANNEL] = "channel",
    [LV_STATS_ACTION] = "action", [LV_STATS_SEVERITY] = "severity",
    [LV_STATS_SENDER] = "sender",
};
#define N_STATS_BY (sizeof stats_by_names / sizeof *stats_by_names)

void lv_stats_request_init(lv_stats_request *q) {
  memset(q, 0, sizeof *q);
  q->filter.since_ms = INT64_MIN;
  q->filter.until_ms = INT64_MAX;
  q->by = LV_STATS_DAY;
  q->tz_offset_min = LV_STATS_TZ_DEFAULT_MIN;
}

int lv_stats_by_parse(const char *name, lv_stats_by *out) {
  for (size_t i = 0; name && i < N_STATS_BY; i++)
    if (!strcmp(name, stats_by_names[i])) {
      *out = (lv_stats_by)i;
      return 0;
    }
  return -1;
}

const char *lv_stats_by_name(lv_stats_by by) {
  return (size_t)by < N_STATS_BY ? stats_by_names[by] : NULL;
}

size_t lv_stats_day_key(int64_t day, char out[LV_STATS_DAY_KEY_MAX]) {
  /* Event times are any int64 of milliseconds: a day is within +-1.1e11,
   * its seconds within +-9.3e15, and its year within an int. */
  time_t t = (time_t)(day * 86400);
  struct tm tm;
  int n =
      gmtime_r(&t, &tm)
          ? snprintf(out, LV_STATS_DAY_KEY_MAX, "%04lld-%02d-%02d",
                     (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday)
          : snprintf(out, LV_STATS_DAY_KEY_MAX, "day %lld", (long long)day);
  return n < 0 ? 0 : (size_t)n;
}

typedef struct stats_guard {
  lv_stats_fn fn;
  void *ud;
  uint64_t n, max;
  int too_many;
} stats_guard;

static int stats_group(void *ud, levee_str key, uint64_t count) {
  stats_guard *g = ud;
  if (g->max && g->n == g->max) {
    g->too_many = 1;
    return LEVEE_ETOOBIG;
  }
  g->n++;
  return g->fn(g->ud, key, count);
}

int lv_store_stats(lv_store *s, const lv_stats_request *q, lv_stats_fn fn,
                   void *ud, levee_error *err) {
  if (q->filter.text.len)
    return lv_error_set(err, LEVEE_EINVAL,
                        "counts take filters, not a search text");
  if ((size_t)q->by >= N_STATS_BY)
    return lv_error_set(err, LEVEE_EINVAL, "no such dimension to count by");
  if (q->tz_offset_min < -LV_STATS_TZ_MAX_MIN ||
      q->tz_offset_min > LV_STATS_TZ_MAX_MIN)
    return lv_error_set(err, LEVEE_EINVAL,
                        "a time zone offset is at most 14 hours");
  /* Without a limit (or past the bound) one group more than the bound is
   * asked for, to tell that there are too many. */
  int bounded = q->limit && q->limit <= LV_MAX_STATS_GROUPS;
  stats_guard g = {fn, ud, 0, bounded ? 0 : LV_MAX_STATS_GROUPS, 0};
  int rc = s->be->stats(
      s->db, q, bounded ? q->limit : (uint64_t)LV_MAX_STATS_GROUPS + 1,
      q->explain ? fn : stats_group, q->explain ? ud : &g, err);
  if (g.too_many)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "more than %u groups: narrow the filters or ask for "
                        "the largest few",
                        LV_MAX_STATS_GROUPS);
  if (rc < 0 && err && !err->status)
    lv_error_set(err, rc, "counting: %s", levee_strerror(rc));
  return rc;
}

/* --- records by type ----------------------------------------------------- */

int lv_store_each_record(lv_store *s, const char *type, lv_record_row_fn fn,
                         void *ud, levee_error *err) {
  if (!strcmp(type, "event"))
    return lv_error_set(err, LEVEE_EINVAL,
                        "events are read with lv_store_each_event");
  int rc = s->be->each_record(s->db, type, fn, ud);
  if (rc < 0 && err && !err->status)
    lv_error_set(err, rc, "reading the %s records: %s", type,
                 levee_strerror(rc));
  return rc;
}

/* --- verification ------------------------------------------------------- */

/* Rows that belong to no record, as the readers find them: reported once
 * every record has been read, since a row of a missing record is not an
 * inserted one. */
typedef struct orphan_list {
  struct orphan {
    uint64_t seq;
    unsigned table; /* its index in lv_row_tables */
  } * v;
  size_t n, cap;
} orphan_list;

const char *const lv_row_tables[LV_ROW_TABLES] = {
    "event",   "finding",         "attachment",
    "content", "content_deleted", "record_expired"};

typedef struct verifier {
  lv_store *s;
  const uint8_t *pub;
  lv_verify_fn fn;
  void *ud;
  lv_verify_summary *sum;
  /* checkpoints, in order */
  lv_checkpoint *cps;
  size_t n_cps, cap_cps;
  size_t next_cp;         /* the next checkpoint to compare the tree with */
  lv_merkle tree;         /* of recomputed leaves */
  uint64_t expect;        /* the next sequence number */
  int gap;                /* a record is missing: roots no longer compare */
  uint64_t leaf_problems; /* records whose leaf changed: they explain a
                             root that does not match */
  uint64_t (*missing)[2]; /* ranges of missing records */
  size_t n_missing, cap_missing;
  /* Deletions under retention, checked at the end against the purge
   * records that claim them (which come later in the log). */
  struct purged {
    uint64_t seq, by;
    int64_t time_ms;
    int expired;
  } * purged;
  size_t n_purged, cap_purged;
  struct purge_rec {
    uint64_t seq;
    int64_t time_ms;
  } * purges; /* in seq order */
  size_t n_purges, cap_purges;
  lv_arena ids;        /* an event id being reported (one reader) */
  orphan_list orphans; /* rows of no record, reported at the end */
} verifier;

/* Appends x (of size sz) to *v, growing it. */
static int push(void **v, size_t *n, size_t *cap, const void *x, size_t sz) {
  if (*n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 64;
    void *nv = realloc(*v, ncap * sz);
    if (!nv)
      return LEVEE_ENOMEM;
    *v = nv;
    *cap = ncap;
  }
  memcpy((char *)*v + *n * sz, x, sz);
  (*n)++;
  return 0;
}

static int add_orphan(orphan_list *l, const char *table, uint64_t seq) {
  unsigned t = 0;
  while (t < LV_ROW_TABLES - 1 && strcmp(lv_row_tables[t], table) != 0)
    t++;
  struct orphan o = {seq, t};
  return push((void **)&l->v, &l->n, &l->cap, &o, sizeof o);
}

static int orphan_order(const void *a, const void *b) {
  const struct orphan *x = a, *y = b;
  if (x->table != y->table)
    return x->table < y->table ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

static void report(verifier *v, lv_verify_kind kind, uint64_t seq,
                   uint64_t seq_end, levee_str id, const char *what) {
  lv_verify_problem p = {kind, seq, seq_end, id, what};
  if (kind != LV_VERIFY_UNSIGNED_TAIL)
    v->sum->problems++;
  v->fn(v->ud, &p);
}

static int collect_cp(void *ud, const lv_checkpoint *c) {
  verifier *v = ud;
  if (v->n_cps == v->cap_cps) {
    size_t ncap = v->cap_cps ? v->cap_cps * 2 : 64;
    lv_checkpoint *n = realloc(v->cps, ncap * sizeof *n);
    if (!n)
      return LEVEE_ENOMEM;
    v->cps = n;
    v->cap_cps = ncap;
  }
  v->cps[v->n_cps++] = *c;
  return 0;
}

static void check_checkpoints(verifier *v) {
  uint8_t prev[LV_SHA256_LEN] = {0};
  char what[160];
  for (size_t i = 0; i < v->n_cps; i++) {
    const lv_checkpoint *c = &v->cps[i];
    const char *bad = NULL;
    if (c->seq != i + 1)
      bad = "is out of sequence (one before it is missing or inserted)";
    else if (lv_checkpoint_check(c, v->pub))
      bad = "has a bad signature";
    else if (memcmp(c->prev, prev, LV_SHA256_LEN) != 0)
      bad = "does not link to the checkpoint before it";
    else if (i && (c->size < v->cps[i - 1].size ||
                   c->time_ms < v->cps[i - 1].time_ms))
      bad = "goes back in size or time";
    if (bad) {
      snprintf(what, sizeof what, "checkpoint %llu (of %llu records) %s",
               (unsigned long long)c->seq, (unsigned long long)c->size, bad);
      report(v, LV_VERIFY_BAD_CHECKPOINT, 0, 0, (levee_str){NULL, 0}, what);
    }
    lv_checkpoint_hash(&v->s->sha, c, prev);
  }
}

/* Compares the tree with every checkpoint of its size. */
static void compare_roots(verifier *v) {
  while (v->next_cp < v->n_cps && v->cps[v->next_cp].size <= v->tree.size) {
    const lv_checkpoint *c = &v->cps[v->next_cp++];
    if (c->size != v->tree.size || v->gap)
      continue; /* sizes skipped: reported by the gap */
    uint8_t root[LV_SHA256_LEN];
    lv_merkle_root(&v->tree, &v->s->sha, root);
    if (memcmp(root, c->root, LV_SHA256_LEN) != 0 && v->leaf_problems) {
      v->gap = 1; /* explained by the records already named */
    } else if (memcmp(root, c->root, LV_SHA256_LEN) != 0) {
      char what[200];
      uint64_t from = v->next_cp >= 2 ? v->cps[v->next_cp - 2].size + 1 : 1;
      snprintf(what, sizeof what,
               "the log does not match checkpoint %llu: a record up to %llu "
               "was changed and its hashes recomputed (the first changed "
               "root covers records %llu-%llu)",
               (unsigned long long)c->seq, (unsigned long long)c->size,
               (unsigned long long)from, (unsigned long long)c->size);
      report(v, LV_VERIFY_LOG_MISMATCH, from, c->size, (levee_str){NULL, 0},
             what);
      v->gap = 1; /* later roots differ for the same reason */
    }
  }
}

/* What verification needs of one record, computed from its rows (in
 * whichever thread read them) and applied to the verifier in order. */
typedef struct row_result {
  uint64_t seq;
  int64_t time_ms;
  uint64_t purged_by;
  uint8_t leaf[LV_SHA256_LEN]; /* recomputed */
  int8_t problem;              /* a lv_verify_kind, or -1 */
  uint8_t leaf_changed, is_event, content_gone, expired, deleted, is_purge;
  const char *what; /* static text of the problem */
  levee_str id;     /* the event's id when there is a problem */
} row_result;

/* Computes r from row with hash context sha; an event's id (needed only to
 * report a problem) is copied into a, which must outlive r. */
static int compute_row(lv_sha256 *sha, const lv_stored_row *row, row_result *r,
                       lv_arena *a) {
  memset(r, 0, sizeof *r);
  r->seq = row->rec.head.seq;
  r->time_ms = row->rec.head.time_ms;
  r->purged_by = row->purged_by;
  r->is_event = row->is_event != 0;
  r->content_gone = row->content_deleted && !row->has_content;
  r->expired = row->expired != 0;
  r->deleted = row->content_deleted || row->expired;
  r->is_purge = row->rec.head.type.len == 5 &&
                !memcmp(row->rec.head.type.ptr, "purge", 5);
  r->problem = (int8_t)check_row(sha, row, r->leaf, &r->what);
  r->leaf_changed = memcmp(r->leaf, row->rec.leaf, LV_SHA256_LEN) != 0;
  if (r->problem >= 0 && row->is_event && row->ev.id.ptr) {
    char *id = lv_arena_strndup(a, row->ev.id.ptr, row->ev.id.len);
    if (!id)
      return LEVEE_ENOMEM;
    r->id = (levee_str){id, row->ev.id.len};
  }
  return 0;
}

static int apply_row(verifier *v, const row_result *r) {
  uint64_t seq = r->seq;
  if (seq > v->expect) {
    char what[120];
    if (seq - v->expect == 1)
      snprintf(what, sizeof what, "record %llu is missing",
               (unsigned long long)v->expect);
    else
      snprintf(what, sizeof what, "records %llu-%llu are missing",
               (unsigned long long)v->expect, (unsigned long long)seq - 1);
    report(v, LV_VERIFY_MISSING, v->expect, seq - 1, (levee_str){NULL, 0},
           what);
    if (v->n_missing == v->cap_missing) {
      size_t ncap = v->cap_missing ? v->cap_missing * 2 : 16;
      uint64_t(*n)[2] = realloc(v->missing, ncap * sizeof *n);
      if (!n)
        return LEVEE_ENOMEM;
      v->missing = n;
      v->cap_missing = ncap;
    }
    v->missing[v->n_missing][0] = v->expect;
    v->missing[v->n_missing++][1] = seq - 1;
    v->gap = 1;
  }
  v->expect = seq + 1;
  v->sum->records++;
  v->sum->events += r->is_event;
  v->sum->content_deleted += r->content_gone;
  v->sum->records_expired += r->expired;
  if (r->deleted) {
    struct purged p = {seq, r->purged_by, r->time_ms, r->expired};
    if (push((void **)&v->purged, &v->n_purged, &v->cap_purged, &p, sizeof p))
      return LEVEE_ENOMEM;
  }
  if (r->is_purge) {
    struct purge_rec p = {seq, r->time_ms};
    if (push((void **)&v->purges, &v->n_purges, &v->cap_purges, &p, sizeof p))
      return LEVEE_ENOMEM;
  }
  if (r->problem >= 0)
    report(v, (lv_verify_kind)r->problem, seq, seq, r->id, r->what);
  v->leaf_problems += r->leaf_changed;
  if (lv_merkle_append(&v->tree, &v->s->sha, r->leaf))
    return LEVEE_ETOOBIG;
  compare_roots(v);
  return 0;
}

/* One reader: compute and apply each record as it is read. */
static int verify_row(void *ud, const lv_stored_row *row) {
  verifier *v = ud;
  row_result r;
  lv_arena_reset(&v->ids);
  int rc = compute_row(&v->s->sha, row, &r, &v->ids);
  return rc ? rc : apply_row(v, &r);
}

static int verify_orphan(void *ud, const char *table, uint64_t seq) {
  verifier *v = ud;
  return add_orphan(&v->orphans, table, seq);
}

/* --- two readers --------------------------------------------------------
 *
 * With more than one CPU and a large log, the log is read in chunks by two
 * threads, each through a connection of its own: whichever is free takes
 * the next chunk, reads its rows and computes their hashes. This thread
 * also applies the chunks' results to the tree, in order, as each is
 * ready. Reading rows and hashing are most of verifying; only the tree and
 * the reports are serial. Chunk k uses slot k % VERIFY_SLOTS, so no reader
 * gets more than VERIFY_SLOTS chunks ahead of the tree. */

#define VERIFY_SLOTS 8u

typedef struct chunk {
  row_result *r; /* room for two_readers.chunk */
  size_t n;
  lv_arena ids;
  orphan_list orphans; /* rows of no record in its range */
  int state;           /* 0 free, 1 being filled, 2 ready */
  int rc;
} chunk;

typedef struct two_readers {
  const lv_store_backend *be;
  void *db2;
  uint64_t last;   /* records 1..last are read */
  uint64_t chunk;  /* records per chunk */
  uint64_t chunks; /* how many */
  uint64_t next;   /* the next chunk to read */
  chunk slot[VERIFY_SLOTS];
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
} two_readers;

typedef struct fill_ctx {
  chunk *c;
  size_t cap;
  lv_sha256 *sha;
} fill_ctx;

static int fill_row(void *ud, const lv_stored_row *row) {
  fill_ctx *f = ud;
  if (f->c->n == f->cap)
    return LEVEE_ESTORE; /* a range gave more rows than it can hold */
  return compute_row(f->sha, row, &f->c->r[f->c->n++], &f->c->ids);
}

static int fill_orphan(void *ud, const char *table, uint64_t seq) {
  fill_ctx *f = ud;
  return add_orphan(&f->c->orphans, table, seq);
}

/* Under t->mu: claims the next chunk when its slot is free. Returns its
 * number, or UINT64_MAX. */
static uint64_t claim_chunk(two_readers *t) {
  if (t->stop || t->next >= t->chunks ||
      t->slot[t->next % VERIFY_SLOTS].state != 0)
    return UINT64_MAX;
  t->slot[t->next % VERIFY_SLOTS].state = 1;
  return t->next++;
}

/* Reads claimed chunk k through db into its slot, which it marks ready. */
static int fill_chunk(two_readers *t, void *db, lv_sha256 *sha, uint64_t k) {
  chunk *c = &t->slot[k % VERIFY_SLOTS];
  uint64_t from = k * t->chunk + 1, to = from + t->chunk - 1;
  if (to > t->last)
    to = t->last;
  c->n = 0;
  c->orphans.n = 0;
  lv_arena_reset(&c->ids);
  fill_ctx f = {c, (size_t)t->chunk, sha};
  int rc = t->be->each_row(db, from, to, fill_row, fill_orphan, &f);
  pthread_mutex_lock(&t->mu);
  c->rc = rc;
  c->state = 2;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
  return rc;
}

static void *second_reader(void *arg) {
  two_readers *t = arg;
  lv_sha256 sha;
  int rc = lv_sha256_init(&sha);
  pthread_mutex_lock(&t->mu);
  while (!t->stop && t->next < t->chunks) {
    uint64_t k = claim_chunk(t);
    if (k == UINT64_MAX) {
      pthread_cond_wait(&t->cv, &t->mu);
      continue;
    }
    pthread_mutex_unlock(&t->mu);
    if (rc) { /* no hashing context: the chunk reports it */
      chunk *c = &t->slot[k % VERIFY_SLOTS];
      pthread_mutex_lock(&t->mu);
      c->rc = rc;
      c->state = 2;
      pthread_cond_broadcast(&t->cv);
    } else {
      fill_chunk(t, t->db2, &sha, k);
      pthread_mutex_lock(&t->mu);
    }
  }
  pthread_mutex_unlock(&t->mu);
  if (!rc)
    lv_sha256_cleanup(&sha);
  return NULL;
}

/* Verifies records 1..last with two readers. Returns 1, having applied
 * nothing, when the second reader cannot start (verify with one). */
static int verify_two(verifier *v, uint64_t last, levee_error *err) {
  lv_store *s = v->s;
  two_readers t;
  memset(&t, 0, sizeof t);
  t.be = s->be;
  t.last = last;
  t.chunk = s->verify_chunk;
  t.chunks = (last + t.chunk - 1) / t.chunk;
  levee_error e2 = {0};
  if (s->be->open(s->location, 0, 1, &t.db2, &e2))
    return 1;
  int rc = 0;
  for (unsigned i = 0; i < VERIFY_SLOTS; i++) {
    lv_arena_init(&t.slot[i].ids, LV_MAX_ARENA_BYTES);
    if (!(t.slot[i].r = malloc((size_t)t.chunk * sizeof *t.slot[i].r)))
      rc = LEVEE_ENOMEM;
  }
  pthread_mutex_init(&t.mu, NULL);
  pthread_cond_init(&t.cv, NULL);
  pthread_t th;
  int started = !rc && pthread_create(&th, NULL, second_reader, &t) == 0;
  if (!rc && !started)
    rc = 1;
  /* Apply chunk `applied` as soon as it is ready; until then, read one. */
  uint64_t applied = 0;
  pthread_mutex_lock(&t.mu);
  while (!rc && applied < t.chunks) {
    chunk *c = &t.slot[applied % VERIFY_SLOTS];
    if (c->state == 2) {
      rc = c->rc;
      pthread_mutex_unlock(&t.mu);
      for (size_t i = 0; !rc && i < c->n; i++)
        rc = apply_row(v, &c->r[i]);
      for (size_t i = 0; !rc && i < c->orphans.n; i++)
        rc = push((void **)&v->orphans.v, &v->orphans.n, &v->orphans.cap,
                  &c->orphans.v[i], sizeof *c->orphans.v);
      pthread_mutex_lock(&t.mu);
      c->state = 0;
      applied++;
      pthread_cond_broadcast(&t.cv);
      continue;
    }
    uint64_t k = claim_chunk(&t);
    if (k == UINT64_MAX) {
      pthread_cond_wait(&t.cv, &t.mu);
      continue;
    }
    pthread_mutex_unlock(&t.mu);
    fill_chunk(&t, s->db, &s->sha, k);
    pthread_mutex_lock(&t.mu);
  }
  t.stop = 1;
  pthread_cond_broadcast(&t.cv);
  pthread_mutex_unlock(&t.mu);
  if (started)
    pthread_join(th, NULL);
  pthread_mutex_destroy(&t.mu);
  pthread_cond_destroy(&t.cv);
  for (unsigned i = 0; i < VERIFY_SLOTS; i++) {
    free(t.slot[i].r);
    free(t.slot[i].orphans.v);
    lv_arena_cleanup(&t.slot[i].ids);
  }
  s->be->close(t.db2);
  if (rc < 0)
    lv_error_set(err, rc, "reading records: %s", levee_strerror(rc));
  return rc;
}

/* A row of no record: what is left of a missing record (already named),
 * or inserted. */
/* Each deletion under retention must name a purge record of the log that
 * came after the record, and evidence may expire only after the 180 days
 * security records are kept: anything else is a deletion dressed up. */
static void check_purged(verifier *v) {
  for (size_t i = 0; i < v->n_purged; i++) {
    const struct purged *p = &v->purged[i];
    size_t lo = 0, hi = v->n_purges;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (v->purges[mid].seq < p->by)
        lo = mid + 1;
      else
        hi = mid;
    }
    const char *bad = NULL;
    if (lo == v->n_purges || v->purges[lo].seq != p->by || p->by <= p->seq)
      bad = "is marked deleted under retention by a purge the log does not "
            "hold";
    else if (p->expired && v->purges[lo].time_ms - p->time_ms <
                               (int64_t)LV_RETENTION_MIN_RECORD_DAYS * 86400000)
      bad = "expired under retention before the 180 days records are kept";
    if (bad) {
      char what[160];
      if (p->expired)
        snprintf(what, sizeof what, "record %llu's evidence %s",
                 (unsigned long long)p->seq, bad);
      else
        snprintf(what, sizeof what, "its content %s", bad);
      report(v, p->expired ? LV_VERIFY_MISSING : LV_VERIFY_CONTENT_MISSING,
             p->seq, p->seq, (levee_str){NULL, 0}, what);
    }
  }
}

static int orphan_fn(void *ud, const char *table, uint64_t seq) {
  verifier *v = ud;
  for (size_t i = 0; i < v->n_missing; i++)
    if (seq >= v->missing[i][0] && seq <= v->missing[i][1])
      return 0;
  if (seq >= v->expect && seq <= (v->n_cps ? v->cps[v->n_cps - 1].size : 0))
    return 0; /* of the missing records at the end, also named */
  char what[120];
  snprintf(what, sizeof what,
           "a row in %s for record %llu, which never existed (inserted)", table,
           (unsigned long long)seq);
  report(v, LV_VERIFY_INSERTED, seq, seq, (levee_str){NULL, 0}, what);
  return 0;
}

/* Every row of no record the readers found, by table and then seq. */
static void report_orphans(verifier *v) {
  orphan_list *l = &v->orphans;
  if (l->n > 1)
    qsort(l->v, l->n, sizeof *l->v, orphan_order);
  for (size_t i = 0; i < l->n; i++)
    if (i == 0 || orphan_order(&l->v[i - 1], &l->v[i]) != 0)
      orphan_fn(v, lv_row_tables[l->v[i].table], l->v[i].seq);
}

int lv_store_verify(lv_store *s, const uint8_t public_key[32], lv_verify_fn fn,
                    void *ud, lv_verify_summary *sum, levee_error *err) {
  verifier v;
  memset(&v, 0, sizeof v);
  memset(sum, 0, sizeof *sum);
  v.s = s;
  v.pub = public_key;
  v.fn = fn;
  v.ud = ud;
  v.sum = sum;
  v.expect = 1;
  lv_merkle_init(&v.tree);
  lv_arena_init(&v.ids, 1u << 20);
  if (memcmp(public_key, s->key.public, 32) != 0)
    report(&v, LV_VERIFY_WRONG_KEY, 0, 0, (levee_str){NULL, 0},
           "the store names another public key than the one given");
  int rc = s->be->each_checkpoint(s->db, collect_cp, &v);
  if (rc) {
    lv_error_set(err, rc, "reading checkpoints");
    goto out;
  }
  sum->checkpoints = v.n_cps;
  check_checkpoints(&v);
  /* Two readers for a large log when there are two CPUs; one otherwise,
   * or when the second cannot be opened. */
  uint64_t last = 0;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  int one =
      s->be->last_seq(s->db, &last) || ncpu < 2 || last < 4 * s->verify_chunk;
  if (!one && (rc = verify_two(&v, last, err)) == 1) {
    one = 1;
    rc = 0;
  }
  /* One reader reads it all, or what was written after last. */
  if (!rc && (rc = s->be->each_row(s->db, one ? 1 : last + 1, UINT64_MAX,
                                   verify_row, verify_orphan, &v)))
    lv_error_set(err, rc, "reading records");
  if (rc)
    goto out;
  uint64_t signed_size = v.n_cps ? v.cps[v.n_cps - 1].size : 0;
  if (signed_size >= v.expect) {
    char what[120];
    snprintf(what, sizeof what,
             "records %llu-%llu are missing (the last "
             "checkpoint covers %llu)",
             (unsigned long long)v.expect, (unsigned long long)signed_size,
             (unsigned long long)signed_size);
    report(&v, LV_VERIFY_MISSING, v.expect, signed_size, (levee_str){NULL, 0},
           what);
  } else if (v.expect - 1 > signed_size) {
    char what[160];
    sum->unsigned_tail = v.expect - 1 - signed_size;
    snprintf(what, sizeof what,
             "records %llu-%llu come after the last checkpoint (levee was "
             "stopped uncleanly; the next levee ingest signs them)",
             (unsigned long long)signed_size + 1,
             (unsigned long long)v.expect - 1);
    report(&v, LV_VERIFY_UNSIGNED_TAIL, signed_size + 1, v.expect - 1,
           (levee_str){NULL, 0}, what);
  }
  check_purged(&v);
  if ((rc = s->be->each_orphan_outside(s->db, 1, UINT64_MAX, verify_orphan,
                                       &v))) {
    lv_error_set(err, rc, "looking for inserted rows");
    goto out;
  }
  report_orphans(&v);
out:
  free(v.orphans.v);
  free(v.cps);
  free(v.missing);
  free(v.purged);
  free(v.purges);
  lv_arena_cleanup(&v.ids);
  return rc;
}

/* --- export -------------------------------------------------------------- */

typedef struct each_event {
  lv_stored_event_fn fn;
  void *ud;
} each_event;

static int each_event_row(void *ud, const lv_stored_row *row) {
  each_event *x = ud;
  if (!row->is_event || row->expired)
    return 0;
  lv_stored_event e = {row->rec.head.seq, row->rec.head.time_ms, &row->ev,
                       row->has_content ? &row->content : NULL};
  return x->fn(x->ud, &e);
}

int lv_store_each_event(lv_store *s, lv_stored_event_fn fn, void *ud,
                        levee_error *err) {
  each_event x = {fn, ud};
  int rc = s->be->each_row(s->db, 1, UINT64_MAX, each_event_row, NULL, &x);
  if (rc)
    lv_error_set(err, rc, "reading stored events: %s", levee_strerror(rc));
  return rc;
}

int lv_store_view(lv_store *s, levee_str id, size_t before, size_t after,
                  lv_stored_event_fn fn, void *ud, uint64_t *seq,
                  levee_error *err) {
  uint64_t seqs[2 * LV_STORE_VIEW_MAX + 1];
  size_t n = 0, at = 0;
  if (before > LV_STORE_VIEW_MAX)
    before = LV_STORE_VIEW_MAX;
  if (after > LV_STORE_VIEW_MAX)
    after = LV_STORE_VIEW_MAX;
  int rc = s->be->event_context(s->db, id, before, after, seqs, &n, &at, err);
  if (rc)
    return rc;
  *seq = seqs[at];
  each_event x = {fn, ud};
  for (size_t i = 0; i < n && !rc; i++)
    rc = s->be->each_row(s->db, seqs[i], seqs[i], each_event_row, NULL, &x);
  if (rc)
    lv_error_set(err, rc, "reading the conversation: %s", levee_strerror(rc));
  return rc;
}
