/* SPDX-License-Identifier: Apache-2.0 */
/*
 * directory.h: the people and conversations seen in one transaction of
 * the audit store, gathered so each is written once per transaction rather
 * than once per event (a row update per event cost 15% of an ingest).
 *
 * Each entry keeps an id, up to three attributes (a person's name, dept
 * and role; a conversation's type and title), whether a conversation is
 * external, the first and last record that named it and how many did. A
 * later event's attribute replaces an earlier one; an absent one does not.
 */
#ifndef LV_STORE_DIRECTORY_H
#define LV_STORE_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"

typedef struct lv_dir_entry {
  levee_str id;
  levee_str attr[3]; /* absent when never given */
  int64_t external;  /* -1 unknown, 0, 1 (conversations) */
  uint64_t first_seq, last_seq, count;
} lv_dir_entry;

typedef struct lv_directory {
  lv_dir_entry *v; /* entries, in the order first seen */
  size_t n, cap;
  uint32_t *slots; /* open addressing: index + 1, 0 empty */
  size_t n_slots;
  char **strings; /* owned copies */
  size_t n_strings, cap_strings;
} lv_directory;

void lv_directory_init(lv_directory *d);
void lv_directory_cleanup(lv_directory *d);
/* Forgets every entry (after writing them, or on rollback). */
void lv_directory_reset(lv_directory *d);
/* Notes that record seq named id with these attributes. */
int lv_directory_add(lv_directory *d, levee_str id, const levee_str attr[3],
                     int64_t external, uint64_t seq)
    __attribute__((warn_unused_result));

#endif
