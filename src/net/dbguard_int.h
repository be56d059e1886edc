/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dbguard_int.h: the database guard's insides, shared by dbguard.c (the
 * server: listeners, signals, the audit wake-up), dbguard_conn.c (one
 * connection), dbguard_hold.c (holds and the approvals socket),
 * dbguard_tls.c (TLS to clients) and dbguard_record.c (audit records).
 */
#ifndef LV_NET_DBGUARD_INT_H
#define LV_NET_DBGUARD_INT_H

#include <openssl/ssl.h>
#include <stdint.h>
#include <uv.h>

#include "core/policy.h"
#include "net/dbguard.h"
#include "net/dbguard_audit.h"
#include "net/pg_wire.h"
#include "sql/sql_cache.h"
#include "sql/sql_classify.h"
#include "util/buf.h"

/* Bytes of client messages the guard reads whole (a Query, a Parse, a
 * Bind); a larger one ends the connection. CopyData passes in pieces. */
#define DBG_MAX_CLIENT_MESSAGE ((size_t)64 << 20)
/* Bytes waiting to be written to one side before the guard stops reading
 * the other. */
#define DBG_WRITE_HIGH ((size_t)4 << 20)
/* Bytes of a statement kept in its audit record. */
#define DBG_RECORD_TEXT_MAX ((size_t)64 << 10)
/* Named statements and portals one connection may have. */
#define DBG_MAX_NAMED 65536u

typedef struct dbg_server dbg_server;
typedef struct dbg_conn dbg_conn;

/* A named statement (a protocol Parse or a SQL PREPARE) that was let
 * through: what it does, for its Execute and its audit record. */
typedef struct dbg_stmt {
  struct dbg_stmt *next;
  char *name;
  char *text;
  size_t len;
  unsigned ops;
  uint64_t fingerprint;
  levee_action action; /* decided when it was prepared */
  char rule[64];
  char reason[LV_SQL_REASON_MAX]; /* what it does ("" when ops is 0) */
} dbg_stmt;

typedef struct dbg_portal {
  struct dbg_portal *next;
  char *name;
  dbg_stmt *stmt; /* NULL: its statement was refused or is not known */
} dbg_portal;

/* What the server owes an answer to, in order: a Query, an Execute, a
 * Sync, a FunctionCall. */
typedef enum { PEND_QUERY, PEND_EXECUTE, PEND_SYNC, PEND_FCALL } pend_kind;

typedef struct dbg_pending {
  struct dbg_pending *next;
  pend_kind kind;
  int refused;         /* its records were written when it was refused */
  uint64_t started_ns; /* when it was forwarded */
  levee_action action;
  char rule[64];
  char hold_id[16];
  char approver[64];
  /* PEND_QUERY: the statements; PEND_EXECUTE: stmt_text, one statement */
  lv_sql_result res;
  size_t done;
  char *text;
  size_t len;
  unsigned ops;
  uint64_t fingerprint;
} dbg_pending;

/* A refused message was sent to the server as a text that cannot parse
 * (its token); the server's syntax error for it is replaced by the
 * guard's. gen: the ReadyForQuery after which it cannot come any more. */
typedef struct dbg_sentinel {
  struct dbg_sentinel *next;
  char token[48];
  char sqlstate[6];
  char *message, *detail, *hint;
  uint64_t gen;
} dbg_sentinel;

typedef enum {
  DEC_NONE = 0,    /* the message at the head is not decided yet */
  DEC_REFUSE,      /* refused: sent as a sentinel once its record is durable */
  DEC_HOLD,        /* waiting for a second person */
  DEC_LET_THROUGH, /* approved: forwarded once the approval is durable */
} dbg_decision_state;

/* The decision on the client message at the head of the buffer. */
typedef struct dbg_decision {
  dbg_decision_state state;
  uint64_t ticket; /* the record that must be durable first; 0: none */
  levee_action action;
  unsigned ops;
  char category[32];
  char rule[64];
  char reason[LV_SQL_REASON_MAX];
  lv_sql_result res; /* the message's statements (Query, Parse) */
  int have_res;
  char sqlstate[6]; /* DEC_REFUSE: the error the client gets */
  char message[400];
  char hint[200];
  /* DEC_HOLD */
  char hold_id[16];
  uint64_t hold_started_ms;
  char approver[64];
  int64_t deadline_ms;
} dbg_decision;

typedef enum {
  PH_STARTUP,    /* waiting for the startup packet (or after SSLRequest) */
  PH_CONNECTING, /* connecting to the database */
  PH_AUTH,       /* authentication passes through */
  PH_READY,      /* statements */
  PH_CLOSING,    /* a last error is being written */
  PH_CLOSED      /* handles closing: no callback acts */
} dbg_phase;

