/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_policy.c: libFuzzer target for the policy loader
 * (src/core/policy_yaml.c over libyaml, and src/core/policy.c): the bytes
 * are parsed as a YAML policy, with a file reader that answers every
 * keyword-list file with the same small list (and "missing.txt" with
 * LEVEE_ENOTFOUND, so the error path runs too). A policy that parses is
 * explained and compiled into an engine, then everything is destroyed.
 *
 * Compiling the Hyperscan databases of the whole default pack takes about a
 * second, and most policies that parse reach the same few pattern sets, so
 * the engine is compiled with a small in-memory cache (levee_cache_ops):
 * repeated pattern sets are deserialized instead, which keeps the fuzzer
 * fast and runs the cache path of engine.c as well.
 *
 * Besides the sanitizers' checks, each run aborts when a failure leaves no
 * message, when a failure is not one of the statuses the loader documents,
 * or when a parsed policy has no rules, more than LV_MAX_RULES rules, or a
 * rule whose threshold lies outside 0..1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "levee/levee.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_policy: invariant failed: %s (line %d)\n", #cond,  \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static const char keywords[] = "# projects\n"
                               "北极星计划\n"
                               "\xEF\xBC\xA1lpha-7\n" /* full-width A */
                               "  蓝鲸  \n"
                               "\n"
                               "ORION\n";

static int reader(void *ud, const char *path, char **out_data,
                  size_t *out_len) {
  (void)ud;
  if (!strcmp(path, "missing.txt"))
    return LEVEE_ENOTFOUND;
  char *p = malloc(sizeof keywords);
  if (!p)
    return LEVEE_ENOMEM;
  memcpy(p, keywords, sizeof keywords);
  *out_data = p;
  *out_len = sizeof keywords - 1;
  return LEVEE_OK;
}

/* The in-memory cache: a few slots, replaced round-robin. */
#define CACHE_SLOTS 8
static struct slot {
  char key[80];
  char *data;
  size_t len;
} slots[CACHE_SLOTS];
static size_t next_slot;

static int cache_load(void *ud, const char *key, char **out_data,
                      size_t *out_len) {
  (void)ud;
  for (size_t i = 0; i < CACHE_SLOTS; i++)
    if (slots[i].data && !strcmp(slots[i].key, key)) {
      char *p = malloc(slots[i].len);
      if (!p)
        return 1;
      memcpy(p, slots[i].data, slots[i].len);
      *out_data = p;
      *out_len = slots[i].len;
      return 0;
    }
  return 1;
}

static void cache_store(void *ud, const char *key, const char *data,
                        size_t len) {
  (void)ud;
  struct slot *s = &slots[next_slot++ % CACHE_SLOTS];
  char *p = malloc(len ? len : 1);
  if (!p || strlen(key) >= sizeof s->key) {
    free(p);
    return;
  }
  memcpy(p, data, len);
  free(s->data);
  s->data = p;
  s->len = len;
  strcpy(s->key, key);
}

static const levee_cache_ops cache = {1, cache_load, cache_store, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  levee_policy *p = NULL;
  levee_error err = {0};
  int rc = levee_policy_parse((const char *)data, size, "<fuzz>", reader, NULL,
                              &p, &err);
  if (rc) {
    CHECK(rc == LEVEE_EPOLICY || rc == LEVEE_ETOOBIG || rc == LEVEE_ENOMEM);
    CHECK(err.status == rc && err.message[0] != '\0');
    CHECK(p == NULL);
    return 0;
  }
  CHECK(p != NULL && p->version == 1);
  CHECK(p->n_rules >= 1 && p->n_rules <= 2 * LV_MAX_RULES);
  for (size_t i = 0; i < p->n_rules; i++) {
    const lv_rule *r = &p->rules[i];
    CHECK(r->id && r->categories.n >= 1);
    CHECK(r->threshold >= 0 && r->threshold <= 1);
    CHECK(r->action <= LEVEE_ACTION_BLOCK &&
          r->severity <= LEVEE_SEVERITY_CRITICAL);
  }
  char *text = levee_policy_explain(p);
  free(text);

  levee_engine *e = NULL;
  rc = levee_engine_compile(p, &cache, &e, &err);
  /* The fixed keyword list always compiles; so do the built-in detectors. */
  CHECK(rc == LEVEE_OK || rc == LEVEE_ENOMEM);
  levee_engine_unref(e);
  levee_policy_destroy(p);
  return 0;
}
