/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_alert.c: the alert dispatcher (src/net/alert.c) against real
 * receivers on loopback: an HTTP server thread (a listening socket on
 * 127.0.0.1:0 that reads each POST and records its target and body, and
 * answers as a test scripts it: 500 a few times then 200, a robot's
 * refusal, or never), and syslog listeners over UDP and TCP (RFC 6587
 * octet counting). What arrived is asserted: every format, the robots'
 * signatures (checked with OpenSSL, not levee's own code), routing by
 * notify and default, aggregation windows and their follow-ups, retries
 * with backoff, a sink that is down (counted undelivered, listed by the
 * API), one that hangs and a full queue (submit never waits), a policy
 * swap while deliveries run, and stopping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/policy.h"
#include "levee/levee.h"
#include "net/alert.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/limits.h"

#define S(lit) ((levee_str){(lit), sizeof(lit) - 1})
#define MAX_RECORDS 128
/* How long a test waits for something that should arrive at once. */
#define WAIT_MS 8000

/* --- receivers ------------------------------------------------------------ */

typedef struct record {
  char *target; /* HTTP: the request target; syslog: NULL */
  char *body;
  size_t len;
  int64_t at_ms;
} record;

typedef struct receiver {
  int fd; /* listening (TCP) or bound (UDP) */
  int port;
  int kind; /* 0 HTTP, 1 syslog UDP, 2 syslog TCP */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  record rec[MAX_RECORDS];
  int n;
  int stop;
  /* HTTP: the status of request i is script[i] while i < n_script, then
   * status; hang: read requests and never answer them. */
  int script[16];
  int n_script;
  int status;
  const char *answer;
  int hang;
  int hung[64];
  int n_hung;
} receiver;

static int64_t now_ms(void) {
  return lv_now_ms();
}

static void add_record(receiver *r, const char *target, size_t tlen,
                       const char *body, size_t len) {
  pthread_mutex_lock(&r->mu);
  if (r->n < MAX_RECORDS) {
    record *x = &r->rec[r->n++];
    x->target = target ? strndup(target, tlen) : NULL;
    x->body = malloc(len + 1);
    memcpy(x->body, body, len);
    x->body[len] = '\0';
    x->len = len;
    x->at_ms = now_ms();
  }
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
}

/* Reads until the connection closes or cap bytes; returns the count. */
static size_t read_all(int fd, char *buf, size_t cap, int want_headers,
                       receiver *r) {
  size_t n = 0;
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int k = poll(&p, 1, 50);
    pthread_mutex_lock(&r->mu);
    int stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    if (stop)
      return n;
    if (k <= 0)
      continue;
    ssize_t got = read(fd, buf + n, cap - n);
    if (got <= 0)
      return n;
    n += (size_t)got;
    if (n == cap)
      return n;
    if (want_headers) {
      /* an HTTP request: done when the headers and Content-Length bytes are
       * in */
      buf[n] = '\0';
      char *end = strstr(buf, "\r\n\r\n");
      if (!end)
        continue;
      size_t clen = 0;
      for (char *h = buf; h < end; h = strstr(h, "\r\n") + 2)
        if (!strncasecmp(h, "Content-Length:", 15))
          clen = strtoul(h + 15, NULL, 10);
      if (n >= (size_t)(end + 4 - buf) + clen)
        return n;
    }
  }
}

static void http_serve(receiver *r, int c) {
  size_t cap = 1 << 20;
  char *buf = malloc(cap + 1);
  size_t n = read_all(c, buf, cap, 1, r);
  buf[n] = '\0';
  char *end = strstr(buf, "\r\n\r\n");
  if (!end || strncmp(buf, "POST ", 5)) {
    free(buf);
    close(c);
    return;
  }
  char *target = buf + 5, *sp = strchr(target, ' ');
  add_record(r, target, sp ? (size_t)(sp - target) : 0, end + 4,
             n - (size_t)(end + 4 - buf));
  pthread_mutex_lock(&r->mu);
  int i = r->n - 1, hang = r->hang;
  int status = i < r->n_script ? r->script[i] : r->status;
  const char *answer = r->answer ? r->answer : "";
  if (hang && r->n_hung < 64) {
    r->hung[r->n_hung++] = c;
    pthread_mutex_unlock(&r->mu);
    free(buf);
    return;
  }
  pthread_mutex_unlock(&r->mu);
  char head[256];
  int hl = snprintf(head, sizeof head,
                    "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                    status, strlen(answer));
  if (write(c, head, (size_t)hl) < 0 || write(c, answer, strlen(answer)) < 0) {
    /* the client went: nothing to do */
  }
  free(buf);
  close(c);
}

/* TCP syslog: frames "LEN SP MSG" until the sender closes. */
static void syslog_tcp_serve(receiver *r, int c) {
  size_t cap = 1 << 20;
  char *buf = malloc(cap);
  size_t n = read_all(c, buf, cap, 0, r), at = 0;
  while (at < n) {
    size_t len = 0, i = at;
    while (i < n && isdigit((unsigned char)buf[i]))
      len = len * 10 + (size_t)(buf[i++] - '0');
    if (i == at || i >= n || buf[i] != ' ' || i + 1 + len > n) {
      add_record(r, NULL, 0, "BAD FRAME", 9);
      break;
    }
    add_record(r, NULL, 0, buf + i + 1, len);
    at = i + 1 + len;
  }
  free(buf);
  close(c);
}

static void *receiver_main(void *arg) {
  receiver *r = arg;
  for (;;) {
    pthread_mutex_lock(&r->mu);
    int stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    if (stop)
      break;
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    if (poll(&p, 1, 50) <= 0)
      continue;
    if (r->kind == 1) {
      char buf[65536];
      ssize_t got = recv(r->fd, buf, sizeof buf, 0);
      if (got > 0)
        add_record(r, NULL, 0, buf, (size_t)got);
      continue;
    }
    int c = accept(r->fd, NULL, NULL);
    if (c < 0)
      continue;
    if (r->kind == 0)
      http_serve(r, c);
    else
      syslog_tcp_serve(r, c);
  }
  return NULL;
}

static receiver *receiver_start(int kind) {
  receiver *r = calloc(1, sizeof *r);
  r->kind = kind;
  r->status = 200;
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
  r->fd = socket(AF_INET, kind == 1 ? SOCK_DGRAM : SOCK_STREAM, 0);
  assert_true(r->fd >= 0);
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof sa;
  assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, sizeof sa), 0);
  if (kind != 1)
    assert_int_equal(listen(r->fd, 64), 0);
  assert_int_equal(getsockname(r->fd, (struct sockaddr *)&sa, &sl), 0);
  r->port = ntohs(sa.sin_port);
  assert_int_equal(pthread_create(&r->thread, NULL, receiver_main, r), 0);
  return r;
}

