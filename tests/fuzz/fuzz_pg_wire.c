/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_pg_wire.c: libFuzzer target for the PostgreSQL wire protocol codec
 * (src/net/pg_wire.c), the bytes levee dbguard takes from clients and
 * servers it does not trust.
 *
 * The input is framed twice, as a client's stream (startup-phase packets
 * until a StartupMessage, then typed messages) and as a server's (typed
 * from the first byte), and every whole message goes through its reader,
 * as the proxy would; a malformed message is skipped and the next framed.
 * Besides the sanitizers' checks, every run verifies and aborts on a
 * violation:
 *   - a framed message lies within the input, and every shorter prefix of
 *     it asks for more bytes, knowing the total once the header is in;
 *   - what a reader accepts, the builders write back byte for byte
 *     (StartupMessage, CancelRequest, Query, Parse, ParameterStatus,
 *     BackendKeyData, ReadyForQuery), so reader and builder agree on the
 *     format;
 *   - counted parts (Bind values, DataRow values, RowDescription fields,
 *     FunctionCall arguments) read back exactly to their end;
 *   - the SASL rewrite drops exactly the named mechanism, and what it
 *     writes reads back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "levee/levee.h"
#include "net/pg_wire.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_pg_wire: invariant failed: %s (line %d)\n", #cond, \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* A client message bound as a proxy would set one. */
#define CLIENT_MAX ((size_t)1 << 20)

/* The bytes b holds are exactly the message m was framed from. */
static void check_same(const lv_buf *b, const uint8_t *wire,
                       const lv_pg_msg *m) {
  CHECK(b->len == m->total_len);
  CHECK(memcmp(b->data, wire, b->len) == 0);
}

/* Every prefix of a whole message asks for more. */
static void check_prefixes(const uint8_t *wire, const lv_pg_msg *m, int startup,
                           size_t max_len) {
  size_t header = startup ? 4 : 5;
  size_t probes[] = {0, header - 1, header, m->total_len - 1};
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    size_t n = probes[i];
    if (n >= m->total_len)
      continue;
    lv_pg_msg p;
    CHECK(lv_pg_frame(wire, n, startup, max_len, &p) == 0);
    CHECK(p.body == NULL);
    CHECK(p.total_len == (n < header ? 0 : m->total_len));
  }
}

/* Reads n values, as Bind, DataRow and FunctionCall carry them. */
static void check_values(const uint8_t *p, size_t len, size_t n) {
  lv_pg_reader r;
  lv_pg_reader_init(&r, p, len);
  for (size_t i = 0; i < n; i++) {
    const uint8_t *v;
    int32_t vlen;
    CHECK(lv_pg_get_value(&r, &v, &vlen) == LEVEE_OK);
    CHECK(vlen >= -1 && (vlen == -1) == (v == NULL));
  }
  CHECK(lv_pg_reader_end(&r) == LEVEE_OK);
}

static void startup_packet(const uint8_t *wire, const lv_pg_msg *m,
                           const lv_pg_startup *s, lv_buf *b) {
  lv_buf_reset(b);
  switch (s->kind) {
  case LV_PG_STARTUP_MESSAGE:
    CHECK(s->major == 3 && s->nparams <= LV_PG_MAX_STARTUP_PARAMS);
    CHECK(lv_pg_build_startup(b, s->minor, s->params, s->nparams) == LEVEE_OK);
    check_same(b, wire, m);
    if (s->user.ptr) {
      const levee_str *u = lv_pg_startup_get(s, "user");
      CHECK(u && u->ptr == s->user.ptr);
    }
    break;
  case LV_PG_CANCEL_REQUEST:
    CHECK(s->key_len >= LV_PG_MIN_CANCEL_KEY &&
          s->key_len <= LV_PG_MAX_CANCEL_KEY);
    if (s->key_len == 4) {
      CHECK(lv_pg_build_cancel(b, s->pid, s->secret) == LEVEE_OK);
      check_same(b, wire, m);
    }
    break;
  case LV_PG_SSL_REQUEST:
  case LV_PG_GSSENC_REQUEST: CHECK(m->body_len == 4); break;
  case LV_PG_STARTUP_UNSUPPORTED: CHECK(s->major != 3); break;
  }
}

