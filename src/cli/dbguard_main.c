/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_main.c: the levee-dbguard binary, which `levee dbguard` runs:
 * it links PostgreSQL's parser (libpg_query), libuv and OpenSSL's TLS,
 * which no other command needs (serve_exec.c says why daemons are
 * binaries of their own).
 */
#include "cli/cli.h"

int main(int argc, char **argv) {
  return lv_cmd_dbguard(argc, argv);
}
