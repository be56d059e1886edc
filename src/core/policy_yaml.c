/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_yaml.c: reading a policy from YAML (libyaml's document API) into the
 * model of policy.h, with a clear message and line number for every mistake.
 * The format is documented in docs/POLICY.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/policy.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

extern const unsigned char lv_data_default_policy[];
extern const size_t lv_data_default_policy_len;

/* Categories a rule may name: the taxonomy of spec/interface.md section 3,
 * and levee's addition attachment.unreadable (docs/POLICY.md). Prefixes
 * ("pii") and "*" are accepted too. */
static const char *const known_categories[] = {
    "classified.marking",
    "classified.document",
    "classified.image",
    "confidential.marking",
    "finance.statement",
    "pii.cn_resident_id",
    "pii.cn_mobile",
    "pii.bank_card",
    "pii.cn_uscc",
    "pii.cn_passport",
    "pii.email",
    "pii.health",
    "conduct.abusive",
    "conduct.order_diversion",
    "conduct.unanswered",
    "phishing",
    "keyword",
    "dbop",
    "attachment.unreadable",
};

typedef struct loader {
  yaml_document_t doc;
  levee_policy *p;
  const char *origin;
  levee_file_reader reader;
  void *reader_ud;
  levee_error *err;
  int rc;
} loader;

static int fail(loader *L, yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(loader *L, yaml_node_t *at, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (at)
    lv_error_set(L->err, LEVEE_EPOLICY, "%s:%zu: %s", L->origin,
                 at->start_mark.line + 1, msg);
  else
    lv_error_set(L->err, LEVEE_EPOLICY, "%s: %s", L->origin, msg);
  L->rc = LEVEE_EPOLICY;
  return LEVEE_EPOLICY;
}

static yaml_node_t *node(loader *L, int id) {
  return yaml_document_get_node(&L->doc, id);
}

static const char *scalar(yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                          : NULL;
}

static int want_scalar(loader *L, yaml_node_t *n, const char *what,
                       const char **out) {
  const char *s = scalar(n);
  if (!s)
    return fail(L, n, "%s must be a single value", what);
  *out = s;
  return LEVEE_OK;
}

static int dup_str(loader *L, const char *s, char **out) {
  if (!(*out = strdup(s))) {
    L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
    return L->rc;
  }
  return LEVEE_OK;
}

static int parse_bool(loader *L, yaml_node_t *n, const char *what, int *out) {
  const char *s;
  if (want_scalar(L, n, what, &s))
    return L->rc;
  if (!strcmp(s, "true") || !strcmp(s, "yes"))
    *out = 1;
  else if (!strcmp(s, "false") || !strcmp(s, "no"))
    *out = 0;
  else
    return fail(L, n, "%s must be true or false, not '%s'", what, s);
  return LEVEE_OK;
}

/* A scalar or a sequence of scalars. */
static int parse_strlist(loader *L, yaml_node_t *n, const char *what,
                         lv_strlist *out) {
  if (n->type == YAML_SCALAR_NODE) {
    if (!(out->v = calloc(1, sizeof *out->v)))
      return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
    out->n = 1;
    return dup_str(L, scalar(n), &out->v[0]);
  }
  if (n->type != YAML_SEQUENCE_NODE)
    return fail(L, n, "%s must be a value or a list of values", what);
  size_t cnt =
      (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
  if (cnt == 0)
    return fail(L, n, "%s must not be an empty list", what);
  if (!(out->v = calloc(cnt, sizeof *out->v)))
    return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
  for (yaml_node_item_t *it = n->data.sequence.items.start;
       it < n->data.sequence.items.top; it++) {
    const char *s;
    if (want_scalar(L, node(L, *it), what, &s) ||
        dup_str(L, s, &out->v[out->n]))
      return L->rc;
    out->n++;
  }
  return LEVEE_OK;
}

static int category_known(const levee_policy *p, const char *c) {
  if (!strcmp(c, "*"))
    return 1;
  char tmp[128];
  size_t n = strlen(c);
  if (n >= sizeof tmp)
    return 0;
  memcpy(tmp, c, n + 1);
  if (n >= 2 && !strcmp(tmp + n - 2, ".*"))
    tmp[n - 2] = '\0';
  if (!strncmp(tmp, "keyword.", 8)) {
    for (size_t i = 0; i < p->n_lists; i++)
      if (!strcmp(p->lists[i].name, tmp + 8))
        return 1;
    return 0;
  }
  for (size_t i = 0; i < sizeof known_categories / sizeof *known_categories;
       i++) {
    const char *k = known_categories[i];
    size_t kl = strlen(k), tl = strlen(tmp);
    /* exact, a prefix of a known category at a dot, or under an open family */
    if (!strcmp(k, tmp) || (tl < kl && !strncmp(k, tmp, tl) && k[tl] == '.') ||
        (!strchr(k, '.') && !strncmp(tmp, k, kl) && tmp[kl] == '.'))
      return 1;
  }
  return 0;
}

/* A key given twice in one mapping is a mistake (and the second would
 * silently win): refuse it. */
static int no_duplicate_keys(loader *L, yaml_node_t *map) {
  for (yaml_node_pair_t *a = map->data.mapping.pairs.start;
       a < map->data.mapping.pairs.top; a++) {
    const char *ka = scalar(node(L, a->key));
    if (!ka)
      continue;
    for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++) {
      const char *kb = scalar(node(L, b->key));
      if (kb && !strcmp(ka, kb))
        return fail(L, node(L, a->key), "'%s' is given twice", ka);
    }
  }
  return LEVEE_OK;
}

#define FOR_PAIRS(L, map, pair)                                                \
  for (yaml_node_pair_t *pair = (map)->data.mapping.pairs.start;               \
       pair < (map)->data.mapping.pairs.top; pair++)

/* --- the database guard's matches (docs/POLICY.md "The database guard") -- */

/* client_address: an address range or a list of them ("10.8.0.0/16"). */
static int parse_addresses(loader *L, yaml_node_t *v, lv_rule *r) {
  lv_strlist l = {0};
  int rc = parse_strlist(L, v, "match.client_address", &l);
  if (!rc && !(r->client_addresses = calloc(l.n, sizeof *r->client_addresses)))
    rc = L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
  for (size_t i = 0; !rc && i < l.n; i++, r->n_client_addresses++)
    if (lv_cidr_parse(l.v[i], &r->client_addresses[i]))
      rc = fail(L, v,
                "rule '%s': client_address must be an address or a range "
                "with its host bits zero (\"10.8.0.0/16\", \"fd00::/8\"), "
                "not '%s'",
                r->id, l.v[i]);
  for (size_t i = 0; i < l.n; i++)
    free(l.v[i]);
  free(l.v);
  return rc;
}

/* "HH:MM", minutes after midnight, or -1. */
static int clock_minutes(const char *s, size_t n) {
  if (n != 5 || s[2] != ':')
    return -1;
  for (size_t i = 0; i < 5; i++)
    if (i != 2 && (s[i] < '0' || s[i] > '9'))
      return -1;
  int h = (s[0] - '0') * 10 + (s[1] - '0'),
      m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m))
    return -1;
  return h * 60 + m;
}

