/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pq_lib.c: libpq loaded with dlopen() on first use (pq_lib.h), so that
 * commands that never open a PostgreSQL store never load it.
 */
#include "store/pq_lib.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/dl_table.h"
#include "util/error.h"

/* The soname: libpq's ABI has been 5 since PostgreSQL 8.4. */
#define LIBPQ_SONAME "libpq.so.5"

static const lv_dl_symbol symbols[] = {
#define SYM(field, name)                                                       \
  { name, offsetof(lv_pq, field) }
    SYM(connectdbParams, "PQconnectdbParams"),
    SYM(status, "PQstatus"),
    SYM(errorMessage, "PQerrorMessage"),
    SYM(finish, "PQfinish"),
    SYM(serverVersion, "PQserverVersion"),
    SYM(parameterStatus, "PQparameterStatus"),
    SYM(setNoticeProcessor, "PQsetNoticeProcessor"),
    SYM(transactionStatus, "PQtransactionStatus"),
    SYM(exec, "PQexec"),
    SYM(execParams, "PQexecParams"),
    SYM(prepare, "PQprepare"),
    SYM(execPrepared, "PQexecPrepared"),
    SYM(getResult, "PQgetResult"),
    SYM(putCopyData, "PQputCopyData"),
    SYM(putCopyEnd, "PQputCopyEnd"),
    SYM(resultStatus, "PQresultStatus"),
    SYM(resultErrorField, "PQresultErrorField"),
    SYM(cmdStatus, "PQcmdStatus"),
    SYM(clear, "PQclear"),
    SYM(ntuples, "PQntuples"),
    SYM(nfields, "PQnfields"),
    SYM(getvalue, "PQgetvalue"),
    SYM(getlength, "PQgetlength"),
    SYM(getisnull, "PQgetisnull"),
    SYM(libVersion, "PQlibVersion"),
#undef SYM
};

static lv_pq table;
static int load_status = LEVEE_OK;
static char load_message[200];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
  char why[160];
  int rc = lv_dl_table(LIBPQ_SONAME, symbols, sizeof symbols / sizeof *symbols,
                       &table, why, sizeof why);
  if (rc) {
    snprintf(load_message, sizeof load_message,
             rc == -1 ? "%s: install libpq5 (apt-get install libpq5) to use a "
                        "postgres:// store"
                      : "%s: install a newer libpq5 (PostgreSQL 10 or later) "
                        "to use a postgres:// store",
             why);
    load_status = LEVEE_ESTORE;
    return;
  }
  int v = table.libVersion();
  if (v < LV_PQ_MIN_LIB_VERSION) {
    snprintf(load_message, sizeof load_message,
             "%s is older (PQlibVersion %d) than levee needs (libpq 10 or "
             "later): install a newer libpq5",
             LIBPQ_SONAME, v);
    load_status = LEVEE_ESTORE;
  }
}

int lv_pq_load(const lv_pq **out, levee_error *err) {
  pthread_once(&load_once, load);
  if (load_status)
    return lv_error_set(err, load_status, "%s", load_message);
  *out = &table;
  return LEVEE_OK;
}
