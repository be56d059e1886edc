/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pg_wire.c: the PostgreSQL wire protocol codec (src/net/pg_wire.c).
 * Framing: whole, split (fed a byte at a time) and pipelined streams, bad
 * and oversized lengths refused from the header alone. Every reader with
 * valid bytes written out by hand from the protocol's documentation (and
 * bytes libpq sends), and with truncated, oversized and malformed ones:
 * missing NULs, counts past the body, negative lengths other than -1, bad
 * format codes, trailing bytes. The builders: round trips through the
 * readers, and refusals that leave the buffer as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "levee/levee.h"
#include "net/pg_wire.h"
#include "util/buf.h"

/* --- helpers ------------------------------------------------------------ */

/* One message at a time, framed here independently of the builders: type
 * (0: a startup packet), the length word, the body. */
static uint8_t wire[1 << 19];
static size_t wire_len;

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static lv_pg_msg msg(char type, const void *body, size_t len) {
  size_t h = 0;
  if (type)
    wire[h++] = (uint8_t)type;
  assert_true(h + 4 + len <= sizeof wire);
  put32(wire + h, (uint32_t)(len + 4));
  if (len)
    memcpy(wire + h + 4, body, len);
  wire_len = h + 4 + len;
  lv_pg_msg m;
  assert_int_equal(lv_pg_frame(wire, wire_len, type == 0, 0, &m), 1);
  assert_int_equal(m.total_len, wire_len);
  assert_int_equal(m.body_len, len);
  assert_int_equal(m.type, (uint8_t)type);
  return m;
}

/* A body from a string literal, its embedded NULs included. */
#define M(type, lit) msg((type), (lit), sizeof(lit) - 1)

/* The start of a startup packet: a code. */
#define V30 "\x00\x03\x00\x00"

/* Frames a buffer holding exactly one message. */
static lv_pg_msg frame_buf(const lv_buf *b, int startup) {
  lv_pg_msg m;
  assert_int_equal(
      lv_pg_frame((const uint8_t *)b->data, b->len, startup, 0, &m), 1);
  assert_int_equal(m.total_len, b->len);
  return m;
}

static levee_str S(const char *s) {
  return (levee_str){s, strlen(s)};
}

static void assert_str(levee_str s, const char *want) {
  assert_non_null(s.ptr);
  assert_int_equal(s.len, strlen(want));
  assert_memory_equal(s.ptr, want, s.len);
  assert_int_equal(s.ptr[s.len], '\0');
}

/* --- framing ------------------------------------------------------------ */

static void test_frame_whole_and_prefixes(void **state) {
  (void)state;
  static const uint8_t q[] = {'Q', 0,   0,   0,   13,  's', 'e',
                              'l', 'e', 'c', 't', ' ', '1', 0};
  lv_pg_msg m;
  assert_int_equal(lv_pg_frame(q, sizeof q, 0, 0, &m), 1);
  assert_int_equal(m.type, 'Q');
  assert_int_equal(m.body_len, 9);
  assert_int_equal(m.total_len, sizeof q);
  assert_ptr_equal(m.body, q + 5);
  /* Every prefix wants more; from 5 bytes on, the total is known. */
  for (size_t n = 0; n < sizeof q; n++) {
    assert_int_equal(lv_pg_frame(q, n, 0, 0, &m), 0);
    assert_null(m.body);
    assert_int_equal(m.total_len, n < 5 ? 0 : sizeof q);
  }
  /* Trailing bytes are the next message's: not consumed. */
  uint8_t two[sizeof q + 3];
  memcpy(two, q, sizeof q);
  static const uint8_t sxx[] = {'S', 'x', 'x'};
  memcpy(two + sizeof q, sxx, sizeof sxx);
  assert_int_equal(lv_pg_frame(two, sizeof two, 0, 0, &m), 1);
  assert_int_equal(m.total_len, sizeof q);
  /* A message with an empty body: Sync. */
  static const uint8_t sync[] = {'S', 0, 0, 0, 4};
  assert_int_equal(lv_pg_frame(sync, sizeof sync, 0, 0, &m), 1);
  assert_int_equal(m.body_len, 0);
  assert_int_equal(m.total_len, 5);
}

static void test_frame_bad_lengths(void **state) {
  (void)state;
  lv_pg_msg m = {0};
  uint8_t b[16] = {'Q'};
  /* Below 4, and negative: refused from the header alone. */
  for (uint32_t len = 0; len < 4; len++) {
    put32(b + 1, len);
    assert_int_equal(lv_pg_frame(b, 5, 0, 0, &m), LEVEE_ESYNTAX);
  }
  put32(b + 1, 0x80000000u);
  assert_int_equal(lv_pg_frame(b, 5, 0, 0, &m), LEVEE_ESYNTAX);
  put32(b + 1, 0xffffffffu);
  assert_int_equal(lv_pg_frame(b, 5, 0, 0, &m), LEVEE_ESYNTAX);
  /* Over the caller's bound, known before the body is in. */
  put32(b + 1, 1000 + 4);
  assert_int_equal(lv_pg_frame(b, 5, 0, 1000, &m), 0);
  assert_int_equal(m.total_len, 1005);
  put32(b + 1, 1001 + 4);
  assert_int_equal(lv_pg_frame(b, 5, 0, 1000, &m), LEVEE_ETOOBIG);
  /* The default bound: LV_PG_MAX_MESSAGE. */
  put32(b + 1, (uint32_t)LV_PG_MAX_MESSAGE + 4);
  assert_int_equal(lv_pg_frame(b, 5, 0, 0, &m), 0);
  put32(b + 1, (uint32_t)LV_PG_MAX_MESSAGE + 5);
  assert_int_equal(lv_pg_frame(b, 5, 0, 0, &m), LEVEE_ETOOBIG);
  /* Startup: 8 at least (length and code), at most 10000 + 4, whatever
   * max_len says; a smaller max_len holds. */
  put32(b, 7);
  assert_int_equal(lv_pg_frame(b, 4, 1, 0, &m), LEVEE_ESYNTAX);
  put32(b, 8);
  assert_int_equal(lv_pg_frame(b, 4, 1, 0, &m), 0);
  assert_int_equal(m.total_len, 8);
  put32(b, LV_PG_MAX_STARTUP + 4);
  assert_int_equal(lv_pg_frame(b, 4, 1, 0, &m), 0);
  put32(b, LV_PG_MAX_STARTUP + 5);
  assert_int_equal(lv_pg_frame(b, 4, 1, 0, &m), LEVEE_ETOOBIG);
  assert_int_equal(lv_pg_frame(b, 4, 1, 1u << 30, &m), LEVEE_ETOOBIG);
  put32(b, 200);
  assert_int_equal(lv_pg_frame(b, 4, 1, 100, &m), LEVEE_ETOOBIG);
}

/* A client's stream: startup, then an extended-protocol batch and a
 * simple query. */