static void client_message(const uint8_t *wire, const lv_pg_msg *m, lv_buf *b) {
  lv_pg_client c;
  if (lv_pg_read_client(m, &c) != LEVEE_OK)
    return;
  CHECK(c.type == m->type);
  lv_buf_reset(b);
  switch (c.type) {
  case 'Q':
    CHECK(lv_pg_build_query(b, c.u.query) == LEVEE_OK);
    check_same(b, wire, m);
    break;
  case 'P': {
    uint32_t types[64];
    if (c.u.parse.ntypes > 64)
      break;
    for (size_t i = 0; i < c.u.parse.ntypes; i++)
      types[i] = lv_pg_parse_type(&c.u.parse, i);
    CHECK(lv_pg_build_parse(b, c.u.parse.name, c.u.parse.query, types,
                            c.u.parse.ntypes) == LEVEE_OK);
    check_same(b, wire, m);
    break;
  }
  case 'B':
    check_values(c.u.bind.params, c.u.bind.params_len, c.u.bind.nparams);
    for (size_t i = 0; i < c.u.bind.nparams; i++) {
      int f = lv_pg_bind_format(&c.u.bind, i);
      CHECK(f == 0 || f == 1);
    }
    break;
  case 'F':
    check_values(c.u.fcall.args, c.u.fcall.args_len, c.u.fcall.nargs);
    break;
  case 'D':
  case 'C': CHECK(c.u.target.kind == 'S' || c.u.target.kind == 'P'); break;
  case 'p': {
    /* Which one 'p' is depends on the server's request: try them all. */
    levee_str pw;
    lv_pg_sasl_initial si;
    if (lv_pg_read_password(m, &pw) == LEVEE_OK)
      CHECK(pw.len + 1 == m->body_len);
    if (lv_pg_read_sasl_initial(m, &si) == LEVEE_OK) {
      CHECK(si.mechanism.len > 0);
      CHECK(si.cbind_flag == 0 || si.cbind_flag == 'n' ||
            si.cbind_flag == 'y' || si.cbind_flag == 'p');
      if (si.cbind_flag == 'p') {
        const char *d = (const char *)si.data;
        CHECK(si.cbind_name.len > 0 && si.cbind_name.ptr == d + 2 &&
              si.cbind_name.len + 3 <= (size_t)si.data_len);
      }
    }
    break;
  }
  default: break;
  }
}

static void client_stream(const uint8_t *d, size_t n, lv_buf *b) {
  size_t off = 0;
  int startup = 1;
  while (off < n) {
    lv_pg_msg m;
    int rc = lv_pg_frame(d + off, n - off, startup, CLIENT_MAX, &m);
    if (rc != 1)
      return;
    CHECK(m.total_len <= n - off && m.total_len >= (startup ? 8u : 5u));
    check_prefixes(d + off, &m, startup, CLIENT_MAX);
    if (startup) {
      lv_pg_startup s;
      if (lv_pg_read_startup(&m, &s) != LEVEE_OK)
        return; /* a server closes the connection */
      startup_packet(d + off, &m, &s, b);
      if (s.kind == LV_PG_STARTUP_MESSAGE)
        startup = 0;
      else if (s.kind != LV_PG_SSL_REQUEST && s.kind != LV_PG_GSSENC_REQUEST)
        return; /* a cancel, or a version refused: the end */
    } else {
      client_message(d + off, &m, b);
    }
    off += m.total_len;
  }
}

