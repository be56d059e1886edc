/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence.h: an inspected event as the audit store keeps it, and the
 * hashes its record commits to.
 *
 * Hashes are computed over values as they are stored, so verifying needs
 * no parsing: the excerpts are a JSON array written once, by levee's JSON
 * writer, when the event is stored, and the extracted texts one string
 * that the search index reads as it is.
 *
 * lv_evidence is the event's fields, its verdict and its findings: what is
 * kept for as long as the record is (at least 180 days). lv_content is
 * what may be deleted sooner under retention: the message text, the text
 * extracted from each attachment, and each finding's excerpt. Both are
 * flat, so the same hash is computed from an event and its verdict when it
 * is stored (lv_evidence_from) and from the store's rows when it is checked
 * (`levee verify`), whichever back end holds them.
 */
#ifndef LV_STORE_EVIDENCE_H
#define LV_STORE_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/record.h"
#include "store/sha256.h"
#include "util/arena.h"

typedef struct lv_ev_finding {
  levee_str rule, category;
  int64_t source; /* -1: the text; N >= 0: attachment N */
  int64_t start, end;
  double confidence;
  levee_str action, severity;
} lv_ev_finding;

typedef struct lv_ev_attachment {
  levee_str kind, name, path;
  levee_str sha256, md5; /* lowercase hex as given or computed; may be absent */
  int64_t size;          /* bytes, or -1 when unknown */
  int64_t text_start;    /* where its extracted text is in
                            lv_content.extracted, or -1 when it has none */
  int64_t text_len;
  /* Not evidence: the image's perceptual hash (levee_attachment.phash),
   * carried to the store's trace index (trace_index.h), which keeps it
   * beside the log. lv_evidence_hash ignores both fields, so the log's
   * hashes are what they were; they are not stored in the attachment row
   * and read back as 0 (a hash cannot be recomputed: the image's bytes
   * are not kept). */
  int has_phash;
  uint64_t phash;
} lv_ev_attachment;

typedef struct lv_evidence {
  levee_str id;
  int64_t time_ms;
  levee_str channel;
  levee_str conversation_id, conversation_type, conversation_title;
  int64_t conversation_external; /* -1 unknown, 0, 1 */
  levee_str sender_id, sender_name, sender_dept, sender_role;
  levee_str recipients; /* JSON array as stored (canonical, from levee's
                           writer), or absent */
  levee_str forwarded_from;
  levee_str meta; /* the event's "meta" object as JSON, or absent */
  levee_str action, severity;
  int64_t truncated;
  lv_ev_finding *findings;
  size_t n_findings;
  lv_ev_attachment *attachments;
  size_t n_attachments;
} lv_evidence;

typedef struct lv_content {
  uint8_t salt[LV_RECORD_SALT_LEN];
  levee_str text;      /* the message text, or absent */
  levee_str extracted; /* the attachments' extracted texts, joined by
                          newlines (each one's place is in its
                          lv_ev_attachment); absent when none has text */
  levee_str excerpts;  /* JSON array: each finding's excerpt; absent when
                          there are no findings */
} lv_content;

/* An attachment's digests as lowercase hex, as the store keeps them: its
 * SHA-256 (the trace of a forwarded file follows it) and its MD5 (what
 * the chat archives give). */
void lv_evidence_digests(const void *p, size_t n, char sha256[65],
                         char md5[33]);

/* Fills ev and content from an event and its verdict; everything lives in
 * a (strings are copied or borrowed from the event and verdict, which must
 * outlive ev and content). content->salt is left for the caller. */
int lv_evidence_from(const levee_event *event, const levee_verdict *v,
                     lv_arena *a, lv_evidence *ev, lv_content *content)
    __attribute__((warn_unused_result));

void lv_evidence_hash(lv_sha256 *h, const lv_evidence *ev,
                      uint8_t out[LV_SHA256_LEN]);
void lv_content_hash(lv_sha256 *h, const lv_content *c,
                     uint8_t out[LV_SHA256_LEN]);

/* The detail hash of a record that is not an event: its detail JSON as
 * stored. */
void lv_detail_hash(lv_sha256 *h, levee_str detail, uint8_t out[LV_SHA256_LEN]);

#endif