static size_t client_stream(lv_buf *b) {
  lv_pg_param p[] = {{S("user"), S("alice")}, {S("database"), S("shop")}};
  uint32_t oid = 23;
  assert_int_equal(lv_pg_build_startup(b, 0, p, 2), LEVEE_OK);
  assert_int_equal(
      lv_pg_build_parse(b, S("s1"), S("delete from t where id=$1"), &oid, 1),
      LEVEE_OK);
  static const char bind[] = "p1\0s1\0\0\x01\0\x01\0\x01\0\0\0\x01"
                             "7\0\0";
  assert_int_equal(lv_pg_build_message(b, 'B', bind, sizeof bind - 1),
                   LEVEE_OK);
  assert_int_equal(lv_pg_build_message(b, 'D', "Pp1", 4), LEVEE_OK);
  assert_int_equal(lv_pg_build_message(b, 'E', "p1\0\0\0\0\0", 7), LEVEE_OK);
  assert_int_equal(lv_pg_build_message(b, 'S', NULL, 0), LEVEE_OK);
  assert_int_equal(lv_pg_build_query(b, S("drop table t")), LEVEE_OK);
  assert_int_equal(lv_pg_build_message(b, 'X', NULL, 0), LEVEE_OK);
  return 8;
}

static const char client_types[] = {0, 'P', 'B', 'D', 'E', 'S', 'Q', 'X'};

/* Frames and reads everything whole in buf[*off, len); returns how many. */
static size_t drain(const uint8_t *buf, size_t len, size_t *off, int *startup,
                    char *types, size_t ntypes) {
  size_t n = 0;
  lv_pg_msg m;
  int rc;
  while ((rc = lv_pg_frame(buf + *off, len - *off, *startup, 1 << 20, &m)) ==
         1) {
    assert_true(n < ntypes);
    types[n++] = (char)m.type;
    if (*startup) {
      lv_pg_startup s;
      assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
      assert_int_equal(s.kind, LV_PG_STARTUP_MESSAGE);
      assert_str(s.user, "alice");
      *startup = 0;
    } else {
      lv_pg_client c;
      assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
      if (m.type == 'Q')
        assert_str(c.u.query, "drop table t");
      if (m.type == 'P')
        assert_str(c.u.parse.query, "delete from t where id=$1");
    }
    *off += m.total_len;
  }
  assert_int_equal(rc, 0);
  return n;
}

static void test_frame_pipelined_and_split(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 1 << 16);
  size_t want = client_stream(&b);
  const uint8_t *all = (const uint8_t *)b.data;
  char types[16];

  /* Pipelined: all in one read. */
  size_t off = 0;
  int startup = 1;
  assert_int_equal(drain(all, b.len, &off, &startup, types, 16), want);
  assert_int_equal(off, b.len);
  assert_memory_equal(types, client_types, want);

  /* Split: one byte a read, the caller's buffer growing; and in reads of
   * 7 bytes, messages straddling reads. */
  for (size_t step = 1; step <= 7; step += 6) {
    uint8_t acc[512];
    size_t acc_len = 0, got = 0;
    off = 0;
    startup = 1;
    for (size_t i = 0; i < b.len; i += step) {
      size_t n = b.len - i < step ? b.len - i : step;
      assert_true(acc_len + n <= sizeof acc);
      memcpy(acc + acc_len, all + i, n);
      acc_len += n;
      got += drain(acc, acc_len, &off, &startup, types + got, 16 - got);
    }
    assert_int_equal(got, want);
    assert_int_equal(off, b.len);
    assert_memory_equal(types, client_types, want);
  }
  lv_buf_cleanup(&b);
}

/* --- the reader --------------------------------------------------------- */

static void test_reader_sticky(void **state) {
  (void)state;
  static const uint8_t body[] = {0x12, 0x34, 0xff, 0xfe, 'a', 0};
  lv_pg_reader r;
  lv_pg_reader_init(&r, body, sizeof body);
  int16_t i16 = 0;
  uint8_t u8 = 0;
  assert_int_equal(lv_pg_get_i16(&r, &i16), LEVEE_OK);
  assert_int_equal(i16, 0x1234);
  assert_int_equal(lv_pg_get_i16(&r, &i16), LEVEE_OK);
  assert_int_equal(i16, -2);
  levee_str s;
  assert_int_equal(lv_pg_get_cstring(&r, &s), LEVEE_OK);
  assert_str(s, "a");
  assert_int_equal(lv_pg_reader_end(&r), LEVEE_OK);

  /* A failed read fails every later one, bytes left or not. */
  lv_pg_reader_init(&r, body, 3);
  int32_t i32 = 77;
  assert_int_equal(lv_pg_get_i32(&r, &i32), LEVEE_ESYNTAX);
  assert_int_equal(i32, 77);
  assert_int_equal(lv_pg_get_u8(&r, &u8), LEVEE_ESYNTAX);
  assert_int_equal(lv_pg_reader_left(&r), 0);
  assert_int_equal(lv_pg_reader_end(&r), LEVEE_ESYNTAX);

  /* A string without its NUL; values with bad lengths; formats. */
  lv_pg_reader_init(&r, "abc", 3);
  assert_int_equal(lv_pg_get_cstring(&r, &s), LEVEE_ESYNTAX);
  const uint8_t *v;
  int32_t vlen;
  static const uint8_t null_val[] = {0xff, 0xff, 0xff, 0xff};
  lv_pg_reader_init(&r, null_val, 4);
  assert_int_equal(lv_pg_get_value(&r, &v, &vlen), LEVEE_OK);
  assert_null(v);
  assert_int_equal(vlen, -1);
  static const uint8_t minus2[] = {0xff, 0xff, 0xff, 0xfe, 1, 2};
  lv_pg_reader_init(&r, minus2, sizeof minus2);
  assert_int_equal(lv_pg_get_value(&r, &v, &vlen), LEVEE_ESYNTAX);
  static const uint8_t past[] = {0, 0, 0, 3, 1, 2};
  lv_pg_reader_init(&r, past, sizeof past);
  assert_int_equal(lv_pg_get_value(&r, &v, &vlen), LEVEE_ESYNTAX);
  static const uint8_t fmt[] = {0, 1, 0, 2};
  int16_t f;
  lv_pg_reader_init(&r, fmt, sizeof fmt);
  assert_int_equal(lv_pg_get_format(&r, &f), LEVEE_OK);
  assert_int_equal(f, 1);
  assert_int_equal(lv_pg_get_format(&r, &f), LEVEE_ESYNTAX);
  /* Trailing bytes are not the end. */
  lv_pg_reader_init(&r, fmt, sizeof fmt);
  assert_int_equal(lv_pg_get_u16(&r, (uint16_t *)&f), LEVEE_OK);
  assert_int_equal(lv_pg_reader_end(&r), LEVEE_ESYNTAX);
  assert_int_equal(lv_pg_reader_left(&r), 2);
}

/* --- startup ------------------------------------------------------------ */