/* hours: "HH:MM-HH:MM", the guard's local time; "22:00-06:00" wraps. */
static int parse_hours(loader *L, yaml_node_t *v, lv_rule *r) {
  const char *s;
  if (want_scalar(L, v, "match.hours", &s))
    return L->rc;
  const char *dash = strchr(s, '-');
  int from = dash ? clock_minutes(s, (size_t)(dash - s)) : -1;
  int to = dash ? clock_minutes(dash + 1, strlen(dash + 1)) : -1;
  if (from < 0 || to < 0 || from == to || from == 1440)
    return fail(L, v,
                "rule '%s': hours must be \"HH:MM-HH:MM\" (\"09:00-18:00\", "
                "or \"22:00-06:00\" past midnight), not '%s'",
                r->id, s);
  r->hours_from = from;
  r->hours_to = to;
  return LEVEE_OK;
}

/* days: [mon, tue, ...] or a range "mon-fri". */
static int parse_weekdays(loader *L, yaml_node_t *v, lv_rule *r) {
  static const char *const names[] = {"mon", "tue", "wed", "thu",
                                      "fri", "sat", "sun"};
  lv_strlist l = {0};
  int rc = parse_strlist(L, v, "match.days", &l);
  for (size_t i = 0; !rc && i < l.n; i++) {
    const char *d = l.v[i];
    int a = -1, b = -1;
    for (int k = 0; k < 7; k++) {
      if (!strncasecmp(d, names[k], 3))
        a = k;
      if (strlen(d) == 7 && d[3] == '-' && !strncasecmp(d + 4, names[k], 3))
        b = k;
    }
    if (strlen(d) == 3 && a >= 0)
      b = a;
    else if (strlen(d) != 7 || d[3] != '-')
      a = -1;
    if (a < 0 || b < 0)
      rc = fail(L, v,
                "rule '%s': days must name days (mon tue wed thu fri sat "
                "sun) or a range (\"mon-fri\"), not '%s'",
                r->id, d);
    for (int k = a; !rc; k = (k + 1) % 7) {
      r->days |= 1u << k;
      if (k == b)
        break;
    }
  }
  for (size_t i = 0; i < l.n; i++)
    free(l.v[i]);
  free(l.v);
  return rc;
}

static int parse_match(loader *L, yaml_node_t *m, lv_rule *r) {
  if (m->type != YAML_MAPPING_NODE)
    return fail(L, m, "rule '%s': match must be a mapping", r->id);
  if (no_duplicate_keys(L, m))
    return L->rc;
  FOR_PAIRS(L, m, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k);
    if (!key)
      return fail(L, k, "rule '%s': match keys must be names", r->id);
    if (!strcmp(key, "category"))
      parse_strlist(L, v, "match.category", &r->categories);
    else if (!strcmp(key, "channel"))
      parse_strlist(L, v, "match.channel", &r->channels);
    else if (!strcmp(key, "conversation"))
      parse_strlist(L, v, "match.conversation", &r->conversation_types);
    else if (!strcmp(key, "sender_role"))
      parse_strlist(L, v, "match.sender_role", &r->sender_roles);
    else if (!strcmp(key, "sender_dept"))
      parse_strlist(L, v, "match.sender_dept", &r->sender_depts);
    else if (!strcmp(key, "external")) {
      int b;
      if (!parse_bool(L, v, "match.external", &b))
        r->external = b;
    } else if (!strcmp(key, "db_user"))
      parse_strlist(L, v, "match.db_user", &r->db_users);
    else if (!strcmp(key, "database"))
      parse_strlist(L, v, "match.database", &r->databases);
    else if (!strcmp(key, "client_address"))
      parse_addresses(L, v, r);
    else if (!strcmp(key, "hours"))
      parse_hours(L, v, r);
    else if (!strcmp(key, "days"))
      parse_weekdays(L, v, r);
    else
      return fail(L, k,
                  "rule '%s': unknown match key '%s' (known: category, "
                  "channel, conversation, external, sender_role, "
                  "sender_dept, db_user, database, client_address, hours, "
                  "days)",
                  r->id, key);
    if (L->rc)
      return L->rc;
  }
  for (size_t i = 0; i < r->conversation_types.n; i++) {
    const char *t = r->conversation_types.v[i];
    if (strcmp(t, "group") && strcmp(t, "direct") && strcmp(t, "channel"))
      return fail(L, m,
                  "rule '%s': conversation must be group, direct or "
                  "channel, not '%s'",
                  r->id, t);
  }
  return LEVEE_OK;
}

/* --- alerts: where alerts go (docs/POLICY.md "Alerts") ------------------- */

/* Sink names: a list of names that alerts.sinks defines. `what` names the
 * list in messages. An empty list is allowed (notify: [] means none). */
static int parse_sink_names(loader *L, yaml_node_t *n, const char *what,
                            lv_strlist *out) {
  if (n->type == YAML_SEQUENCE_NODE &&
      n->data.sequence.items.top == n->data.sequence.items.start)
    return LEVEE_OK;
  if (parse_strlist(L, n, what, out))
    return L->rc;
  for (size_t i = 0; i < out->n; i++)
    if (!lv_policy_sink(L->p, out->v[i]))
      return fail(L, n,
                  "%s names the sink '%s', which alerts.sinks does not "
                  "define",
                  what, out->v[i]);
  return LEVEE_OK;
}

static int parse_notify(loader *L, yaml_node_t *v, lv_rule *r) {
  char what[160];
  snprintf(what, sizeof what, "rule '%s': notify", r->id);
  r->notify_set = 1;
  return parse_sink_names(L, v, what, &r->notify);
}

