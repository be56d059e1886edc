/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_exec.c: `levee serve` runs the daemon, levee-serve, from beside
 * the levee binary (or LEVEE_SERVE_BINARY), with the same arguments.
 *
 * The server links libmicrohttpd and, through it, GnuTLS and six more
 * shared objects; linked into levee they took every command's start from
 * 5.3 to 7.1 ms (median of 5 x 41 runs of levee --version), for nothing in
 * scan, verify or search. So the daemon is a binary of its own, as the
 * extraction libraries are a module of their own (extract_module.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define SERVE_BINARY "levee-serve"

int lv_cmd_serve_exec(int argc, char **argv) {
  char path[PATH_MAX + 32];
  const char *env = getenv("LEVEE_SERVE_BINARY");
  if (env && *env) {
    snprintf(path, sizeof path, "%s", env);
  } else {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (!slash) {
      lv_cli_error("serve", "cannot find the levee binary's directory");
      return 2;
    }
    *slash = '\0';
    snprintf(path, sizeof path, "%s/%s", exe, SERVE_BINARY);
  }
  char **args = calloc((size_t)argc + 1, sizeof *args);
  if (!args) {
    lv_cli_error("serve", "out of memory");
    return 2;
  }
  args[0] = (char *)SERVE_BINARY;
  for (int i = 1; i < argc; i++)
    args[i] = argv[i];
  execv(path, args);
  int e = errno;
  free(args);
  lv_cli_error("serve", "cannot run %s: %s (set LEVEE_SERVE_BINARY)", path,
               strerror(e));
  return 2;
}
