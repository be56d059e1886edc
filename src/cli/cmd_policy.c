/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_policy.c: `levee policy check FILE`: validates a policy, compiles it
 * (so pattern problems show too) and explains what it does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f) {
  fprintf(
      f, "usage: levee policy check [FILE]\n"
         "       levee policy show-default\n"
         "\n"
         "check         validates a policy file (the embedded default when no\n"
         "              FILE is given), compiles its patterns, and explains\n"
         "              what each rule does. Exit 0 valid, 2 invalid.\n"
         "show-default  prints the embedded default policy (YAML), a starting\n"
         "              point for your own.\n");
}

extern const unsigned char lv_data_default_policy[];
extern const size_t lv_data_default_policy_len;

int lv_cmd_policy(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "show-default")) {
    fwrite(lv_data_default_policy, 1, lv_data_default_policy_len, stdout);
    return 0;
  }
  if (strcmp(argv[1], "check")) {
    lv_cli_error("policy", "unknown subcommand '%s' (see levee policy --help)",
                 argv[1]);
    return 2;
  }
  if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
    usage(stdout);
    return 0;
  }
  if (argc > 3) {
    lv_cli_error("policy check", "one policy file at a time");
    return 2;
  }
  const char *path = argc > 2 ? argv[2] : NULL;
  levee_policy *p;
  if (lv_cli_load_policy(path, &p))
    return 2;
  levee_engine *e;
  levee_error err = {0};
  if (levee_engine_compile(p, NULL, &e, &err)) {
    lv_cli_error(path ? path : "default policy", "%s", err.message);
    levee_policy_destroy(p);
    return 2;
  }
  char *text = levee_policy_explain(p);
  printf("%s: valid\n%s", path ? path : "<default policy>", text ? text : "");
  free(text);
  levee_engine_unref(e);
  levee_policy_destroy(p);
  return 0;
}