/* A time up to max_ms: "500ms", "30s", "10m", "1h"; "0" too when zero_ok
 * (off). */
static int parse_duration(loader *L, yaml_node_t *n, const char *what,
                          int64_t max_ms, int zero_ok, int64_t *out) {
  const char *s;
  if (want_scalar(L, n, what, &s))
    return L->rc;
  if (zero_ok && !strcmp(s, "0")) {
    *out = 0;
    return LEVEE_OK;
  }
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  int64_t per = !strcmp(end, "ms")  ? 1
                : !strcmp(end, "s") ? 1000
                : !strcmp(end, "m") ? 60000
                : !strcmp(end, "h") ? 3600000
                                    : 0;
  if (errno || end == s || s[0] == '-' || s[0] == '+' || !per || v < 1 ||
      v > max_ms / per)
    return fail(L, n,
                "%s must be %sa time up to %lldh (\"500ms\", \"30s\", "
                "\"10m\", \"1h\"), not '%s'",
                what, zero_ok ? "0 (off) or " : "",
                (long long)(max_ms / 3600000), s);
  *out = (int64_t)v * per;
  return LEVEE_OK;
}

/* A window: "0" (off), or a time up to 24h. */
static int parse_window(loader *L, yaml_node_t *n, int64_t *out) {
  return parse_duration(L, n, "alerts.window", LV_ALERT_WINDOW_MAX_MS, 1, out);
}

/* Whether s is a URL levee posts to: http or https, a host, no spaces or
 * control bytes, at most LV_MAX_ALERT_URL_BYTES. */
static int url_ok(const char *s) {
  size_t n = strlen(s), skip;
  if (n > LV_MAX_ALERT_URL_BYTES)
    return 0;
  if (!strncasecmp(s, "http://", 7))
    skip = 7;
  else if (!strncasecmp(s, "https://", 8))
    skip = 8;
  else
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
      return 0;
  /* a host: something before the path, query or fragment */
  char c = s[skip];
  return c && c != '/' && c != '?' && c != '#' && c != ':';
}

/* "udp://host:port" or "tcp://host:port"; host a name, an IPv4 address or
 * an IPv6 one in brackets; the port 514 when left out. */
static int parse_syslog_address(loader *L, yaml_node_t *at, lv_sink *k) {
  const char *a = k->address, *h;
  if (!strncmp(a, "udp://", 6))
    k->tcp = 0;
  else if (!strncmp(a, "tcp://", 6))
    k->tcp = 1;
  else
    goto bad;
  h = a + 6;
  const char *host = h, *host_end, *rest;
  if (*h == '[') {
    host = h + 1;
    if (!(host_end = strchr(host, ']')))
      goto bad;
    rest = host_end + 1;
  } else {
    host_end = h + strcspn(h, ":/");
    rest = host_end;
  }
  if (host_end == host || host_end - host > 253)
    goto bad;
  for (const char *c = host; c < host_end; c++)
    if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' &&
        !(*h == '[' && *c == ':'))
      goto bad;
  long port = 514;
  if (*rest == ':') {
    char *end;
    errno = 0;
    port = strtol(rest + 1, &end, 10);
    if (errno || end == rest + 1 || *end || !isdigit((unsigned char)rest[1]) ||
        port < 1 || port > 65535)
      goto bad;
  } else if (*rest)
    goto bad;
  char num[8];
  snprintf(num, sizeof num, "%ld", port);
  if (!(k->host = strndup(host, (size_t)(host_end - host))))
    return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
  return dup_str(L, num, &k->port);
bad:
  return fail(L, at,
              "sink '%s': address must be udp://HOST:PORT or "
              "tcp://HOST:PORT (an IPv6 host in brackets), not '%s'",
              k->name, a);
}

static int parse_facility(loader *L, yaml_node_t *n, lv_sink *k) {
  const char *s;
  if (want_scalar(L, n, "facility", &s))
    return L->rc;
  for (int i = 0; i < 24; i++)
    if (!strcmp(s, lv_syslog_facility_name(i))) {
      k->facility = i;
      return LEVEE_OK;
    }
  char *end;
  long v = strtol(s, &end, 10);
  if (end != s && !*end && isdigit((unsigned char)s[0]) && v >= 0 && v <= 23) {
    k->facility = (int)v;
    return LEVEE_OK;
  }
  return fail(L, n,
              "sink '%s': facility must be a syslog facility name (auth, "
              "local0 .. local7, ...) or 0 to 23, not '%s'",
              k->name, s);
}

