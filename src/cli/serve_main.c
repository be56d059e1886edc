/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_main.c: the levee-serve binary, which `levee serve` runs
 * (serve_exec.c says why it is a binary of its own).
 */
#include "cli/cli.h"
#include "extract/extract.h"

int main(int argc, char **argv) {
  /* While there is one thread (extract.h says why). */
  lv_extract_single_thread_ocr();
  return lv_cmd_serve(argc, argv);
}
