/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dl_table.c: a library's functions through dlopen() and dlsym()
 * (dl_table.h).
 */
#include "util/dl_table.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int lv_dl_table(const char *soname, const lv_dl_symbol *symbols, size_t n,
                void *table, char *why, size_t why_len) {
  /* RTLD_LOCAL: the library's symbols (and those of the libraries it pulls
   * in) stay out of the global namespace. Never closed: what it returns
   * may outlive any one caller. */
  void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(why, why_len, "cannot load %s (%s)", soname, e ? e : "not found");
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    void *f = dlsym(h, symbols[i].name);
    if (!f) {
      snprintf(why, why_len, "%s has no %s", soname, symbols[i].name);
      return -2;
    }
    /* A data pointer into a function pointer's slot: POSIX guarantees the
     * two have the same representation (dlsym depends on it). */
    memcpy((char *)table + symbols[i].offset, &f, sizeof f);
  }
  return 0;
}
