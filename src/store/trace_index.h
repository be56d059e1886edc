/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_index.h: what the audit store's trace index keeps of one event, so
 * that `levee trace` (trace.h) can find the other copies of its content:
 *
 *   - the winnowing fingerprints of its text (core/winnow.h: the message
 *     text and the attachments' extracted text), distinct, in text order,
 *     at most LV_MAX_TRACE_FINGERPRINTS; none when there are fewer than
 *     LV_TRACE_MIN_FINGERPRINTS, so that short chatter ("收到", "好的,
 *     马上处理") is never indexed and never links two events;
 *   - the perceptual hash of each image attachment (extract/phash.h), with
 *     how many fingerprints the image's own text has (a photographed page
 *     is told apart from a picture by its text, as registration does);
 *   - who took part in its conversation: its sender and recipients.
 *
 * The index is derived data beside the log, like the search index: it is
 * not hashed, not verified, and rebuilt from content where it can be (a
 * store migrated to the trace index gets its events' fingerprints from
 * their content; image hashes come only from the images, which the store
 * does not keep, so events stored before have none). store.c computes an
 * entry as an event is added (lv_trace_indexer_entry) and hands it to the
 * back end (store_backend.h, put_trace), which writes it in the event's
 * transaction.
 *
 * Image hashes are looked up by multi-index hashing (Norouzi, Punjani and
 * Fleet, as core/image_index.h): the 64 bits are four 16-bit blocks, each
 * stored as a key (block number << 16 | its value). Two hashes within
 * distance d agree within floor(d / 4) bits on some block, so the keys to
 * probe for a hash are each block's value and those within that many bits
 * of it (lv_trace_probe_keys).
 */
#ifndef LV_STORE_TRACE_INDEX_H
#define LV_STORE_TRACE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/normalize.h"
#include "levee/levee.h"
#include "store/evidence.h"
#include "store/sha256.h"
#include "util/buf.h"
#include "util/json_reader.h"
#include "util/limits.h"

/* An event's text is indexed when it has at least this many fingerprints
 * (a text of some 20 characters or more: winnow.h keeps about one
 * fingerprint for every 4.5 characters past the first 15). */
#define LV_TRACE_MIN_FINGERPRINTS 3u
/* An image "holds text" when its own text has at least this many
 * fingerprints: registration's rule for page photos (docs/ARCHITECTURE.md,
 * "Registered documents and images"). */
#define LV_TRACE_READABLE_FINGERPRINTS 12u

/* Blocks of a hash, and the keys of one hash. */
#define LV_TRACE_BLOCKS 4

typedef struct lv_trace_image {
  uint32_t n;        /* the attachment's place in its event */
  uint32_t text_fps; /* fingerprints of the image's own extracted text */
  uint64_t phash;
} lv_trace_image;

/* What the index keeps of one event; valid until the indexer's next use. */
typedef struct lv_trace_entry {
  const uint64_t *fps; /* distinct, in text order */
  size_t n_fps;
  const lv_trace_image *images;
  size_t n_images;
  levee_str conversation;   /* absent: no membership to keep */
  const levee_str *members; /* the sender's and recipients' ids (the
                               sender once; a recipient may repeat) */
  size_t n_members;
  uint64_t members_hash; /* of the conversation and the members, so a back
                            end can skip an entry whose members it has just
                            added (group messages repeat them) */
} lv_trace_entry;

typedef struct lv_trace_indexer {
  lv_norm norm;
  lv_buf found;   /* lv_fingerprint, winnow's output */
  lv_buf fps;     /* uint64_t, the entry's */
  uint64_t *seen; /* open addressing over fps (0: empty; 0 itself kept
                     apart in seen_zero) */
  size_t n_seen_slots;
  int seen_zero;
  lv_trace_image images[LV_MAX_ATTACHMENTS];
  lv_json_doc doc; /* the recipients */
  lv_arena arena;  /* their unescaped ids */
  levee_str *members;
  size_t cap_members;
} lv_trace_indexer;

void lv_trace_indexer_init(lv_trace_indexer *x);
void lv_trace_indexer_cleanup(lv_trace_indexer *x);

/* The entry of an event as it is stored (its evidence, with the
 * attachments' has_phash/phash, and its content). Everything in *out lives
 * in x (and in ev and content, borrowed) until x's next use. Returns
 * LEVEE_OK or LEVEE_ENOMEM; a text too long to normalize is indexed up to
 * LV_MAX_TEXT_BYTES. */
int lv_trace_indexer_entry(lv_trace_indexer *x, const lv_evidence *ev,
                           const lv_content *content, lv_trace_entry *out)
    __attribute__((warn_unused_result));

/* The fingerprints of a message text and an extracted text (either may be
 * absent) as an entry keeps them: *fps (x's, until its next use) and *n,
 * 0 when fewer than LV_TRACE_MIN_FINGERPRINTS. */
int lv_trace_text_fps(lv_trace_indexer *x, levee_str text, levee_str extracted,
                      const uint64_t **fps, size_t *n)
    __attribute__((warn_unused_result));

/* The members of a conversation an event names: its sender and the ids in
 * its recipients (JSON as stored; ignored when it does not parse). Into
 * *members (x's, until its next use). */
int lv_trace_members(lv_trace_indexer *x, levee_str sender,
                     levee_str recipients, const levee_str **members, size_t *n)
    __attribute__((warn_unused_result));

/* The key of block i (0..3) of a hash. */
static inline uint32_t lv_trace_block_key(uint64_t phash, int i) {
  return (uint32_t)i << 16 | (uint32_t)(phash >> (16 * i) & 0xffff);
}

/* The keys to probe for hashes within max_distance of phash (at most 15):
 * per block, every value within max_distance / 4 bits of its own. cap
 * must be at least LV_TRACE_PROBE_KEYS; *n how many. */
#define LV_TRACE_PROBE_KEYS (LV_TRACE_BLOCKS * 697)
void lv_trace_probe_keys(uint64_t phash, unsigned max_distance, uint32_t *keys,
                         size_t *n);

/* A conversation's or a person's id as a 64-bit key: the first 8 bytes of
 * its SHA-256. The SQLite back end's member table keeps these (integer
 * keys are several times cheaper to insert than strings); two ids that
 * share a key would make one person look like a member where the other
 * is, which takes a SHA-256 collision of 64 bits to arrange. */
uint64_t lv_trace_id_key(levee_str id);

/* A set of 64-bit keys (0 included), for the member pairs a back end has
 * written or will write. Past max keys it forgets them all and starts
 * again (a forgotten pair is written again, which changes nothing). */
typedef struct lv_trace_keyset {
  uint64_t *slots; /* open addressing; 0 marks an empty slot */
  size_t n, cap, max;
  int has_zero;
} lv_trace_keyset;

void lv_trace_keyset_init(lv_trace_keyset *k, size_t max);
void lv_trace_keyset_cleanup(lv_trace_keyset *k);
void lv_trace_keyset_clear(lv_trace_keyset *k);
/* Adds key: 1 when it was not there, 0 when it was, or LEVEE_ENOMEM. */
int lv_trace_keyset_add(lv_trace_keyset *k, uint64_t key);
int lv_trace_keyset_has(const lv_trace_keyset *k, uint64_t key);

/* One key for a (conversation, person) pair of keys. */
static inline uint64_t lv_trace_pair_key(uint64_t conversation,
                                         uint64_t person) {
  uint64_t h = conversation * 0x9e3779b97f4a7c15ull ^ person;
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 29);
}

/* A (conversation, person) pair as one string, for a set of them
 * (directory.h) kept per transaction: the conversation's length (4 bytes,
 * big-endian), the conversation, the person. And back. */
int lv_trace_member_key(lv_buf *b, levee_str conversation, levee_str person)
    __attribute__((warn_unused_result));
int lv_trace_member_split(levee_str key, levee_str *conversation,
                          levee_str *person);

#endif