static void test_startup_message(void **state) {
  (void)state;
  /* What psql sends (PostgreSQL 15). */
  lv_pg_msg m = M(0, V30 "user\0alice\0database\0shop\0application_name\0psql"
                         "\0client_encoding\0UTF8\0\0");
  lv_pg_startup s;
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.kind, LV_PG_STARTUP_MESSAGE);
  assert_int_equal(s.major, 3);
  assert_int_equal(s.minor, 0);
  assert_int_equal(s.nparams, 4);
  assert_str(s.user, "alice");
  assert_str(s.database, "shop");
  assert_str(s.application_name, "psql");
  assert_str(s.client_encoding, "UTF8");
  assert_null(s.replication.ptr);
  assert_null(s.options.ptr);
  assert_str(*lv_pg_startup_get(&s, "database"), "shop");
  assert_null(lv_pg_startup_get(&s, "nope"));

  /* A name twice: the last counts, as in PostgreSQL. 3.2, an option. */
  m = M(0, "\x00\x03\x00\x02user\0alice\0_pq_.x\0y\0replication\0database"
           "\0options\0-c role=admin\0user\0bob\0\0");
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.kind, LV_PG_STARTUP_MESSAGE);
  assert_int_equal(s.minor, 2);
  assert_int_equal(s.nparams, 5);
  assert_str(s.user, "bob");
  assert_str(*lv_pg_startup_get(&s, "user"), "bob");
  assert_str(s.replication, "database");
  assert_str(s.options, "-c role=admin");
  assert_str(s.params[1].name, "_pq_.x");
  assert_null(s.database.ptr);

  /* No parameters at all, just the terminator: well-formed. */
  m = M(0, V30 "\0");
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.nparams, 0);
}

static void test_startup_malformed(void **state) {
  (void)state;
  lv_pg_startup s;
  s.kind = LV_PG_SSL_REQUEST; /* must stay as it is on failure */
  lv_pg_msg m = M(0, V30);    /* no terminator */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = M(0, V30 "user\0alice\0"); /* terminator missing */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = M(0, V30 "user\0\0"); /* user = "", then no terminator */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = M(0, V30 "user\0"); /* a name without a value */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = M(0, V30 "user\0alice"); /* no NUL */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = M(0, V30 "user\0alice\0\0x"); /* bytes after the terminator */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  assert_int_equal(s.kind, LV_PG_SSL_REQUEST);
  /* A typed message is not a startup packet. */
  m = M('Q', "x\0");
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_EINVAL);

  /* LV_PG_MAX_STARTUP_PARAMS pairs pass, one more is too many. */
  char body[2048];
  size_t n = 4;
  memcpy(body, V30, 4);
  for (unsigned i = 0; i < LV_PG_MAX_STARTUP_PARAMS; i++) {
    n += (size_t)snprintf(body + n, sizeof body - n, "k%u", i) + 1;
    body[n++] = 'v';
    body[n++] = 0;
  }
  body[n++] = 0;
  m = msg(0, body, n);
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.nparams, LV_PG_MAX_STARTUP_PARAMS);
  memcpy(body + n - 1, "k\0v\0", 5);
  m = msg(0, body, n + 4);
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ETOOBIG);
}

static void test_startup_requests(void **state) {
  (void)state;
  lv_pg_startup s;
  lv_pg_msg m = M(0, "\x04\xd2\x16\x2f"); /* 80877103 */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.kind, LV_PG_SSL_REQUEST);
  assert_int_equal(s.major, 1234);
  assert_int_equal(s.minor, 5679);
  m = M(0, "\x04\xd2\x16\x2fx"); /* SSLRequest is its code alone */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = M(0, "\x04\xd2\x16\x30"); /* 80877104 */
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.kind, LV_PG_GSSENC_REQUEST);

  /* CancelRequest 80877102: pid 4242, secret 0x89abcdef. */
  m = M(0, "\x04\xd2\x16\x2e\x00\x00\x10\x92\x89\xab\xcd\xef");
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.kind, LV_PG_CANCEL_REQUEST);
  assert_int_equal(s.pid, 4242);
  assert_int_equal(s.key_len, 4);
  assert_int_equal((uint32_t)s.secret, 0x89abcdefu);
  /* Protocol 3.2's longer keys, up to 256 bytes; 3 or 257 are refused. */
  uint8_t body[4 + 4 + 257];
  static const uint8_t head[] = {0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 7};
  memcpy(body, head, sizeof head);
  memset(body + 8, 0xab, 257);
  m = msg(0, body, 8 + 32);
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.key_len, 32);
  assert_int_equal(s.secret, 0);
  assert_int_equal(s.pid, 7);
  m = msg(0, body, 8 + 256);
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  m = msg(0, body, 8 + 257);
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = msg(0, body, 8 + 3);
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);
  m = msg(0, body, 6);
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_ESYNTAX);

  /* Protocol 2.0, and a request code unknown here: reported. */
  m = M(0, "\x00\x02\x00\x00user\0x\0\0");
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.kind, LV_PG_STARTUP_UNSUPPORTED);
  assert_int_equal(s.major, 2);
  assert_int_equal(s.minor, 0);
  m = M(0, "\x04\xd2\x16\x31");
  assert_int_equal(lv_pg_read_startup(&m, &s), LEVEE_OK);
  assert_int_equal(s.kind, LV_PG_STARTUP_UNSUPPORTED);
  assert_int_equal(s.major, 1234);
  assert_int_equal(s.minor, 5681);
}

/* --- client messages ---------------------------------------------------- */

static void test_query(void **state) {
  (void)state;
  levee_str sql = {"keep", 4};
  lv_pg_msg m = M('Q', "SELECT 1;\0");
  assert_int_equal(lv_pg_read_query(&m, &sql), LEVEE_OK);
  assert_str(sql, "SELECT 1;");
  m = M('Q', "\0");
  assert_int_equal(lv_pg_read_query(&m, &sql), LEVEE_OK);
  assert_int_equal(sql.len, 0);
  sql = (levee_str){"keep", 4};
  m = M('Q', "SELECT 1;"); /* no NUL */
  assert_int_equal(lv_pg_read_query(&m, &sql), LEVEE_ESYNTAX);
  m = M('Q', ""); /* empty body */
  assert_int_equal(lv_pg_read_query(&m, &sql), LEVEE_ESYNTAX);
  /* A NUL inside: what follows it is trailing garbage, never a second
   * statement the server might see and the proxy not. */
  m = M('Q', "SELECT 1\0; DROP TABLE t\0");
  assert_int_equal(lv_pg_read_query(&m, &sql), LEVEE_ESYNTAX);
  assert_string_equal(sql.ptr, "keep");
  m = M('P', "\0SELECT 1\0\0\0");
  assert_int_equal(lv_pg_read_query(&m, &sql), LEVEE_EINVAL);
}

