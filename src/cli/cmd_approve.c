/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_approve.c: `levee approve`: the second person's side of a held
 * statement. Talks to a running levee dbguard through its approvals
 * socket (src/net/dbguard_hold.c): lists what is held, approves a hold
 * (the statement then runs) or refuses it (its client gets 42501). The
 * guard tells who asks from the socket (the OS user), checks them against
 * the policy's approvers and against the statement's own database user,
 * and writes the decision into the audit trail.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/unix_request.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: levee approve (--data DIR | --control PATH) --list\n"
          "       levee approve (--data DIR | --control PATH) [--deny] ID\n"
          "\n"
          "Lists the statements a running levee dbguard holds for a second\n"
          "person's approval, approves one (it runs at once, and its client\n"
          "gets its result), or refuses it with --deny (its client gets\n"
          "SQLSTATE 42501). The guard knows who you are from the socket (your\n"
          "OS user): you must not be the database user who sent the\n"
          "statement, and must be among the policy's dbguard.approvers when\n"
          "it names them. Every approval and refusal is in the audit trail.\n"
          "\n"
          "Options:\n"
          "  --data DIR      the guard's data directory (its socket is\n"
          "                  DIR/dbguard.sock)\n"
          "  --control PATH  the guard's approvals socket (levee dbguard\n"
          "                  --control)\n"
          "  --list          what is held: id, user@database, client, how\n"
          "                  long, category, rule, reason, the statement\n"
          "  --deny          refuse the hold instead of approving it\n"
          "  --as NAME       approve for NAME (only as the guard's own OS\n"
          "                  user or root: for levee serve's console)\n"
          "  --help          this text\n"
          "\n"
          "Exit status: 0 done; 1 the guard said no (the reason is printed);\n"
          "2 usage, or the guard cannot be reached.\n");
}

int lv_cmd_approve(int argc, char **argv) {
  static const struct option opts[] = {
      {"data", required_argument, NULL, 'd'},
      {"control", required_argument, NULL, 'C'},
      {"list", no_argument, NULL, 'l'},
      {"deny", no_argument, NULL, 'n'},
      {"as", required_argument, NULL, 'a'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *data = NULL, *control = NULL, *as = NULL;
  int list = 0, deny = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'd': data = optarg; break;
    case 'C': control = optarg; break;
    case 'l': list = 1; break;
    case 'n': deny = 1; break;
    case 'a': as = optarg; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  const char *id = optind < argc ? argv[optind] : NULL;
  if (optind + (id ? 1 : 0) < argc) {
    lv_cli_error("approve", "one hold id at a time");
    return 2;
  }
  if (list == !!id || (list && deny)) {
    lv_cli_error("approve", "give a hold id, or --list (levee approve "
                            "--help)");
    return 2;
  }
  if (!data == !control) {
    lv_cli_error("approve", "give --data DIR or --control PATH");
    return 2;
  }
  if (id && (strlen(id) > 31 || strpbrk(id, " \t\r\n"))) {
    lv_cli_error("approve", "'%s' is not a hold id", id);
    return 2;
  }
  if (as && (strlen(as) > 63 || !*as || strpbrk(as, " \t\r\n"))) {
    lv_cli_error("approve", "--as must be a name without spaces");
    return 2;
  }
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s%s", data ? data : control,
                       data ? "/dbguard.sock" : "") >= sizeof path) {
    lv_cli_error("approve", "the socket's path is too long");
    return 2;
  }
  char line[256];
  if (list)
    snprintf(line, sizeof line, "list\n");
  else
    snprintf(line, sizeof line, "%s %s%s%s\n", deny ? "deny" : "approve", id,
             as ? " as " : "", as ? as : "");
  static char buf[65536];
  int rc = lv_unix_request(path, line, buf, sizeof buf, 10000);
  if (rc) {
    lv_cli_error("approve", "%s: %s (is levee dbguard running?)", path,
                 strerror(-rc));
    return 2;
  }
  if (!strncmp(buf, "error: ", 7)) {
    char *nl = strchr(buf, '\n');
    if (nl)
      *nl = '\0';
    lv_cli_error("approve", "%s", buf + 7);
    return 1;
  }
  fputs(buf, stdout);
  return 0;
}