static void receiver_stop(receiver *r) {
  pthread_mutex_lock(&r->mu);
  r->stop = 1;
  pthread_mutex_unlock(&r->mu);
  pthread_join(r->thread, NULL);
  for (int i = 0; i < r->n_hung; i++)
    close(r->hung[i]);
  close(r->fd);
  for (int i = 0; i < r->n; i++) {
    free(r->rec[i].target);
    free(r->rec[i].body);
  }
  pthread_cond_destroy(&r->cv);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

/* Waits until r has n records; returns how many it has. */
static int wait_records(receiver *r, int n, int64_t ms) {
  int64_t end = now_ms() + ms;
  pthread_mutex_lock(&r->mu);
  while (r->n < n && now_ms() < end) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000000;
    if (ts.tv_nsec >= 1000000000) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&r->cv, &r->mu, &ts);
  }
  int got = r->n;
  pthread_mutex_unlock(&r->mu);
  return got;
}

static int count_records(receiver *r) {
  pthread_mutex_lock(&r->mu);
  int n = r->n;
  pthread_mutex_unlock(&r->mu);
  return n;
}

/* A port nothing listens on: bound, then closed. */
static int dead_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof sa;
  assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
  close(fd);
  return ntohs(sa.sin_port);
}

/* --- events, verdicts, policies ------------------------------------------ */

typedef struct sample {
  char id[32], sender[32];
  levee_event ev;
  levee_finding f[4];
  levee_verdict v;
} sample;

/* An event from sender with findings of the given rules (NULL-terminated;
 * at most 4), each at alert, the verdict at block. */
static void make_sample(sample *s, const char *id, const char *sender,
                        const char *const *rules) {
  memset(s, 0, sizeof *s);
  snprintf(s->id, sizeof s->id, "%s", id);
  s->ev.id = (levee_str){s->id, strlen(s->id)};
  s->ev.time_ms = 1700000000123LL;
  s->ev.channel = S("wecom");
  s->ev.conversation_title = S("项目群");
  if (sender) {
    snprintf(s->sender, sizeof s->sender, "%s", sender);
    s->ev.sender.id = (levee_str){s->sender, strlen(s->sender)};
  }
  s->ev.sender.name = S("张三");
  s->ev.text = S("FULL-MESSAGE-TEXT 机密★1年");
  size_t n = 0;
  for (; rules[n] && n < 4; n++)
    s->f[n] = (levee_finding){.rule = rules[n],
                              .category = "classified.marking",
                              .excerpt = "机密★1年",
                              .action = LEVEE_ACTION_BLOCK,
                              .severity = LEVEE_SEVERITY_CRITICAL};
  s->v = (levee_verdict){.id = s->ev.id,
                         .action = LEVEE_ACTION_BLOCK,
                         .severity = LEVEE_SEVERITY_CRITICAL,
                         .findings = s->f,
                         .n_findings = n};
}

static levee_policy *policy_of(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static levee_policy *policy_of(const char *fmt, ...) {
  char yaml[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(yaml, sizeof yaml, fmt, ap);
  va_end(ap);
  levee_policy *p = NULL;
  levee_error err = {0};
  if (levee_policy_parse(yaml, strlen(yaml), "t.yaml", NULL, NULL, &p, &err))
    fail_msg("policy: %s\n%s", err.message, yaml);
  return p;
}

/* A policy with one rule r1 (notify: default) and a webhook sink "hook". */
static levee_policy *hook_policy(int port, const char *window) {
  return policy_of("version: 1\n"
                   "alerts:\n"
                   "  window: %s\n"
                   "  default: [hook]\n"
                   "  sinks:\n"
                   "    hook: {type: webhook, url: "
                   "\"http://127.0.0.1:%d/levee\"}\n"
                   "rules:\n"
                   "  - id: r1\n"
                   "    match: {category: classified}\n"
                   "    action: block\n"
                   "  - id: r2\n"
                   "    match: {category: pii}\n"
                   "    action: alert\n",
                   window, port);
}

static lv_alerts *start(levee_policy *p, lv_alerts_options *o) {
  lv_alerts_options d = {.backoff_ms_first = 20,
                         .backoff_ms_max = 100,
                         .timeout_ms = 3000,
                         .console_url = "https://levee.example",
                         .hostname = "audit-01"};
  lv_alerts *a = NULL;
  assert_int_equal(lv_alerts_new(o ? o : &d, p, &a), LEVEE_OK);
  return a;
}

static json_t *body_json(receiver *r, int i) {
  json_error_t err;
  pthread_mutex_lock(&r->mu);
  json_t *j = json_loadb(r->rec[i].body, r->rec[i].len, 0, &err);
  pthread_mutex_unlock(&r->mu);
  if (!j)
    fail_msg("body %d is not JSON: %s", i, err.text);
  return j;
}

static const char *jget(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v))
    fail_msg("%s is not a string", key);
  return json_string_value(v);
}

