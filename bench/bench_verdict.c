/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_verdict.c: speed of levee_verdict_json (src/core/verdict.c), the
 * last step of `levee scan` for every message.
 *
 * Builds a mix of verdicts in memory like a chat stream's: 95% "allow" with
 * no findings and ids of about ten characters, 5% with one or two findings
 * (Chinese excerpts, text or attachment sources). Appends them all to one
 * buffer, which is emptied whenever it passes 1 MiB (as the CLI flushes its
 * output), for several rounds. Prints ns per verdict (best round) and an
 * FNV-1a hash over one round's output, so a fast wrong answer shows.
 *
 * Usage: bench_verdict [-n verdicts per round] [-r rounds] [-p percent with
 * findings, 5 by default]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_corpus.h"
#include "levee/levee.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}

static const char *const excerpts[] = {"绝密★10年",
                                       "机密文件请勿外传",
                                       "身份证号 110101********1234",
                                       "手机 138****5678",
                                       "这个项目的预算表发你邮箱了",
                                       "你这个傻*"};
static const char *const rules[] = {"state-secret", "pii-resident-id",
                                    "pii-phone", "abuse", "fin-statement"};
static const char *const categories[] = {"marking.state_secret",
                                         "pii.cn_resident_id", "pii.cn_mobile",
                                         "abuse.insult", "keyword.finance"};

#define MAX_FINDINGS_EACH 2

typedef struct item {
  levee_verdict v;
  levee_finding f[MAX_FINDINGS_EACH];
  char id[24];
} item;

static unsigned pct_findings = 5;

static void make_item(item *it, size_t k) {
  memset(it, 0, sizeof *it);
  int n = snprintf(it->id, sizeof it->id, "m%09zu", k * 7919 % 1000000000);
  it->v.id.ptr = it->id;
  it->v.id.len = (size_t)n;
  it->v.action = LEVEE_ACTION_ALLOW;
  it->v.severity = LEVEE_SEVERITY_INFO;
  it->v.findings = it->f;
  if (rnd() % 100 >= pct_findings)
    return;
  size_t nf = 1 + rnd() % MAX_FINDINGS_EACH;
  for (size_t i = 0; i < nf; i++) {
    levee_finding *f = &it->f[i];
    size_t r = rnd() % 5;
    f->rule = rules[r];
    f->category = categories[r];
    f->source = rnd() % 4 == 0 ? (int)(rnd() % 3) : -1;
    f->start = rnd() % 200;
    f->end = f->start + 3 + rnd() % 30;
    f->confidence = (double)(50 + rnd() % 51) / 100.0;
    f->excerpt = excerpts[rnd() % 6];
    f->action = (levee_action)(1 + rnd() % 4);
    f->severity = (levee_severity)(2 + rnd() % 3);
  }
  it->v.n_findings = nf;
  it->v.action = it->f[0].action;
  it->v.severity = it->f[0].severity;
}

int main(int argc, char **argv) {
  size_t count = 100000;
  int rounds = 20, opt;
  while ((opt = getopt(argc, argv, "n:r:p:")) != -1) {
    switch (opt) {
    case 'n': count = strtoul(optarg, NULL, 10); break;
    case 'r': rounds = atoi(optarg); break;
    case 'p': pct_findings = (unsigned)atoi(optarg); break;
    default:
      fprintf(stderr, "usage: %s [-n count] [-r rounds] [-p percent]\n",
              argv[0]);
      return 2;
    }
  }
  if (count == 0 || rounds < 1)
    return 2;
  item *items = malloc(count * sizeof *items);
  if (!items) {
    perror("malloc");
    return 1;
  }
  size_t with_findings = 0;
  for (size_t k = 0; k < count; k++) {
    make_item(&items[k], k);
    with_findings += items[k].v.n_findings > 0;
  }

  char *buf = NULL;
  size_t len = 0, cap = 0, bytes = 0;
  uint64_t hash = 1469598103934665603ull;
  double best = 1e30;
  for (int r = 0; r < rounds; r++) {
    double t0 = bc_now();
    for (size_t k = 0; k < count; k++) {
      if (levee_verdict_json(&items[k].v, &buf, &len, &cap) != LEVEE_OK) {
        fprintf(stderr, "levee_verdict_json failed\n");
        return 1;
      }
      if (len > (1u << 20)) {
        if (r == 0) {
          hash = bc_fnv(hash, buf, len);
          bytes += len;
        }
        len = 0;
      }
    }
    double dt = bc_now() - t0;
    if (r == 0) {
      hash = bc_fnv(hash, buf, len);
      bytes += len;
    }
    len = 0;
    if (dt < best)
      best = dt;
  }
  printf("verdicts %zu (%zu with findings), %zu bytes of JSON per round\n",
         count, with_findings, bytes);
  printf("%.1f ns/verdict (best of %d)   hash %016llx\n",
         best * 1e9 / (double)count, rounds, (unsigned long long)hash);
  free(buf);
  free(items);
  return 0;
}
