/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_email.h: one RFC 5322 / MIME message (an .eml file, a message from
 * the milter) to a levee_event.
 *
 * Parsing is done by GMime 3 from memory; this layer bounds the input, walks
 * the MIME tree and converts every text to UTF-8 (GB2312/GBK/GB18030
 * included, see extract/text_decode.h).
 */
#ifndef LV_INGEST_EVENT_EMAIL_H
#define LV_INGEST_EVENT_EMAIL_H

#include <stddef.h>

#include "levee/levee.h"
#include "util/arena.h"

/* Maps the message in bytes[0..len) onto *ev:
 *   id            the id given; when id.ptr is NULL, the Message-ID
 *   time_ms       the Date header in epoch ms; 0 when absent or unreadable
 *   channel       "email"
 *   conversation  id: the thread root (first References entry, else
 *                 In-Reply-To, else Message-ID); title: the Subject;
 *                 type "direct" with at most one recipient, "group" with
 *                 more; external: unknown (the organisation's domains are
 *                 not known here)
 *   sender        the first mailbox of From: id = address, name = display
 *                 name
 *   recipients    the mailboxes of To, Cc and Bcc (groups flattened; the
 *                 first LV_MAX_RECIPIENTS kept)
 *   text          the Subject, "\n", then the text/plain parts that are not
 *                 attachments (joined by "\n"); when there is no text/plain
 *                 part at all, the text/html parts with tags stripped. A
 *                 forwarded message (message/rfc822) adds its Subject and
 *                 body the same way. Without a Subject, just the body.
 *   attachments   every other leaf part, and text parts with
 *                 Content-Disposition: attachment: kind "image" for image
 * types, else "file"; name from the filename or name parameter; data, the
 * part's bytes decoded from base64 or quoted-printable (up to
 * LV_MAX_FILE_BYTES each and LV_MAX_EMAIL_BYTES in all; past that, the
 * name only), for the caller to extract text from (the first
 * LV_MAX_ATTACHMENTS kept). Errors: LEVEE_ETOOBIG (over
 * LV_MAX_EMAIL_BYTES, more than LV_MAX_MIME_PARTS parts, nesting deeper than
 * LV_MAX_MIME_DEPTH, text over LV_MAX_TEXT_BYTES), LEVEE_ESYNTAX (not a
 * message), LEVEE_EMISSING (no id given and no Message-ID), LEVEE_ENOMEM.
 * Ownership: bytes and id are borrowed only during the call; every string in
 * *ev lives in a (or is id itself, which the caller keeps alive). *ev is
 * written only on success. Thread-safe (GMime is initialised once). */
int lv_event_from_email(const char *bytes, size_t len, levee_str id,
                        lv_arena *a, levee_event *ev, levee_error *err)
    __attribute__((warn_unused_result));

#endif
