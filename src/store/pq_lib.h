/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pq_lib.h: libpq, PostgreSQL's client library, loaded on first use of a
 * postgres:// audit store (store_pg.c) rather than linked into levee.
 *
 * Linking libpq would add its 25 shared libraries (TLS, Kerberos, LDAP...)
 * and about 3.6 ms to the start of every levee command, `levee scan`
 * included, which most users run without any database. So levee opens
 * libpq.so.5 with dlopen() the first time a store URL is opened, and calls
 * it through the table below, filled with dlsym(). <libpq-fe.h> is
 * included for its types only; nothing here refers to a libpq symbol.
 *
 * Every function levee needs exists in libpq 10 and later (PostgreSQL 10's
 * client library); libpq.so.5 has kept its ABI since PostgreSQL 8.4.
 */
#ifndef LV_STORE_PQ_LIB_H
#define LV_STORE_PQ_LIB_H

#include <libpq-fe.h>

#include "levee/levee.h"

/* The libpq functions levee calls, named after their PQ... originals. */
typedef struct lv_pq {
  PGconn *(*connectdbParams)(const char *const *keywords,
                             const char *const *values, int expand_dbname);
  ConnStatusType (*status)(const PGconn *conn);
  char *(*errorMessage)(const PGconn *conn);
  void (*finish)(PGconn *conn);
  int (*serverVersion)(const PGconn *conn);
  const char *(*parameterStatus)(const PGconn *conn, const char *name);
  PQnoticeProcessor (*setNoticeProcessor)(PGconn *conn, PQnoticeProcessor fn,
                                          void *arg);
  PGTransactionStatusType (*transactionStatus)(const PGconn *conn);
  PGresult *(*exec)(PGconn *conn, const char *query);
  PGresult *(*execParams)(PGconn *conn, const char *command, int nParams,
                          const Oid *paramTypes, const char *const *paramValues,
                          const int *paramLengths, const int *paramFormats,
                          int resultFormat);
  PGresult *(*prepare)(PGconn *conn, const char *stmtName, const char *query,
                       int nParams, const Oid *paramTypes);
  PGresult *(*execPrepared)(PGconn *conn, const char *stmtName, int nParams,
                            const char *const *paramValues,
                            const int *paramLengths, const int *paramFormats,
                            int resultFormat);
  PGresult *(*getResult)(PGconn *conn);
  int (*putCopyData)(PGconn *conn, const char *buffer, int nbytes);
  int (*putCopyEnd)(PGconn *conn, const char *errormsg);
  ExecStatusType (*resultStatus)(const PGresult *res);
  char *(*resultErrorField)(const PGresult *res, int fieldcode);
  char *(*cmdStatus)(PGresult *res);
  void (*clear)(PGresult *res);
  int (*ntuples)(const PGresult *res);
  int (*nfields)(const PGresult *res);
  char *(*getvalue)(const PGresult *res, int row, int col);
  int (*getlength)(const PGresult *res, int row, int col);
  int (*getisnull)(const PGresult *res, int row, int col);
  int (*libVersion)(void);
} lv_pq;

/* The oldest libpq accepted (PQlibVersion()). */
#define LV_PQ_MIN_LIB_VERSION 100000

/* Loads libpq.so.5 and fills the table, once per process (thread-safe);
 * later calls return the same table, or the same failure. On success *out
 * is the table (static, never freed). Returns LEVEE_OK, or LEVEE_ESTORE
 * with a message saying what is missing and to install libpq5. */
int lv_pq_load(const lv_pq **out, levee_error *err)
    __attribute__((warn_unused_result));

#endif