/* Polls stats until pred holds (or WAIT_MS). */
#define WAIT_STATS(a, st, pred)                                                \
  do {                                                                         \
    int64_t end_ = now_ms() + WAIT_MS;                                         \
    for (;;) {                                                                 \
      lv_alerts_stats_get((a), &(st));                                         \
      if ((pred) || now_ms() > end_)                                           \
        break;                                                                 \
      usleep(5000);                                                            \
    }                                                                          \
  } while (0)

static const char *const R1[] = {"r1", NULL};

/* --- tests ---------------------------------------------------------------- */

/* An alert reaches a webhook; the body says what the alert is about and
 * links the console; a verdict below alert sends nothing. */
static void test_webhook(void **state) {
  (void)state;
  receiver *rx = receiver_start(0);
  levee_policy *p = hook_policy(rx->port, "10m");
  lv_alerts *a = start(p, NULL);
  levee_policy_destroy(p); /* the dispatcher holds its own reference */
  sample s;
  make_sample(&s, "e0001", "zhangsan", R1);
  s.v.action = LEVEE_ACTION_ALLOW; /* nothing at alert or above */
  lv_alerts_submit(a, &s.ev, &s.v);
  s.v.action = LEVEE_ACTION_BLOCK;
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx, 1, WAIT_MS), 1);
  assert_string_equal(rx->rec[0].target, "/levee");
  json_t *j = body_json(rx, 0);
  assert_string_equal(jget(j, "kind"), "event");
  assert_string_equal(jget(j, "event_id"), "e0001");
  assert_string_equal(jget(j, "action"), "block");
  assert_string_equal(jget(j, "console_url"),
                      "https://levee.example/#/alerts/e0001");
  assert_string_equal(
      json_string_value(json_array_get(json_object_get(j, "rules"), 0)), "r1");
  assert_string_equal(
      json_string_value(json_array_get(json_object_get(j, "excerpts"), 0)),
      "机密★1年");
  assert_null(strstr(rx->rec[0].body, "FULL-MESSAGE-TEXT"));
  json_decref(j);
  lv_alerts_stats st;
  WAIT_STATS(a, st, st.delivered == 1 && st.pending == 0);
  assert_int_equal(st.submitted, 1);
  assert_int_equal(st.queued, 1);
  assert_int_equal(st.delivered, 1);
  assert_int_equal(st.pending, 0);
  assert_int_equal(st.windows, 1);
  lv_alerts_free(a, 1000);
  receiver_stop(rx);
}

/* Base64 HMAC-SHA256 by OpenSSL, to check levee's signatures. */
static void openssl_sign(const char *key, size_t kl, const char *msg, size_t ml,
                         char out[64]) {
  unsigned char mac[32];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key, (int)kl, (const unsigned char *)msg, ml, mac, &n);
  EVP_EncodeBlock((unsigned char *)out, mac, (int)n);
}

/* Reverses percent-encoding in place. */
static void unpercent(char *s) {
  char *o = s;
  for (; *s; s++) {
    if (*s == '%' && s[1] && s[2]) {
      char hex[3] = {s[1], s[2], 0};
      *o++ = (char)strtol(hex, NULL, 16);
      s += 2;
    } else
      *o++ = *s;
  }
  *o = '\0';
}

