/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dl_table.h: a shared library opened with dlopen() and a table of its
 * functions filled with dlsym(), for the libraries levee loads only when a
 * command needs them (libpq for a postgres:// store, Tesseract for OCR),
 * so that every other command starts without them.
 */
#ifndef LV_UTIL_DL_TABLE_H
#define LV_UTIL_DL_TABLE_H

#include <stddef.h>

/* One function: its name in the library and its slot in the table. */
typedef struct lv_dl_symbol {
  const char *name;
  size_t offset; /* offsetof(table type, field); the field a function
                    pointer */
} lv_dl_symbol;

/* Opens soname (RTLD_NOW | RTLD_LOCAL, never closed) and fills table at
 * each symbol's offset. Returns 0; -1 when the library cannot be loaded,
 * -2 when it lacks a function (an older version), with why (at most
 * why_len bytes) saying which. */
int lv_dl_table(const char *soname, const lv_dl_symbol *symbols, size_t n,
                void *table, char *why, size_t why_len);

#endif
