/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_wire.h: the PostgreSQL wire protocol (version 3) codec of levee
 * dbguard: pure functions over bytes, no sockets, no allocation except into
 * a caller's lv_buf. The proxy (dbguard*.c) keeps one buffer per direction,
 * asks lv_pg_frame() whether a whole message is in it, hands the message to
 * a reader below, decides, and forwards, refuses or answers with the
 * builders at the end of this file.
 *
 * The wire protocol codec, in short:
 *   - Framing. A startup-phase packet is Int32 length (itself included) and
 *     a body that starts with an Int32 code; every later message is a type
 *     byte, Int32 length (itself included, the type byte not) and a body.
 *     lv_pg_frame() says 1 (a whole message), 0 (more bytes needed) or a
 *     negative status (a length that can never be right), so pipelined
 *     messages (several in one read) and split ones (one across reads) are
 *     handled by calling it again on what is left or after the next read.
 *     The length is checked as soon as its 4 bytes are in, so a bad or huge
 *     length is refused before its body is waited for.
 *   - Reading. Every field of a body is taken through lv_pg_reader, a
 *     bounds-checked cursor with a sticky error (PgBouncer's mbuf): once a
 *     read fails, all later ones fail, so a parser may read a run of fields
 *     and check once. Each message reader validates the whole body: counts
 *     against what follows, value lengths (-1 = NULL, other negatives
 *     refused), format codes (0 text, 1 binary), enumerated bytes, and no
 *     trailing bytes where the protocol has none. Counts are read unsigned
 *     (uint16), as PostgreSQL does (a Bind may carry 65535 parameters).
 *   - Direction. The same type byte means different things each way ('E'
 *     Execute from a client, ErrorResponse from a server; 'S' Sync vs
 *     ParameterStatus; 'H' Flush vs CopyOutResponse; 'C' Close vs
 *     CommandComplete; 'D' Describe vs DataRow), hence lv_pg_read_client()
 *     and lv_pg_read_server(). 'p' (PasswordMessage, SASLInitialResponse,
 *     SASLResponse, GSSResponse) depends on what the server asked for: the
 *     caller picks the reader.
 *   - Building. Builders append one whole message to an lv_buf, or nothing:
 *     on any failure the buffer is as it was. Strings given with a length
 *     (levee_str) that contain a NUL are refused (LEVEE_EINVAL), and no
 *     message may pass INT32_MAX bytes (LEVEE_ETOOBIG).
 *
 * Ownership: every pointer a reader returns (levee_str, bytes) is borrowed
 * from the message body, that is from the caller's buffer, and is valid
 * until that buffer changes. A levee_str read from a cstring is
 * NUL-terminated in the body, so .ptr may be used as a C string.
 *
 * Reference: https://www.postgresql.org/docs/15/protocol-message-formats.html
 * (and, for cancel keys of 4 to 256 bytes, protocol 3.2 of PostgreSQL 18).
 */
#ifndef LV_NET_PG_WIRE_H
#define LV_NET_PG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "levee/levee.h"
#include "util/buf.h"

/* --- limits ------------------------------------------------------------- */

/* Body bytes of one message (its length word less 4) when the caller
 * passes max_len 0: room for a large DataRow from a server. Client
 * messages deserve a smaller bound, which the caller passes. */
#define LV_PG_MAX_MESSAGE ((size_t)64 << 20)
/* Body bytes of a startup-phase packet, whatever max_len says
 * (PostgreSQL's MAX_STARTUP_PACKET_LENGTH). */
#define LV_PG_MAX_STARTUP 10000u
/* Name/value pairs of one StartupMessage (past it: LEVEE_ETOOBIG). */
#define LV_PG_MAX_STARTUP_PARAMS 64u
/* Fields of one ErrorResponse or NoticeResponse (PostgreSQL sends up to
 * 18), and SASL mechanisms one AuthenticationSASL may list. */
#define LV_PG_MAX_NOTICE_FIELDS 64u
#define LV_PG_MAX_SASL_MECHS 16u
/* A cancel key (BackendKeyData, CancelRequest): 4 bytes in protocol 3.0,
 * 4 to 256 from 3.2 on. */
#define LV_PG_MIN_CANCEL_KEY 4u
#define LV_PG_MAX_CANCEL_KEY 256u

/* Startup-phase codes: major 3 is the protocol; major 1234 the requests. */
#define LV_PG_PROTOCOL(major, minor) (((uint32_t)(major) << 16) | (minor))
#define LV_PG_PROTOCOL_3_0 LV_PG_PROTOCOL(3, 0)
#define LV_PG_CANCEL_CODE LV_PG_PROTOCOL(1234, 5678) /* 80877102 */
#define LV_PG_SSL_CODE LV_PG_PROTOCOL(1234, 5679)    /* 80877103 */
#define LV_PG_GSSENC_CODE LV_PG_PROTOCOL(1234, 5680) /* 80877104 */

/* --- framing ------------------------------------------------------------ */

typedef struct lv_pg_msg {
  uint8_t type;        /* the type byte; 0 for a startup-phase packet */
  const uint8_t *body; /* borrowed from buf: after the length word */
  size_t body_len;     /* the length word less 4 */
  size_t total_len;    /* bytes the message takes in buf, header included */
} lv_pg_msg;

/* Whether buf (len bytes, the start of a stream's unread bytes) begins with
 * a whole message. startup: the stream is in the startup phase (no type
 * byte; body at most LV_PG_MAX_STARTUP and at least the 4-byte code).
 * max_len: the largest body accepted, 0 for LV_PG_MAX_MESSAGE.
 * Returns 1: *out is the message (consume out->total_len bytes); 0: more
 * bytes are needed, and out->total_len is what the whole message will take
 * once its header is in (0 before), so a caller may reserve or stream it;
 * LEVEE_ESYNTAX: a length below the minimum (4, or 8 in the startup phase)
 * or negative; LEVEE_ETOOBIG: over the bound. The stream cannot be
 * resynchronised after a negative status: close it. */
LEVEE_MUSTCHECK int lv_pg_frame(const uint8_t *buf, size_t len, int startup,
                                size_t max_len, lv_pg_msg *out);

/* --- the bounded reader ------------------------------------------------- */

typedef struct lv_pg_reader {
  const uint8_t *p; /* borrowed */
  size_t len;
  size_t pos;
  int failed; /* sticky: set by the first read that fails */
} lv_pg_reader;

void lv_pg_reader_init(lv_pg_reader *r, const void *p, size_t len);
/* Each returns LEVEE_OK with *out set, or LEVEE_ESYNTAX (not enough bytes,
 * or a read failed before) leaving *out alone. Integers are big-endian. */
int lv_pg_get_u8(lv_pg_reader *r, uint8_t *out);
int lv_pg_get_i16(lv_pg_reader *r, int16_t *out);
int lv_pg_get_u16(lv_pg_reader *r, uint16_t *out);
int lv_pg_get_i32(lv_pg_reader *r, int32_t *out);
int lv_pg_get_u32(lv_pg_reader *r, uint32_t *out);
/* A NUL-terminated string within the body: out->ptr is NUL-terminated,
 * out->len excludes the NUL. Fails when no NUL is left. */
int lv_pg_get_cstring(lv_pg_reader *r, levee_str *out);
/* n raw bytes. */
int lv_pg_get_bytes(lv_pg_reader *r, size_t n, const uint8_t **out);
/* A value: Int32 length then that many bytes; length -1 is NULL (*out
 * NULL, *len -1); any other negative length fails. */
int lv_pg_get_value(lv_pg_reader *r, const uint8_t **out, int32_t *len);
/* A format code (Int16) that must be 0 (text) or 1 (binary). */
int lv_pg_get_format(lv_pg_reader *r, int16_t *out);
/* Bytes not yet read. */
size_t lv_pg_reader_left(const lv_pg_reader *r);
/* LEVEE_OK when no read failed and every byte was read; else
 * LEVEE_ESYNTAX (a failure, or trailing bytes). */
int lv_pg_reader_end(const lv_pg_reader *r);

/* --- the startup phase (client to server, no type byte) ----------------- */

typedef enum lv_pg_startup_kind {
  LV_PG_STARTUP_MESSAGE, /* protocol 3.x: parameters below */
  LV_PG_SSL_REQUEST,     /* answer 'S' or 'N'; see lv_pg_build_ssl_response */
  LV_PG_GSSENC_REQUEST,  /* answer 'G' or 'N' */
  LV_PG_CANCEL_REQUEST,  /* pid and key below */
  LV_PG_STARTUP_UNSUPPORTED, /* another major version, or an unknown
                                1234.x request: see major/minor */
} lv_pg_startup_kind;

typedef struct lv_pg_param {
  levee_str name, value; /* NUL-terminated, borrowed */
} lv_pg_param;

typedef struct lv_pg_startup {
  lv_pg_startup_kind kind;
  uint16_t major, minor; /* of the code: 3.0, 3.2, 1234.5679, ... A 3.x
                            minor above 0 is still a StartupMessage, which
                            a server answers with NegotiateProtocolVersion
                            when it does not speak it: the caller decides */
  /* LV_PG_STARTUP_MESSAGE: the pairs in order (options "_pq_.*" too). */
  lv_pg_param params[LV_PG_MAX_STARTUP_PARAMS];
  size_t nparams;
  /* The usual ones, ptr NULL when absent. When a name comes twice the
   * last one counts, as in PostgreSQL, so the proxy sees what the server
   * will. */
  levee_str user, database, replication, application_name, options,
      client_encoding;
  /* LV_PG_CANCEL_REQUEST */
  int32_t pid;
  const uint8_t *key; /* borrowed, key_len bytes (4 to 256) */
  size_t key_len;
  int32_t secret; /* the key as an Int32 when key_len is 4, else 0 */
} lv_pg_startup;

/* Reads a startup-phase packet (m->type 0). SSLRequest and GSSENCRequest
 * must be exactly their code; CancelRequest a pid and a 4-256 byte key;
 * a StartupMessage its pairs and the final NUL as its last byte.
 * Note for the caller: after an SSLRequest, bytes already buffered behind
 * it must not be taken as part of the TLS session (CVE-2021-23214).
 * Returns LEVEE_OK, LEVEE_EINVAL (m is not a startup packet),
 * LEVEE_ESYNTAX (malformed) or LEVEE_ETOOBIG (too many pairs). */
LEVEE_MUSTCHECK int lv_pg_read_startup(const lv_pg_msg *m, lv_pg_startup *out);

/* The value of parameter name in s (the last one), or NULL. */
const levee_str *lv_pg_startup_get(const lv_pg_startup *s, const char *name);

/* --- client messages ---------------------------------------------------- */

typedef struct lv_pg_parse_msg { /* 'P' */
  levee_str name;                /* "" is the unnamed statement */
  levee_str query;
  uint16_t ntypes;
  const uint8_t *types; /* ntypes big-endian OIDs (0: unspecified) */
} lv_pg_parse_msg;

/* The i-th parameter type of p (i < p->ntypes). */
uint32_t lv_pg_parse_type(const lv_pg_parse_msg *p, size_t i);

typedef struct lv_pg_bind_msg { /* 'B' */
  levee_str portal, statement;
  uint16_t nformats;      /* 0 (all text), 1 (all alike) or nparams */
  const uint8_t *formats; /* nformats Int16, each 0 or 1 */
  uint16_t nparams;
  const uint8_t *params; /* the values: nparams of Int32 length + bytes */
  size_t params_len;
  uint16_t nresult_formats;
  const uint8_t *result_formats; /* each 0 or 1 */
} lv_pg_bind_msg;

/* The format (0 text, 1 binary) of parameter i of b. */
int lv_pg_bind_format(const lv_pg_bind_msg *b, size_t i);
/* A reader over b's values: call lv_pg_get_value() b->nparams times. */
void lv_pg_bind_values(const lv_pg_bind_msg *b, lv_pg_reader *it);

typedef struct lv_pg_execute_msg { /* 'E' */
  levee_str portal;
  int32_t max_rows; /* 0 (or negative): no limit */
} lv_pg_execute_msg;

typedef struct lv_pg_target_msg { /* 'D' Describe, 'C' Close */
  char kind;                      /* 'S' statement or 'P' portal */
  levee_str name;
} lv_pg_target_msg;

typedef struct lv_pg_fcall_msg { /* 'F' FunctionCall */
  uint32_t oid;
  uint16_t nformats;
  const uint8_t *formats;
  uint16_t nargs;
  const uint8_t *args; /* nargs values, as in Bind */
  size_t args_len;
  int16_t result_format;
} lv_pg_fcall_msg;

typedef struct lv_pg_client {
  uint8_t type;
  union {
    levee_str query;           /* 'Q' Query */
    lv_pg_parse_msg parse;     /* 'P' */
    lv_pg_bind_msg bind;       /* 'B' */
    lv_pg_execute_msg execute; /* 'E' */
    lv_pg_target_msg target;   /* 'D', 'C' */
    lv_pg_fcall_msg fcall;     /* 'F' */
    levee_str copy_fail;       /* 'f' CopyFail: the reason */
    levee_str data; /* 'd' CopyData, and 'p' unread (the raw body: use
                       lv_pg_read_password or lv_pg_read_sasl_initial) */
  } u; /* nothing for 'S' Sync, 'H' Flush, 'X' Terminate, 'c' CopyDone */
} lv_pg_client;

/* Reads any client message of the typed phase (m->type not 0). Returns
 * LEVEE_OK, LEVEE_EINVAL (a startup packet) or LEVEE_ESYNTAX (an unknown
 * type, or a malformed body). */
LEVEE_MUSTCHECK int lv_pg_read_client(const lv_pg_msg *m, lv_pg_client *out);

/* The same for one type each; LEVEE_EINVAL when m is of another type. */
LEVEE_MUSTCHECK int lv_pg_read_query(const lv_pg_msg *m, levee_str *sql);
LEVEE_MUSTCHECK int lv_pg_read_parse(const lv_pg_msg *m, lv_pg_parse_msg *out);
LEVEE_MUSTCHECK int lv_pg_read_bind(const lv_pg_msg *m, lv_pg_bind_msg *out);
LEVEE_MUSTCHECK int lv_pg_read_execute(const lv_pg_msg *m,
                                       lv_pg_execute_msg *out);
/* 'D' Describe or 'C' Close (from a client). */
LEVEE_MUSTCHECK int lv_pg_read_target(const lv_pg_msg *m,
                                      lv_pg_target_msg *out);
LEVEE_MUSTCHECK int lv_pg_read_fcall(const lv_pg_msg *m, lv_pg_fcall_msg *out);

/* 'p' as a PasswordMessage (cleartext or MD5 answer): one string. */
LEVEE_MUSTCHECK int lv_pg_read_password(const lv_pg_msg *m,
                                        levee_str *password);

typedef struct lv_pg_sasl_initial {
  levee_str mechanism;  /* "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", ... */
  const uint8_t *data;  /* the client-first-message; NULL when absent */
  int32_t data_len;     /* -1 when absent */
  char cbind_flag;      /* GS2 header: 'n', 'y', 'p', or 0 (absent/other) */
  levee_str cbind_name; /* for 'p': "tls-server-end-point" (NOT
                           NUL-terminated); else ptr NULL */
} lv_pg_sasl_initial;

/* 'p' as a SASLInitialResponse. */
LEVEE_MUSTCHECK int lv_pg_read_sasl_initial(const lv_pg_msg *m,
                                            lv_pg_sasl_initial *out);
/* A SASLResponse (or GSSResponse) is the raw body: m->body, m->body_len. */

/* --- server messages ---------------------------------------------------- */

/* Authentication request codes ('R'). */
enum {
  LV_PG_AUTH_OK = 0,
  LV_PG_AUTH_KERBEROS_V5 = 2,
  LV_PG_AUTH_CLEARTEXT = 3,
  LV_PG_AUTH_MD5 = 5,
  LV_PG_AUTH_GSS = 7,
  LV_PG_AUTH_GSS_CONTINUE = 8,
  LV_PG_AUTH_SSPI = 9,
  LV_PG_AUTH_SASL = 10,
  LV_PG_AUTH_SASL_CONTINUE = 11,
  LV_PG_AUTH_SASL_FINAL = 12,
};

typedef struct lv_pg_auth_msg {
  int32_t code;        /* LV_PG_AUTH_*, or another the server sent */
  const uint8_t *data; /* MD5: the 4-byte salt; GSS_CONTINUE,
                          SASL_CONTINUE, SASL_FINAL and unknown codes: the
                          payload; else NULL (data_len 0) */
  size_t data_len;
  levee_str mechs[LV_PG_MAX_SASL_MECHS]; /* SASL: the mechanisms */
  size_t nmechs;
} lv_pg_auth_msg;

typedef struct lv_pg_backend_key { /* 'K' */
  int32_t pid;
  const uint8_t *key; /* 4 to 256 bytes */
  size_t key_len;
  int32_t secret; /* the key as an Int32 when key_len is 4, else 0 */
} lv_pg_backend_key;

typedef struct lv_pg_notice_field {
  char code; /* 'S', 'V', 'C', 'M', 'D', 'H', 'P', ... */
  levee_str value;
} lv_pg_notice_field;

typedef struct lv_pg_notice_msg { /* 'E' ErrorResponse, 'N' NoticeResponse */
  lv_pg_notice_field fields[LV_PG_MAX_NOTICE_FIELDS];
  size_t nfields;
} lv_pg_notice_msg;

/* The value of field code in n (the first), or NULL. */
const char *lv_pg_notice_get(const lv_pg_notice_msg *n, char code);

typedef struct lv_pg_copy_response { /* 'G', 'H', 'W' */
  int8_t format;                     /* 0 text, 1 binary */
  uint16_t ncols;
  const uint8_t *formats; /* ncols Int16, each 0 or 1 */
} lv_pg_copy_response;

typedef struct lv_pg_row_description { /* 'T' */
  uint16_t nfields;
  const uint8_t *fields; /* read them with lv_pg_get_column() */
  size_t fields_len;
} lv_pg_row_description;

typedef struct lv_pg_column {
  levee_str name;
  uint32_t table_oid;
  int16_t attnum;
  uint32_t type_oid;
  int16_t typlen;
  int32_t typmod;
  int16_t format;
} lv_pg_column;

/* Reads one RowDescription field; LEVEE_OK or LEVEE_ESYNTAX. */
int lv_pg_get_column(lv_pg_reader *r, lv_pg_column *out);

typedef struct lv_pg_data_row { /* 'D' */
  uint16_t ncols;
  const uint8_t *values; /* ncols values: read with lv_pg_get_value() */
  size_t values_len;
} lv_pg_data_row;

typedef struct lv_pg_param_description { /* 't' */
  uint16_t ntypes;
  const uint8_t *types; /* ntypes big-endian OIDs */
} lv_pg_param_description;

typedef struct lv_pg_notification { /* 'A' */
  int32_t pid;
  levee_str channel, payload;
} lv_pg_notification;

typedef struct lv_pg_negotiate { /* 'v' NegotiateProtocolVersion */
  int32_t minor;                 /* the newest minor the server speaks */
  uint32_t noptions;             /* options it did not recognise */
  const uint8_t *options;        /* noptions strings, NUL-terminated */
  size_t options_len;
} lv_pg_negotiate;

typedef struct lv_pg_server {
  uint8_t type;
  union {
    lv_pg_auth_msg auth;                /* 'R' */
    lv_pg_param parameter;              /* 'S' ParameterStatus */
    lv_pg_backend_key key;              /* 'K' */
    char status;                        /* 'Z' ReadyForQuery: 'I', 'T', 'E' */
    levee_str tag;                      /* 'C' CommandComplete */
    lv_pg_notice_msg notice;            /* 'E', 'N' */
    lv_pg_copy_response copy;           /* 'G', 'H', 'W' */
    lv_pg_row_description row_desc;     /* 'T' */
    lv_pg_data_row row;                 /* 'D' */
    lv_pg_param_description param_desc; /* 't' */
    lv_pg_notification notification;    /* 'A' */
    lv_pg_negotiate negotiate;          /* 'v' */
    struct {
      const uint8_t *ptr; /* NULL when len is -1 */
      int32_t len;
    } fresult;      /* 'V' FunctionCallResponse */
    levee_str data; /* 'd' CopyData */
  } u;              /* nothing for '1' ParseComplete, '2' BindComplete, '3'
                       CloseComplete, 'n' NoData, 'I' EmptyQueryResponse, 's'
                       PortalSuspended, 'c' CopyDone */
} lv_pg_server;

/* Reads any server message (m->type not 0). Returns LEVEE_OK, LEVEE_EINVAL
 * (a startup packet), LEVEE_ESYNTAX (unknown type or malformed body) or
 * LEVEE_ETOOBIG (more notice fields or SASL mechanisms than the limits). */
LEVEE_MUSTCHECK int lv_pg_read_server(const lv_pg_msg *m, lv_pg_server *out);

/* The same for one type each; LEVEE_EINVAL when m is of another type. */
LEVEE_MUSTCHECK int lv_pg_read_auth(const lv_pg_msg *m, lv_pg_auth_msg *out);
LEVEE_MUSTCHECK int lv_pg_read_parameter_status(const lv_pg_msg *m,
                                                lv_pg_param *out);
LEVEE_MUSTCHECK int lv_pg_read_backend_key(const lv_pg_msg *m,
                                           lv_pg_backend_key *out);
LEVEE_MUSTCHECK int lv_pg_read_ready(const lv_pg_msg *m, char *status);
LEVEE_MUSTCHECK int lv_pg_read_command_complete(const lv_pg_msg *m,
                                                levee_str *tag);
/* 'E' or 'N' from a server. */
LEVEE_MUSTCHECK int lv_pg_read_notice(const lv_pg_msg *m,
                                      lv_pg_notice_msg *out);

/* Rows a CommandComplete tag reports: "INSERT 0 5" 5, "DELETE 3",
 * "UPDATE 2", "SELECT 10", "MERGE 1", "COPY 7", "FETCH n", "MOVE n"; -1
 * for any other tag or a malformed or overflowing count. */
int64_t lv_pg_command_rows(const char *tag);

/* --- builders ----------------------------------------------------------- */
/* Each appends one message to b and returns LEVEE_OK, or leaves b as it
 * was and returns LEVEE_EINVAL (a bad argument: NULL, a NUL inside a
 * levee_str, a bad code), LEVEE_ETOOBIG (past b's limit or INT32_MAX) or
 * LEVEE_ENOMEM. */

/* A message of any type with a body given whole (Sync: 'S', NULL, 0). */
LEVEE_MUSTCHECK int lv_pg_build_message(lv_buf *b, uint8_t type,
                                        const void *body, size_t len);
/* ErrorResponse: S and V severity ("ERROR", "FATAL"), C sqlstate (five
 * characters of 0-9 A-Z, e.g. "42501"), M message, D detail and H hint
 * when not NULL. */
LEVEE_MUSTCHECK int lv_pg_build_error(lv_buf *b, const char *severity,
                                      const char *sqlstate, const char *message,
                                      const char *detail, const char *hint);
/* NoticeResponse, the same fields (severity "WARNING", "NOTICE", ...). */
LEVEE_MUSTCHECK int lv_pg_build_notice(lv_buf *b, const char *severity,
                                       const char *sqlstate,
                                       const char *message, const char *detail,
                                       const char *hint);
/* ReadyForQuery: status 'I', 'T' or 'E'. */
LEVEE_MUSTCHECK int lv_pg_build_ready(lv_buf *b, char status);
LEVEE_MUSTCHECK int lv_pg_build_backend_key(lv_buf *b, int32_t pid,
                                            int32_t secret);
LEVEE_MUSTCHECK int lv_pg_build_parameter_status(lv_buf *b, const char *name,
                                                 const char *value);
/* The one-byte answer to SSLRequest ('S' or 'N') or GSSENCRequest ('G' or
 * 'N'). */
LEVEE_MUSTCHECK int lv_pg_build_ssl_response(lv_buf *b, char answer);
/* AuthenticationSASL listing n mechanisms (n >= 1, none empty). */
LEVEE_MUSTCHECK int lv_pg_build_auth_sasl(lv_buf *b, const char *const *mechs,
                                          size_t n);
/* Copies m, an AuthenticationSASL from a server, to b without mechanism
 * drop (e.g. "SCRAM-SHA-256-PLUS" when the proxy cannot bind the
 * client's channel). LEVEE_ENOTFOUND (b unchanged) when no mechanism would
 * be left; LEVEE_EINVAL when m is not an AuthenticationSASL; the readers'
 * statuses when it is malformed. */
LEVEE_MUSTCHECK int lv_pg_auth_sasl_rewrite(const lv_pg_msg *m,
                                            const char *drop, lv_buf *b);
/* Query with the text sql. */
LEVEE_MUSTCHECK int lv_pg_build_query(lv_buf *b, levee_str sql);
/* Parse: statement name, query, ntypes parameter type OIDs (types may be
 * NULL when ntypes is 0; at most 65535). */
LEVEE_MUSTCHECK int lv_pg_build_parse(lv_buf *b, levee_str name,
                                      levee_str query, const uint32_t *types,
                                      size_t ntypes);
/* StartupMessage of protocol 3.minor with n name/value pairs. */
LEVEE_MUSTCHECK int lv_pg_build_startup(lv_buf *b, uint16_t minor,
                                        const lv_pg_param *params, size_t n);
/* CancelRequest with a 4-byte key. */
LEVEE_MUSTCHECK int lv_pg_build_cancel(lv_buf *b, int32_t pid, int32_t secret);

#endif
