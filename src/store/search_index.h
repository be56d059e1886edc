/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search_index.h: the SQLite back end's full-text index, in a database of
 * its own (DIR/search.db) and written by a thread of its own, so that
 * indexing (half the cost of storing an event) runs on another CPU while
 * the evidence is written.
 *
 * search.db holds doc(seq, text, extracted), a copy of each record's
 * searchable text, and content_fts, an FTS5 index (levee's tokenizer) over
 * it, so highlight() works. It is derived data: texts are handed over only
 * once their record is committed, and opening it catches up with levee.db
 * after a crash (records not yet indexed are added; texts whose content
 * retention deleted are removed, so none survives in the index).
 */
#ifndef LV_STORE_SEARCH_INDEX_H
#define LV_STORE_SEARCH_INDEX_H

#include <stdint.h>

#include "levee/levee.h"

typedef struct lv_search_index lv_search_index;

/* Opens DIR/search.db for writing (creating it), catches up with
 * DIR/levee.db, and starts the writing thread. */
int lv_search_index_open(const char *dir, lv_search_index **out,
                         levee_error *err) __attribute__((warn_unused_result));

/* Hands over a committed record's texts (copied). Waits while too much is
 * queued. */
int lv_search_index_add(lv_search_index *x, uint64_t seq, levee_str text,
                        levee_str extracted)
    __attribute__((warn_unused_result));

/* Removes a record's texts (its content was deleted), after everything
 * queued before. */
int lv_search_index_remove(lv_search_index *x, uint64_t seq, levee_error *err)
    __attribute__((warn_unused_result));

/* Waits until everything handed over is indexed, then stops and closes.
 * Accepts NULL. */
int lv_search_index_close(lv_search_index *x, levee_error *err);

#endif