static int parse_sink(loader *L, yaml_node_t *kn, yaml_node_t *n, lv_sink *k) {
  const char *name = scalar(kn), *s;
  k->line = (int)kn->start_mark.line + 1;
  k->facility = 4;  /* auth: security messages */
  k->excerpts = -1; /* unset: by the type, below */
  if (!name || !*name)
    return fail(L, kn, "sink names must be names");
  if (dup_str(L, name, &k->name))
    return L->rc;
  for (const char *c = name; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
      return fail(L, kn, "sink name '%s' may use only letters, digits, - _ .",
                  name);
  if (n->type != YAML_MAPPING_NODE)
    return fail(L, n, "sink '%s' must be a mapping ({type: wecom, url: ...})",
                name);
  if (no_duplicate_keys(L, n))
    return L->rc;
  yaml_node_t *type = NULL, *url = NULL, *secret = NULL, *address = NULL,
              *facility = NULL;
  FOR_PAIRS(L, n, pr) {
    yaml_node_t *k2 = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k2);
    if (key && !strcmp(key, "type"))
      type = v;
    else if (key && !strcmp(key, "url"))
      url = v;
    else if (key && !strcmp(key, "secret"))
      secret = v;
    else if (key && !strcmp(key, "address"))
      address = v;
    else if (key && !strcmp(key, "facility"))
      facility = v;
    else if (key && !strcmp(key, "excerpts")) {
      if (parse_bool(L, v, "excerpts", &k->excerpts))
        return L->rc;
    } else
      return fail(L, k2,
                  "sink '%s': unknown key '%s' (known: type, url, secret, "
                  "address, facility, excerpts)",
                  name, key ? key : "?");
  }
  if (!type)
    return fail(L, n,
                "sink '%s' has no type (webhook, wecom, dingtalk, feishu "
                "or syslog)",
                name);
  if (want_scalar(L, type, "type", &s))
    return L->rc;
  int t = -1;
  for (int i = 0; i <= LV_SINK_SYSLOG; i++)
    if (!strcmp(s, lv_sink_type_name((lv_sink_type)i)))
      t = i;
  if (t < 0)
    return fail(L, type,
                "sink '%s': type must be webhook, wecom, dingtalk, feishu or "
                "syslog, not '%s'",
                name, s);
  k->type = (lv_sink_type)t;
  /* The group robots are services outside the organisation's network: a
   * marking or a registered paragraph is classified text, so they get no
   * excerpts unless the policy says so. */
  if (k->excerpts < 0)
    k->excerpts = k->type == LV_SINK_WEBHOOK || k->type == LV_SINK_SYSLOG;
  if (k->type == LV_SINK_SYSLOG) {
    if (url)
      return fail(L, url, "sink '%s': a syslog sink has an address, not a url",
                  name);
    if (!address)
      return fail(L, n,
                  "sink '%s' has no address (udp://HOST:PORT or "
                  "tcp://HOST:PORT)",
                  name);
    if (want_scalar(L, address, "address", &s))
      return L->rc;
    if (strlen(s) > LV_MAX_ALERT_URL_BYTES)
      return fail(L, address, "sink '%s': address over %d bytes", name,
                  LV_MAX_ALERT_URL_BYTES);
    if (dup_str(L, s, &k->address) || parse_syslog_address(L, address, k))
      return L->rc;
    if (facility && parse_facility(L, facility, k))
      return L->rc;
  } else {
    if (address)
      return fail(L, address,
                  "sink '%s': only a syslog sink has an address (this one "
                  "has a url)",
                  name);
    if (facility)
      return fail(L, facility, "sink '%s': only a syslog sink has a facility",
                  name);
    if (!url)
      return fail(L, n, "sink '%s' has no url", name);
    if (want_scalar(L, url, "url", &s))
      return L->rc;
    if (!url_ok(s))
      return fail(L, url,
                  "sink '%s': url must be an http:// or https:// URL with a "
                  "host, without spaces, at most %d bytes",
                  name, LV_MAX_ALERT_URL_BYTES);
    if (dup_str(L, s, &k->url))
      return L->rc;
  }
  if (secret) {
    if (k->type != LV_SINK_DINGTALK && k->type != LV_SINK_FEISHU)
      return fail(L, secret,
                  "sink '%s': only dingtalk and feishu sinks sign with a "
                  "secret",
                  name);
    if (want_scalar(L, secret, "secret", &s))
      return L->rc;
    if (!*s || strlen(s) > LV_MAX_ALERT_URL_BYTES)
      return fail(L, secret, "sink '%s': secret must be 1 to %d bytes", name,
                  LV_MAX_ALERT_URL_BYTES);
    if (dup_str(L, s, &k->secret))
      return L->rc;
  }
  return LEVEE_OK;
}

/* alerts: { window: T, default: [SINK...], sinks: { NAME: {...} } } */
static int parse_alerts(loader *L, yaml_node_t *n) {
  lv_alert_policy *a = &L->p->alerts;
  yaml_node_t *sinks = NULL, *defaults = NULL;
  if (n->type != YAML_MAPPING_NODE)
    return fail(L, n, "alerts must be a mapping (window, default, sinks)");
  if (no_duplicate_keys(L, n))
    return L->rc;
  a->set = 1;
  FOR_PAIRS(L, n, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k);
    if (key && !strcmp(key, "window")) {
      if (parse_window(L, v, &a->window_ms))
        return L->rc;
    } else if (key && !strcmp(key, "default"))
      defaults = v;
    else if (key && !strcmp(key, "sinks"))
      sinks = v;
    else
      return fail(L, k,
                  "unknown key in alerts '%s' (known: window, default, "
                  "sinks)",
                  key ? key : "?");
  }
  if (sinks) {
    if (sinks->type != YAML_MAPPING_NODE)
      return fail(L, sinks,
                  "alerts.sinks must be a mapping of name: {type: ..., "
                  "url: ...}");
    if (no_duplicate_keys(L, sinks))
      return L->rc;
    int cnt =
        (int)(sinks->data.mapping.pairs.top - sinks->data.mapping.pairs.start);
    if (cnt > LV_MAX_ALERT_SINKS)
      return fail(L, sinks, "more than %d alert sinks", LV_MAX_ALERT_SINKS);
    if (!(a->sinks = calloc((size_t)cnt + 1, sizeof *a->sinks)))
      return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
    FOR_PAIRS(L, sinks, pr) {
      lv_sink *k = &a->sinks[a->n_sinks++];
      if (parse_sink(L, node(L, pr->key), node(L, pr->value), k))
        return L->rc;
    }
  }
  if (defaults && parse_sink_names(L, defaults, "alerts.default", &a->defaults))
    return L->rc;
  return LEVEE_OK;
}