/* The five sink types, each to a real receiver. */
static void test_all_sinks(void **state) {
  (void)state;
  receiver *http = receiver_start(0), *udp = receiver_start(1),
           *tcp = receiver_start(2);
  http->answer = "{\"errcode\":0,\"errmsg\":\"ok\",\"code\":0,\"msg\":\"ok\"}";
  levee_policy *p = policy_of(
      "version: 1\n"
      "alerts:\n"
      "  default: [wx, ding, fs, hook, siem-udp, siem-tcp]\n"
      "  sinks:\n"
      "    wx: {type: wecom, url: \"http://127.0.0.1:%d/wecom?key=K\"}\n"
      "    ding: {type: dingtalk, url: "
      "\"http://127.0.0.1:%d/ding?access_token=T\", secret: SECabc}\n"
      "    fs: {type: feishu, url: \"http://127.0.0.1:%d/feishu\", "
      "secret: fsecret}\n"
      "    hook: {type: webhook, url: \"http://127.0.0.1:%d/hook\"}\n"
      "    siem-udp: {type: syslog, address: \"udp://127.0.0.1:%d\"}\n"
      "    siem-tcp: {type: syslog, address: \"tcp://127.0.0.1:%d\", "
      "facility: local4}\n"
      "rules:\n"
      "  - id: r1\n"
      "    match: {category: classified}\n"
      "    action: block\n",
      http->port, http->port, http->port, http->port, udp->port, tcp->port);
  lv_alerts *a = start(p, NULL);
  sample s;
  make_sample(&s, "e0001", "zhangsan", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(http, 4, WAIT_MS), 4);
  assert_int_equal(wait_records(udp, 1, WAIT_MS), 1);
  assert_int_equal(wait_records(tcp, 1, WAIT_MS), 1);
  int seen = 0;
  for (int i = 0; i < 4; i++) {
    const char *t = http->rec[i].target;
    json_t *j = body_json(http, i);
    if (!strcmp(t, "/wecom?key=K")) {
      seen |= 1;
      assert_string_equal(jget(j, "msgtype"), "markdown");
      const char *md = jget(json_object_get(j, "markdown"), "content");
      assert_non_null(strstr(md, "**事件**：e0001"));
      assert_non_null(strstr(md, "(https://levee.example/#/alerts/e0001)"));
    } else if (!strncmp(t, "/ding?access_token=T&timestamp=", 31)) {
      seen |= 2;
      char ts[32] = "", sign[128] = "";
      sscanf(t, "/ding?access_token=T&timestamp=%31[0-9]&sign=%127s", ts, sign);
      unpercent(sign);
      char msg[128], want[64];
      int ml = snprintf(msg, sizeof msg, "%s\nSECabc", ts);
      openssl_sign("SECabc", 6, msg, (size_t)ml, want);
      assert_string_equal(sign, want);
      int64_t when = strtoll(ts, NULL, 10);
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      assert_true(llabs(when - (int64_t)now.tv_sec * 1000) < 60000);
      assert_string_equal(jget(j, "msgtype"), "markdown");
      assert_string_equal(jget(json_object_get(j, "markdown"), "title"),
                          "levee 告警：拦截 block（严重 critical）");
    } else if (!strcmp(t, "/feishu")) {
      seen |= 4;
      const char *ts = jget(j, "timestamp");
      char key[128], want[64];
      int kl = snprintf(key, sizeof key, "%s\nfsecret", ts);
      openssl_sign(key, (size_t)kl, "", 0, want);
      assert_string_equal(jget(j, "sign"), want);
      assert_string_equal(jget(j, "msg_type"), "interactive");
    } else if (!strcmp(t, "/hook")) {
      seen |= 8;
      assert_string_equal(jget(j, "event_id"), "e0001");
    } else
      fail_msg("unexpected target %s", t);
    json_decref(j);
  }
  assert_int_equal(seen, 15);
  /* syslog over UDP: auth (4) * 8 + Critical (2) */
  const char *m = udp->rec[0].body;
  assert_true(!strncmp(m, "<34>1 ", 6));
  assert_non_null(strstr(m, " audit-01 levee "));
  assert_non_null(strstr(m, " block [levee@32473 kind=\"event\" "
                            "event=\"e0001\" "));
  assert_non_null(strstr(m, "] \xEF\xBB\xBF"
                            "block critical: event e0001"));
  /* over TCP, framed by octet counting: local4 (20) * 8 + 2 */
  m = tcp->rec[0].body;
  assert_true(!strncmp(m, "<162>1 ", 7));
  assert_int_equal(tcp->rec[0].len, strlen(m));
  assert_non_null(strstr(m, "excerpts: 机密★1年"));
  lv_alerts_stats st;
  WAIT_STATS(a, st, st.delivered == 6);
  assert_int_equal(st.delivered, 6);
  assert_int_equal(st.submitted, 6);
  lv_buf mt;
  lv_buf_init(&mt, 1 << 20);
  assert_int_equal(lv_alerts_metrics_text(a, &mt), LEVEE_OK);
  assert_non_null(strstr(mt.data, "\nlevee_alerts_delivered_total 6\n"));
  assert_non_null(strstr(
      mt.data, "\nlevee_alerts_sink_delivered_total{sink=\"ding\"} 1\n"));
  assert_non_null(strstr(
      mt.data, "\nlevee_alerts_sink_delivered_total{sink=\"siem-tcp\"} 1\n"));
  /* Every sample line is a name, an optional sink label and a number. */
  for (char *line = strtok(mt.data, "\n"); line; line = strtok(NULL, "\n")) {
    if (line[0] == '#')
      continue;
    char name[128], rest[128];
    unsigned long long v;
    assert_true(sscanf(line, "levee_alerts_%127[a-z_]%127s", name, rest) >= 1);
    const char *num = strrchr(line, ' ');
    assert_non_null(num);
    assert_int_equal(sscanf(num, " %llu", &v), 1);
  }
  lv_buf_cleanup(&mt);
  lv_alerts_free(a, 1000);
  levee_policy_destroy(p);
  receiver_stop(http);
  receiver_stop(udp);
  receiver_stop(tcp);
}

/* A receiver that answers 500 twice, then 200: three attempts, spaced by
 * the backoff, the same body each time. */
static void test_retries(void **state) {
  (void)state;
  receiver *rx = receiver_start(0);
  rx->script[0] = rx->script[1] = 500;
  rx->n_script = 2;
  levee_policy *p = hook_policy(rx->port, "10m");
  lv_alerts *a = start(p, NULL);
  sample s;
  make_sample(&s, "e0001", "zhangsan", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx, 3, WAIT_MS), 3);
  lv_alerts_stats st;
  WAIT_STATS(a, st, st.delivered == 1);
  assert_int_equal(st.delivered, 1);
  assert_int_equal(st.retried, 2);
  assert_int_equal(st.failed, 0);
  assert_int_equal(st.pending, 0);
  assert_string_equal(rx->rec[0].body, rx->rec[2].body);
  /* backoff 20 ms, then 40 ms, each drawn from its upper half */
  assert_true(rx->rec[1].at_ms - rx->rec[0].at_ms >= 10);
  assert_true(rx->rec[2].at_ms - rx->rec[1].at_ms >= 20);
  usleep(100000);
  assert_int_equal(count_records(rx), 3);
  lv_buf u;
  lv_buf_init(&u, 1 << 20);
  assert_int_equal(lv_alerts_undelivered_json(a, 0, &u), LEVEE_OK);
  assert_string_equal(u.data, "[]");
  lv_buf_cleanup(&u);
  lv_alerts_free(a, 1000);
  levee_policy_destroy(p);
  receiver_stop(rx);
}