static void server_message(const uint8_t *wire, const lv_pg_msg *m, lv_buf *b) {
  lv_pg_server s;
  if (lv_pg_read_server(m, &s) != LEVEE_OK)
    return;
  CHECK(s.type == m->type);
  lv_buf_reset(b);
  switch (s.type) {
  case 'R':
    if (s.u.auth.code == LV_PG_AUTH_SASL) {
      const char *drop = "SCRAM-SHA-256-PLUS";
      size_t left = 0;
      for (size_t i = 0; i < s.u.auth.nmechs; i++)
        left += strcmp(s.u.auth.mechs[i].ptr, drop) != 0;
      int rc = lv_pg_auth_sasl_rewrite(m, drop, b);
      if (left == 0) {
        CHECK(rc == LEVEE_ENOTFOUND && b->len == 0);
        break;
      }
      CHECK(rc == LEVEE_OK);
      lv_pg_msg r;
      lv_pg_auth_msg a;
      CHECK(lv_pg_frame((const uint8_t *)b->data, b->len, 0, 0, &r) == 1);
      CHECK(r.total_len == b->len);
      CHECK(lv_pg_read_auth(&r, &a) == LEVEE_OK);
      CHECK(a.code == LV_PG_AUTH_SASL && a.nmechs == left);
      for (size_t i = 0; i < a.nmechs; i++)
        CHECK(strcmp(a.mechs[i].ptr, drop) != 0);
    } else if (s.u.auth.code == LV_PG_AUTH_MD5) {
      CHECK(s.u.auth.data_len == 4);
    }
    break;
  case 'S':
    CHECK(lv_pg_build_parameter_status(b, s.u.parameter.name.ptr,
                                       s.u.parameter.value.ptr) == LEVEE_OK ||
          s.u.parameter.name.len == 0);
    if (s.u.parameter.name.len)
      check_same(b, wire, m);
    break;
  case 'K':
    if (s.u.key.key_len == 4) {
      CHECK(lv_pg_build_backend_key(b, s.u.key.pid, s.u.key.secret) ==
            LEVEE_OK);
      check_same(b, wire, m);
    }
    break;
  case 'Z':
    CHECK(lv_pg_build_ready(b, s.u.status) == LEVEE_OK);
    check_same(b, wire, m);
    break;
  case 'C': {
    int64_t rows = lv_pg_command_rows(s.u.tag.ptr);
    CHECK(rows >= -1);
    break;
  }
  case 'E':
  case 'N':
    CHECK(s.u.notice.nfields <= LV_PG_MAX_NOTICE_FIELDS);
    for (size_t i = 0; i < s.u.notice.nfields; i++)
      CHECK(s.u.notice.fields[i].code != 0 &&
            lv_pg_notice_get(&s.u.notice, s.u.notice.fields[i].code));
    break;
  case 'T': {
    lv_pg_reader r;
    lv_pg_reader_init(&r, s.u.row_desc.fields, s.u.row_desc.fields_len);
    for (size_t i = 0; i < s.u.row_desc.nfields; i++) {
      lv_pg_column col;
      CHECK(lv_pg_get_column(&r, &col) == LEVEE_OK);
    }
    CHECK(lv_pg_reader_end(&r) == LEVEE_OK);
    break;
  }
  case 'D':
    check_values(s.u.row.values, s.u.row.values_len, s.u.row.ncols);
    break;
  default: break;
  }
}

static void server_stream(const uint8_t *d, size_t n, lv_buf *b) {
  size_t off = 0;
  while (off < n) {
    lv_pg_msg m;
    int rc = lv_pg_frame(d + off, n - off, 0, 0, &m);
    if (rc != 1)
      return;
    CHECK(m.total_len <= n - off && m.total_len >= 5);
    check_prefixes(d + off, &m, 0, 0);
    server_message(d + off, &m, b);
    off += m.total_len;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lv_buf b;
  lv_buf_init(&b, (size_t)1 << 24);
  client_stream(data, size, &b);
  server_stream(data, size, &b);
  lv_buf_cleanup(&b);
  return 0;
}