static void test_parse(void **state) {
  (void)state;
  lv_pg_parse_msg p;
  lv_pg_msg m =
      M('P', "s1\0INSERT INTO t VALUES ($1, $2)\0\0\x02\0\0\0\x17\0\0\0\x19");
  assert_int_equal(lv_pg_read_parse(&m, &p), LEVEE_OK);
  assert_str(p.name, "s1");
  assert_str(p.query, "INSERT INTO t VALUES ($1, $2)");
  assert_int_equal(p.ntypes, 2);
  assert_int_equal(lv_pg_parse_type(&p, 0), 23);
  assert_int_equal(lv_pg_parse_type(&p, 1), 25);
  assert_int_equal(lv_pg_parse_type(&p, 2), 0);
  m = M('P', "\0SELECT 1\0\0\0"); /* unnamed, no types */
  assert_int_equal(lv_pg_read_parse(&m, &p), LEVEE_OK);
  assert_int_equal(p.name.len, 0);
  assert_int_equal(p.ntypes, 0);
  /* A count past the body; a short count; trailing bytes; no NUL. */
  m = M('P', "\0SELECT 1\0\0\x03\0\0\0\x17\0\0\0\x19");
  assert_int_equal(lv_pg_read_parse(&m, &p), LEVEE_ESYNTAX);
  m = M('P', "\0SELECT 1\0\0");
  assert_int_equal(lv_pg_read_parse(&m, &p), LEVEE_ESYNTAX);
  m = M('P', "\0SELECT 1\0\0\x01\0\0\0\x17\0");
  assert_int_equal(lv_pg_read_parse(&m, &p), LEVEE_ESYNTAX);
  m = M('P', "\0SELECT 1");
  assert_int_equal(lv_pg_read_parse(&m, &p), LEVEE_ESYNTAX);
  /* 0xffff types (the count is unsigned, as PostgreSQL reads it), but
   * the body holds one. */
  m = M('P', "\0SELECT 1\0\xff\xff\0\0\0\x17");
  assert_int_equal(lv_pg_read_parse(&m, &p), LEVEE_ESYNTAX);
}

static void test_bind(void **state) {
  (void)state;
  lv_pg_bind_msg b;
  /* Portal p1, statement s1, three formats (text, binary, text), three
   * values (NULL, 4 binary bytes, "hi"), one result format (binary). */
  lv_pg_msg m = M('B', "p1\0s1\0"
                       "\0\x03\0\0\0\x01\0\0"
                       "\0\x03"
                       "\xff\xff\xff\xff"
                       "\0\0\0\x04\0\0\0\x2a"
                       "\0\0\0\x02hi"
                       "\0\x01\0\x01");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_OK);
  assert_str(b.portal, "p1");
  assert_str(b.statement, "s1");
  assert_int_equal(b.nformats, 3);
  assert_int_equal(b.nparams, 3);
  assert_int_equal(b.nresult_formats, 1);
  assert_int_equal(lv_pg_bind_format(&b, 0), 0);
  assert_int_equal(lv_pg_bind_format(&b, 1), 1);
  assert_int_equal(lv_pg_bind_format(&b, 2), 0);
  lv_pg_reader it;
  lv_pg_bind_values(&b, &it);
  const uint8_t *v;
  int32_t len;
  assert_int_equal(lv_pg_get_value(&it, &v, &len), LEVEE_OK);
  assert_int_equal(len, -1);
  assert_int_equal(lv_pg_get_value(&it, &v, &len), LEVEE_OK);
  assert_int_equal(len, 4);
  assert_int_equal(v[3], 42);
  assert_int_equal(lv_pg_get_value(&it, &v, &len), LEVEE_OK);
  assert_int_equal(len, 2);
  assert_memory_equal(v, "hi", 2);
  assert_int_equal(lv_pg_reader_end(&it), LEVEE_OK);

  /* One format for all; none at all; nothing. */
  m = M('B', "\0\0\0\x01\0\x01\0\x02\0\0\0\0\0\0\0\0\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_OK);
  assert_int_equal(lv_pg_bind_format(&b, 0), 1);
  assert_int_equal(lv_pg_bind_format(&b, 1), 1);
  m = M('B', "\0\0\0\0\0\0\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_OK);
  assert_int_equal(b.nparams, 0);
  assert_int_equal(lv_pg_bind_format(&b, 5), 0);

  /* Two formats for three values. */
  m = M('B', "\0\0\0\x02\0\0\0\0\0\x03\xff\xff\xff\xff\xff\xff\xff\xff"
             "\xff\xff\xff\xff\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  /* Format code 2, in parameters and in results. */
  m = M('B', "\0\0\0\x01\0\x02\0\0\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  m = M('B', "\0\0\0\0\0\0\0\x01\0\x02");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  /* Length -2; a length past the body; fewer values than counted. */
  m = M('B', "\0\0\0\0\0\x01\xff\xff\xff\xfe\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  m = M('B', "\0\0\0\0\0\x01\0\0\0\x09"
             "abc\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  m = M('B', "\0\0\0\0\0\x02\0\0\0\x01x\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  /* No result format count; trailing bytes; a name without its NUL. */
  m = M('B', "\0\0\0\0\0\0");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  m = M('B', "\0\0\0\0\0\0\0\0!");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  m = M('B', "p1");
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);

  /* 65535 NULL parameters: the count is unsigned. */
  size_t n = 6 + 65535 * 4 + 2;
  uint8_t *body = malloc(n);
  assert_non_null(body);
  memset(body, 0xff, n);
  static const uint8_t head[] = {0, 0, 0, 0, 0xff, 0xff};
  memcpy(body, head, sizeof head);
  memset(body + n - 2, 0, 2);
  m = msg('B', body, n);
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_OK);
  assert_int_equal(b.nparams, 65535);
  m = msg('B', body, n - 3); /* one value short */
  assert_int_equal(lv_pg_read_bind(&m, &b), LEVEE_ESYNTAX);
  free(body);
}

static void test_execute_describe_close(void **state) {
  (void)state;
  lv_pg_execute_msg e;
  lv_pg_msg m = M('E', "p1\0\0\0\0\x0a");
  assert_int_equal(lv_pg_read_execute(&m, &e), LEVEE_OK);
  assert_str(e.portal, "p1");
  assert_int_equal(e.max_rows, 10);
  m = M('E', "p1\0\0\0\0");
  assert_int_equal(lv_pg_read_execute(&m, &e), LEVEE_ESYNTAX);
  m = M('E', "p1\0\0\0\0\0\0");
  assert_int_equal(lv_pg_read_execute(&m, &e), LEVEE_ESYNTAX);

  lv_pg_target_msg t;
  m = M('D', "Ss1\0");
  assert_int_equal(lv_pg_read_target(&m, &t), LEVEE_OK);
  assert_int_equal(t.kind, 'S');
  assert_str(t.name, "s1");
  m = M('C', "P\0");
  assert_int_equal(lv_pg_read_target(&m, &t), LEVEE_OK);
  assert_int_equal(t.kind, 'P');
  assert_int_equal(t.name.len, 0);
  m = M('D', "Xs1\0"); /* neither S nor P */
  assert_int_equal(lv_pg_read_target(&m, &t), LEVEE_ESYNTAX);
  m = M('C', "S");
  assert_int_equal(lv_pg_read_target(&m, &t), LEVEE_ESYNTAX);
  m = M('C', "Ss\0\0");
  assert_int_equal(lv_pg_read_target(&m, &t), LEVEE_ESYNTAX);
  m = M('E', "Ss\0");
  assert_int_equal(lv_pg_read_target(&m, &t), LEVEE_EINVAL);
}

static void test_client_dispatch(void **state) {
  (void)state;
  lv_pg_client c;
  lv_pg_msg m = M('S', "");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
  assert_int_equal(c.type, 'S');
  m = M('S', "x"); /* Sync has no body */
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_ESYNTAX);
  static const char empties[] = "SHXc";
  for (int i = 0; empties[i]; i++) {
    m = msg(empties[i], NULL, 0);
    assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
    m = msg(empties[i], "\0", 1);
    assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_ESYNTAX);
  }
  m = M('d', "any\0bytes");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
  assert_int_equal(c.u.data.len, 9);
  m = M('f', "disk full\0");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
  assert_str(c.u.copy_fail, "disk full");
  m = M('f', "disk full");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_ESYNTAX);
  m = M('p', "secret\0");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
  assert_int_equal(c.u.data.len, 7);
  /* Types a client never sends. */
  m = M('Z', "I");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_ESYNTAX);
  m = M('\0', "\0\0\0\0\0"); /* a startup packet */
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_EINVAL);
  /* 'E' from a client is Execute, from a server an error. */
  m = M('E', "\0\0\0\0\0");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
  assert_int_equal(c.u.execute.max_rows, 0);
  lv_pg_server s;
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('E', "SERROR\0C42501\0Mno\0\0");
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_ESYNTAX);
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
}