/* A sink that is down: submit returns at once, the attempts are made and
 * the alert is counted failed and listed with its last error. A robot's
 * refusal fails at once, without retries. */
static void test_down_sink(void **state) {
  (void)state;
  receiver *rx = receiver_start(0);
  rx->answer = "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}";
  levee_policy *p = policy_of("version: 1\n"
                              "alerts:\n"
                              "  default: [hook]\n"
                              "  sinks:\n"
                              "    hook: {type: webhook, url: "
                              "\"http://127.0.0.1:%d/levee\"}\n"
                              "    wx: {type: wecom, url: "
                              "\"http://127.0.0.1:%d/wecom\"}\n"
                              "rules:\n"
                              "  - id: r1\n"
                              "    match: {category: classified}\n"
                              "    action: block\n"
                              "    notify: [hook, wx]\n",
                              dead_port(), rx->port);
  lv_alerts_options o = {.max_attempts = 3,
                         .backoff_ms_first = 10,
                         .backoff_ms_max = 20,
                         .timeout_ms = 2000};
  lv_alerts *a = start(p, &o);
  sample s;
  make_sample(&s, "e0001", "zhangsan", R1);
  int64_t t0 = lv_now_us();
  lv_alerts_submit(a, &s.ev, &s.v);
  int64_t took = lv_now_us() - t0;
  assert_true(took < 50000);
  lv_alerts_stats st;
  WAIT_STATS(a, st, st.failed == 2);
  assert_int_equal(st.failed, 2);
  assert_int_equal(st.delivered, 0);
  assert_int_equal(st.retried, 2); /* the dead one's; not the refusal */
  assert_int_equal(count_records(rx), 1);
  lv_buf u;
  lv_buf_init(&u, 1 << 20);
  assert_int_equal(lv_alerts_undelivered_json(a, 0, &u), LEVEE_OK);
  json_error_t err;
  json_t *j = json_loads(u.data, 0, &err);
  assert_non_null(j);
  assert_int_equal(json_array_size(j), 2);
  int dead = 0, refused = 0;
  for (size_t i = 0; i < 2; i++) {
    json_t *e = json_array_get(j, i);
    assert_string_equal(jget(e, "reason"), "failed");
    assert_string_equal(jget(e, "event_id"), "e0001");
    assert_string_equal(jget(e, "sender_id"), "zhangsan");
    assert_string_equal(jget(e, "time"), "2023-11-14T22:13:20.123Z");
    if (!strcmp(jget(e, "sink"), "hook")) {
      dead = 1;
      assert_int_equal(json_integer_value(json_object_get(e, "attempts")), 3);
      assert_true(strlen(jget(e, "error")) > 0);
    } else {
      refused = 1;
      assert_string_equal(jget(e, "sink_type"), "wecom");
      assert_int_equal(json_integer_value(json_object_get(e, "attempts")), 1);
      assert_string_equal(jget(e, "error"),
                          "errcode 93000: invalid webhook url");
    }
  }
  assert_true(dead && refused);
  json_decref(j);
  lv_buf_reset(&u);
  assert_int_equal(lv_alerts_metrics_text(a, &u), LEVEE_OK);
  assert_non_null(
      strstr(u.data, "\nlevee_alerts_sink_failed_total{sink=\"hook\"} 1\n"));
  assert_non_null(
      strstr(u.data, "\nlevee_alerts_sink_retried_total{sink=\"hook\"} 2\n"));
  lv_buf_cleanup(&u);
  lv_alerts_free(a, 1000);
  levee_policy_destroy(p);
  receiver_stop(rx);
}

/* A sink that takes requests and never answers holds one delivery thread
 * and its share of the queue: the healthy sink beside it still gets every
 * alert, submit never waits, and stopping cancels the hung attempt. */
