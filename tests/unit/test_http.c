/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_http.c: levee serve's listen addresses (lv_http_parse_listen), and
 * the server refusing one it cannot use with a clear error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "net/http.h"

static void test_parse_listen(void **state) {
  (void)state;
  char host[64];
  unsigned port = 0;
  assert_int_equal(
      lv_http_parse_listen("127.0.0.1:8080", host, sizeof host, &port), 0);
  assert_string_equal(host, "127.0.0.1");
  assert_int_equal(port, 8080);
  assert_int_equal(lv_http_parse_listen("[::1]:0", host, sizeof host, &port),
                   0);
  assert_string_equal(host, "::1");
  assert_int_equal(port, 0);
  assert_int_equal(
      lv_http_parse_listen("localhost:65535", host, sizeof host, &port), 0);
  static const char *const bad[] = {
      "8080",    ":8080",        "127.0.0.1:", "127.0.0.1:65536",
      "host:8x", "[::1:8080",    "[]:8080",    "127.0.0.1:-1",
      "a:1 ",    "127.0.0.1:1e3"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (lv_http_parse_listen(bad[i], host, sizeof host, &port) == 0)
      fail_msg("accepted '%s'", bad[i]);
  /* A host longer than the room for it. */
  assert_int_equal(
      lv_http_parse_listen("a-very-long-host-name:80", host, 8, &port), -1);
}

static void handler(void *ud, const lv_http_request *rq, lv_http_response *rs) {
  (void)ud, (void)rq;
  rs->status = 204;
}

static void test_start_errors(void **state) {
  (void)state;
  lv_http_server *s = NULL;
  levee_error err = {0};
  lv_http_options o = {.listen = "not an address", .max_body = 1024};
  assert_int_equal(lv_http_start(&o, handler, NULL, &s, &err), LEVEE_EINVAL);
  assert_non_null(strstr(err.message, "not HOST:PORT"));
  /* Two servers on one port: the second is refused, saying so. */
  lv_http_options a = {.listen = "127.0.0.1:0",
                       .threads = 1,
                       .max_body = 1024,
                       .timeout_s = 5,
                       .max_connections = 8,
                       .per_ip_connections = 8};
  lv_http_server *first = NULL;
  assert_int_equal(lv_http_start(&a, handler, NULL, &first, &err), LEVEE_OK);
  unsigned port = lv_http_port(first);
  assert_true(port > 0);
  char listen[32];
  snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
  lv_http_options b = a;
  b.listen = listen;
  memset(&err, 0, sizeof err);
  assert_int_equal(lv_http_start(&b, handler, NULL, &s, &err), LEVEE_EIO);
  assert_non_null(strstr(err.message, "cannot listen on"));
  lv_http_stop(first);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_listen),
      cmocka_unit_test(test_start_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