static void test_fcall(void **state) {
  (void)state;
  lv_pg_fcall_msg f;
  /* lo_unlink (964) of OID 16500, binary. */
  lv_pg_msg m =
      M('F', "\0\0\x03\xc4\0\x01\0\x01\0\x01\0\0\0\x04\0\0\x40\x74\0\x01");
  assert_int_equal(lv_pg_read_fcall(&m, &f), LEVEE_OK);
  assert_int_equal(f.oid, 964);
  assert_int_equal(f.nargs, 1);
  assert_int_equal(f.result_format, 1);
  m = M('F', "\0\0\x03\xc4\0\0\0\0\0\0");
  assert_int_equal(lv_pg_read_fcall(&m, &f), LEVEE_OK);
  assert_int_equal(f.nargs, 0);
  m = M('F', "\0\0\x03\xc4\0\0\0\0\0\x02"); /* result format 2 */
  assert_int_equal(lv_pg_read_fcall(&m, &f), LEVEE_ESYNTAX);
  m = M('F', "\0\0\x03\xc4\0\0\0\0\0"); /* truncated */
  assert_int_equal(lv_pg_read_fcall(&m, &f), LEVEE_ESYNTAX);
  m = M('F', "\0\0\x03\xc4\0\0\0\x01\0\0\0\x09x\0\0"); /* value past */
  assert_int_equal(lv_pg_read_fcall(&m, &f), LEVEE_ESYNTAX);
}

static void test_password_and_sasl(void **state) {
  (void)state;
  levee_str pw;
  lv_pg_msg m = M('p', "md5a3556571e93b0d20722ba62be61e8c2d\0");
  assert_int_equal(lv_pg_read_password(&m, &pw), LEVEE_OK);
  assert_str(pw, "md5a3556571e93b0d20722ba62be61e8c2d");
  m = M('p', "pw\0x");
  assert_int_equal(lv_pg_read_password(&m, &pw), LEVEE_ESYNTAX);
  m = M('p', "pw");
  assert_int_equal(lv_pg_read_password(&m, &pw), LEVEE_ESYNTAX);

  lv_pg_sasl_initial s;
  m = M('p', "SCRAM-SHA-256\0\0\0\0\x20n,,n=,r=rOprNGfwEbeRWgbNEkqO%hvY");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_OK);
  assert_str(s.mechanism, "SCRAM-SHA-256");
  assert_int_equal(s.data_len, 32);
  assert_memory_equal(s.data, "n,,n=,", 6);
  assert_int_equal(s.cbind_flag, 'n');
  assert_null(s.cbind_name.ptr);
  m = M('p', "SCRAM-SHA-256\0\0\0\0\x0ay,,n=,r=ab");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_OK);
  assert_int_equal(s.cbind_flag, 'y');
  m = M('p', "SCRAM-SHA-256-PLUS\0\0\0\0\x21p=tls-server-end-point,,n=,r=abcd");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_OK);
  assert_str(s.mechanism, "SCRAM-SHA-256-PLUS");
  assert_int_equal(s.cbind_flag, 'p');
  assert_int_equal(s.cbind_name.len, strlen("tls-server-end-point"));
  assert_memory_equal(s.cbind_name.ptr, "tls-server-end-point",
                      s.cbind_name.len);
  /* No data (-1); a flag that is none of n, y, p; "p" without a name. */
  m = M('p', "SCRAM-SHA-256\0\xff\xff\xff\xff");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_OK);
  assert_int_equal(s.data_len, -1);
  assert_null(s.data);
  assert_int_equal(s.cbind_flag, 0);
  m = M('p', "SCRAM-SHA-256\0\0\0\0\x02x,");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_OK);
  assert_int_equal(s.cbind_flag, 0);
  m = M('p', "SCRAM-SHA-256\0\0\0\0\x03p=,");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_OK);
  assert_int_equal(s.cbind_flag, 0);
  /* The length says more than the body holds, or less; -2; no mechanism. */
  m = M('p', "SCRAM-SHA-256\0\0\0\0\x21n,,n=,r=rOprNGfwEbeRWgbNEkqO%hvY");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_ESYNTAX);
  m = M('p', "SCRAM-SHA-256\0\0\0\0\x02n,,");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_ESYNTAX);
  m = M('p', "SCRAM-SHA-256\0\xff\xff\xff\xfe");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_ESYNTAX);
  m = M('p', "\0\0\0\0\0");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_ESYNTAX);
  m = M('p', "SCRAM-SHA-256");
  assert_int_equal(lv_pg_read_sasl_initial(&m, &s), LEVEE_ESYNTAX);
}

/* --- server messages ---------------------------------------------------- */