static void test_hanging_sink(void **state) {
  (void)state;
  receiver *slow = receiver_start(0), *fast = receiver_start(0);
  slow->hang = 1;
  levee_policy *p = policy_of("version: 1\n"
                              "alerts:\n"
                              "  window: 0\n"
                              "  default: [slow, fast]\n"
                              "  sinks:\n"
                              "    slow: {type: webhook, url: "
                              "\"http://127.0.0.1:%d/slow\"}\n"
                              "    fast: {type: webhook, url: "
                              "\"http://127.0.0.1:%d/fast\"}\n"
                              "rules:\n"
                              "  - id: r1\n"
                              "    match: {category: classified}\n"
                              "    action: block\n",
                              slow->port, fast->port);
  lv_alerts_options o = {.queue_max = 8,
                         .threads = 2,
                         .backoff_ms_first = 10,
                         .backoff_ms_max = 20,
                         .timeout_ms = 30000};
  lv_alerts *a = start(p, &o);
  int64_t worst = 0;
  for (int i = 0; i < 10; i++) {
    sample s;
    char id[16];
    snprintf(id, sizeof id, "e%d", i);
    make_sample(&s, id, "zhangsan", R1);
    int64_t t0 = lv_now_us();
    lv_alerts_submit(a, &s.ev, &s.v);
    int64_t took = lv_now_us() - t0;
    worst = took > worst ? took : worst;
    assert_int_equal(wait_records(fast, i + 1, WAIT_MS), i + 1);
  }
  assert_true(worst < 50000);
  assert_int_equal(wait_records(slow, 1, WAIT_MS), 1);
  usleep(50000);
  assert_int_equal(count_records(slow), 1); /* one attempt at a time */
  lv_alerts_stats st;
  WAIT_STATS(a, st, st.delivered == 10);
  assert_int_equal(st.delivered, 10);
  /* slow: 1 in flight + 3 waiting = its share (8 / 2); 6 dropped */
  assert_int_equal(st.dropped, 6);
  assert_int_equal(st.pending, 4);
  int64_t t0 = now_ms();
  lv_alerts_stop(a, 100);
  int64_t took = now_ms() - t0;
  assert_true(took < 3000); /* not the 30 s of the attempt's timeout */
  lv_alerts_stats_get(a, &st);
  assert_int_equal(st.dropped, 10);
  assert_int_equal(st.pending, 0);
  assert_int_equal(st.delivered, 10);
  lv_buf u;
  lv_buf_init(&u, 1 << 20);
  assert_int_equal(lv_alerts_undelivered_json(a, 3, &u), LEVEE_OK);
  json_error_t err;
  json_t *j = json_loads(u.data, 0, &err);
  assert_int_equal(json_array_size(j), 3);
  for (size_t i = 0; i < 3; i++) {
    json_t *e = json_array_get(j, i);
    assert_string_equal(jget(e, "sink"), "slow");
    assert_string_equal(jget(e, "reason"), "dropped");
    assert_non_null(strstr(jget(e, "error"), "levee stopped before it was"));
  }
  json_decref(j);
  /* after stop: counted, never queued */
  sample s;
  make_sample(&s, "late", "zhangsan", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  lv_alerts_stats_get(a, &st);
  assert_int_equal(st.dropped, 12);
  lv_buf_cleanup(&u);
  lv_alerts_free(a, 0);
  levee_policy_destroy(p);
  receiver_stop(slow);
  receiver_stop(fast);
}

/* A full queue drops and counts, newest first in the list; submit never
 * waits. */
static void test_full_queue(void **state) {
  (void)state;
  receiver *rx = receiver_start(0);
  rx->hang = 1;
  levee_policy *p = hook_policy(rx->port, "10m");
  lv_alerts_options o = {.queue_max = 2, .threads = 1, .timeout_ms = 30000};
  lv_alerts *a = start(p, &o);
  int64_t t0 = lv_now_us();
  for (int i = 0; i < 10; i++) {
    sample s;
    char id[16], sender[16];
    snprintf(id, sizeof id, "e%d", i);
    snprintf(sender, sizeof sender, "u%d", i); /* no aggregation */
    make_sample(&s, id, sender, R1);
    lv_alerts_submit(a, &s.ev, &s.v);
  }
  int64_t took = lv_now_us() - t0;
  assert_true(took < 100000);
  lv_alerts_stats st;
  lv_alerts_stats_get(a, &st);
  assert_int_equal(st.submitted, 10);
  assert_int_equal(st.queued, 2);
  assert_int_equal(st.dropped, 8);
  assert_int_equal(st.pending, 2);
  lv_buf u;
  lv_buf_init(&u, 1 << 20);
  assert_int_equal(lv_alerts_undelivered_json(a, 2, &u), LEVEE_OK);
  json_error_t err;
  json_t *j = json_loads(u.data, 0, &err);
  assert_int_equal(json_array_size(j), 2);
  assert_string_equal(jget(json_array_get(j, 0), "event_id"), "e9");
  assert_string_equal(jget(json_array_get(j, 1), "event_id"), "e8");
  assert_string_equal(jget(json_array_get(j, 0), "error"),
                      "the alert queue was full");
  assert_int_equal(
      json_integer_value(json_object_get(json_array_get(j, 0), "attempts")), 0);
  json_decref(j);
  lv_buf_cleanup(&u);
  lv_alerts_free(a, 0);
  levee_policy_destroy(p);
  receiver_stop(rx);
}

/* The same sender and rule within the window: the first is sent at once,
 * the rest counted, and one follow-up with the count and the last event
 * when the window closes. Other senders and rules are their own. */
static void test_aggregation(void **state) {
  (void)state;
  receiver *rx = receiver_start(0);
  levee_policy *p = hook_policy(rx->port, "400ms");
  lv_alerts *a = start(p, NULL);
  sample s;
  for (int i = 1; i <= 5; i++) {
    char id[16];
    snprintf(id, sizeof id, "e%d", i);
    make_sample(&s, id, "zhangsan", R1);
    lv_alerts_submit(a, &s.ev, &s.v);
  }
  make_sample(&s, "other", "lisi", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  /* zhangsan again, with r1 (counted) and r2 (its own window): sent, with
   * r2 only */
  static const char *const R12[] = {"r1", "r2", NULL};
  make_sample(&s, "two", "zhangsan", R12);
  s.f[1].category = "pii.cn_mobile";
  s.f[1].excerpt = "138****5678";
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx, 3, WAIT_MS), 3);
  lv_alerts_stats st;
  lv_alerts_stats_get(a, &st);
  assert_int_equal(st.submitted, 7);
  assert_int_equal(st.aggregated, 4);
  assert_int_equal(st.windows, 3);
  json_t *j = body_json(rx, 0);
  assert_string_equal(jget(j, "event_id"), "e1");
  json_decref(j);
  j = body_json(rx, 2);
  assert_string_equal(jget(j, "event_id"), "two");
  json_t *rules = json_object_get(j, "rules");
  assert_int_equal(json_array_size(rules), 1);
  assert_string_equal(json_string_value(json_array_get(rules, 0)), "r2");
  assert_int_equal(json_array_size(json_object_get(j, "excerpts")), 1);
  json_decref(j);
  /* the follow-up, once the window closes: 5 more (e2..e5 and two's r1) */
  assert_int_equal(wait_records(rx, 4, WAIT_MS), 4);
  j = body_json(rx, 3);
  assert_string_equal(jget(j, "kind"), "summary");
  assert_int_equal(json_integer_value(json_object_get(j, "count")), 5);
  assert_string_equal(jget(j, "event_id"), "two");
  assert_int_equal(json_integer_value(json_object_get(j, "window_ms")), 400);
  rules = json_object_get(j, "rules");
  assert_int_equal(json_array_size(rules), 1);
  assert_string_equal(json_string_value(json_array_get(rules, 0)), "r1");
  json_decref(j);
  WAIT_STATS(a, st, st.windows == 0);
  assert_int_equal(st.windows, 0);
  assert_int_equal(st.summaries, 1);
  usleep(100000);
  assert_int_equal(count_records(rx), 4); /* windows with no count: none */
  /* A new window after the old one closed: sent at once again. */
  make_sample(&s, "e6", "zhangsan", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx, 5, WAIT_MS), 5);
  lv_alerts_free(a, 1000);
  levee_policy_destroy(p);

  /* Window 0: every alert is sent; no sender: never aggregated. */
  p = hook_policy(rx->port, "0");
  a = start(p, NULL);
  for (int i = 0; i < 3; i++) {
    make_sample(&s, "w0", "zhangsan", R1);
    lv_alerts_submit(a, &s.ev, &s.v);
  }
  assert_int_equal(wait_records(rx, 8, WAIT_MS), 8);
  lv_alerts_free(a, 1000);
  levee_policy_destroy(p);
  p = hook_policy(rx->port, "10m");
  a = start(p, NULL);
  for (int i = 0; i < 3; i++) {
    make_sample(&s, "anon", NULL, R1);
    s.ev.sender.name = (levee_str){NULL, 0};
    lv_alerts_submit(a, &s.ev, &s.v);
  }
  assert_int_equal(wait_records(rx, 11, WAIT_MS), 11);
  /* ... a sender known by name only is aggregated by it */
  for (int i = 0; i < 3; i++) {
    make_sample(&s, "named", NULL, R1);
    lv_alerts_submit(a, &s.ev, &s.v);
  }
  WAIT_STATS(a, st, st.delivered == 4);
  assert_int_equal(st.aggregated, 2);
  /* stopping closes the open window: its follow-up goes out in the grace */
  lv_alerts_stop(a, 3000);
  lv_alerts_stats_get(a, &st);
  assert_int_equal(st.summaries, 1);
  assert_int_equal(st.delivered, 5);
  assert_int_equal(count_records(rx), 13);
  lv_alerts_free(a, 0);
  levee_policy_destroy(p);
  receiver_stop(rx);
}