static int parse_rule(loader *L, yaml_node_t *n, lv_rule *r) {
  r->external = -1;
  r->hours_from = r->hours_to = -1;
  r->threshold = LV_DEFAULT_THRESHOLD;
  r->action = LEVEE_ACTION_ALERT;
  r->severity = LEVEE_SEVERITY_MEDIUM;
  r->line = (int)n->start_mark.line + 1;
  if (n->type != YAML_MAPPING_NODE)
    return fail(L, n, "each rule must be a mapping");
  if (no_duplicate_keys(L, n))
    return L->rc;
  yaml_node_t *match = NULL, *notify = NULL;
  int have_action = 0;
  FOR_PAIRS(L, n, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k), *s;
    if (!key)
      return fail(L, k, "rule keys must be names");
    if (!strcmp(key, "id")) {
      if (want_scalar(L, v, "id", &s) || dup_str(L, s, &r->id))
        return L->rc;
    } else if (!strcmp(key, "description")) {
      if (want_scalar(L, v, "description", &s) ||
          dup_str(L, s, &r->description))
        return L->rc;
    } else if (!strcmp(key, "match")) {
      match = v;
    } else if (!strcmp(key, "action")) {
      if (want_scalar(L, v, "action", &s))
        return L->rc;
      if (lv_action_parse(s, &r->action))
        return fail(L, v,
                    "action must be allow, alert, hold, redact or "
                    "block, not '%s'",
                    s);
      have_action = 1;
    } else if (!strcmp(key, "severity")) {
      if (want_scalar(L, v, "severity", &s))
        return L->rc;
      if (lv_severity_parse(s, &r->severity))
        return fail(L, v,
                    "severity must be info, low, medium, high or "
                    "critical, not '%s'",
                    s);
    } else if (!strcmp(key, "notify")) {
      notify = v; /* read once the id is known, for messages */
    } else if (!strcmp(key, "threshold")) {
      if (want_scalar(L, v, "threshold", &s))
        return L->rc;
      char *end;
      double t = strtod(s, &end);
      if (*end || end == s || !(t >= 0 && t <= 1))
        return fail(L, v, "threshold must be a number from 0 to 1, not '%s'",
                    s);
      r->threshold = t;
    } else
      return fail(L, k,
                  "unknown rule key '%s' (known: id, description, match, "
                  "threshold, action, severity, notify)",
                  key);
  }
  if (!r->id)
    return fail(L, n, "a rule has no id");
  for (const char *c = r->id; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
      return fail(L, n, "rule id '%s' may use only letters, digits, - _ .",
                  r->id);
  if (!have_action)
    return fail(L, n, "rule '%s' has no action", r->id);
  if (!match)
    return fail(L, n, "rule '%s' has no match (at least a category)", r->id);
  if (parse_match(L, match, r))
    return L->rc;
  if (r->categories.n == 0)
    return fail(L, match, "rule '%s': match needs a category", r->id);
  for (size_t i = 0; i < r->categories.n; i++)
    if (!category_known(L->p, r->categories.v[i]))
      return fail(L, match,
                  "rule '%s': unknown category '%s' (see docs/POLICY.md; "
                  "keyword.<name> needs a keyword list of that name)",
                  r->id, r->categories.v[i]);
  if (lv_rule_is_db(r))
    for (size_t i = 0; i < r->categories.n; i++)
      if (strncmp(r->categories.v[i], "dbop.", 5) &&
          strcmp(r->categories.v[i], "dbop"))
        return fail(L, match,
                    "rule '%s': db_user, database, client_address, hours "
                    "and days are for the database guard: its categories "
                    "must be dbop.*, not '%s'",
                    r->id, r->categories.v[i]);
  if (notify && parse_notify(L, notify, r))
    return L->rc;
  return LEVEE_OK;
}

/* Adds the words of a keyword file (one per line, '#' comments). */
static int add_words_from_text(loader *L, yaml_node_t *at, lv_keyword_list *k,
                               const char *data, size_t len) {
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
    data += 3, len -= 3;
  if (!lv_utf8_valid(data, len))
    return fail(L, at, "keyword list '%s': %s is not valid UTF-8", k->name,
                k->origin);
  size_t lineno = 0;
  const char *p = data, *end = data + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    lineno++;
    const char *s = p;
    while (s < e && isspace((unsigned char)*s))
      s++;
    const char *t = e;
    while (t > s && isspace((unsigned char)t[-1]))
      t--;
    p = nl ? nl + 1 : end;
    if (s == t || *s == '#')
      continue;
    if ((size_t)(t - s) > LV_MAX_KEYWORD_BYTES)
      return fail(L, at,
                  "keyword list '%s': %s line %zu: keyword over %u "
                  "bytes",
                  k->name, k->origin, lineno, LV_MAX_KEYWORD_BYTES);
    if (k->n_words >= LV_MAX_KEYWORDS_PER_LIST)
      return fail(L, at, "keyword list '%s': more than %u keywords", k->name,
                  LV_MAX_KEYWORDS_PER_LIST);
    if ((k->n_words & (k->n_words - 1)) == 0) {
      size_t cap = k->n_words ? k->n_words * 2 : 16;
      char **w = realloc(k->words, cap * sizeof *w);
      if (!w)
        return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
      k->words = w;
    }
    if (!(k->words[k->n_words] = strndup(s, (size_t)(t - s))))
      return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
    k->n_words++;
  }
  return LEVEE_OK;
}

static int parse_keyword_list(loader *L, yaml_node_t *n, lv_keyword_list *k) {
  if (n->type != YAML_MAPPING_NODE)
    return fail(L, n, "each keyword list must be a mapping");
  if (no_duplicate_keys(L, n))
    return L->rc;
  yaml_node_t *file = NULL, *words = NULL;
  FOR_PAIRS(L, n, pr) {
    yaml_node_t *kn = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(kn), *s;
    if (!key)
      return fail(L, kn, "keyword list keys must be names");
    if (!strcmp(key, "name")) {
      if (want_scalar(L, v, "name", &s) || dup_str(L, s, &k->name))
        return L->rc;
    } else if (!strcmp(key, "file"))
      file = v;
    else if (!strcmp(key, "words"))
      words = v;
    else
      return fail(L, kn,
                  "unknown keyword list key '%s' (known: name, file, "
                  "words)",
                  key);
  }
  if (!k->name)
    return fail(L, n, "a keyword list has no name");
  for (const char *c = k->name; *c; c++)
    if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
        *c != '_' && *c != '-')
      return fail(L, n, "keyword list name '%s' may use only a-z 0-9 _ -",
                  k->name);
  if (!file && !words)
    return fail(L, n, "keyword list '%s' needs a file or words", k->name);
  if (file) {
    const char *path;
    if (want_scalar(L, file, "file", &path))
      return L->rc;
    if (!L->reader)
      return fail(L, file, "keyword list '%s': files cannot be read here",
                  k->name);
    if (dup_str(L, path, &k->origin))
      return L->rc;
    char *data = NULL;
    size_t len = 0;
    int rc = L->reader(L->reader_ud, path, &data, &len);
    if (rc)
      return fail(L, file, "keyword list '%s': cannot read %s: %s", k->name,
                  path, levee_strerror(rc));
    rc = add_words_from_text(L, file, k, data, len);
    free(data);
    if (rc)
      return rc;
  } else if (dup_str(L, "inline", &k->origin))
    return L->rc;
  if (words) {
    if (words->type != YAML_SEQUENCE_NODE)
      return fail(L, words, "keyword list '%s': words must be a list", k->name);
    for (yaml_node_item_t *it = words->data.sequence.items.start;
         it < words->data.sequence.items.top; it++) {
      const char *s;
      if (want_scalar(L, node(L, *it), "a keyword", &s) ||
          add_words_from_text(L, words, k, s, strlen(s)))
        return L->rc;
    }
  }
  if (k->n_words == 0)
    return fail(L, n, "keyword list '%s' is empty", k->name);
  return LEVEE_OK;
}

