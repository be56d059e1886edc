/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_api.c: libFuzzer target for levee serve's request path: a request
 * body handed to the API's handler (src/net/api.c) as POST /v1/inspect,
 * the way the HTTP server hands it over, without the sockets, from an
 * integration with its bearer token: the router and the token check, the
 * event parser, attachments through a real extraction pool, the
 * inspection and the verdict's JSON.
 *
 * The first byte picks the content type (JSON, JSON with parameters, or
 * another) and the rest is the body. Besides the sanitizers' checks, every
 * run verifies and aborts on a violation:
 *   - the status is 200, 400, 413 or 415 (never 500: out of memory is not
 *     what a fuzz input can cause at these sizes);
 *   - the answer is one line of JSON: a verdict object starting {"id": on
 *     200, {"error":"..."} otherwise;
 *   - a body that is not application/json is 415 whatever it holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "extract/pool.h"
#include "net/api.h"
#include "net/auth.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_api: invariant failed: %s (line %d)\n", #cond,     \
              __LINE__);                                                       \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static lv_api *api;
static char bearer[LV_TOKEN_LEN + 8];

static void setup(void) {
  levee_policy *p = NULL;
  levee_engine *e = NULL;
  lv_extract_pool *pool = NULL;
  levee_error err = {0};
  lv_extract_pool_options po = {.workers = 1};
  if (levee_policy_default(&p, &err) ||
      levee_engine_compile(p, NULL, &e, &err) ||
      lv_extract_pool_new(&po, &pool)) {
    fprintf(stderr, "fuzz_api: setup: %s\n", err.message);
    abort();
  }
  p->attachments = (lv_attachment_policy){LV_ATTACHMENTS_INLINE, 2000};
  lv_auth *auth = NULL;
  lv_api_token t = {.name = "fuzz", .role = LV_ROLE_INTEGRATION};
  char token[LV_TOKEN_LEN + 1];
  lv_api_token_new(token);
  lv_api_token_hash(token, LV_TOKEN_LEN, t.hash);
  snprintf(bearer, sizeof bearer, "Bearer %s", token);
  if (lv_auth_new(&auth) || lv_auth_put_token(auth, &t))
    abort();
  lv_api_options o = {.policy = p, .engine = e, .pool = pool, .auth = auth};
  if (lv_api_new(&o, &api))
    abort();
  levee_engine_unref(e);
  levee_policy_destroy(p);
  /* The pool and the accounts live as long as the process, as the api
   * borrows them. */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!api)
    setup();
  static const char *const types[] = {"application/json",
                                      "application/json; charset=utf-8",
                                      "text/plain", NULL};
  const char *type = types[size ? data[0] % 4 : 0];
  const uint8_t *body = size ? data + 1 : data;
  size_t n = size ? size - 1 : 0;
  char *copy = malloc(n ? n : 1);
  if (!copy)
    return 0;
  memcpy(copy, body, n);
  lv_http_request rq = {.method = "POST",
                        .path = "/v1/inspect",
                        .body = {copy, n},
                        .content_type = type,
                        .authorization = bearer,
                        .client = "127.0.0.1"};
  lv_buf out;
  lv_buf_init(&out, (size_t)1 << 30);
  lv_http_response rs = {.status = 0, .body = &out};
  lv_api_handle(api, &rq, &rs);
  CHECK(rs.status == 200 || rs.status == 400 || rs.status == 413 ||
        rs.status == 415);
  if (!type || strncmp(type, "application/json", 16))
    CHECK(rs.status == 415);
  CHECK(out.len > 2 && out.data[out.len - 1] == '\n');
  CHECK(memchr(out.data, '\n', out.len) == out.data + out.len - 1);
  if (rs.status == 200)
    CHECK(!memcmp(out.data, "{\"id\":", 6));
  else
    CHECK(!memcmp(out.data, "{\"error\":\"", 10));
  lv_buf_cleanup(&out);
  free(copy);
  return 0;
}