/* notify, default, notify: [] and findings below alert. */
static void test_routing(void **state) {
  (void)state;
  receiver *rx = receiver_start(0);
  levee_policy *p = policy_of("version: 1\n"
                              "alerts:\n"
                              "  default: [b]\n"
                              "  sinks:\n"
                              "    a: {type: webhook, url: "
                              "\"http://127.0.0.1:%d/a\"}\n"
                              "    b: {type: webhook, url: "
                              "\"http://127.0.0.1:%d/b\", excerpts: false}\n"
                              "rules:\n"
                              "  - id: r-notify\n"
                              "    match: {category: classified}\n"
                              "    action: block\n"
                              "    notify: [a]\n"
                              "  - id: r-default\n"
                              "    match: {category: pii}\n"
                              "    action: alert\n"
                              "  - id: r-none\n"
                              "    match: {category: finance}\n"
                              "    action: alert\n"
                              "    notify: []\n"
                              "  - id: r-allow\n"
                              "    match: {category: conduct}\n"
                              "    action: allow\n"
                              "    notify: [a]\n",
                              rx->port, rx->port);
  lv_alerts *a = start(p, NULL);
  static const char *const RULES[] = {"r-notify", "r-default", "r-none",
                                      "r-allow", NULL};
  sample s;
  make_sample(&s, "e1", "zhangsan", RULES);
  s.f[3].action = LEVEE_ACTION_ALLOW;
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx, 2, WAIT_MS), 2);
  usleep(100000);
  assert_int_equal(count_records(rx), 2);
  for (int i = 0; i < 2; i++) {
    json_t *j = body_json(rx, i);
    json_t *rules = json_object_get(j, "rules");
    assert_int_equal(json_array_size(rules), 1);
    const char *r = json_string_value(json_array_get(rules, 0));
    if (!strcmp(rx->rec[i].target, "/a")) {
      assert_string_equal(r, "r-notify");
      assert_int_equal(json_array_size(json_object_get(j, "excerpts")), 1);
    } else {
      assert_string_equal(rx->rec[i].target, "/b");
      assert_string_equal(r, "r-default");
      assert_int_equal(json_array_size(json_object_get(j, "excerpts")), 0);
    }
    json_decref(j);
  }
  /* a rule the policy does not know (an engine of another policy): the
   * default sinks */
  static const char *const UNKNOWN[] = {"not-in-policy", NULL};
  make_sample(&s, "e2", "zhangsan", UNKNOWN);
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx, 3, WAIT_MS), 3);
  assert_string_equal(rx->rec[2].target, "/b");
  lv_alerts_free(a, 1000);
  levee_policy_destroy(p);
  receiver_stop(rx);
}