static int seq_count(yaml_node_t *n) {
  return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* A retention period: "30d", "2y" (365 days each) or "forever" (0). */
static int parse_days(loader *L, yaml_node_t *n, const char *what,
                      int64_t *out) {
  const char *s;
  if (want_scalar(L, n, what, &s))
    return L->rc;
  if (!strcmp(s, "forever")) {
    *out = 0;
    return LEVEE_OK;
  }
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  int per = end[0] == 'd' ? 1 : end[0] == 'y' ? 365 : 0;
  if (errno || end == s || s[0] == '-' || !per || end[1] || v < 1 || v > 100000)
    return fail(L, n,
                "%s must be a number of days or years (\"30d\", \"2y\") or "
                "\"forever\", not '%s'",
                what, s);
  *out = (int64_t)v * per;
  return LEVEE_OK;
}

/* Records are kept at least six months (180 days). */
static int check_record_days(loader *L, yaml_node_t *n, const char *what,
                             int64_t days) {
  if (days && days < LV_RETENTION_MIN_RECORD_DAYS)
    return fail(
        L, n,
        "%s: %lld days is too short: security records are kept at "
        "least %d days (Cybersecurity Law art. 21, 网络安全法第二十一条:"
        " logs for no less than six months)",
        what, (long long)days, LV_RETENTION_MIN_RECORD_DAYS);
  return LEVEE_OK;
}

static int content_within_records(loader *L, yaml_node_t *n, const char *what,
                                  int64_t content, int64_t records) {
  if (!records || (content && content <= records))
    return LEVEE_OK;
  if (!content)
    return fail(L, n,
                "%s: content would be kept for ever, longer than its "
                "records (%lld days)",
                what, (long long)records);
  return fail(L, n,
              "%s: content would be kept %lld days, longer than its records "
              "(%lld days)",
              what, (long long)content, (long long)records);
}

/* A wait: "800ms", "5s". */
static int parse_ms(loader *L, yaml_node_t *n, const char *what, int64_t *out) {
  const char *s;
  if (want_scalar(L, n, what, &s))
    return L->rc;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  int per = !strcmp(end, "ms") ? 1 : !strcmp(end, "s") ? 1000 : 0;
  if (errno || end == s || s[0] == '-' || !per || v < 1 ||
      v * per > LV_ATTACHMENT_TIMEOUT_MAX_MS)
    return fail(L, n,
                "%s must be a time from 1ms to %ds (\"800ms\", \"5s\"), "
                "not '%s'",
                what, LV_ATTACHMENT_TIMEOUT_MAX_MS / 1000, s);
  *out = (int64_t)v * per;
  return LEVEE_OK;
}

/* attachments: { verdict: inline | follow-up, timeout: T } */
static int parse_attachments(loader *L, yaml_node_t *n) {
  lv_attachment_policy *a = &L->p->attachments;
  if (n->type != YAML_MAPPING_NODE)
    return fail(L, n, "attachments must be a mapping (verdict, timeout)");
  FOR_PAIRS(L, n, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k), *s;
    if (key && !strcmp(key, "verdict")) {
      if (want_scalar(L, v, "attachments.verdict", &s))
        return L->rc;
      if (!strcmp(s, "inline"))
        a->verdict = LV_ATTACHMENTS_INLINE;
      else if (!strcmp(s, "follow-up"))
        a->verdict = LV_ATTACHMENTS_FOLLOW_UP;
      else
        return fail(L, v,
                    "attachments.verdict must be inline or follow-up, not "
                    "'%s'",
                    s);
    } else if (key && !strcmp(key, "timeout")) {
      if (parse_ms(L, v, "attachments.timeout", &a->timeout_ms))
        return L->rc;
    } else {
      return fail(L, k,
                  "unknown key in attachments '%s' (known: verdict, timeout)",
                  key ? key : "?");
    }
  }
  return LEVEE_OK;
}

/* dbguard: { hold: { timeout: T, keepalive: T }, approvers: [NAME...] } */
static int parse_dbguard(loader *L, yaml_node_t *n) {
  lv_dbguard_policy *d = &L->p->dbguard;
  if (n->type != YAML_MAPPING_NODE)
    return fail(L, n, "dbguard must be a mapping (hold, approvers)");
  if (no_duplicate_keys(L, n))
    return L->rc;
  d->set = 1;
  FOR_PAIRS(L, n, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k);
    if (key && !strcmp(key, "hold")) {
      if (v->type != YAML_MAPPING_NODE)
        return fail(L, v,
                    "dbguard.hold must be a mapping (timeout, keepalive)");
      if (no_duplicate_keys(L, v))
        return L->rc;
      FOR_PAIRS(L, v, hp) {
        yaml_node_t *hk = node(L, hp->key), *hv = node(L, hp->value);
        const char *hkey = scalar(hk);
        if (hkey && !strcmp(hkey, "timeout")) {
          if (parse_duration(L, hv, "dbguard.hold.timeout",
                             LV_DBGUARD_HOLD_TIMEOUT_MAX_MS, 0,
                             &d->hold_timeout_ms))
            return L->rc;
        } else if (hkey && !strcmp(hkey, "keepalive")) {
          if (parse_duration(L, hv, "dbguard.hold.keepalive", 3600000, 0,
                             &d->keepalive_ms))
            return L->rc;
        } else
          return fail(L, hk,
                      "unknown key in dbguard.hold '%s' (known: timeout, "
                      "keepalive)",
                      hkey ? hkey : "?");
      }
    } else if (key && !strcmp(key, "approvers")) {
      if (parse_strlist(L, v, "dbguard.approvers", &d->approvers))
        return L->rc;
    } else
      return fail(L, k, "unknown key in dbguard '%s' (known: hold, approvers)",
                  key ? key : "?");
  }
  return LEVEE_OK;
}

/* retention: { records: D, content: D, categories: { CAT: { records: D,
 * content: D } } } */
