/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_wire.c: the PostgreSQL wire protocol codec (pg_wire.h says what and
 * why): framing, a bounded reader with a sticky error, the readers of
 * every message levee dbguard sees in either direction, and the builders
 * of what it sends itself.
 *
 * Every reader works on a copy of its result and writes *out only when
 * the whole body was valid. Every body is read through lv_pg_reader; the
 * few pointers computed elsewhere (a section's start, the i-th OID or
 * format code) index into ranges the reader has already walked.
 */
#include "net/pg_wire.h"

#include <stdint.h>
#include <string.h>

/* --- framing ------------------------------------------------------------ */

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

int lv_pg_frame(const uint8_t *buf, size_t len, int startup, size_t max_len,
                lv_pg_msg *out) {
  /* A startup packet has no type byte, and its body holds at least the
   * 4-byte code. */
  size_t header = startup ? 4 : 5;
  size_t min_body = startup ? 4 : 0;
  size_t bound = max_len ? max_len : LV_PG_MAX_MESSAGE;
  if (startup && bound > LV_PG_MAX_STARTUP)
    bound = LV_PG_MAX_STARTUP;
  lv_pg_msg m = {0};
  if (len < header) {
    *out = m;
    return 0;
  }
  uint32_t word = be32(buf + header - 4);
  if (word > INT32_MAX || word < 4 + min_body)
    return LEVEE_ESYNTAX;
  size_t body_len = (size_t)word - 4;
  if (body_len > bound)
    return LEVEE_ETOOBIG;
  m.type = startup ? 0 : buf[0];
  m.body_len = body_len;
  m.total_len = header + body_len;
  if (len < m.total_len) {
    m.body_len = 0;
    *out = m;
    return 0;
  }
  m.body = buf + header;
  *out = m;
  return 1;
}

/* --- the bounded reader ------------------------------------------------- */

void lv_pg_reader_init(lv_pg_reader *r, const void *p, size_t len) {
  r->p = p;
  r->len = p ? len : 0;
  r->pos = 0;
  r->failed = 0;
}

/* Whether n more bytes can be read; fails the reader when not. */
static int have(lv_pg_reader *r, size_t n) {
  if (r->failed || r->len - r->pos < n) {
    r->failed = 1;
    return 0;
  }
  return 1;
}

int lv_pg_get_u8(lv_pg_reader *r, uint8_t *out) {
  if (!have(r, 1))
    return LEVEE_ESYNTAX;
  *out = r->p[r->pos++];
  return LEVEE_OK;
}

int lv_pg_get_u16(lv_pg_reader *r, uint16_t *out) {
  if (!have(r, 2))
    return LEVEE_ESYNTAX;
  *out = (uint16_t)(r->p[r->pos] << 8 | r->p[r->pos + 1]);
  r->pos += 2;
  return LEVEE_OK;
}

int lv_pg_get_i16(lv_pg_reader *r, int16_t *out) {
  uint16_t v;
  if (lv_pg_get_u16(r, &v))
    return LEVEE_ESYNTAX;
  *out = (int16_t)v; /* two's complement, as every target of levee */
  return LEVEE_OK;
}

int lv_pg_get_u32(lv_pg_reader *r, uint32_t *out) {
  if (!have(r, 4))
    return LEVEE_ESYNTAX;
  *out = be32(r->p + r->pos);
  r->pos += 4;
  return LEVEE_OK;
}

int lv_pg_get_i32(lv_pg_reader *r, int32_t *out) {
  uint32_t v;
  if (lv_pg_get_u32(r, &v))
    return LEVEE_ESYNTAX;
  *out = (int32_t)v;
  return LEVEE_OK;
}

int lv_pg_get_cstring(lv_pg_reader *r, levee_str *out) {
  if (!have(r, 1))
    return LEVEE_ESYNTAX;
  const uint8_t *start = r->p + r->pos;
  const uint8_t *nul = memchr(start, 0, r->len - r->pos);
  if (!nul) {
    r->failed = 1;
    return LEVEE_ESYNTAX;
  }
  size_t n = (size_t)(nul - start);
  out->ptr = (const char *)start;
  out->len = n;
  r->pos += n + 1;
  return LEVEE_OK;
}

int lv_pg_get_bytes(lv_pg_reader *r, size_t n, const uint8_t **out) {
  if (!have(r, n))
    return LEVEE_ESYNTAX;
  *out = r->p + r->pos;
  r->pos += n;
  return LEVEE_OK;
}

int lv_pg_get_value(lv_pg_reader *r, const uint8_t **out, int32_t *len) {
  int32_t n;
  if (lv_pg_get_i32(r, &n))
    return LEVEE_ESYNTAX;
  if (n == -1) {
    *out = NULL;
    *len = -1;
    return LEVEE_OK;
  }
  const uint8_t *p;
  if (n < 0 || lv_pg_get_bytes(r, (size_t)n, &p)) {
    r->failed = 1;
    return LEVEE_ESYNTAX;
  }
  *out = p;
  *len = n;
  return LEVEE_OK;
}

