/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_exec.c: `levee serve` runs the daemon, levee-serve, from beside
 * the levee binary (or LEVEE_SERVE_BINARY), with the same arguments; and
 * `levee dbguard` the database guard, levee-dbguard (or
 * LEVEE_DBGUARD_BINARY), for the same reason.
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

/* Runs binary (from beside levee, or the path in the environment
 * variable env) in place of this process, with argv. */
static int exec_daemon(const char *cmd, const char *binary, const char *envvar,
                       int argc, char **argv) {
  char path[PATH_MAX + 32];
  const char *env = getenv(envvar);
  if (env && *env) {
    snprintf(path, sizeof path, "%s", env);
  } else {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (!slash) {
      lv_cli_error(cmd, "cannot find the levee binary's directory");
      return 2;
    }
    *slash = '\0';
    snprintf(path, sizeof path, "%s/%s", exe, binary);
  }
  char **args = calloc((size_t)argc + 1, sizeof *args);
  if (!args) {
    lv_cli_error(cmd, "out of memory");
    return 2;
  }
  args[0] = (char *)binary;
  for (int i = 1; i < argc; i++)
    args[i] = argv[i];
  execv(path, args);
  int e = errno;
  free(args);
  lv_cli_error(cmd, "cannot run %s: %s (set %s)", path, strerror(e), envvar);
  return 2;
}

int lv_cmd_serve_exec(int argc, char **argv) {
  return exec_daemon("serve", "levee-serve", "LEVEE_SERVE_BINARY", argc, argv);
}

int lv_cmd_dbguard_exec(int argc, char **argv) {
  return exec_daemon("dbguard", "levee-dbguard", "LEVEE_DBGUARD_BINARY", argc,
                     argv);
}