static int parse_retention(loader *L, yaml_node_t *n) {
  lv_retention *r = &L->p->retention;
  yaml_node_t *cats = NULL;
  int have_content = 0;
  if (n->type != YAML_MAPPING_NODE)
    return fail(L, n,
                "retention must be a mapping (records, content, "
                "categories)");
  if (no_duplicate_keys(L, n))
    return L->rc;
  r->set = 1;
  FOR_PAIRS(L, n, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k);
    if (key && !strcmp(key, "records")) {
      if (parse_days(L, v, "retention.records", &r->record_days) ||
          check_record_days(L, v, "retention.records", r->record_days))
        return L->rc;
    } else if (key && !strcmp(key, "content")) {
      if (parse_days(L, v, "retention.content", &r->content_days))
        return L->rc;
      have_content = 1;
    } else if (key && !strcmp(key, "categories")) {
      cats = v;
    } else
      return fail(L, k,
                  "unknown key in retention '%s' (known: records, content, "
                  "categories)",
                  key ? key : "?");
  }
  if (!have_content)
    r->content_days = r->record_days;
  if (content_within_records(L, n, "retention", r->content_days,
                             r->record_days))
    return L->rc;
  if (!cats)
    return LEVEE_OK;
  if (cats->type != YAML_MAPPING_NODE)
    return fail(L, cats,
                "retention.categories must be a mapping of "
                "category: { records, content }");
  if (no_duplicate_keys(L, cats))
    return L->rc;
  int cnt =
      (int)(cats->data.mapping.pairs.top - cats->data.mapping.pairs.start);
  if (cnt > LV_MAX_RULES)
    return fail(L, cats, "more than %d retention categories", LV_MAX_RULES);
  if (!(r->rules = calloc((size_t)cnt + 1, sizeof *r->rules)))
    return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
  FOR_PAIRS(L, cats, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *cat = scalar(k);
    lv_retention_rule *x = &r->rules[r->n_rules++];
    x->record_days = x->content_days = -1;
    x->line = (int)k->start_mark.line + 1;
    if (!cat || !*cat)
      return fail(L, k, "retention categories must be names");
    if (dup_str(L, cat, &x->category))
      return L->rc;
    if (v->type != YAML_MAPPING_NODE)
      return fail(L, v,
                  "retention for %s must be a mapping (records, "
                  "content)",
                  cat);
    if (no_duplicate_keys(L, v))
      return L->rc;
    FOR_PAIRS(L, v, p2) {
      yaml_node_t *k2 = node(L, p2->key), *v2 = node(L, p2->value);
      const char *key = scalar(k2);
      char what[160];
      snprintf(what, sizeof what, "retention of %s: %s", cat, key ? key : "?");
      if (key && !strcmp(key, "records")) {
        if (parse_days(L, v2, what, &x->record_days) ||
            check_record_days(L, v2, what, x->record_days))
          return L->rc;
      } else if (key && !strcmp(key, "content")) {
        if (parse_days(L, v2, what, &x->content_days))
          return L->rc;
      } else
        return fail(L, k2,
                    "unknown key in the retention of %s '%s' (known: "
                    "records, content)",
                    cat, key ? key : "?");
    }
    char what[160];
    snprintf(what, sizeof what, "retention of %s", cat);
    if (content_within_records(
            L, v, what,
            x->content_days >= 0 ? x->content_days : r->content_days,
            x->record_days >= 0 ? x->record_days : r->record_days))
      return L->rc;
  }
  return LEVEE_OK;
}

/* Appends src's rules and lists (include_default) to p. */
static int merge_policy(loader *L, const levee_policy *src);

static int load_root(loader *L, int *include_default) {
  yaml_node_t *root = yaml_document_get_root_node(&L->doc);
  if (!root)
    return fail(L, NULL, "the policy is empty");
  if (root->type != YAML_MAPPING_NODE)
    return fail(L, root, "a policy must be a mapping (version, rules, ...)");
  if (no_duplicate_keys(L, root))
    return L->rc;
  yaml_node_t *rules = NULL, *lists = NULL, *alerts = NULL;
  int have_version = 0;
  FOR_PAIRS(L, root, pr) {
    yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
    const char *key = scalar(k), *s;
    if (!key)
      return fail(L, k, "top-level keys must be names");
    if (!strcmp(key, "version")) {
      if (want_scalar(L, v, "version", &s))
        return L->rc;
      if (strcmp(s, "1"))
        return fail(L, v,
                    "unsupported policy version '%s' (this levee "
                    "reads version 1)",
                    s);
      L->p->version = 1;
      have_version = 1;
    } else if (!strcmp(key, "name")) {
      if (want_scalar(L, v, "name", &s) || dup_str(L, s, &L->p->name))
        return L->rc;
    } else if (!strcmp(key, "description")) {
      if (want_scalar(L, v, "description", &s) ||
          dup_str(L, s, &L->p->description))
        return L->rc;
    } else if (!strcmp(key, "include_default")) {
      if (parse_bool(L, v, "include_default", include_default))
        return L->rc;
    } else if (!strcmp(key, "rules")) {
      rules = v;
    } else if (!strcmp(key, "keyword_lists")) {
      lists = v;
    } else if (!strcmp(key, "retention")) {
      if (parse_retention(L, v))
        return L->rc;
    } else if (!strcmp(key, "attachments")) {
      if (parse_attachments(L, v))
        return L->rc;
    } else if (!strcmp(key, "alerts")) {
      alerts = v; /* before the rules, whose notify names its sinks */
    } else if (!strcmp(key, "dbguard")) {
      if (parse_dbguard(L, v))
        return L->rc;
    } else
      return fail(L, k,
                  "unknown top-level key '%s' (known: version, name, "
                  "description, include_default, keyword_lists, rules, "
                  "retention, attachments, alerts, dbguard)",
                  key);
  }
  if (!have_version)
    return fail(L, root, "the policy has no 'version: 1'");
  if (alerts && parse_alerts(L, alerts))
    return L->rc;
  if (lists) {
    if (lists->type != YAML_SEQUENCE_NODE)
      return fail(L, lists, "keyword_lists must be a list");
    int cnt = seq_count(lists);
    if (cnt > LV_MAX_KEYWORD_LISTS)
      return fail(L, lists, "more than %d keyword lists", LV_MAX_KEYWORD_LISTS);
    if (!(L->p->lists = calloc((size_t)cnt + 1, sizeof *L->p->lists)))
      return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
    for (yaml_node_item_t *it = lists->data.sequence.items.start;
         it < lists->data.sequence.items.top; it++) {
      lv_keyword_list *k = &L->p->lists[L->p->n_lists++];
      if (parse_keyword_list(L, node(L, *it), k))
        return L->rc;
      for (size_t j = 0; j + 1 < L->p->n_lists; j++)
        if (!strcmp(L->p->lists[j].name, k->name))
          return fail(L, node(L, *it), "two keyword lists are named '%s'",
                      k->name);
    }
  }
  if (!rules && !*include_default)
    return fail(L, root, "the policy has no rules");
  if (rules) {
    if (rules->type != YAML_SEQUENCE_NODE)
      return fail(L, rules, "rules must be a list");
    int cnt = seq_count(rules);
    if (cnt > LV_MAX_RULES)
      return fail(L, rules, "more than %d rules", LV_MAX_RULES);
    if (!(L->p->rules = calloc((size_t)cnt + 1, sizeof *L->p->rules)))
      return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
    for (yaml_node_item_t *it = rules->data.sequence.items.start;
         it < rules->data.sequence.items.top; it++) {
      lv_rule *r = &L->p->rules[L->p->n_rules++];
      if (parse_rule(L, node(L, *it), r))
        return L->rc;
      for (size_t j = 0; j + 1 < L->p->n_rules; j++)
        if (!strcmp(L->p->rules[j].id, r->id))
          return fail(L, node(L, *it), "two rules have the id '%s'", r->id);
    }
    if (!L->p->n_rules && !*include_default) /* rules: [] (fuzz_policy) */
      return fail(L, rules, "the policy has no rules");
  }
  return LEVEE_OK;
}

