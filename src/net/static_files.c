/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static_files.c: the console's files in memory (static_files.h). The
 * directory is walked once (nftw would follow the same rules; a walk of our
 * own keeps the bounds and the name check in one place), each regular file
 * read whole; lookups are a scan of a sorted array by binary search.
 */
#include "net/static_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/limits.h"

typedef struct file {
  char *path; /* "/index.html" */
  char *data;
  size_t len;
  const char *type;
} file;

struct lv_static {
  file *files;
  size_t n, bytes;
};

static const struct {
  const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
};

static const char *type_of(const char *name) {
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (!strcmp(dot, types[i].ext))
      return types[i].type;
  return NULL;
}

/* A name the console may have: letters, digits, . _ -; not hidden. */
static int name_ok(const char *n) {
  if (!n[0] || n[0] == '.')
    return 0;
  for (const char *c = n; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
          (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
      return 0;
  return 1;
}

static int add(lv_static *s, const char *rel, const char *full,
               levee_error *err) {
  const char *type = type_of(rel);
  if (!type) {
    fprintf(stderr, "levee: serve: console: %s: not a kind of file served\n",
            full);
    return 0;
  }
  int fd = open(full, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st)) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return lv_error_set(err, LEVEE_EIO, "%s: %s", full, strerror(e));
  }
  if (s->n == LV_CONSOLE_MAX_FILES ||
      (size_t)st.st_size > LV_CONSOLE_MAX_BYTES - s->bytes) {
    close(fd);
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "the console has more than %d files or %zu MiB",
                        LV_CONSOLE_MAX_FILES, LV_CONSOLE_MAX_BYTES >> 20);
  }
  file f = {.type = type, .len = (size_t)st.st_size};
  f.data = malloc(f.len ? f.len : 1);
  f.path = malloc(strlen(rel) + 2);
  size_t got = 0;
  while (f.data && got < f.len) {
    ssize_t r = read(fd, f.data + got, f.len - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  if (!f.data || !f.path || got != f.len) {
    free(f.data);
    free(f.path);
    return lv_error_set(err, f.data && f.path ? LEVEE_EIO : LEVEE_ENOMEM,
                        "%s: cannot read it", full);
  }
  snprintf(f.path, strlen(rel) + 2, "/%s", rel);
  s->files[s->n++] = f;
  s->bytes += f.len;
  return 0;
}

/* Walks dir/rel (rel "" at the top), depth at most 8. */
static int walk(lv_static *s, const char *dir, const char *rel, int depth,
                levee_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", dir, rel[0] ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d)
    return lv_error_set(err, errno == ENOENT ? LEVEE_ENOTFOUND : LEVEE_EIO,
                        "%s: %s", path, strerror(errno));
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char sub[2048], full[4096];
    if ((size_t)snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "",
                         e->d_name) >= sizeof sub ||
        !name_ok(e->d_name)) {
      fprintf(stderr, "levee: serve: console: %s/%s: left out (its name)\n",
              path, e->d_name);
      continue;
    }
    snprintf(full, sizeof full, "%s/%s", dir, sub);
    struct stat st;
    if (lstat(full, &st))
      continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth < 8)
        rc = walk(s, dir, sub, depth + 1, err);
    } else if (S_ISREG(st.st_mode)) {
      rc = add(s, sub, full, err);
    }
  }
  closedir(d);
  return rc;
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const file *)a)->path, ((const file *)b)->path);
}

int lv_static_load(const char *dir, lv_static **out, levee_error *err) {
  lv_static *s = calloc(1, sizeof *s);
  if (!s || !(s->files = calloc(LV_CONSOLE_MAX_FILES, sizeof *s->files))) {
    free(s);
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  }
  int rc = walk(s, dir, "", 0, err);
  if (rc == 0) {
    qsort(s->files, s->n, sizeof *s->files, by_path);
    const char *d;
    size_t n;
    const char *t;
    if (!lv_static_find(s, "/", &d, &n, &t))
      rc = lv_error_set(err, LEVEE_ENOTFOUND, "%s: no index.html", dir);
  }
  if (rc) {
    lv_static_free(s);
    return rc;
  }
  *out = s;
  return LEVEE_OK;
}

void lv_static_free(lv_static *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->n; i++) {
    free(s->files[i].path);
    free(s->files[i].data);
  }
  free(s->files);
  free(s);
}

size_t lv_static_count(const lv_static *s) {
  return s ? s->n : 0;
}

int lv_static_find(const lv_static *s, const char *path, const char **data,
                   size_t *len, const char **type) {
  if (!s)
    return 0;
  if (!strcmp(path, "/"))
    path = "/index.html";
  file key = {.path = (char *)path};
  const file *f = bsearch(&key, s->files, s->n, sizeof *s->files, by_path);
  if (!f)
    return 0;
  *data = f->data;
  *len = f->len;
  *type = f->type;
  return 1;
}
