/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_wecom.h: one WeCom chat-archive record (企业微信会话内容存档, the
 * decrypted JSON that GetChatData/DecryptData return per message) to a
 * levee_event. Used by `levee scan --format wecom`.
 */
#ifndef LV_INGEST_EVENT_WECOM_H
#define LV_INGEST_EVENT_WECOM_H

#include <stddef.h>

#include "levee/levee.h"
#include "util/arena.h"
#include "util/json_reader.h"

/* Parses rec[0..len) with doc (whose token buffer is reused between calls)
 * and maps it onto *ev:
 *   id            msgid (required; LEVEE_EMISSING when absent or empty)
 *   time_ms       msgtime, epoch ms (required); a "switch" record carries
 *                 "time" instead, which is accepted
 *   channel       "wecom"
 *   conversation  roomid non-empty: type "group", id roomid; otherwise type
 *                 "direct", id the sorted distinct ids of from and tolist
 *                 joined by "|" ("a|b"); external TRUE when from or any of
 *                 tolist is an external contact (id beginning "wo" or "wm")
 *                 or the msgid ends in "_external", else FALSE. A switch
 *                 record has no conversation (external unknown).
 *   sender        id from (switch: user); role "customer" for an external
 *                 contact, "bot" for a robot ("wb..."), else "staff"
 *   recipients    tolist, same roles (the first LV_MAX_RECIPIENTS kept)
 *   text          the readable strings of the body, one per line: see the
 *                 kind table in event_wecom.c (text.content, link
 *                 title/description/link_url, file.filename, news items,
 *                 chatrecord and mixed items whose content is JSON in a
 *                 string, followed up to LV_MAX_WECOM_NESTING levels, ...).
 *                 Absent when there is none, and for recall and switch.
 *   attachments   image/emotion (kind "image"), file/voice/video (kind
 *                 "file") with name (filename) and md5 (md5sum), no data;
 *                 also those inside chat records and mixed messages (the
 *                 first LV_MAX_ATTACHMENTS kept)
 * Errors (with a message in err): the JSON reader's (LEVEE_ESYNTAX,
 * LEVEE_ETOOBIG), LEVEE_ESYNTAX for a field of the wrong type,
 * LEVEE_EMISSING, LEVEE_ETOOBIG (text over LV_MAX_TEXT_BYTES, nesting),
 * LEVEE_ENOMEM.
 * Ownership: strings in *ev borrow from rec (kept alive by the caller) or
 * live in a; *ev is written only on success. */
int lv_event_from_wecom(lv_json_doc *doc, const char *rec, size_t len,
                        lv_arena *a, levee_event *ev, levee_error *err)
    __attribute__((warn_unused_result));

#endif