int levee_policy_parse(const char *yaml, size_t len, const char *origin,
                       levee_file_reader reader, void *reader_ud,
                       levee_policy **out, levee_error *err) {
  loader L = {.origin = origin ? origin : "<policy>",
              .reader = reader,
              .reader_ud = reader_ud,
              .err = err};
  yaml_parser_t parser;
  int have_doc = 0, include_default = 0;
  if (len > LV_MAX_POLICY_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "%s: policy over %u bytes",
                        L.origin, LV_MAX_POLICY_BYTES);
  if (!(L.p = calloc(1, sizeof *L.p)))
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  atomic_init(&L.p->refs, 1);
  L.p->attachments.timeout_ms = LV_ATTACHMENT_TIMEOUT_MS;
  L.p->alerts.window_ms = LV_ALERT_WINDOW_DEFAULT_MS;
  L.p->dbguard.hold_timeout_ms = LV_DBGUARD_HOLD_TIMEOUT_MS;
  L.p->dbguard.keepalive_ms = LV_DBGUARD_KEEPALIVE_MS;
  if (!yaml_parser_initialize(&parser)) {
    L.rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    goto out;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
  if (!yaml_parser_load(&parser, &L.doc)) {
    L.rc = lv_error_set(err, LEVEE_EPOLICY, "%s:%zu: YAML: %s", L.origin,
                        parser.problem_mark.line + 1,
                        parser.problem ? parser.problem : "syntax error");
    yaml_parser_delete(&parser);
    goto out;
  }
  have_doc = 1;
  yaml_parser_delete(&parser);
  if (load_root(&L, &include_default))
    goto out;
  if (!(L.p->origin = strdup(L.origin))) {
    L.rc = lv_error_set(err, LEVEE_ENOMEM, "out of memory");
    goto out;
  }
  if (include_default) {
    levee_policy *def = NULL;
    if ((L.rc = levee_policy_default(&def, err)))
      goto out;
    L.rc = merge_policy(&L, def);
    levee_policy_destroy(def);
    if (L.rc)
      goto out;
  }
out:
  if (have_doc)
    yaml_document_delete(&L.doc);
  if (L.rc) {
    levee_policy_destroy(L.p);
    return L.rc;
  }
  *out = L.p;
  return LEVEE_OK;
}

static int copy_strlist(const lv_strlist *a, lv_strlist *b) {
  if (!a->n)
    return LEVEE_OK;
  if (!(b->v = calloc(a->n, sizeof *b->v)))
    return LEVEE_ENOMEM;
  for (; b->n < a->n; b->n++)
    if (!(b->v[b->n] = strdup(a->v[b->n])))
      return LEVEE_ENOMEM;
  return LEVEE_OK;
}

static int merge_policy(loader *L, const levee_policy *src) {
  levee_policy *p = L->p;
  lv_rule *rules =
      realloc(p->rules, (p->n_rules + src->n_rules + 1) * sizeof *rules);
  if (!rules)
    return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
  p->rules = rules;
  for (size_t i = 0; i < src->n_rules; i++) {
    const lv_rule *s = &src->rules[i];
    int clash = 0;
    for (size_t j = 0; j < p->n_rules; j++)
      clash |= !strcmp(p->rules[j].id, s->id);
    if (clash) /* the including policy's rule of that id replaces it */
      continue;
    lv_rule *r = &p->rules[p->n_rules++];
    *r = *s;
    r->id = strdup(s->id);
    r->description = s->description ? strdup(s->description) : NULL;
    r->categories = r->channels = r->conversation_types = (lv_strlist){0};
    r->sender_roles = r->sender_depts = r->notify = (lv_strlist){0};
    r->db_users = r->databases = (lv_strlist){0};
    r->client_addresses = NULL;
    if (s->n_client_addresses &&
        (r->client_addresses =
             malloc(s->n_client_addresses * sizeof *r->client_addresses)))
      memcpy(r->client_addresses, s->client_addresses,
             s->n_client_addresses * sizeof *r->client_addresses);
    if (!r->id || (s->description && !r->description) ||
        (s->n_client_addresses && !r->client_addresses) ||
        copy_strlist(&s->db_users, &r->db_users) ||
        copy_strlist(&s->databases, &r->databases) ||
        copy_strlist(&s->categories, &r->categories) ||
        copy_strlist(&s->channels, &r->channels) ||
        copy_strlist(&s->conversation_types, &r->conversation_types) ||
        copy_strlist(&s->sender_roles, &r->sender_roles) ||
        copy_strlist(&s->sender_depts, &r->sender_depts) ||
        copy_strlist(&s->notify, &r->notify))
      return L->rc = lv_error_set(L->err, LEVEE_ENOMEM, "out of memory");
  }
  return LEVEE_OK;
}

int levee_policy_default(levee_policy **out, levee_error *err) {
  return levee_policy_parse((const char *)lv_data_default_policy,
                            lv_data_default_policy_len, "<default policy>",
                            NULL, NULL, out, err);
}
