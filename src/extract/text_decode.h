/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text_decode.h: outside bytes to UTF-8 text.
 *
 * Used where a source hands levee bytes in an encoding it may or may not
 * name: a plain-text file scanned as a `file` event (lv_text_decode guesses
 * among the encodings Chinese offices actually produce) and the parts of an
 * email (lv_text_convert converts from the MIME charset label). Conversions
 * go through glibc iconv; results are borrowed from the input when it is
 * already UTF-8, otherwise allocated in the caller's arena.
 */
#ifndef LV_EXTRACT_TEXT_DECODE_H
#define LV_EXTRACT_TEXT_DECODE_H

#include <stddef.h>

#include "levee/levee.h"
#include "util/arena.h"

/* Turns the bytes of a plain-text file into UTF-8, trying in order:
 *   - a byte-order mark: UTF-8, UTF-16LE, UTF-16BE (invalid sequences after
 *     a BOM become U+FFFD; the BOM is not part of the text);
 *   - UTF-16LE/BE without a BOM when NUL bytes sit only at odd (LE) or only
 *     at even (BE) offsets and the result is clean text;
 *   - valid UTF-8 without NUL bytes, as is (out borrows bytes);
 *   - GB18030 (a superset of GB2312 and GBK) when the whole input converts
 *     without error and holds no binary control characters.
 * Otherwise LEVEE_EENCODING ("not text"). Input over LV_MAX_FILE_BYTES or
 * text over LV_MAX_TEXT_BYTES gives LEVEE_ETOOBIG.
 * OUT: *out (borrowed from bytes or allocated in a) and *encoding, a static
 * string: "utf-8", "utf-16le", "utf-16be" or "gb18030"; both written only on
 * success. err may be NULL. */
int lv_text_decode(const char *bytes, size_t len, lv_arena *a, levee_str *out,
                   const char **encoding, levee_error *err)
    __attribute__((warn_unused_result));

/* Converts bytes labelled with a MIME charset name (case-insensitive; NULL
 * or "" when unlabelled) to UTF-8, never failing on bad bytes: invalid
 * sequences become U+FFFD. GB2312, GBK, CP936 and their aliases are decoded
 * as GB18030, which contains them; US-ASCII as UTF-8. An unlabelled input or
 * a label iconv does not know is decoded as UTF-8 when valid, else GB18030
 * when that converts cleanly, else UTF-8 with replacements.
 * OUT: *out, borrowed from bytes when they are valid UTF-8 already, else in
 * a. Errors: LEVEE_ETOOBIG over LV_MAX_TEXT_BYTES, LEVEE_ENOMEM. */
int lv_text_convert(const char *charset, const char *bytes, size_t len,
                    lv_arena *a, levee_str *out, levee_error *err)
    __attribute__((warn_unused_result));

#endif
