/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard.h: levee dbguard, the database guard: a PostgreSQL protocol v3
 * proxy that production databases accept connections from. Every statement
 * is parsed with PostgreSQL's own parser (src/sql/), classified into dbop.*
 * categories, decided on by the policy's database rules (core/policy.h,
 * lv_policy_db_action), written into the audit trail, and then let through,
 * refused (SQLSTATE 42501) or held until a second person approves it
 * (levee approve, through the control socket).
 *
 * One thread runs libuv's event loop for every connection; the audit trail
 * is written by a thread of its own (dbguard_audit.h). The flow of one
 * connection is in dbguard_conn.c; holds and approvals in dbguard_hold.c;
 * the client side's TLS in dbguard_tls.c.
 */
#ifndef LV_NET_DBGUARD_H
#define LV_NET_DBGUARD_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "store/store.h"

typedef struct lv_dbguard_options {
  const char *listen_host, *listen_port;
  const char *upstream_host, *upstream_port;
  const char *upstream_socket; /* the server's unix socket instead, or NULL */
  levee_policy *policy;        /* borrowed */
  lv_store *store;             /* borrowed; the guard is its only writer */
  const char *tls_cert, *tls_key; /* both or neither: TLS to clients */
  int tls_required;               /* refuse clients that do not ask for TLS */
  const char *control_path;       /* the approvals socket */
  size_t max_connections;         /* 0: LV_DBGUARD_MAX_CONNECTIONS */
  int verbose;                    /* log every statement, not only refusals */
} lv_dbguard_options;

#define LV_DBGUARD_MAX_CONNECTIONS 4096u

/* Runs the guard until SIGTERM or SIGINT. Prints "levee dbguard: listening
 * on HOST:PORT" on stderr once it accepts connections. Returns 0 after a
 * clean stop, or a status (err says why) when it could not start. */
int lv_dbguard_run(const lv_dbguard_options *o, levee_error *err);

#endif
