/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_request.h: one request line to a local daemon's unix socket and
 * its whole answer (read until the daemon closes). levee approve and levee
 * serve's holds routes ask the database guard's approvals socket this way.
 */
#ifndef LV_UTIL_UNIX_REQUEST_H
#define LV_UTIL_UNIX_REQUEST_H

#include <stddef.h>

/* Sends line (which ends with '\n') to the socket at path and reads the
 * answer into reply (NUL-terminated; at most cap - 1 bytes, the rest
 * dropped), waiting at most timeout_ms in all. Returns 0, or -errno
 * (-ENAMETOOLONG for a path too long, -ETIMEDOUT). */
int lv_unix_request(const char *path, const char *line, char *reply, size_t cap,
                    int timeout_ms);

#endif