static void test_auth(void **state) {
  (void)state;
  lv_pg_auth_msg a;
  lv_pg_msg m = M('R', "\0\0\0\0");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_OK);
  assert_int_equal(a.code, LV_PG_AUTH_OK);
  assert_null(a.data);
  m = M('R', "\0\0\0\0\0"); /* AuthenticationOk has nothing after */
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_ESYNTAX);
  m = M('R', "\0\0\0\x03");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_OK);
  assert_int_equal(a.code, LV_PG_AUTH_CLEARTEXT);
  m = M('R', "\0\0\0\x05\x01\x02\x03\x04");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_OK);
  assert_int_equal(a.code, LV_PG_AUTH_MD5);
  assert_int_equal(a.data_len, 4);
  assert_memory_equal(a.data, "\x01\x02\x03\x04", 4);
  m = M('R', "\0\0\0\x05\x01\x02\x03");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_ESYNTAX);
  m = M('R', "\0\0\0\x05\x01\x02\x03\x04\x05");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_ESYNTAX);
  m = M('R', "\0\0\0");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_ESYNTAX);

  m = M('R', "\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_OK);
  assert_int_equal(a.code, LV_PG_AUTH_SASL);
  assert_int_equal(a.nmechs, 2);
  assert_str(a.mechs[0], "SCRAM-SHA-256-PLUS");
  assert_str(a.mechs[1], "SCRAM-SHA-256");
  m = M('R', "\0\0\0\x0aSCRAM-SHA-256\0"); /* no final empty name */
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_ESYNTAX);
  m = M('R', "\0\0\0\x0aSCRAM-SHA-256\0\0x");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_ESYNTAX);
  char body[512] = "\0\0\0\x0a";
  size_t n = 4;
  for (unsigned i = 0; i <= LV_PG_MAX_SASL_MECHS; i++)
    n += (size_t)snprintf(body + n, sizeof body - n, "M%u", i) + 1;
  body[n++] = 0;
  m = msg('R', body, n);
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_ETOOBIG);

  m = M('R', "\0\0\0\x0br=abc,s=QSXCR+Q6sek8bf92,i=4096");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_OK);
  assert_int_equal(a.code, LV_PG_AUTH_SASL_CONTINUE);
  assert_int_equal(a.data_len, strlen("r=abc,s=QSXCR+Q6sek8bf92,i=4096"));
  assert_memory_equal(a.data, "r=abc,", 6);
  m = M('R', "\0\0\0\x0c");
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_OK);
  assert_int_equal(a.data_len, 0);
  m = M('R', "\0\0\0\x63zz"); /* a code unknown here: reported */
  assert_int_equal(lv_pg_read_auth(&m, &a), LEVEE_OK);
  assert_int_equal(a.code, 99);
  assert_int_equal(a.data_len, 2);
}

static void test_server_messages(void **state) {
  (void)state;
  lv_pg_server s;
  lv_pg_msg m = M('S', "client_encoding\0UTF8\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.type, 'S');
  assert_str(s.u.parameter.name, "client_encoding");
  assert_str(s.u.parameter.value, "UTF8");
  m = M('S', "client_encoding\0UTF8");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('S', "client_encoding\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  m = M('K', "\0\0\x10\x92\x89\xab\xcd\xef");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.key.pid, 4242);
  assert_int_equal((uint32_t)s.u.key.secret, 0x89abcdefu);
  m = M('K', "\0\0\x10\x92\x89\xab\xcd"); /* 3-byte key */
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('K', "\0\0\x10\x92"
             "0123456789abcdef0123456789abcdef");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.key.key_len, 32);
  assert_int_equal(s.u.key.secret, 0);

  static const char st[] = "ITE";
  for (int i = 0; st[i]; i++) {
    m = msg('Z', &st[i], 1);
    assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
    assert_int_equal(s.u.status, st[i]);
  }
  m = M('Z', "X");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('Z', "II");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('Z', "");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  m = M('C', "DELETE 3\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_str(s.u.tag, "DELETE 3");
  m = M('C', "DELETE 3");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  static const char empties[] = "123nIsc";
  for (int i = 0; empties[i]; i++) {
    m = msg(empties[i], NULL, 0);
    assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
    assert_int_equal(s.type, (uint8_t)empties[i]);
    m = msg(empties[i], "x", 1);
    assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  }

  /* CopyIn (text, 2 columns), CopyOut (binary, 1), CopyBoth (none). */
  m = M('G', "\0\0\x02\0\0\0\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.copy.format, 0);
  assert_int_equal(s.u.copy.ncols, 2);
  m = M('H', "\x01\0\x01\0\x01");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.copy.format, 1);
  m = M('W', "\0\0\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  m = M('H', "\x02\0\0"); /* overall format 2 */
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('G', "\0\0\x02\0\0"); /* one column format short */
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  /* RowDescription of SELECT 1 AS n: int4 (23), text format. */
  m = M('T', "\0\x01n\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.row_desc.nfields, 1);
  lv_pg_reader r;
  lv_pg_reader_init(&r, s.u.row_desc.fields, s.u.row_desc.fields_len);
  lv_pg_column col;
  assert_int_equal(lv_pg_get_column(&r, &col), LEVEE_OK);
  assert_str(col.name, "n");
  assert_int_equal(col.type_oid, 23);
  assert_int_equal(col.typlen, 4);
  assert_int_equal(col.typmod, -1);
  assert_int_equal(lv_pg_reader_end(&r), LEVEE_OK);
  m = M('T', "\0\x02n\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('T', "\0\x01n\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\x05");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  /* DataRow: "1", NULL, "". */
  m = M('D', "\0\x03\0\0\0\x01"
             "1\xff\xff\xff\xff\0\0\0\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.row.ncols, 3);
  lv_pg_reader_init(&r, s.u.row.values, s.u.row.values_len);
  const uint8_t *v;
  int32_t len;
  assert_int_equal(lv_pg_get_value(&r, &v, &len), LEVEE_OK);
  assert_int_equal(len, 1);
  assert_int_equal(v[0], '1');
  assert_int_equal(lv_pg_get_value(&r, &v, &len), LEVEE_OK);
  assert_int_equal(len, -1);
  assert_int_equal(lv_pg_get_value(&r, &v, &len), LEVEE_OK);
  assert_int_equal(len, 0);
  assert_int_equal(lv_pg_reader_end(&r), LEVEE_OK);
  m = M('D', "\0\x01\xff\xff\xff\xfd");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('D', "\0\x02\0\0\0\x01"
             "1");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('D', "\0\x01\0\0\0\x01"
             "12");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  m = M('t', "\0\x02\0\0\0\x17\0\0\0\x19");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.param_desc.ntypes, 2);
  m = M('t', "\0\x03\0\0\0\x17\0\0\0\x19");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  m = M('A', "\0\0\x10\x92jobs\0run\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_str(s.u.notification.channel, "jobs");
  assert_str(s.u.notification.payload, "run");
  m = M('A', "\0\0\x10\x92jobs\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  m = M('v', "\0\0\0\0\0\0\0\x01_pq_.compression\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.negotiate.minor, 0);
  assert_int_equal(s.u.negotiate.noptions, 1);
  m = M('v', "\0\0\0\0\x7f\xff\xff\xff_pq_.x\0"); /* a count past the body */
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('v', "\0\0\0\0\xff\xff\xff\xff");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  m = M('V', "\0\0\0\x02ok");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.fresult.len, 2);
  m = M('V', "\xff\xff\xff\xff");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_null(s.u.fresult.ptr);
  m = M('V', "\0\0\0\x02o");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);

  /* Types a server never sends; a startup packet. */
  m = M('Q', "x\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_ESYNTAX);
  m = M('\0', "\0\x03\0\0\0");
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_EINVAL);
}

static void test_notice(void **state) {
  (void)state;
  lv_pg_notice_msg n;
  /* What PostgreSQL 15 sends for DROP TABLE nope. */
  lv_pg_msg m = M('E', "SERROR\0VERROR\0C42P01\0Mtable \"nope\" does not exist"
                       "\0Ftablecmds.c\0L1300\0RDropErrorMsgNonExistent\0\0");
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_OK);
  assert_int_equal(n.nfields, 7);
  assert_string_equal(lv_pg_notice_get(&n, 'S'), "ERROR");
  assert_string_equal(lv_pg_notice_get(&n, 'C'), "42P01");
  assert_string_equal(lv_pg_notice_get(&n, 'M'),
                      "table \"nope\" does not exist");
  assert_null(lv_pg_notice_get(&n, 'D'));
  m = M('N', "SNOTICE\0C00000\0Mhi\0\0");
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_OK);
  assert_int_equal(n.nfields, 3);
  m = M('N', "\0"); /* no fields: well-formed */
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_OK);
  assert_int_equal(n.nfields, 0);
  /* No final 0; a value without NUL; bytes after the end; empty body. */
  m = M('E', "SERROR\0");
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_ESYNTAX);
  m = M('E', "SERROR");
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_ESYNTAX);
  m = M('E', "SERROR\0\0M");
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_ESYNTAX);
  m = M('E', "");
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_ESYNTAX);
  /* More fields than kept. */
  char body[512];
  size_t k = 0;
  for (unsigned i = 0; i <= LV_PG_MAX_NOTICE_FIELDS; i++) {
    body[k++] = 'x';
    body[k++] = 0;
  }
  body[k++] = 0;
  m = msg('N', body, k);
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_ETOOBIG);
  m = msg('N', body + 2, k - 2);
  assert_int_equal(lv_pg_read_notice(&m, &n), LEVEE_OK);
  assert_int_equal(n.nfields, LV_PG_MAX_NOTICE_FIELDS);
}