int lv_pg_get_format(lv_pg_reader *r, int16_t *out) {
  int16_t f;
  if (lv_pg_get_i16(r, &f))
    return LEVEE_ESYNTAX;
  if (f != 0 && f != 1) {
    r->failed = 1;
    return LEVEE_ESYNTAX;
  }
  *out = f;
  return LEVEE_OK;
}

size_t lv_pg_reader_left(const lv_pg_reader *r) {
  return r->failed ? 0 : r->len - r->pos;
}

int lv_pg_reader_end(const lv_pg_reader *r) {
  return !r->failed && r->pos == r->len ? LEVEE_OK : LEVEE_ESYNTAX;
}

/* Reads count format codes (Int16, 0 or 1); *start is where they begin. */
static int get_formats(lv_pg_reader *r, uint16_t count, const uint8_t **start) {
  *start = r->p ? r->p + r->pos : NULL;
  for (uint16_t i = 0; i < count; i++) {
    int16_t f;
    if (lv_pg_get_format(r, &f))
      return LEVEE_ESYNTAX;
  }
  return LEVEE_OK;
}

/* Reads count values (Int32 length, -1 NULL, then the bytes); *start and
 * *len say where they lie. */
static int get_values(lv_pg_reader *r, uint16_t count, const uint8_t **start,
                      size_t *len) {
  size_t from = r->pos;
  *start = r->p ? r->p + r->pos : NULL;
  for (uint16_t i = 0; i < count; i++) {
    const uint8_t *v;
    int32_t n;
    if (lv_pg_get_value(r, &v, &n))
      return LEVEE_ESYNTAX;
  }
  *len = r->pos - from;
  return LEVEE_OK;
}

/* Reads count strings, each NUL-terminated. */
static int get_cstrings(lv_pg_reader *r, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) {
    levee_str s;
    if (lv_pg_get_cstring(r, &s))
      return LEVEE_ESYNTAX;
  }
  return LEVEE_OK;
}

static void reader_of(lv_pg_reader *r, const lv_pg_msg *m) {
  lv_pg_reader_init(r, m->body, m->body_len);
}

/* --- the startup phase -------------------------------------------------- */

/* Keeps the usual parameters at hand; a later one replaces an earlier. */
static void set_known(lv_pg_startup *s, const lv_pg_param *p) {
  const char *name = p->name.ptr;
  levee_str *slot = NULL;
  if (strcmp(name, "user") == 0)
    slot = &s->user;
  else if (strcmp(name, "database") == 0)
    slot = &s->database;
  else if (strcmp(name, "replication") == 0)
    slot = &s->replication;
  else if (strcmp(name, "application_name") == 0)
    slot = &s->application_name;
  else if (strcmp(name, "options") == 0)
    slot = &s->options;
  else if (strcmp(name, "client_encoding") == 0)
    slot = &s->client_encoding;
  if (slot)
    *slot = p->value;
}

/* The pairs of a StartupMessage: name, value, ..., then an empty name as
 * the last byte (PostgreSQL's ProcessStartupPacket insists on it). */
static int read_startup_params(lv_pg_reader *r, lv_pg_startup *s) {
  for (;;) {
    lv_pg_param p = {0};
    if (lv_pg_get_cstring(r, &p.name))
      return LEVEE_ESYNTAX;
    if (p.name.len == 0)
      break;
    if (lv_pg_get_cstring(r, &p.value))
      return LEVEE_ESYNTAX;
    if (s->nparams == LV_PG_MAX_STARTUP_PARAMS)
      return LEVEE_ETOOBIG;
    s->params[s->nparams++] = p;
    set_known(s, &p);
  }
  return lv_pg_reader_end(r);
}

