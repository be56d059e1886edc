/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_scan.c: `levee scan` (being written). */
#include <stdio.h>

#include "cli/cli.h"

int lv_cmd_scan(int argc, char **argv) {
  fprintf(stderr, "levee: scan: not built yet\n");
  return 2;
}

int lv_cmd_policy(int argc, char **argv) {
  fprintf(stderr, "levee: policy: not built yet\n");
  return 2;
}