static void test_command_rows(void **state) {
  (void)state;
  static const struct {
    const char *tag;
    int64_t rows;
  } cases[] = {
      {"INSERT 0 5", 5},
      {"INSERT 16384 1", 1},
      {"DELETE 3", 3},
      {"UPDATE 2", 2},
      {"SELECT 10", 10},
      {"MERGE 1", 1},
      {"COPY 7", 7},
      {"FETCH 0", 0},
      {"MOVE 12", 12},
      {"SELECT 9223372036854775807", INT64_MAX},
      {"SELECT 9223372036854775808", -1},
      {"INSERT 5", -1},
      {"INSERT 0 5 ", -1},
      {"DELETE", -1},
      {"DELETE ", -1},
      {"DELETE x", -1},
      {"DELETE -3", -1},
      {"DELETED 3", -1},
      {"CREATE TABLE", -1},
      {"BEGIN", -1},
      {"", -1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t got = lv_pg_command_rows(cases[i].tag);
    if (got != cases[i].rows)
      fail_msg("%s: %lld, want %lld", cases[i].tag, (long long)got,
               (long long)cases[i].rows);
  }
  assert_int_equal(lv_pg_command_rows(NULL), -1);
}

/* --- builders ----------------------------------------------------------- */

static void test_build_round_trips(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 1 << 20);
  lv_pg_msg m;
  lv_pg_server s;
  lv_pg_client c;

  assert_int_equal(lv_pg_build_error(&b, "ERROR", "42501",
                                     "levee: refused: DROP TABLE", "detail",
                                     "ask the DBA"),
                   LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(m.type, 'E');
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.notice.nfields, 6);
  assert_string_equal(lv_pg_notice_get(&s.u.notice, 'S'), "ERROR");
  assert_string_equal(lv_pg_notice_get(&s.u.notice, 'V'), "ERROR");
  assert_string_equal(lv_pg_notice_get(&s.u.notice, 'C'), "42501");
  assert_string_equal(lv_pg_notice_get(&s.u.notice, 'M'),
                      "levee: refused: DROP TABLE");
  assert_string_equal(lv_pg_notice_get(&s.u.notice, 'D'), "detail");
  assert_string_equal(lv_pg_notice_get(&s.u.notice, 'H'), "ask the DBA");
  lv_buf_reset(&b);
  assert_int_equal(
      lv_pg_build_notice(&b, "WARNING", "01000", "held", NULL, NULL), LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(m.type, 'N');
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.notice.nfields, 4);
  assert_null(lv_pg_notice_get(&s.u.notice, 'D'));

  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_ready(&b, 'T'), LEVEE_OK);
  assert_int_equal(b.len, 6);
  assert_memory_equal(b.data, "Z\0\0\0\x05T", 6);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.status, 'T');

  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_backend_key(&b, 4242, -1985229329), LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.key.pid, 4242);
  assert_int_equal(s.u.key.secret, -1985229329);

  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_parameter_status(&b, "application_name", ""),
                   LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_str(s.u.parameter.name, "application_name");
  assert_int_equal(s.u.parameter.value.len, 0);

  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_ssl_response(&b, 'N'), LEVEE_OK);
  assert_int_equal(lv_pg_build_ssl_response(&b, 'S'), LEVEE_OK);
  assert_int_equal(b.len, 2);
  assert_memory_equal(b.data, "NS", 2);

  lv_buf_reset(&b);
  const char *mechs[] = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"};
  assert_int_equal(lv_pg_build_auth_sasl(&b, mechs, 2), LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(s.u.auth.code, LV_PG_AUTH_SASL);
  assert_int_equal(s.u.auth.nmechs, 2);
  /* The rewrite without -PLUS: a second message, SCRAM-SHA-256 alone. */
  lv_buf out;
  lv_buf_init(&out, 1 << 10);
  assert_int_equal(lv_pg_auth_sasl_rewrite(&m, "SCRAM-SHA-256-PLUS", &out),
                   LEVEE_OK);
  static const char want[] = "R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0";
  assert_int_equal(out.len, sizeof want - 1);
  assert_memory_equal(out.data, want, sizeof want - 1);
  /* Dropping one not listed copies the list. */
  lv_buf_reset(&out);
  assert_int_equal(lv_pg_auth_sasl_rewrite(&m, "OTHER", &out), LEVEE_OK);
  assert_int_equal(out.len, b.len);
  assert_memory_equal(out.data, b.data, b.len);
  /* Nothing left: refused, out as it was. */
  lv_buf_reset(&out);
  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_auth_sasl(&b, mechs, 1), LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_auth_sasl_rewrite(&m, "SCRAM-SHA-256-PLUS", &out),
                   LEVEE_ENOTFOUND);
  assert_int_equal(out.len, 0);
  m = M('R', "\0\0\0\0");
  assert_int_equal(lv_pg_auth_sasl_rewrite(&m, "X", &out), LEVEE_EINVAL);
  m = M('R', "\0\0\0\x0aSCRAM");
  assert_int_equal(lv_pg_auth_sasl_rewrite(&m, "X", &out), LEVEE_ESYNTAX);
  m = M('Z', "I");
  assert_int_equal(lv_pg_auth_sasl_rewrite(&m, "X", &out), LEVEE_EINVAL);
  assert_int_equal(out.len, 0);
  lv_buf_cleanup(&out);

  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_query(&b, S("select 42")), LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
  assert_str(c.u.query, "select 42");

  lv_buf_reset(&b);
  uint32_t oids[] = {23, 25, 0};
  assert_int_equal(
      lv_pg_build_parse(&b, S("st"), S("select $1, $2, $3"), oids, 3),
      LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_read_client(&m, &c), LEVEE_OK);
  assert_str(c.u.parse.name, "st");
  assert_str(c.u.parse.query, "select $1, $2, $3");
  assert_int_equal(c.u.parse.ntypes, 3);
  assert_int_equal(lv_pg_parse_type(&c.u.parse, 1), 25);

  lv_buf_reset(&b);
  lv_pg_param p[] = {{S("user"), S("alice")}, {S("database"), S("")}};
  assert_int_equal(lv_pg_build_startup(&b, 0, p, 2), LEVEE_OK);
  m = frame_buf(&b, 1);
  lv_pg_startup st;
  assert_int_equal(lv_pg_read_startup(&m, &st), LEVEE_OK);
  assert_int_equal(st.kind, LV_PG_STARTUP_MESSAGE);
  assert_str(st.user, "alice");
  assert_int_equal(st.database.len, 0);

  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_cancel(&b, 77, -5), LEVEE_OK);
  assert_int_equal(b.len, 16);
  m = frame_buf(&b, 1);
  assert_int_equal(lv_pg_read_startup(&m, &st), LEVEE_OK);
  assert_int_equal(st.kind, LV_PG_CANCEL_REQUEST);
  assert_int_equal(st.pid, 77);
  assert_int_equal(st.secret, -5);

  lv_buf_reset(&b);
  assert_int_equal(lv_pg_build_message(&b, 'C', "SELECT 1", 9), LEVEE_OK);
  m = frame_buf(&b, 0);
  assert_int_equal(lv_pg_read_server(&m, &s), LEVEE_OK);
  assert_int_equal(lv_pg_command_rows(s.u.tag.ptr), 1);
  lv_buf_cleanup(&b);
}