int lv_pg_read_startup(const lv_pg_msg *m, lv_pg_startup *out) {
  if (m->type != 0)
    return LEVEE_EINVAL;
  lv_pg_startup s;
  memset(&s, 0, sizeof s);
  lv_pg_reader r;
  reader_of(&r, m);
  uint32_t code;
  if (lv_pg_get_u32(&r, &code))
    return LEVEE_ESYNTAX;
  s.major = (uint16_t)(code >> 16);
  s.minor = (uint16_t)(code & 0xffff);
  int rc = LEVEE_OK;
  switch (code) {
  case LV_PG_SSL_CODE:
    s.kind = LV_PG_SSL_REQUEST;
    rc = lv_pg_reader_end(&r);
    break;
  case LV_PG_GSSENC_CODE:
    s.kind = LV_PG_GSSENC_REQUEST;
    rc = lv_pg_reader_end(&r);
    break;
  case LV_PG_CANCEL_CODE:
    s.kind = LV_PG_CANCEL_REQUEST;
    /* The key is the rest of the packet. */
    lv_pg_get_i32(&r, &s.pid);
    s.key_len = lv_pg_reader_left(&r);
    if (s.key_len < LV_PG_MIN_CANCEL_KEY || s.key_len > LV_PG_MAX_CANCEL_KEY ||
        lv_pg_get_bytes(&r, s.key_len, &s.key)) {
      rc = LEVEE_ESYNTAX;
      break;
    }
    if (s.key_len == 4)
      s.secret = (int32_t)be32(s.key);
    break;
  default:
    if (s.major != 3) {
      s.kind = LV_PG_STARTUP_UNSUPPORTED;
      break;
    }
    s.kind = LV_PG_STARTUP_MESSAGE;
    rc = read_startup_params(&r, &s);
    break;
  }
  if (rc == LEVEE_OK)
    *out = s;
  return rc;
}

const levee_str *lv_pg_startup_get(const lv_pg_startup *s, const char *name) {
  for (size_t i = s->nparams; i > 0; i--)
    if (strcmp(s->params[i - 1].name.ptr, name) == 0)
      return &s->params[i - 1].value;
  return NULL;
}

/* --- client messages ---------------------------------------------------- */

/* A body with no fields at all (Sync, Flush, Terminate, CopyDone, and the
 * server's empty ones). */
static int read_empty(const lv_pg_msg *m) {
  return m->body_len == 0 ? LEVEE_OK : LEVEE_ESYNTAX;
}

