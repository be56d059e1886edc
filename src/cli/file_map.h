/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file_map.h: a read-only mapping of part of a regular file that survives
 * the file shrinking underneath it.
 *
 * Reading a mapped page past a file's end raises SIGBUS, which would kill
 * the process if another process truncated the file while levee read it.
 * While a mapping is open, a SIGBUS handler replaces the lost pages with
 * zero pages, so the reader sees zero bytes there, and remembers that it
 * did; lv_file_map_lost() then tells the caller that what it read is not
 * what the file held. A SIGBUS for any other address goes to the handler
 * that was there before (by default, the process dies as it would have).
 *
 * One mapping is open at a time in the process; the handler is installed
 * by lv_file_map_open() and removed by lv_file_map_close().
 */
#ifndef LV_CLI_FILE_MAP_H
#define LV_CLI_FILE_MAP_H

#include <stddef.h>
#include <sys/types.h>

typedef struct lv_file_map {
  const char *data; /* the bytes at the offset asked for */
  size_t len;
  void *base; /* the whole mapping, from a page boundary */
  size_t base_len;
} lv_file_map;

/* Maps len bytes (more than 0) of fd from offset. Returns 0, or -errno:
 * -EBUSY while another mapping is open, or mmap's error. */
int lv_file_map_open(lv_file_map *m, int fd, off_t offset, size_t len);

/* Whether pages of the open mapping (or of the last one closed) were lost
 * because the file shrank. */
int lv_file_map_lost(void);

void lv_file_map_close(lv_file_map *m);

#endif
