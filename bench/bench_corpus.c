/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_corpus.c: corpus and keyword loading for the benchmark programs
 * (hs_raw, yara_raw, latency). Nothing here is timed.
 */
#include "bench_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json_reader.h"

int bc_read_file(const char *path, char **out, size_t *out_len) {
  int rc = -1;
  char *data = NULL;
  FILE *f = fopen(path, "rb");
  if (!f)
    goto out;
  if (fseek(f, 0, SEEK_END) != 0)
    goto out;
  long size = ftell(f);
  if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
    goto out;
  data = malloc((size_t)size + 1);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
    goto out;
  data[size] = '\0';
  *out = data;
  *out_len = (size_t)size;
  data = NULL;
  rc = 0;
out:
  free(data);
  if (f)
    fclose(f);
  return rc;
}

static levee_str get_str(const lv_json_doc *d, int obj, const char *key,
                         lv_arena *a) {
  levee_str s = {NULL, 0};
  int t = lv_json_get(d, obj, key);
  if (t >= 0 && lv_json_string(d, t, a, &s) != LEVEE_OK) {
    s.ptr = NULL;
    s.len = 0;
  }
  return s;
}

/* "2024-06-01T08:00:00.123+08:00" -> epoch ms; 0 when it does not parse. */
static int64_t rfc3339_ms(levee_str s) {
  char tmp[64];
  if (!s.ptr || s.len >= sizeof tmp)
    return 0;
  memcpy(tmp, s.ptr, s.len);
  tmp[s.len] = '\0';
  struct tm tm = {0};
  int ms = 0, oh = 0, om = 0, n = 0;
  char sign = 'Z';
  if (sscanf(tmp, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
             &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
    return 0;
  const char *p = tmp + n;
  if (*p == '.') {
    int digits = 0;
    for (p++; *p >= '0' && *p <= '9'; p++)
      if (digits++ < 3)
        ms = ms * 10 + (*p - '0');
    for (; digits < 3; digits++)
      ms *= 10;
  }
  if (*p == '+' || *p == '-') {
    sign = *p;
    if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
      return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t secs = (int64_t)timegm(&tm);
  int64_t off = (int64_t)(oh * 3600 + om * 60);
  if (sign == '+')
    secs -= off;
  else if (sign == '-')
    secs += off;
  return secs * 1000 + ms;
}

static void parse_event(const lv_json_doc *d, lv_arena *a, levee_event *ev) {
  memset(ev, 0, sizeof *ev);
  ev->id = get_str(d, 0, "id", a);
  ev->channel = get_str(d, 0, "channel", a);
  ev->text = get_str(d, 0, "text", a);
  int t = lv_json_get(d, 0, "time");
  if (t >= 0 && lv_json_type_of(d, t) == LV_JSON_NUMBER) {
    int64_t v;
    if (lv_json_int64(d, t, &v) == LEVEE_OK)
      ev->time_ms = v;
  } else if (t >= 0) {
    ev->time_ms = rfc3339_ms(get_str(d, 0, "time", a));
  }
  ev->conversation_external = LEVEE_UNKNOWN;
  int conv = lv_json_get(d, 0, "conversation");
  if (conv >= 0 && lv_json_type_of(d, conv) == LV_JSON_OBJECT) {
    ev->conversation_id = get_str(d, conv, "id", a);
    ev->conversation_type = get_str(d, conv, "type", a);
    ev->conversation_title = get_str(d, conv, "title", a);
    int x = lv_json_get(d, conv, "external");
    if (x >= 0 && lv_json_type_of(d, x) == LV_JSON_TRUE)
      ev->conversation_external = LEVEE_TRUE;
    else if (x >= 0 && lv_json_type_of(d, x) == LV_JSON_FALSE)
      ev->conversation_external = LEVEE_FALSE;
  }
  int snd = lv_json_get(d, 0, "sender");
  if (snd >= 0 && lv_json_type_of(d, snd) == LV_JSON_OBJECT) {
    ev->sender.id = get_str(d, snd, "id", a);
    ev->sender.name = get_str(d, snd, "name", a);
    ev->sender.dept = get_str(d, snd, "dept", a);
    ev->sender.role = get_str(d, snd, "role", a);
  }
}

int bc_corpus_load(const char *path, bc_corpus *c) {
  memset(c, 0, sizeof *c);
  lv_arena_init(&c->arena, (size_t)1 << 30);
  if (bc_read_file(path, &c->file, &c->file_len) != 0) {
    fprintf(stderr, "bench: cannot read %s\n", path);
    return -1;
  }
  size_t lines = 0;
  for (size_t i = 0; i < c->file_len; i++)
    lines += c->file[i] == '\n';
  c->events = calloc(lines + 1, sizeof *c->events);
  if (!c->events) {
    fprintf(stderr, "bench: out of memory\n");
    return -1;
  }
  lv_json_doc d;
  lv_json_doc_init(&d);
  size_t bad = 0;
  const char *p = c->file, *end = c->file + c->file_len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (len > 0) {
      levee_error err;
      if (lv_json_parse(&d, p, len, &err) == LEVEE_OK &&
          lv_json_type_of(&d, 0) == LV_JSON_OBJECT) {
        levee_event *ev = &c->events[c->n++];
        parse_event(&d, &c->arena, ev);
        c->text_bytes += ev->text.len;
      } else {
        bad++;
      }
    }
    p += len + 1;
  }
  lv_json_doc_cleanup(&d);
  if (bad)
    fprintf(stderr, "bench: %zu lines of %s skipped (not JSON objects)\n", bad,
            path);
  return c->n ? 0 : -1;
}

void bc_corpus_free(bc_corpus *c) {
  free(c->file);
  free(c->events);
  lv_arena_cleanup(&c->arena);
  memset(c, 0, sizeof *c);
}

int bc_keywords_load(const char *path, bc_keywords *k) {
  size_t len;
  memset(k, 0, sizeof *k);
  if (bc_read_file(path, &k->buf, &len) != 0) {
    fprintf(stderr, "bench: cannot read %s\n", path);
    return -1;
  }
  size_t lines = 1;
  for (size_t i = 0; i < len; i++)
    lines += k->buf[i] == '\n';
  k->words = calloc(lines, sizeof *k->words);
  k->lens = calloc(lines, sizeof *k->lens);
  if (!k->words || !k->lens)
    return -1;
  char *p = k->buf, *end = k->buf + len;
  while (p < end) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (n > 0 && p[n - 1] == '\r')
      n--;
    if (n > 0) {
      p[n] = '\0';
      k->words[k->n] = p;
      k->lens[k->n] = (unsigned)n;
      k->n++;
    }
    p = nl ? nl + 1 : end;
  }
  return k->n ? 0 : -1;
}

void bc_keywords_free(bc_keywords *k) {
  free(k->buf);
  free(k->words);
  free(k->lens);
  memset(k, 0, sizeof *k);
}

double bc_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bc_cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bc_end_run(const char *label, int r, int runs, double start,
               double cpu_start, double *secs, double *cpus, uint64_t m,
               uint64_t n, uint64_t *matched, uint64_t *matches) {
  secs[r] = bc_now() - start;
  cpus[r] = bc_cpu_now() - cpu_start;
  if (r > 0 && (m != *matched || n != *matches)) {
    fprintf(stderr, "%s: runs disagree\n", label);
    return -1;
  }
  *matched = m;
  *matches = n;
  fprintf(stderr, "  %s: run %d/%d: %.3f s (cpu %.3f s)\n", label, r + 1, runs,
          secs[r], cpus[r]);
  return 0;
}

uint64_t bc_fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

uint64_t bc_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double bc_median(double *v, size_t n) {
  if (n == 0)
    return 0;
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bc_print_result(const char *name, int runs, double median_s,
                     double median_cpu_s, const bc_corpus *c, uint64_t matched,
                     uint64_t matches) {
  printf("RESULT name=%s runs=%d median_s=%.6f cpu_s=%.6f corpus_bytes=%zu "
         "text_bytes=%zu messages=%zu matched=%llu matches=%llu\n",
         name, runs, median_s, median_cpu_s, c->file_len, c->text_bytes, c->n,
         (unsigned long long)matched, (unsigned long long)matches);
  fflush(stdout);
}