/* A body that is exactly one string. */
static int read_one_string(const lv_pg_msg *m, levee_str *out) {
  lv_pg_reader r;
  reader_of(&r, m);
  levee_str s;
  if (lv_pg_get_cstring(&r, &s) || lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = s;
  return LEVEE_OK;
}

int lv_pg_read_query(const lv_pg_msg *m, levee_str *sql) {
  if (m->type != 'Q')
    return LEVEE_EINVAL;
  return read_one_string(m, sql);
}

int lv_pg_read_parse(const lv_pg_msg *m, lv_pg_parse_msg *out) {
  if (m->type != 'P')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_parse_msg p = {0};
  lv_pg_get_cstring(&r, &p.name);
  lv_pg_get_cstring(&r, &p.query);
  lv_pg_get_u16(&r, &p.ntypes);
  if (lv_pg_get_bytes(&r, (size_t)p.ntypes * 4, &p.types) ||
      lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = p;
  return LEVEE_OK;
}

uint32_t lv_pg_parse_type(const lv_pg_parse_msg *p, size_t i) {
  return i < p->ntypes ? be32(p->types + 4 * i) : 0;
}

int lv_pg_read_bind(const lv_pg_msg *m, lv_pg_bind_msg *out) {
  if (m->type != 'B')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_bind_msg b = {0};
  lv_pg_get_cstring(&r, &b.portal);
  lv_pg_get_cstring(&r, &b.statement);
  if (lv_pg_get_u16(&r, &b.nformats) ||
      get_formats(&r, b.nformats, &b.formats) || lv_pg_get_u16(&r, &b.nparams))
    return LEVEE_ESYNTAX;
  /* One code for all, or one each (PostgreSQL's exec_bind_message). */
  if (b.nformats > 1 && b.nformats != b.nparams)
    return LEVEE_ESYNTAX;
  if (get_values(&r, b.nparams, &b.params, &b.params_len) ||
      lv_pg_get_u16(&r, &b.nresult_formats) ||
      get_formats(&r, b.nresult_formats, &b.result_formats) ||
      lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = b;
  return LEVEE_OK;
}

int lv_pg_bind_format(const lv_pg_bind_msg *b, size_t i) {
  if (b->nformats == 0)
    return 0;
  size_t k = b->nformats == 1 ? 0 : i;
  if (k >= b->nformats)
    return 0;
  return b->formats[2 * k + 1]; /* validated: 0 or 1, high byte 0 */
}

void lv_pg_bind_values(const lv_pg_bind_msg *b, lv_pg_reader *it) {
  lv_pg_reader_init(it, b->params, b->params_len);
}

int lv_pg_read_execute(const lv_pg_msg *m, lv_pg_execute_msg *out) {
  if (m->type != 'E')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_execute_msg e = {0};
  lv_pg_get_cstring(&r, &e.portal);
  lv_pg_get_i32(&r, &e.max_rows);
  if (lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = e;
  return LEVEE_OK;
}

int lv_pg_read_target(const lv_pg_msg *m, lv_pg_target_msg *out) {
  if (m->type != 'D' && m->type != 'C')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  uint8_t kind = 0;
  lv_pg_target_msg t = {0};
  lv_pg_get_u8(&r, &kind);
  lv_pg_get_cstring(&r, &t.name);
  if (lv_pg_reader_end(&r) || (kind != 'S' && kind != 'P'))
    return LEVEE_ESYNTAX;
  t.kind = (char)kind;
  *out = t;
  return LEVEE_OK;
}

int lv_pg_read_fcall(const lv_pg_msg *m, lv_pg_fcall_msg *out) {
  if (m->type != 'F')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_fcall_msg f = {0};
  if (lv_pg_get_u32(&r, &f.oid) || lv_pg_get_u16(&r, &f.nformats) ||
      get_formats(&r, f.nformats, &f.formats) || lv_pg_get_u16(&r, &f.nargs))
    return LEVEE_ESYNTAX;
  if (f.nformats > 1 && f.nformats != f.nargs)
    return LEVEE_ESYNTAX;
  if (get_values(&r, f.nargs, &f.args, &f.args_len) ||
      lv_pg_get_format(&r, &f.result_format) || lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = f;
  return LEVEE_OK;
}

int lv_pg_read_password(const lv_pg_msg *m, levee_str *password) {
  if (m->type != 'p')
    return LEVEE_EINVAL;
  return read_one_string(m, password);
}

int lv_pg_read_sasl_initial(const lv_pg_msg *m, lv_pg_sasl_initial *out) {
  if (m->type != 'p')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_sasl_initial s = {0};
  if (lv_pg_get_cstring(&r, &s.mechanism) || s.mechanism.len == 0 ||
      lv_pg_get_value(&r, &s.data, &s.data_len) || lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  /* The GS2 header of the client-first-message (RFC 5802): "n,", "y,"
   * or "p=<channel binding name>,". */
  if (s.data_len > 0) {
    lv_pg_reader g;
    lv_pg_reader_init(&g, s.data, (size_t)s.data_len);
    uint8_t flag = 0;
    (void)lv_pg_get_u8(&g, &flag);
    if (flag == 'n' || flag == 'y')
      s.cbind_flag = (char)flag;
    else if (flag == 'p') {
      uint8_t eq = 0;
      if (lv_pg_get_u8(&g, &eq) == LEVEE_OK && eq == '=') {
        size_t from = g.pos, left = lv_pg_reader_left(&g);
        const uint8_t *rest = NULL;
        (void)lv_pg_get_bytes(&g, left, &rest);
        const uint8_t *comma = rest ? memchr(rest, ',', left) : NULL;
        if (comma && comma > rest) {
          s.cbind_flag = 'p';
          s.cbind_name.ptr = (const char *)s.data + from;
          s.cbind_name.len = (size_t)(comma - rest);
        }
      }
    }
  }
  *out = s;
  return LEVEE_OK;
}

int lv_pg_read_client(const lv_pg_msg *m, lv_pg_client *out) {
  if (m->type == 0)
    return LEVEE_EINVAL;
  lv_pg_client c;
  memset(&c, 0, sizeof c);
  c.type = m->type;
  int rc;
  switch (m->type) {
  case 'Q': rc = lv_pg_read_query(m, &c.u.query); break;
  case 'P': rc = lv_pg_read_parse(m, &c.u.parse); break;
  case 'B': rc = lv_pg_read_bind(m, &c.u.bind); break;
  case 'E': rc = lv_pg_read_execute(m, &c.u.execute); break;
  case 'D':
  case 'C': rc = lv_pg_read_target(m, &c.u.target); break;
  case 'F': rc = lv_pg_read_fcall(m, &c.u.fcall); break;
  case 'f': rc = read_one_string(m, &c.u.copy_fail); break;
  case 'd':
  case 'p':
    /* CopyData is any bytes; 'p' is read once the caller knows which. */
    c.u.data.ptr = (const char *)m->body;
    c.u.data.len = m->body_len;
    rc = LEVEE_OK;
    break;
  case 'S':
  case 'H':
  case 'X':
  case 'c': rc = read_empty(m); break;
  default: rc = LEVEE_ESYNTAX; break;
  }
  if (rc == LEVEE_OK)
    *out = c;
  return rc;
}

/* --- server messages ---------------------------------------------------- */

int lv_pg_read_auth(const lv_pg_msg *m, lv_pg_auth_msg *out) {
  if (m->type != 'R')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_auth_msg a;
  a.data = NULL;
  a.data_len = 0;
  a.nmechs = 0; /* mechs[] is written up to nmechs only */
  if (lv_pg_get_i32(&r, &a.code))
    return LEVEE_ESYNTAX;
  switch (a.code) {
  case LV_PG_AUTH_OK:
  case LV_PG_AUTH_KERBEROS_V5:
  case LV_PG_AUTH_CLEARTEXT:
  case LV_PG_AUTH_GSS:
  case LV_PG_AUTH_SSPI: break;
  case LV_PG_AUTH_MD5:
    a.data_len = 4; /* the salt */
    lv_pg_get_bytes(&r, a.data_len, &a.data);
    break;
  case LV_PG_AUTH_SASL:
    for (;;) {
      levee_str mech;
      if (lv_pg_get_cstring(&r, &mech))
        return LEVEE_ESYNTAX;
      if (mech.len == 0)
        break;
      if (a.nmechs == LV_PG_MAX_SASL_MECHS)
        return LEVEE_ETOOBIG;
      a.mechs[a.nmechs++] = mech;
    }
    break;
  default:
    /* GSS_CONTINUE, SASL_CONTINUE, SASL_FINAL, and codes unknown here:
     * the rest is the payload, the caller decides. */
    a.data_len = lv_pg_reader_left(&r);
    lv_pg_get_bytes(&r, a.data_len, &a.data);
    break;
  }
  if (lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = a;
  return LEVEE_OK;
}

int lv_pg_read_parameter_status(const lv_pg_msg *m, lv_pg_param *out) {
  if (m->type != 'S')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_param p = {0};
  lv_pg_get_cstring(&r, &p.name);
  lv_pg_get_cstring(&r, &p.value);
  if (lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = p;
  return LEVEE_OK;
}

int lv_pg_read_backend_key(const lv_pg_msg *m, lv_pg_backend_key *out) {
  if (m->type != 'K')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_backend_key k = {0};
  if (lv_pg_get_i32(&r, &k.pid))
    return LEVEE_ESYNTAX;
  k.key_len = lv_pg_reader_left(&r);
  if (k.key_len < LV_PG_MIN_CANCEL_KEY || k.key_len > LV_PG_MAX_CANCEL_KEY ||
      lv_pg_get_bytes(&r, k.key_len, &k.key))
    return LEVEE_ESYNTAX;
  if (k.key_len == 4)
    k.secret = (int32_t)be32(k.key);
  *out = k;
  return LEVEE_OK;
}

int lv_pg_read_ready(const lv_pg_msg *m, char *status) {
  if (m->type != 'Z')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  uint8_t s = 0;
  lv_pg_get_u8(&r, &s);
  if (lv_pg_reader_end(&r) || (s != 'I' && s != 'T' && s != 'E'))
    return LEVEE_ESYNTAX;
  *status = (char)s;
  return LEVEE_OK;
}

int lv_pg_read_command_complete(const lv_pg_msg *m, levee_str *tag) {
  if (m->type != 'C')
    return LEVEE_EINVAL;
  return read_one_string(m, tag);
}

int lv_pg_read_notice(const lv_pg_msg *m, lv_pg_notice_msg *out) {
  if (m->type != 'E' && m->type != 'N')
    return LEVEE_EINVAL;
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_notice_msg n;
  n.nfields = 0;
  for (;;) {
    uint8_t code;
    if (lv_pg_get_u8(&r, &code))
      return LEVEE_ESYNTAX;
    if (code == 0)
      break;
    levee_str v;
    if (lv_pg_get_cstring(&r, &v))
      return LEVEE_ESYNTAX;
    if (n.nfields == LV_PG_MAX_NOTICE_FIELDS)
      return LEVEE_ETOOBIG;
    n.fields[n.nfields].code = (char)code;
    n.fields[n.nfields].value = v;
    n.nfields++;
  }
  if (lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  memcpy(out->fields, n.fields, n.nfields * sizeof n.fields[0]);
  out->nfields = n.nfields;
  return LEVEE_OK;
}

const char *lv_pg_notice_get(const lv_pg_notice_msg *n, char code) {
  for (size_t i = 0; i < n->nfields; i++)
    if (n->fields[i].code == code)
      return n->fields[i].value.ptr;
  return NULL;
}

static int read_copy_response(const lv_pg_msg *m, lv_pg_copy_response *out) {
  lv_pg_reader r;
  reader_of(&r, m);
  uint8_t format = 2;
  lv_pg_copy_response c = {0};
  lv_pg_get_u8(&r, &format);
  if (format > 1 || lv_pg_get_u16(&r, &c.ncols) ||
      get_formats(&r, c.ncols, &c.formats) || lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  c.format = (int8_t)format;
  *out = c;
  return LEVEE_OK;
}

int lv_pg_get_column(lv_pg_reader *r, lv_pg_column *out) {
  lv_pg_column c = {0};
  lv_pg_get_cstring(r, &c.name);
  lv_pg_get_u32(r, &c.table_oid);
  lv_pg_get_i16(r, &c.attnum);
  lv_pg_get_u32(r, &c.type_oid);
  lv_pg_get_i16(r, &c.typlen);
  lv_pg_get_i32(r, &c.typmod);
  if (lv_pg_get_format(r, &c.format))
    return LEVEE_ESYNTAX;
  *out = c;
  return LEVEE_OK;
}

static int read_row_description(const lv_pg_msg *m,
                                lv_pg_row_description *out) {
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_row_description d = {0};
  if (lv_pg_get_u16(&r, &d.nfields))
    return LEVEE_ESYNTAX;
  d.fields = m->body + r.pos;
  for (uint16_t i = 0; i < d.nfields; i++) {
    lv_pg_column c = {0};
    if (lv_pg_get_column(&r, &c))
      return LEVEE_ESYNTAX;
  }
  if (lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  d.fields_len = m->body_len - 2;
  *out = d;
  return LEVEE_OK;
}

static int read_data_row(const lv_pg_msg *m, lv_pg_data_row *out) {
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_data_row d = {0};
  if (lv_pg_get_u16(&r, &d.ncols) ||
      get_values(&r, d.ncols, &d.values, &d.values_len) || lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = d;
  return LEVEE_OK;
}

static int read_param_description(const lv_pg_msg *m,
                                  lv_pg_param_description *out) {
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_param_description d = {0};
  lv_pg_get_u16(&r, &d.ntypes);
  if (lv_pg_get_bytes(&r, (size_t)d.ntypes * 4, &d.types) ||
      lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = d;
  return LEVEE_OK;
}

static int read_notification(const lv_pg_msg *m, lv_pg_notification *out) {
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_notification n = {0};
  lv_pg_get_i32(&r, &n.pid);
  lv_pg_get_cstring(&r, &n.channel);
  lv_pg_get_cstring(&r, &n.payload);
  if (lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  *out = n;
  return LEVEE_OK;
}

static int read_negotiate(const lv_pg_msg *m, lv_pg_negotiate *out) {
  lv_pg_reader r;
  reader_of(&r, m);
  lv_pg_negotiate n = {0};
  int32_t count = -1;
  lv_pg_get_i32(&r, &n.minor);
  lv_pg_get_i32(&r, &count);
  if (r.failed || n.minor < 0 || count < 0)
    return LEVEE_ESYNTAX;
  n.noptions = (uint32_t)count;
  n.options = m->body + r.pos;
  /* A count past what the body holds stops at the first missing string. */
  if (get_cstrings(&r, n.noptions) || lv_pg_reader_end(&r))
    return LEVEE_ESYNTAX;
  n.options_len = m->body_len - 8;
  *out = n;
  return LEVEE_OK;
}

int lv_pg_read_server(const lv_pg_msg *m, lv_pg_server *out) {
  if (m->type == 0)
    return LEVEE_EINVAL;
  /* Written in place (the union holds the notice fields, 1.5 KiB): out
   * is left alone on failure all the same, as each reader writes its part
   * only on success, and type last. */
  int rc;
  switch (m->type) {
  case 'R': rc = lv_pg_read_auth(m, &out->u.auth); break;
  case 'S': rc = lv_pg_read_parameter_status(m, &out->u.parameter); break;
  case 'K': rc = lv_pg_read_backend_key(m, &out->u.key); break;
  case 'Z': rc = lv_pg_read_ready(m, &out->u.status); break;
  case 'C': rc = lv_pg_read_command_complete(m, &out->u.tag); break;
  case 'E':
  case 'N': rc = lv_pg_read_notice(m, &out->u.notice); break;
  case 'G':
  case 'H':
  case 'W': rc = read_copy_response(m, &out->u.copy); break;
  case 'T': rc = read_row_description(m, &out->u.row_desc); break;
  case 'D': rc = read_data_row(m, &out->u.row); break;
  case 't': rc = read_param_description(m, &out->u.param_desc); break;
  case 'A': rc = read_notification(m, &out->u.notification); break;
  case 'v': rc = read_negotiate(m, &out->u.negotiate); break;
  case 'V': {
    lv_pg_reader r;
    reader_of(&r, m);
    const uint8_t *v = NULL;
    int32_t n = 0;
    lv_pg_get_value(&r, &v, &n);
    rc = lv_pg_reader_end(&r);
    if (rc == LEVEE_OK) {
      out->u.fresult.ptr = v;
      out->u.fresult.len = n;
    }
    break;
  }
  case 'd':
    out->u.data.ptr = (const char *)m->body;
    out->u.data.len = m->body_len;
    rc = LEVEE_OK;
    break;
  case '1':
  case '2':
  case '3':
  case 'n':
  case 'I':
  case 's':
  case 'c': rc = read_empty(m); break;
  default: rc = LEVEE_ESYNTAX; break;
  }
  if (rc == LEVEE_OK)
    out->type = m->type;
  return rc;
}

/* --- CommandComplete tags ----------------------------------------------- */

/* Digits up to the end of s or a space; -1 when none or past INT64_MAX. */
static int64_t parse_count(const char **s) {
  const char *p = *s;
  int64_t v = 0;
  if (*p < '0' || *p > '9')
    return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    int d = *p - '0';
    if (v > (INT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  *s = p;
  return v;
}

int64_t lv_pg_command_rows(const char *tag) {
  static const char *const words[] = {"INSERT", "DELETE", "UPDATE", "SELECT",
                                      "MERGE",  "COPY",   "FETCH",  "MOVE"};
  if (!tag)
    return -1;
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    size_t n = strlen(words[i]);
    if (strncmp(tag, words[i], n) != 0 || tag[n] != ' ')
      continue;
    const char *p = tag + n + 1;
    /* INSERT oid rows: the oid (0 since PostgreSQL 12) comes first. */
    if (i == 0 && (parse_count(&p) < 0 || *p++ != ' '))
      return -1;
    int64_t rows = parse_count(&p);
    return *p == '\0' ? rows : -1;
  }
  return -1;
}

/* --- builders ----------------------------------------------------------- */

/* One message being appended: the first failure sticks, and w_end() either
 * patches the length word or takes everything back out. */
typedef struct writer {
  lv_buf *b;
  size_t start;  /* b->len before the message */
  size_t len_at; /* where the length word is */
  int rc;
} writer;

static void w_bytes(writer *w, const void *p, size_t n) {
  if (w->rc == LEVEE_OK)
    w->rc = lv_buf_append(w->b, p, n);
}

static void w_u8(writer *w, uint8_t v) {
  w_bytes(w, &v, 1);
}

static void w_u16(writer *w, uint16_t v) {
  uint8_t p[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  w_bytes(w, p, 2);
}

static void w_u32(writer *w, uint32_t v) {
  uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  w_bytes(w, p, 4);
}

/* A string given with its length: refused when it holds a NUL. */
static void w_str(writer *w, levee_str s) {
  if (w->rc != LEVEE_OK)
    return;
  if ((s.len && !s.ptr) || (s.len && memchr(s.ptr, 0, s.len))) {
    w->rc = LEVEE_EINVAL;
    return;
  }
  w_bytes(w, s.ptr, s.len);
  w_u8(w, 0);
}

/* A C string; NULL is refused. */
static void w_cstr(writer *w, const char *s) {
  if (!s) {
    if (w->rc == LEVEE_OK)
      w->rc = LEVEE_EINVAL;
    return;
  }
  w_bytes(w, s, strlen(s) + 1);
}

/* type 0: a startup-phase packet, no type byte. */
static void w_begin(writer *w, lv_buf *b, uint8_t type) {
  w->b = b;
  w->start = b->len;
  w->rc = LEVEE_OK;
  if (type)
    w_u8(w, type);
  w->len_at = b->len;
  w_u32(w, 0);
}

static int w_end(writer *w) {
  if (w->rc == LEVEE_OK) {
    size_t n = w->b->len - w->len_at;
    if (n > INT32_MAX) {
      w->rc = LEVEE_ETOOBIG;
    } else {
      uint8_t *p = (uint8_t *)w->b->data + w->len_at;
      p[0] = (uint8_t)(n >> 24);
      p[1] = (uint8_t)(n >> 16);
      p[2] = (uint8_t)(n >> 8);
      p[3] = (uint8_t)n;
    }
  }
  if (w->rc != LEVEE_OK)
    lv_buf_truncate(w->b, w->start);
  return w->rc;
}

int lv_pg_build_message(lv_buf *b, uint8_t type, const void *body, size_t len) {
  if (type == 0 || (len && !body))
    return LEVEE_EINVAL;
  writer w;
  w_begin(&w, b, type);
  w_bytes(&w, body, len);
  return w_end(&w);
}

static int valid_sqlstate(const char *s) {
  if (!s || strlen(s) != 5)
    return 0;
  for (int i = 0; i < 5; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
      return 0;
  return 1;
}

static int build_notice(lv_buf *b, uint8_t type, const char *severity,
                        const char *sqlstate, const char *message,
                        const char *detail, const char *hint) {
  if (!severity || !*severity || !valid_sqlstate(sqlstate) || !message)
    return LEVEE_EINVAL;
  writer w;
  w_begin(&w, b, type);
  w_u8(&w, 'S');
  w_cstr(&w, severity);
  w_u8(&w, 'V'); /* not localized (PostgreSQL 9.6 on): the same here */
  w_cstr(&w, severity);
  w_u8(&w, 'C');
  w_cstr(&w, sqlstate);
  w_u8(&w, 'M');
  w_cstr(&w, message);
  if (detail) {
    w_u8(&w, 'D');
    w_cstr(&w, detail);
  }
  if (hint) {
    w_u8(&w, 'H');
    w_cstr(&w, hint);
  }
  w_u8(&w, 0);
  return w_end(&w);
}

int lv_pg_build_error(lv_buf *b, const char *severity, const char *sqlstate,
                      const char *message, const char *detail,
                      const char *hint) {
  return build_notice(b, 'E', severity, sqlstate, message, detail, hint);
}

int lv_pg_build_notice(lv_buf *b, const char *severity, const char *sqlstate,
                       const char *message, const char *detail,
                       const char *hint) {
  return build_notice(b, 'N', severity, sqlstate, message, detail, hint);
}

int lv_pg_build_ready(lv_buf *b, char status) {
  if (status != 'I' && status != 'T' && status != 'E')
    return LEVEE_EINVAL;
  return lv_pg_build_message(b, 'Z', &status, 1);
}

int lv_pg_build_backend_key(lv_buf *b, int32_t pid, int32_t secret) {
  writer w;
  w_begin(&w, b, 'K');
  w_u32(&w, (uint32_t)pid);
  w_u32(&w, (uint32_t)secret);
  return w_end(&w);
}

int lv_pg_build_parameter_status(lv_buf *b, const char *name,
                                 const char *value) {
  if (!name || !*name)
    return LEVEE_EINVAL;
  writer w;
  w_begin(&w, b, 'S');
  w_cstr(&w, name);
  w_cstr(&w, value);
  return w_end(&w);
}

int lv_pg_build_ssl_response(lv_buf *b, char answer) {
  if (answer != 'S' && answer != 'N' && answer != 'G')
    return LEVEE_EINVAL;
  return lv_buf_putc(b, answer);
}

int lv_pg_build_auth_sasl(lv_buf *b, const char *const *mechs, size_t n) {
  if (n == 0 || !mechs)
    return LEVEE_EINVAL;
  writer w;
  w_begin(&w, b, 'R');
  w_u32(&w, LV_PG_AUTH_SASL);
  for (size_t i = 0; i < n; i++) {
    if (!mechs[i] || !*mechs[i]) {
      w.rc = LEVEE_EINVAL;
      break;
    }
    w_cstr(&w, mechs[i]);
  }
  w_u8(&w, 0);
  return w_end(&w);
}

int lv_pg_auth_sasl_rewrite(const lv_pg_msg *m, const char *drop, lv_buf *b) {
  if (!drop)
    return LEVEE_EINVAL;
  lv_pg_auth_msg a;
  int rc = lv_pg_read_auth(m, &a);
  if (rc)
    return rc;
  if (a.code != LV_PG_AUTH_SASL)
    return LEVEE_EINVAL;
  const char *kept[LV_PG_MAX_SASL_MECHS];
  size_t n = 0;
  for (size_t i = 0; i < a.nmechs; i++)
    if (strcmp(a.mechs[i].ptr, drop) != 0)
      kept[n++] = a.mechs[i].ptr;
  if (n == 0)
    return LEVEE_ENOTFOUND;
  return lv_pg_build_auth_sasl(b, kept, n);
}

int lv_pg_build_query(lv_buf *b, levee_str sql) {
  writer w;
  w_begin(&w, b, 'Q');
  w_str(&w, sql);
  return w_end(&w);
}

int lv_pg_build_parse(lv_buf *b, levee_str name, levee_str query,
                      const uint32_t *types, size_t ntypes) {
  if (ntypes > UINT16_MAX || (ntypes && !types))
    return LEVEE_EINVAL;
  writer w;
  w_begin(&w, b, 'P');
  w_str(&w, name);
  w_str(&w, query);
  w_u16(&w, (uint16_t)ntypes);
  for (size_t i = 0; i < ntypes; i++)
    w_u32(&w, types[i]);
  return w_end(&w);
}

int lv_pg_build_startup(lv_buf *b, uint16_t minor, const lv_pg_param *params,
                        size_t n) {
  if (n && !params)
    return LEVEE_EINVAL;
  writer w;
  w_begin(&w, b, 0);
  w_u32(&w, LV_PG_PROTOCOL(3, minor));
  for (size_t i = 0; i < n; i++) {
    if (params[i].name.len == 0) { /* would end the list early */
      w.rc = LEVEE_EINVAL;
      break;
    }
    w_str(&w, params[i].name);
    w_str(&w, params[i].value);
  }
  w_u8(&w, 0);
  /* The server reads no more than this. */
  if (w.rc == LEVEE_OK && b->len - w.len_at - 4 > LV_PG_MAX_STARTUP)
    w.rc = LEVEE_ETOOBIG;
  return w_end(&w);
}

int lv_pg_build_cancel(lv_buf *b, int32_t pid, int32_t secret) {
  writer w;
  w_begin(&w, b, 0);
  w_u32(&w, LV_PG_CANCEL_CODE);
  w_u32(&w, (uint32_t)pid);
  w_u32(&w, (uint32_t)secret);
  return w_end(&w);
}
