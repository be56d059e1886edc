/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h: subcommands of the `levee` command and their shared helpers.
 * The CLI is thin: it reads files, wires the layers together and decides
 * what is printed and what the exit status is.
 */
#ifndef LV_CLI_CLI_H
#define LV_CLI_CLI_H

#include <stddef.h>

#include "levee/levee.h"

int lv_cmd_scan(int argc, char **argv);
int lv_cmd_policy(int argc, char **argv);

/* Prints "levee: what: why" on stderr. */
void lv_cli_error(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reads a whole file (at most limit bytes) into a malloc'd buffer. */
int lv_cli_read_file(const char *path, size_t limit, char **out,
                     size_t *out_len);

/* Loads the policy at path, or the embedded default when path is NULL.
 * Keyword files are resolved against the policy's directory. On failure
 * prints the reason and returns nonzero. */
int lv_cli_load_policy(const char *path, levee_policy **out);

/* Cache of compiled databases in dir (created if missing); dir NULL means
 * $XDG_CACHE_HOME/levee or ~/.cache/levee. Fills ops; ud is owned by the
 * returned ops and freed with lv_cli_cache_free. */
void lv_cli_cache_init(levee_cache_ops *ops, const char *data_dir);
void lv_cli_cache_free(levee_cache_ops *ops);

#endif