static void test_build_refusals(void **state) {
  (void)state;
  lv_buf b;
  lv_buf_init(&b, 64);
  assert_int_equal(lv_buf_append(&b, "keep", 4), LEVEE_OK);

  /* NUL inside a string given with its length. */
  levee_str nul = {"select 1\0; drop table t", 24};
  assert_int_equal(lv_pg_build_query(&b, nul), LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_parse(&b, S("x"), nul, NULL, 0), LEVEE_EINVAL);
  assert_int_equal(
      lv_pg_build_parse(&b, (levee_str){"a\0b", 3}, S("x"), NULL, 0),
      LEVEE_EINVAL);
  lv_pg_param bad[] = {{S("user"), {"a\0b", 3}}};
  assert_int_equal(lv_pg_build_startup(&b, 0, bad, 1), LEVEE_EINVAL);
  lv_pg_param empty_name[] = {{S(""), S("x")}};
  assert_int_equal(lv_pg_build_startup(&b, 0, empty_name, 1), LEVEE_EINVAL);
  /* Bad codes and missing arguments. */
  assert_int_equal(lv_pg_build_error(&b, "ERROR", "4250", "m", NULL, NULL),
                   LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_error(&b, "ERROR", "42a01", "m", NULL, NULL),
                   LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_error(&b, "ERROR", NULL, "m", NULL, NULL),
                   LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_error(&b, "", "42501", "m", NULL, NULL),
                   LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_error(&b, "ERROR", "42501", NULL, NULL, NULL),
                   LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_ready(&b, 'X'), LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_ssl_response(&b, 'Y'), LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_parameter_status(&b, "", "x"), LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_parameter_status(&b, "x", NULL), LEVEE_EINVAL);
  const char *mechs[] = {"SCRAM-SHA-256", ""};
  assert_int_equal(lv_pg_build_auth_sasl(&b, mechs, 0), LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_auth_sasl(&b, mechs, 2), LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_message(&b, 0, "x", 1), LEVEE_EINVAL);
  assert_int_equal(lv_pg_build_message(&b, 'S', NULL, 1), LEVEE_EINVAL);
  uint32_t oid = 0;
  assert_int_equal(lv_pg_build_parse(&b, S(""), S("x"), &oid, 65536),
                   LEVEE_EINVAL);
  /* Past the buffer's limit: the first bytes fit, the message does not. */
  assert_int_equal(lv_pg_build_error(&b, "ERROR", "42501",
                                     "a message much longer than the sixty "
                                     "bytes this buffer may hold",
                                     NULL, NULL),
                   LEVEE_ETOOBIG);
  /* A startup packet over what a server reads. */
  lv_buf big;
  lv_buf_init(&big, 1 << 20);
  char *v = malloc(LV_PG_MAX_STARTUP);
  assert_non_null(v);
  memset(v, 'v', LV_PG_MAX_STARTUP);
  lv_pg_param huge[] = {{S("user"), {v, LV_PG_MAX_STARTUP - 11}}};
  assert_int_equal(lv_pg_build_startup(&big, 0, huge, 1), LEVEE_OK);
  lv_pg_msg m = frame_buf(&big, 1);
  assert_int_equal(m.body_len, LV_PG_MAX_STARTUP);
  lv_buf_reset(&big);
  huge[0].value.len++;
  assert_int_equal(lv_pg_build_startup(&big, 0, huge, 1), LEVEE_ETOOBIG);
  assert_int_equal(big.len, 0);
  free(v);
  lv_buf_cleanup(&big);

  /* After all of it, the buffer is as it was. */
  assert_int_equal(b.len, 4);
  assert_memory_equal(b.data, "keep", 5);
  lv_buf_cleanup(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_frame_whole_and_prefixes),
      cmocka_unit_test(test_frame_bad_lengths),
      cmocka_unit_test(test_frame_pipelined_and_split),
      cmocka_unit_test(test_reader_sticky),
      cmocka_unit_test(test_startup_message),
      cmocka_unit_test(test_startup_malformed),
      cmocka_unit_test(test_startup_requests),
      cmocka_unit_test(test_query),
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_bind),
      cmocka_unit_test(test_execute_describe_close),
      cmocka_unit_test(test_client_dispatch),
      cmocka_unit_test(test_fcall),
      cmocka_unit_test(test_password_and_sasl),
      cmocka_unit_test(test_auth),
      cmocka_unit_test(test_server_messages),
      cmocka_unit_test(test_notice),
      cmocka_unit_test(test_command_rows),
      cmocka_unit_test(test_build_round_trips),
      cmocka_unit_test(test_build_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
