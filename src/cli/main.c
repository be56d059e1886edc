/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: the `levee` command: dispatches to subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "extract/extract.h"
#include "levee/levee.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"scan", lv_cmd_scan, "inspect events and print verdicts (JSON Lines)"},
    {"ingest", lv_cmd_ingest,
     "inspect events and store them in the audit store"},
    {"search", lv_cmd_search, "full-text search of the stored messages"},
    {"stats", lv_cmd_stats,
     "counts of the stored events by day, category, department, ..."},
    {"show", lv_cmd_show,
     "a stored event in its conversation, findings marked"},
    {"trace", lv_cmd_trace,
     "how a stored event's content spread: copies, origin, graph"},
    {"register", lv_cmd_register,
     "register confidential documents or images, so copies are found"},
    {"export", lv_cmd_export, "the stored events and verdicts as JSON Lines"},
    {"audit", lv_cmd_audit,
     "the audit trail's records of one type (dbop, access, search, ...)"},
    {"verify", lv_cmd_verify, "check the integrity of the audit store"},
    {"purge", lv_cmd_purge, "apply the policy's retention to the audit store"},
    {"policy", lv_cmd_policy, "check a policy file and explain what it does"},
    {"admin", lv_cmd_admin, "the accounts of levee serve (init, list)"},
    {"serve", lv_cmd_serve_exec, "the daemon: HTTP API for inline inspection"},
    {"dbguard", lv_cmd_dbguard_exec,
     "a PostgreSQL guard: refuses or holds destructive statements"},
    {"approve", lv_cmd_approve,
     "list, approve or refuse statements the database guard holds"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: levee COMMAND [OPTIONS]\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nRun `levee COMMAND --help` for a command's options.\n");
}

int main(int argc, char **argv) {
  /* While there is one thread (extract.h says why). */
  lv_extract_single_thread_ocr();
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("levee %s\n", levee_version());
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "levee: %s: unknown command (see levee --help)\n", argv[1]);
  return 2;
}
