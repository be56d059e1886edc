/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.c: helpers the subcommands share: error lines, bounded file
 * reading, policy loading and the on-disk cache of compiled databases.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <pwd.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/event_jsonl.h"
#include "util/limits.h"

void lv_cli_error(const char *what, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "levee: %s: ", what);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int lv_cli_read_file(const char *path, size_t limit, char **out,
                     size_t *out_len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return -EISDIR;
  }
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap + 1);
  if (!buf) {
    close(fd);
    return -ENOMEM;
  }
  for (;;) {
    if (len == cap) {
      if (cap >= limit) {
        free(buf);
        close(fd);
        return -EFBIG;
      }
      cap = cap * 2 > limit ? limit : cap * 2;
      char *nb = realloc(buf, cap + 1);
      if (!nb) {
        free(buf);
        close(fd);
        return -ENOMEM;
      }
      buf = nb;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      free(buf);
      close(fd);
      return -e;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  close(fd);
  /* One more byte past the limit tells "too big" from "exactly limit". */
  buf[len] = '\0';
  *out = buf;
  *out_len = len;
  return 0;
}

typedef struct policy_dir {
  char dir[4096];
} policy_dir;

static int read_relative(void *ud, const char *path, char **out,
                         size_t *out_len) {
  const policy_dir *pd = ud;
  char full[8192];
  if (path[0] == '/' || !pd->dir[0])
    snprintf(full, sizeof full, "%s", path);
  else
    snprintf(full, sizeof full, "%s/%s", pd->dir, path);
  int rc = lv_cli_read_file(full, 64u << 20, out, out_len);
  if (rc == -ENOENT)
    return LEVEE_ENOTFOUND;
  if (rc == -EFBIG)
    return LEVEE_ETOOBIG;
  return rc ? LEVEE_EIO : LEVEE_OK;
}

int lv_cli_load_policy(const char *path, levee_policy **out) {
  levee_error err = {0};
  if (!path) {
    if (levee_policy_default(out, &err)) {
      lv_cli_error("policy", "%s", err.message);
      return 1;
    }
    return 0;
  }
  char *data;
  size_t len;
  int rc = lv_cli_read_file(path, LV_MAX_POLICY_BYTES, &data, &len);
  if (rc) {
    lv_cli_error(path, "%s",
                 rc == -EFBIG ? "policy file too large" : strerror(-rc));
    return 1;
  }
  policy_dir pd = {{0}};
  const char *slash = strrchr(path, '/');
  if (slash)
    snprintf(pd.dir, sizeof pd.dir, "%.*s", (int)(slash - path), path);
  if (slash == path)
    snprintf(pd.dir, sizeof pd.dir, "/");
  rc = levee_policy_parse(data, len, path, read_relative, &pd, out, &err);
  free(data);
  if (rc) {
    fprintf(stderr, "levee: %s\n", err.message);
    return 1;
  }
  return 0;
}

/* --- cache ---------------------------------------------------------------- */

typedef struct cache_dir {
  char path[4096];
} cache_dir;

static int mkdirs(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      if (mkdir(tmp, 0700) && errno != EEXIST)
        return -1;
      *p = '/';
    }
  return mkdir(tmp, 0700) && errno != EEXIST ? -1 : 0;
}

static int cache_load(void *ud, const char *key, char **out, size_t *len) {
  const cache_dir *c = ud;
  char file[4200];
  snprintf(file, sizeof file, "%s/engine-%s.hsdb", c->path, key);
  return lv_cli_read_file(file, 1u << 30, out, len) ? -1 : 0;
}

static void cache_store(void *ud, const char *key, const char *data,
                        size_t len) {
  const cache_dir *c = ud;
  char file[4200], tmp[4300];
  if (mkdirs(c->path))
    return;
  snprintf(file, sizeof file, "%s/engine-%s.hsdb", c->path, key);
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", file, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, data + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    off += (size_t)n;
  }
  /* Written whole or not at all: rename is atomic. */
  if (close(fd) == 0 && off == len && rename(tmp, file) == 0)
    return;
  unlink(tmp);
}

void lv_cli_cache_init(levee_cache_ops *ops, const char *data_dir) {
  memset(ops, 0, sizeof *ops);
  cache_dir *c = calloc(1, sizeof *c);
  if (!c)
    return;
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  if (data_dir)
    snprintf(c->path, sizeof c->path, "%s/cache", data_dir);
  else if (xdg && *xdg)
    snprintf(c->path, sizeof c->path, "%s/levee", xdg);
  else if (home && *home)
    snprintf(c->path, sizeof c->path, "%s/.cache/levee", home);
  else {
    free(c);
    return;
  }
  ops->version = 1;
  ops->load = cache_load;
  ops->store = cache_store;
  ops->ud = c;
}

void lv_cli_cache_free(levee_cache_ops *ops) {
  free(ops->ud);
  memset(ops, 0, sizeof *ops);
}

const char *lv_cli_os_user(void) {
  static char name[256];
  if (!name[0]) {
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
      snprintf(name, sizeof name, "%s", pw->pw_name);
    else
      snprintf(name, sizeof name, "uid:%ld", (long)geteuid());
  }
  return name;
}

void lv_cli_new_key_note(const char *shown, const lv_store_opened *info) {
  if (info->key_created)
    fprintf(stderr,
            "levee: %s: a new signing key; its public key is %s (keep it "
            "apart: levee verify --public-key checks the store with it)\n",
            shown, info->public_key);
}

double lv_cli_seconds_since(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) +
         (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

int lv_cli_parse_count(const char *s, uint64_t max, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || !*s || s[0] == '-' || v > max)
    return -1;
  *out = v;
  return 0;
}

int lv_cli_parse_time(const char *s, int64_t *out) {
  return lv_parse_when(s, out);
}

int lv_cli_open_input(const char *path, int *fd, char *dir, size_t cap) {
  *fd = STDIN_FILENO;
  if (cap)
    dir[0] = '\0';
  if (!strcmp(path, "-"))
    return 0;
  if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    return -errno;
  const char *slash = strrchr(path, '/');
  if (slash)
    snprintf(dir, cap, "%.*s", (int)(slash - path + (slash == path)), path);
  return 0;
}

int lv_cli_progress_due(struct timespec *last, int final) {
  if (!final && lv_cli_seconds_since(last) < 1.0)
    return 0;
  clock_gettime(CLOCK_MONOTONIC, last);
  return 1;
}