/* A hot swap while an alert waits to be retried: that alert goes where it
 * was routed, the next ones where the new policy says, and a window's
 * follow-up to the new policy's sink of its name. */
static void test_policy_swap(void **state) {
  (void)state;
  receiver *rx1 = receiver_start(0), *rx2 = receiver_start(0);
  rx1->script[0] = 503;
  rx1->n_script = 1;
  levee_policy *p1 = hook_policy(rx1->port, "500ms");
  lv_alerts_options o = {.backoff_ms_first = 200, .backoff_ms_max = 200};
  lv_alerts *a = start(p1, &o);
  levee_policy_destroy(p1); /* only the dispatcher holds it now */
  sample s;
  make_sample(&s, "e1", "zhangsan", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  make_sample(&s, "e2", "zhangsan", R1); /* counted in e1's window */
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx1, 1, WAIT_MS), 1); /* the 503 */
  levee_policy *p2 = hook_policy(rx2->port, "500ms");
  lv_alerts_set_policy(a, p2);
  levee_policy_destroy(p2);
  make_sample(&s, "e3", "wangwu", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  assert_int_equal(wait_records(rx1, 2, WAIT_MS), 2); /* the retry */
  json_t *j = body_json(rx1, 1);
  assert_string_equal(jget(j, "event_id"), "e1");
  json_decref(j);
  /* e3, then the follow-up of zhangsan's window (count 1, last e2) */
  assert_int_equal(wait_records(rx2, 2, WAIT_MS), 2);
  j = body_json(rx2, 0);
  assert_string_equal(jget(j, "event_id"), "e3");
  json_decref(j);
  j = body_json(rx2, 1);
  assert_string_equal(jget(j, "kind"), "summary");
  assert_string_equal(jget(j, "event_id"), "e2");
  assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
  json_decref(j);
  /* a policy without sinks: nothing is routed */
  lv_alerts_set_policy(a, NULL);
  make_sample(&s, "e4", "zhaoliu", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  lv_alerts_stats st;
  WAIT_STATS(a, st, st.windows == 0 && st.pending == 0);
  assert_int_equal(st.submitted, 3);
  lv_alerts_free(a, 1000);
  assert_int_equal(count_records(rx1), 2);
  assert_int_equal(count_records(rx2), 2);
  receiver_stop(rx1);
  receiver_stop(rx2);
}

static void test_options(void **state) {
  (void)state;
  lv_alerts *a = (lv_alerts *)&a, *const before = a;
  lv_alerts_options o = {.queue_max = LV_ALERT_QUEUE_MAX + 1};
  assert_int_equal(lv_alerts_new(&o, NULL, &a), LEVEE_EINVAL);
  o = (lv_alerts_options){.threads = LV_ALERT_MAX_THREADS + 1};
  assert_int_equal(lv_alerts_new(&o, NULL, &a), LEVEE_EINVAL);
  o = (lv_alerts_options){.backoff_ms_first = 100, .backoff_ms_max = 10};
  assert_int_equal(lv_alerts_new(&o, NULL, &a), LEVEE_EINVAL);
  char url[LV_ALERTS_CONSOLE_URL_BYTES + 2];
  memset(url, 'h', sizeof url - 1);
  memcpy(url, "https://", 8);
  url[sizeof url - 1] = '\0';
  o = (lv_alerts_options){.console_url = url};
  assert_int_equal(lv_alerts_new(&o, NULL, &a), LEVEE_EINVAL);
  static const char *const bad[] = {"ftp://h", "https://h/a b",
                                    "https://h/)[x](y", "https://h/\xe4",
                                    "levee.example"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    o = (lv_alerts_options){.console_url = bad[i]};
    assert_int_equal(lv_alerts_new(&o, NULL, &a), LEVEE_EINVAL);
  }
  assert_ptr_equal(a, before);
  /* No policy, defaults: nothing routed, and it stops at once. */
  assert_int_equal(lv_alerts_new(NULL, NULL, &a), LEVEE_OK);
  sample s;
  make_sample(&s, "e1", "zhangsan", R1);
  lv_alerts_submit(a, &s.ev, &s.v);
  lv_alerts_submit(a, NULL, &s.v);
  lv_alerts_submit(a, &s.ev, NULL);
  lv_alerts_stats st;
  lv_alerts_stats_get(a, &st);
  assert_int_equal(st.submitted, 0);
  lv_alerts_stop(a, 1000);
  lv_alerts_stop(a, 1000);
  lv_alerts_free(a, 1000);
  lv_alerts_free(NULL, 0);
}

int main(void) {
  /* Receivers are on loopback: no proxy of the environment in between. */
  static const char *const proxies[] = {"http_proxy",  "HTTP_PROXY",
                                        "https_proxy", "HTTPS_PROXY",
                                        "all_proxy",   "ALL_PROXY"};
  for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++)
    unsetenv(proxies[i]);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_webhook),      cmocka_unit_test(test_all_sinks),
      cmocka_unit_test(test_retries),      cmocka_unit_test(test_down_sink),
      cmocka_unit_test(test_hanging_sink), cmocka_unit_test(test_full_queue),
      cmocka_unit_test(test_aggregation),  cmocka_unit_test(test_routing),
      cmocka_unit_test(test_policy_swap),  cmocka_unit_test(test_options),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