struct dbg_conn {
  dbg_server *srv;
  dbg_conn *prev, *next;
  uint32_t id;    /* the pid of the client's cancel key */
  int32_t secret; /* the client's cancel key */
  dbg_phase phase;
  uv_tcp_t client;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe; /* --upstream DIR:PORT, the server's unix socket */
  } server;
  uv_connect_t connect_req;
  int server_started; /* server handle initialised */
  int handles_open;   /* handles not yet closed (for freeing) */
  int reading_client, reading_server;
  /* TLS to the client (dbguard_tls.c), or NULL */
  SSL *ssl;
  int ssl_handshaken;
  /* plaintext from the client not yet handled, and from the server */
  lv_buf cin, sin;
  size_t cin_pos, sin_pos;
  size_t s_passthrough; /* bytes of a large server message left to pass */
  size_t c_passthrough; /* bytes of a large CopyData left to pass */
  /* to write: plaintext to the client, bytes to the server; and what is
   * being written */
  lv_buf cout, sout, cflight, sflight;
  lv_buf craw; /* TLS: encrypted bytes for the client */
  uv_write_t cwrite, swrite;
  int cwriting, swriting;
  /* who */
  char user[64], database[64], application[64];
  char client_addr[64]; /* "ip:port" */
  uint8_t addr16[16];
  int have_addr;
  char *startup;
  size_t startup_len;
  int32_t server_pid, server_secret;
  int have_server_key;
  /* session settings that change how text lexes */
  int scs;
  char client_encoding[32];
  char txn_status;
  int await_sasl_initial;
  /* statements and portals let through */
  dbg_stmt *stmts;
  dbg_portal *portals;
  size_t n_named;
  dbg_pending *pend_head, *pend_tail;
  dbg_sentinel *sentinels;
  uint64_t z_sent, z_recv, sentinel_seq;
  dbg_decision dec;
  uv_timer_t hold_timer; /* a hold's keep-alive notices and deadline */
  int hold_timer_init;
  uint64_t statements, refused;
};

struct dbg_server {
  uv_loop_t loop;
  uv_tcp_t listener;
  uv_pipe_t control;
  int control_open;
  uv_signal_t sigterm, sigint;
  uv_async_t audit_wake;
  const lv_dbguard_options *o;
  levee_policy *policy;
  lv_dbguard_audit *audit;
  SSL_CTX *tls;
  struct sockaddr_storage upstream;
  const char *upstream_socket; /* or this unix socket */
  dbg_conn *conns;
  size_t n_conns;
  uint32_t next_id;
  int stopping;
  int paused_for_audit;     /* clients not read until the trail catches up */
  lv_buf record;            /* a record's detail being written (one thread) */
  struct lv_alerts *alerts; /* the policy's sinks, or NULL */
  lv_sql_cache *sql_cache;  /* classifications by shape (the loop's) */
};

/* dbguard_conn.c */
void dbg_conn_accept(dbg_server *srv);
void dbg_conn_close(dbg_conn *c);
/* The trail got further: go on with what waited for a record. */
void dbg_conn_audit_progress(dbg_conn *c);
/* The client's message that waits is decided (an approval, a refusal, a
 * timeout): go on. */
void dbg_conn_resume(dbg_conn *c);
/* A CancelRequest for the connection with this key. */
void dbg_conn_cancel(dbg_server *srv, int32_t pid, int32_t secret);
/* Writes what is waiting to either side. */
void dbg_conn_flush(dbg_conn *c);
/* Starts or stops reading the client for the trail's sake. */
void dbg_conn_set_reading(dbg_conn *c, int on);

/* dbguard_hold.c */
int dbg_control_start(dbg_server *srv, levee_error *err);
void dbg_control_stop(dbg_server *srv);
/* Makes the decision at the head of c a hold: an id, its record, the
 * client's notice, the timer. */
int dbg_hold_start(dbg_conn *c);
/* Ends c's hold, if any: approved (by approver) or refused with sqlstate
 * and message. */
void dbg_hold_end(dbg_conn *c, int approved, const char *approver,
                  const char *sqlstate, const char *message,
                  const char *outcome);

/* dbguard_tls.c */
int dbg_tls_context(const char *cert, const char *key, SSL_CTX **out,
                    levee_error *err);
int dbg_tls_start(dbg_conn *c);
/* Raw bytes from the client: decrypts into c->cin. -1: close. */
int dbg_tls_input(dbg_conn *c, const char *data, size_t len);
/* Encrypts c->cout into raw bytes appended to out. -1: close. */
int dbg_tls_output(dbg_conn *c, lv_buf *out);

/* dbguard_record.c: audit records (type "dbop"), queued; their ticket. */
uint64_t dbg_record_statement(dbg_conn *c, const char *text, size_t len,
                              unsigned ops, uint64_t fingerprint,
                              const char *reason, levee_action action,
                              const char *rule, const char *outcome,
                              const char *sqlstate, int64_t rows,
                              int64_t duration_us, const char *hold_id,
                              const char *approver);
uint64_t dbg_record_connection(dbg_conn *c, const char *outcome,
                               const char *reason, const char *rule);
uint64_t dbg_record_hold(dbg_conn *c, const char *outcome,
                         const char *approver);

/* dbguard_alert.c: a statement at alert or above to the policy's sinks. */
void dbg_alert(dbg_conn *c, const char *text, size_t len, levee_action a,
               const char *rule, const char *category, const char *reason);

/* The category names of ops (LV_SQL_* bits) into names; their number. */
size_t dbg_categories(unsigned ops, const char *names[8]);
/* Now, epoch milliseconds, and monotonic nanoseconds. */
int64_t dbg_now_ms(void);
uint64_t dbg_mono_ns(void);
/* A line on stderr: "levee dbguard: ..." */
void dbg_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
