/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alert_format.c: an alert's contents and its five message bodies
 * (alert_format.h). Pure functions: no clock, no sockets.
 */
#include "net/alert_format.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "util/json_reader.h"
#include "util/json_writer.h"
#include "util/utf8.h"

/* --- making an alert ------------------------------------------------------ */

/* Strings are appended to one buffer; their offsets become pointers once
 * it no longer moves. */
#define MAX_SLOTS (8 + 2 * LV_ALERT_MAX_LIST + LV_ALERT_MAX_EXCERPTS)

typedef struct builder {
  lv_buf mem;
  const char **slot[MAX_SLOTS];
  size_t off[MAX_SLOTS];
  int n;
  int rc;
} builder;

/* Copies s[0..n) (s NULL: "") into the alert, at most cap bytes, cut at a
 * character boundary, invalid UTF-8 replaced by U+FFFD. */
static void put(builder *b, const char **slot, const char *s, size_t n,
                size_t cap) {
  if (b->rc)
    return;
  if (b->n == MAX_SLOTS) {
    b->rc = LEVEE_ETOOBIG;
    return;
  }
  b->slot[b->n] = slot;
  b->off[b->n++] = b->mem.len;
  size_t i = 0, out = 0;
  while (s && i < n && !b->rc) {
    int32_t cp;
    int l = lv_utf8_decode((const unsigned char *)s + i, n - i, &cp);
    const char *piece = cp < 0 ? "\xEF\xBF\xBD" : s + i;
    size_t plen = cp < 0 ? 3 : (size_t)l;
    if (out + plen > cap)
      break;
    b->rc = lv_buf_append(&b->mem, piece, plen);
    out += plen;
    i += (size_t)l;
  }
  if (!b->rc)
    b->rc = lv_buf_putc(&b->mem, '\0');
}

static void put_str(builder *b, const char **slot, levee_str s, size_t cap) {
  put(b, slot, s.ptr, s.len, cap);
}

static void put_cstr(builder *b, const char **slot, const char *s, size_t cap) {
  put(b, slot, s, s ? strlen(s) : 0, cap);
}

/* Points the slots at the strings; takes the buffer. */
static int finish(builder *b, lv_alert *a, lv_alert **out) {
  if (b->rc) {
    lv_buf_cleanup(&b->mem);
    free(a);
    return b->rc == LEVEE_ETOOBIG ? LEVEE_ETOOBIG : LEVEE_ENOMEM;
  }
  a->mem_ = lv_buf_detach(&b->mem, NULL);
  for (int i = 0; i < b->n; i++)
    *b->slot[i] = a->mem_ + b->off[i];
  *out = a;
  return LEVEE_OK;
}

/* Whether s is among v[0..n). */
static int seen(const char *const *v, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(v[i], s))
      return 1;
  return 0;
}

int lv_alert_make(const levee_event *ev, const levee_verdict *v,
                  const size_t *idx, size_t n, int excerpts, lv_alert **out) {
  lv_alert *a = calloc(1, sizeof *a);
  if (!a)
    return LEVEE_ENOMEM;
  builder b = {.n = 0};
  lv_buf_init(&b.mem, 1u << 20);
  a->kind = LV_ALERT_EVENT;
  a->time_ms = ev->time_ms;
  a->action = v->action;
  a->severity = v->severity;
  a->count = 1;
  put_str(&b, &a->event_id, ev->id, LV_ALERT_FIELD_BYTES);
  put_str(&b, &a->channel, ev->channel, LV_ALERT_FIELD_BYTES);
  put_str(&b, &a->sender_id, ev->sender.id, LV_ALERT_FIELD_BYTES);
  put_str(&b, &a->sender_name, ev->sender.name, LV_ALERT_FIELD_BYTES);
  put_str(&b, &a->sender_dept, ev->sender.dept, LV_ALERT_FIELD_BYTES);
  put_str(&b, &a->conversation, ev->conversation_title, LV_ALERT_FIELD_BYTES);
  /* Distinct values, compared in the verdict's strings. */
  const char *cat[LV_ALERT_MAX_LIST], *rule[LV_ALERT_MAX_LIST];
  const char *exc[LV_ALERT_MAX_EXCERPTS];
  for (size_t k = 0; k < n; k++) {
    if (idx[k] >= v->n_findings)
      continue;
    const levee_finding *f = &v->findings[idx[k]];
    if (f->category && a->n_categories < LV_ALERT_MAX_LIST &&
        !seen(cat, a->n_categories, f->category))
      cat[a->n_categories++] = f->category;
    if (f->rule && a->n_rules < LV_ALERT_MAX_LIST &&
        !seen(rule, a->n_rules, f->rule))
      rule[a->n_rules++] = f->rule;
    if (excerpts && f->excerpt && *f->excerpt &&
        a->n_excerpts < LV_ALERT_MAX_EXCERPTS &&
        !seen(exc, a->n_excerpts, f->excerpt))
      exc[a->n_excerpts++] = f->excerpt;
  }
  for (size_t i = 0; i < a->n_categories; i++)
    put_cstr(&b, &a->categories[i], cat[i], LV_ALERT_FIELD_BYTES);
  for (size_t i = 0; i < a->n_rules; i++)
    put_cstr(&b, &a->rules[i], rule[i], LV_ALERT_FIELD_BYTES);
  for (size_t i = 0; i < a->n_excerpts; i++)
    put_cstr(&b, &a->excerpts[i], exc[i], LV_MAX_EXCERPT_BYTES);
  return finish(&b, a, out);
}

int lv_alert_summary(const lv_alert *last, uint64_t count, int64_t window_ms,
                     lv_alert **out) {
  lv_alert *a = calloc(1, sizeof *a);
  if (!a)
    return LEVEE_ENOMEM;
  builder b = {.n = 0};
  lv_buf_init(&b.mem, 1u << 20);
  *a = *last;
  a->mem_ = NULL;
  a->kind = LV_ALERT_SUMMARY;
  a->count = count;
  a->window_ms = window_ms;
  put_cstr(&b, &a->event_id, last->event_id, LV_ALERT_FIELD_BYTES);
  put_cstr(&b, &a->channel, last->channel, LV_ALERT_FIELD_BYTES);
  put_cstr(&b, &a->sender_id, last->sender_id, LV_ALERT_FIELD_BYTES);
  put_cstr(&b, &a->sender_name, last->sender_name, LV_ALERT_FIELD_BYTES);
  put_cstr(&b, &a->sender_dept, last->sender_dept, LV_ALERT_FIELD_BYTES);
  put_cstr(&b, &a->conversation, last->conversation, LV_ALERT_FIELD_BYTES);
  for (size_t i = 0; i < a->n_categories; i++)
    put_cstr(&b, &a->categories[i], last->categories[i], LV_ALERT_FIELD_BYTES);
  for (size_t i = 0; i < a->n_rules; i++)
    put_cstr(&b, &a->rules[i], last->rules[i], LV_ALERT_FIELD_BYTES);
  for (size_t i = 0; i < a->n_excerpts; i++)
    put_cstr(&b, &a->excerpts[i], last->excerpts[i], LV_MAX_EXCERPT_BYTES);
  return finish(&b, a, out);
}

void lv_alert_free(lv_alert *a) {
  if (!a)
    return;
  free(a->mem_);
  free(a);
}

/* --- shared pieces -------------------------------------------------------- */

/* Times from 1000-01-01 to 9999-12-31 (UTC) have four-digit years; an
 * event's time outside them is shown as the epoch. */
#define MIN_MS (-30610224000000LL)
#define MAX_MS (253402300799999LL)

/* The broken-down time of ms (+ shift seconds), and its milliseconds. */
static int split_time(int64_t ms, int64_t shift, struct tm *tm, int *frac) {
  if (ms < MIN_MS || ms > MAX_MS)
    ms = 0;
  int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  *frac = (int)(ms - s * 1000);
  time_t t = (time_t)(s + shift);
  return gmtime_r(&t, tm) && tm->tm_year + 1900 >= 1000 &&
         tm->tm_year + 1900 <= 9999;
}

void lv_alert_time_rfc3339(int64_t ms, char out[32]) {
  struct tm tm;
  int frac;
  if (!split_time(ms, 0, &tm, &frac)) {
    snprintf(out, 32, "1970-01-01T00:00:00.000Z");
    return;
  }
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  out[n] = '.';
  out[n + 1] = (char)('0' + frac / 100);
  out[n + 2] = (char)('0' + frac / 10 % 10);
  out[n + 3] = (char)('0' + frac % 10);
  out[n + 4] = 'Z';
  out[n + 5] = '\0';
}

/* China Standard Time (UTC+8, no daylight saving), as people there read
 * it: "2026-01-02 11:04:05". */
static void time_cst(int64_t ms, char out[32]) {
  struct tm tm;
  int frac;
  if (!split_time(ms, 8 * 3600, &tm, &frac)) {
    snprintf(out, 32, "1970-01-01 08:00:00");
    return;
  }
  strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

/* "<console_url>/#/alerts/<event id, percent-encoded>". */
static int console_link(const lv_alert_context *c, const char *event_id,
                        lv_buf *out) {
  size_t n = strlen(c->console_url);
  while (n && c->console_url[n - 1] == '/')
    n--;
  int rc = lv_buf_append(out, c->console_url, n);
  if (!rc)
    rc = lv_buf_puts(out, "/#/alerts/");
  for (const unsigned char *p = (const unsigned char *)event_id; !rc && *p;
       p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
        (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
        *p == '~')
      rc = lv_buf_putc(out, (char)*p);
    else
      rc = lv_buf_printf(out, "%%%02X", *p);
  }
  return rc;
}

int lv_alert_console_url_ok(const char *url) {
  size_t n = strlen(url);
  if (n > 512 || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (url[i] <= 0x20 || url[i] >= 0x7f || strchr("\"\\()[]<>`", url[i]))
      return 0;
  return 1;
}

static int has_link(const lv_alert_context *c) {
  return c->console_url && *c->console_url;
}

static const char *const action_zh[] = {"放行", "告警", "暂扣", "脱敏", "拦截"};
static const char *const severity_zh[] = {"提示", "低", "中", "高", "严重"};

static const char *action_zh_of(levee_action a) {
  return (unsigned)a < 5 ? action_zh[a] : action_zh[0];
}

static const char *severity_zh_of(levee_severity s) {
  return (unsigned)s < 5 ? severity_zh[s] : severity_zh[0];
}

/* A window's length in words: "10 分钟", "30 秒", "1 小时", "500 毫秒". */
static int window_zh(lv_buf *b, int64_t ms) {
  if (ms > 0 && ms % 3600000 == 0)
    return lv_buf_printf(b, "%lld 小时", (long long)(ms / 3600000));
  if (ms > 0 && ms % 60000 == 0)
    return lv_buf_printf(b, "%lld 分钟", (long long)(ms / 60000));
  if (ms > 0 && ms % 1000 == 0)
    return lv_buf_printf(b, "%lld 秒", (long long)(ms / 1000));
  return lv_buf_printf(b, "%lld 毫秒", (long long)ms);
}

/* --- the generic webhook -------------------------------------------------- */

static void jw_list(lv_jw *w, const char *key, const char *const *v, size_t n) {
  lv_jw_key(w, key);
  lv_jw_array_begin(w);
  for (size_t i = 0; i < n; i++)
    lv_jw_cstring(w, v[i]);
  lv_jw_array_end(w);
}

int lv_alert_format_json(const lv_alert *a, const lv_alert_context *c,
                         lv_buf *out) {
  lv_jw w;
  char when[32];
  lv_jw_init(&w, out);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "source");
  lv_jw_cstring(&w, "levee");
  lv_jw_key(&w, "kind");
  lv_jw_cstring(&w, a->kind == LV_ALERT_SUMMARY ? "summary" : "event");
  lv_jw_key(&w, "event_id");
  lv_jw_cstring(&w, a->event_id);
  lv_alert_time_rfc3339(a->time_ms, when);
  lv_jw_key(&w, "time");
  lv_jw_cstring(&w, when);
  lv_jw_key(&w, "time_ms");
  lv_jw_int(&w, a->time_ms);
  lv_jw_key(&w, "channel");
  lv_jw_cstring(&w, a->channel);
  lv_jw_key(&w, "sender");
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "id");
  lv_jw_cstring(&w, a->sender_id);
  lv_jw_key(&w, "name");
  lv_jw_cstring(&w, a->sender_name);
  lv_jw_key(&w, "dept");
  lv_jw_cstring(&w, a->sender_dept);
  lv_jw_object_end(&w);
  lv_jw_key(&w, "conversation");
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "title");
  lv_jw_cstring(&w, a->conversation);
  lv_jw_object_end(&w);
  lv_jw_key(&w, "action");
  lv_jw_cstring(&w, levee_action_name(a->action));
  lv_jw_key(&w, "severity");
  lv_jw_cstring(&w, levee_severity_name(a->severity));
  jw_list(&w, "categories", a->categories, a->n_categories);
  jw_list(&w, "rules", a->rules, a->n_rules);
  jw_list(&w, "excerpts", a->excerpts, a->n_excerpts);
  lv_jw_key(&w, "count");
  lv_jw_int(&w, (int64_t)a->count);
  if (a->kind == LV_ALERT_SUMMARY) {
    lv_jw_key(&w, "window_ms");
    lv_jw_int(&w, a->window_ms);
  }
  if (has_link(c)) {
    lv_buf link;
    lv_buf_init(&link, LV_MAX_ALERT_URL_BYTES * 2);
    int rc = console_link(c, a->event_id, &link);
    lv_jw_key(&w, "console_url");
    if (!rc)
      lv_jw_string(&w, link.data, link.len);
    lv_buf_cleanup(&link);
    if (rc)
      return rc;
  }
  lv_jw_object_end(&w);
  return lv_jw_status(&w);
}

/* --- markdown ------------------------------------------------------------- */

/* Appends s with markup characters as their full-width forms (U+FF01 +
 * (c - '!')) and control bytes as spaces: an excerpt cannot bold, link,
 * quote, mention (<@all>, <at>) or break out of its line. */
static int md_escape_set(lv_buf *b, const char *s, const char *set) {
  int rc = 0;
  for (const char *p = s; !rc && *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (strchr(set, c)) {
      unsigned cp = 0xFF01 + (c - '!');
      char fw[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 63)),
                    (char)(0x80 | (cp & 63))};
      rc = lv_buf_append(b, fw, 3);
    } else if (c < 0x20 || c == 0x7f)
      rc = lv_buf_putc(b, ' ');
    else
      rc = lv_buf_putc(b, (char)c);
  }
  return rc;
}

static int md_escape(lv_buf *b, const char *s) {
  return md_escape_set(b, s, "\\`*_[]<>#~|");
}

/* Rule ids and categories come from the policy, and '_' inside a word is
 * not markup: "pii.cn_mobile" stays as it is. */
static int md_list(lv_buf *b, const char *const *v, size_t n) {
  int rc = 0;
  for (size_t i = 0; !rc && i < n; i++) {
    if (i)
      rc = lv_buf_puts(b, ", ");
    if (!rc)
      rc = md_escape_set(b, v[i], "\\`*[]<>#~|");
  }
  return rc;
}

int lv_alert_format_title(const lv_alert *a, lv_buf *out) {
  if (a->kind == LV_ALERT_SUMMARY) {
    int rc = lv_buf_printf(out, "levee 告警汇总：另有 %llu 条同类告警（",
                           (unsigned long long)a->count);
    if (!rc)
      rc = window_zh(out, a->window_ms);
    return rc ? rc : lv_buf_puts(out, "内）");
  }
  return lv_buf_printf(out, "levee 告警：%s %s（%s %s）",
                       action_zh_of(a->action), levee_action_name(a->action),
                       severity_zh_of(a->severity),
                       levee_severity_name(a->severity));
}

/* The markdown text, line by line: a line that does not fit in what is
 * left of the budget ends the text with "...". */
typedef struct md {
  lv_buf *out;
  lv_buf line;
  const char *nl;
  size_t budget; /* bytes the lines may take, the ellipsis line included */
  size_t used;
  int full;
  int rc;
} md;

static void md_line_end(md *m) {
  if (m->rc || m->full) {
    lv_buf_reset(&m->line);
    return;
  }
  static const char more[] = "……";
  size_t nl = strlen(m->nl), need = m->line.len + nl;
  size_t reserve = sizeof more - 1 + nl;
  if (m->used + need + reserve > m->budget) {
    m->full = 1;
    m->rc = lv_buf_puts(m->out, more);
    if (!m->rc)
      m->rc = lv_buf_puts(m->out, m->nl);
    m->used += reserve;
  } else {
    m->rc =
        lv_buf_append(m->out, m->line.data ? m->line.data : "", m->line.len);
    if (!m->rc)
      m->rc = lv_buf_puts(m->out, m->nl);
    m->used += need;
  }
  lv_buf_reset(&m->line);
}

/* "**label**：value" (value escaped), when value is not empty. */
static void md_field(md *m, const char *label, const char *value) {
  if (m->rc || !*value)
    return;
  m->rc = lv_buf_printf(&m->line, "**%s**：", label);
  if (!m->rc)
    m->rc = md_escape(&m->line, value);
  md_line_end(m);
}

int lv_alert_format_markdown(const lv_alert *a, const lv_alert_context *c,
                             int heading, const char *newline, lv_buf *out) {
  md m = {.out = out, .nl = newline, .budget = LV_ALERT_MARKDOWN_BYTES};
  lv_buf link;
  char when[32];
  lv_buf_init(&m.line, LV_ALERT_MARKDOWN_BYTES * 4);
  lv_buf_init(&link, LV_MAX_ALERT_URL_BYTES * 2);
  if (has_link(c)) {
    m.rc = lv_buf_puts(&link, "[在控制台查看](");
    if (!m.rc)
      m.rc = console_link(c, a->event_id, &link);
    if (!m.rc)
      m.rc = lv_buf_putc(&link, ')');
    if (!m.rc && link.len >= m.budget / 2)
      m.rc = LEVEE_ETOOBIG;
    m.budget -= link.len;
  }
  if (heading && !m.rc) {
    m.rc = lv_buf_puts(&m.line, "### ");
    if (!m.rc)
      m.rc = lv_alert_format_title(a, &m.line);
    md_line_end(&m);
  }
  if (a->kind == LV_ALERT_SUMMARY && !m.rc) {
    m.rc = lv_buf_printf(&m.line, "**次数**：另有 %llu 条（",
                         (unsigned long long)a->count);
    if (!m.rc)
      m.rc = window_zh(&m.line, a->window_ms);
    if (!m.rc)
      m.rc = lv_buf_puts(&m.line, "内，首条已单独告警）");
    md_line_end(&m);
  }
  md_field(&m, a->kind == LV_ALERT_SUMMARY ? "最近事件" : "事件", a->event_id);
  time_cst(a->time_ms, when);
  if (!m.rc)
    m.rc = lv_buf_printf(&m.line, "**时间**：%s（北京时间）", when);
  md_line_end(&m);
  md_field(&m, "渠道", a->channel);
  if (!m.rc && (*a->sender_name || *a->sender_id || *a->sender_dept)) {
    m.rc = lv_buf_puts(&m.line, "**发送人**：");
    if (!m.rc)
      m.rc = md_escape(&m.line, *a->sender_name ? a->sender_name : "?");
    if (!m.rc && *a->sender_id) {
      m.rc = lv_buf_puts(&m.line, "（");
      if (!m.rc)
        m.rc = md_escape(&m.line, a->sender_id);
      if (!m.rc)
        m.rc = lv_buf_puts(&m.line, "）");
    }
    if (!m.rc && *a->sender_dept) {
      m.rc = lv_buf_puts(&m.line, " · ");
      if (!m.rc)
        m.rc = md_escape(&m.line, a->sender_dept);
    }
    md_line_end(&m);
  }
  md_field(&m, "会话", a->conversation);
  if (!m.rc)
    m.rc = lv_buf_printf(&m.line, "**处置**：%s %s · **级别**：%s %s",
                         action_zh_of(a->action), levee_action_name(a->action),
                         severity_zh_of(a->severity),
                         levee_severity_name(a->severity));
  md_line_end(&m);
  if (!m.rc && a->n_categories) {
    m.rc = lv_buf_puts(&m.line, "**类别**：");
    if (!m.rc)
      m.rc = md_list(&m.line, a->categories, a->n_categories);
    md_line_end(&m);
  }
  if (!m.rc && a->n_rules) {
    m.rc = lv_buf_puts(&m.line, "**规则**：");
    if (!m.rc)
      m.rc = md_list(&m.line, a->rules, a->n_rules);
    md_line_end(&m);
  }
  if (!m.rc && a->n_excerpts) {
    m.rc = lv_buf_puts(&m.line, "**摘录**（已遮盖个人信息）：");
    md_line_end(&m);
    for (size_t i = 0; !m.rc && i < a->n_excerpts; i++) {
      m.rc = lv_buf_puts(&m.line, "> ");
      if (!m.rc)
        m.rc = md_escape(&m.line, a->excerpts[i]);
      md_line_end(&m);
    }
  }
  if (!m.rc && link.len)
    m.rc = lv_buf_append(out, link.data, link.len);
  lv_buf_cleanup(&m.line);
  lv_buf_cleanup(&link);
  return m.rc;
}

/* --- the robots ----------------------------------------------------------- */

static int format_wecom(const lv_alert *a, const lv_alert_context *c,
                        lv_buf *out) {
  lv_buf text;
  lv_jw w;
  lv_buf_init(&text, LV_ALERT_MARKDOWN_BYTES + 1);
  int rc = lv_alert_format_markdown(a, c, 1, "\n", &text);
  if (!rc) {
    lv_jw_init(&w, out);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "msgtype");
    lv_jw_cstring(&w, "markdown");
    lv_jw_key(&w, "markdown");
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "content");
    lv_jw_string(&w, text.data, text.len);
    lv_jw_object_end(&w);
    lv_jw_object_end(&w);
    rc = lv_jw_status(&w);
  }
  lv_buf_cleanup(&text);
  return rc;
}

static int format_dingtalk(const lv_alert *a, const lv_alert_context *c,
                           lv_buf *out) {
  lv_buf text, title;
  lv_jw w;
  lv_buf_init(&text, LV_ALERT_MARKDOWN_BYTES + 1);
  lv_buf_init(&title, 1024);
  /* DingTalk's markdown joins lines not separated by a blank one. */
  int rc = lv_alert_format_markdown(a, c, 1, "\n\n", &text);
  if (!rc)
    rc = lv_alert_format_title(a, &title);
  if (!rc) {
    lv_jw_init(&w, out);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "msgtype");
    lv_jw_cstring(&w, "markdown");
    lv_jw_key(&w, "markdown");
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "title");
    lv_jw_string(&w, title.data, title.len);
    lv_jw_key(&w, "text");
    lv_jw_string(&w, text.data, text.len);
    lv_jw_object_end(&w);
    lv_jw_object_end(&w);
    rc = lv_jw_status(&w);
  }
  lv_buf_cleanup(&text);
  lv_buf_cleanup(&title);
  return rc;
}

static void hmac_base64(const unsigned char *key, size_t key_len,
                        const unsigned char *msg, size_t msg_len,
                        char out[48]) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, key, key_len);
  crypto_auth_hmacsha256_update(&st, msg, msg_len);
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2base64(out, 48, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}

void lv_alert_sign_dingtalk(const char *secret, int64_t timestamp_ms,
                            char out[48]) {
  lv_buf m;
  lv_buf_init(&m, LV_MAX_ALERT_URL_BYTES + 64);
  if (lv_buf_printf(&m, "%lld\n%s", (long long)timestamp_ms, secret)) {
    out[0] = '\0';
  } else
    hmac_base64((const unsigned char *)secret, strlen(secret),
                (const unsigned char *)m.data, m.len, out);
  lv_buf_cleanup(&m);
}

void lv_alert_sign_feishu(const char *secret, int64_t timestamp_s,
                          char out[48]) {
  lv_buf k;
  lv_buf_init(&k, LV_MAX_ALERT_URL_BYTES + 64);
  if (lv_buf_printf(&k, "%lld\n%s", (long long)timestamp_s, secret)) {
    out[0] = '\0';
  } else
    hmac_base64((const unsigned char *)k.data, k.len, (const unsigned char *)"",
                0, out);
  lv_buf_cleanup(&k);
}

static const char *card_color(levee_severity s) {
  switch (s) {
  case LEVEE_SEVERITY_CRITICAL:
  case LEVEE_SEVERITY_HIGH: return "red";
  case LEVEE_SEVERITY_MEDIUM: return "orange";
  case LEVEE_SEVERITY_LOW: return "yellow";
  default: return "blue";
  }
}

static int format_feishu(const lv_sink *s, const lv_alert *a,
                         const lv_alert_context *c, lv_buf *out) {
  lv_buf text, title;
  lv_jw w;
  lv_buf_init(&text, LV_ALERT_MARKDOWN_BYTES + 1);
  lv_buf_init(&title, 1024);
  int rc = lv_alert_format_markdown(a, c, 0, "\n", &text);
  if (!rc)
    rc = lv_alert_format_title(a, &title);
  if (!rc) {
    lv_jw_init(&w, out);
    lv_jw_object_begin(&w);
    if (s->secret) {
      int64_t ts = c->now_ms / 1000;
      char num[24], sign[48];
      snprintf(num, sizeof num, "%lld", (long long)ts);
      lv_alert_sign_feishu(s->secret, ts, sign);
      lv_jw_key(&w, "timestamp");
      lv_jw_cstring(&w, num);
      lv_jw_key(&w, "sign");
      lv_jw_cstring(&w, sign);
    }
    lv_jw_key(&w, "msg_type");
    lv_jw_cstring(&w, "interactive");
    lv_jw_key(&w, "card");
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "config");
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "wide_screen_mode");
    lv_jw_bool(&w, 1);
    lv_jw_object_end(&w);
    lv_jw_key(&w, "header");
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "title");
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "tag");
    lv_jw_cstring(&w, "plain_text");
    lv_jw_key(&w, "content");
    lv_jw_string(&w, title.data, title.len);
    lv_jw_object_end(&w);
    lv_jw_key(&w, "template");
    lv_jw_cstring(&w, card_color(a->severity));
    lv_jw_object_end(&w);
    lv_jw_key(&w, "elements");
    lv_jw_array_begin(&w);
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "tag");
    lv_jw_cstring(&w, "div");
    lv_jw_key(&w, "text");
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "tag");
    lv_jw_cstring(&w, "lark_md");
    lv_jw_key(&w, "content");
    lv_jw_string(&w, text.data, text.len);
    lv_jw_object_end(&w);
    lv_jw_object_end(&w);
    lv_jw_array_end(&w);
    lv_jw_object_end(&w);
    lv_jw_object_end(&w);
    rc = lv_jw_status(&w);
  }
  lv_buf_cleanup(&text);
  lv_buf_cleanup(&title);
  return rc;
}

/* DingTalk's signed URL: url&timestamp=T&sign=<percent-encoded base64>. */
static int dingtalk_url(const lv_sink *s, const lv_alert_context *c,
                        lv_buf *url) {
  int rc = lv_buf_puts(url, s->url);
  if (rc || !s->secret)
    return rc;
  char sign[48];
  lv_alert_sign_dingtalk(s->secret, c->now_ms, sign);
  rc = lv_buf_printf(url,
                     "%ctimestamp=%lld&sign=", strchr(s->url, '?') ? '&' : '?',
                     (long long)c->now_ms);
  for (const char *p = sign; !rc && *p; p++) {
    if (*p == '+' || *p == '/' || *p == '=')
      rc = lv_buf_printf(url, "%%%02X", (unsigned char)*p);
    else
      rc = lv_buf_putc(url, *p);
  }
  return rc;
}

/* --- syslog (RFC 5424) ---------------------------------------------------- */

/* levee's severities as syslog's (RFC 5424 table 2). */
static int syslog_severity(levee_severity s) {
  switch (s) {
  case LEVEE_SEVERITY_CRITICAL: return 2; /* Critical */
  case LEVEE_SEVERITY_HIGH: return 3;     /* Error */
  case LEVEE_SEVERITY_MEDIUM: return 4;   /* Warning */
  case LEVEE_SEVERITY_LOW: return 5;      /* Notice */
  default: return 6;                      /* Informational */
  }
}

/* An SD-PARAM value (section 6.3.3): '"', '\' and ']' escaped with '\';
 * control bytes as spaces (collectors split lines); at most cap bytes of
 * s, cut at a character boundary. */
static int sd_value(lv_buf *b, const char *s, size_t cap) {
  size_t n = strnlen(s, cap + 1);
  if (n > cap)
    n = lv_utf8_floor(s, cap);
  int rc = 0;
  for (size_t i = 0; !rc && i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\' || c == ']')
      rc = lv_buf_putc(b, '\\');
    if (!rc)
      rc = lv_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
  }
  return rc;
}

static int sd_param(lv_buf *b, const char *name, const char *value) {
  if (!*value)
    return LEVEE_OK;
  int rc = lv_buf_printf(b, " %s=\"", name);
  if (!rc)
    rc = sd_value(b, value, LV_ALERT_FIELD_BYTES);
  return rc ? rc : lv_buf_putc(b, '"');
}

/* A list as one value, "a,b": whole items only, up to 2 fields' bytes. */
static int sd_list(lv_buf *b, const char *name, const char *const *v,
                   size_t n) {
  if (!n)
    return LEVEE_OK;
  size_t used = 0;
  int rc = lv_buf_printf(b, " %s=\"", name);
  for (size_t i = 0; !rc && i < n; i++) {
    size_t len = strlen(v[i]) + (i > 0);
    if (used + len > 2 * LV_ALERT_FIELD_BYTES)
      break;
    used += len;
    if (i)
      rc = lv_buf_putc(b, ',');
    if (!rc)
      rc = sd_value(b, v[i], LV_ALERT_FIELD_BYTES);
  }
  return rc ? rc : lv_buf_putc(b, '"');
}

/* The human-readable MSG: "block critical: event e1 from 张三 (u1) in 群
 * on wecom: classified.marking by rule-a; excerpts: 机密★ | ...". */
static int syslog_msg(const lv_alert *a, lv_buf *b) {
  int rc = 0;
  if (a->kind == LV_ALERT_SUMMARY)
    rc = lv_buf_printf(b, "%llu more alerts like event ",
                       (unsigned long long)a->count);
  else
    rc = lv_buf_printf(b, "%s %s: event ", levee_action_name(a->action),
                       levee_severity_name(a->severity));
  if (!rc)
    rc = lv_buf_puts(b, a->event_id);
  if (!rc && (*a->sender_name || *a->sender_id))
    rc = lv_buf_printf(b, " from %s (%s)", a->sender_name, a->sender_id);
  if (!rc && *a->conversation)
    rc = lv_buf_printf(b, " in %s", a->conversation);
  if (!rc && *a->channel)
    rc = lv_buf_printf(b, " on %s", a->channel);
  if (!rc && a->kind == LV_ALERT_SUMMARY)
    rc = lv_buf_printf(b, " within %lld ms", (long long)a->window_ms);
  for (size_t i = 0; !rc && i < a->n_categories; i++)
    rc = lv_buf_printf(b, "%s%s", i ? ", " : ": ", a->categories[i]);
  for (size_t i = 0; !rc && i < a->n_rules; i++)
    rc = lv_buf_printf(b, "%s%s", i ? ", " : " by ", a->rules[i]);
  for (size_t i = 0; !rc && i < a->n_excerpts; i++)
    rc = lv_buf_printf(b, "%s%s", i ? " | " : "; excerpts: ", a->excerpts[i]);
  for (size_t i = 0; !rc && i < b->len; i++)
    if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
      b->data[i] = ' ';
  return rc;
}

int lv_alert_format_syslog(const lv_alert *a, const lv_alert_context *c,
                           int facility, lv_buf *out) {
  char now[32], when[32], num[24];
  lv_buf head, msg;
  lv_buf_init(&head, LV_ALERT_SYSLOG_BYTES * 2);
  lv_buf_init(&msg, LV_ALERT_SYSLOG_BYTES * 4);
  if (facility < 0 || facility > 23)
    facility = 4;
  lv_alert_time_rfc3339(c->now_ms, now);
  lv_alert_time_rfc3339(a->time_ms, when);
  /* HOSTNAME: 1 to 255 printable US-ASCII characters, else "-". */
  char host[256];
  size_t hn = 0;
  for (const char *h = c->hostname ? c->hostname : ""; *h && hn < 255; h++)
    if (*h > 32 && *h < 127)
      host[hn++] = *h;
  host[hn] = '\0';
  int rc = lv_buf_printf(&head, "<%d>1 %s %s levee ",
                         facility * 8 + syslog_severity(a->severity), now,
                         hn ? host : "-");
  if (!rc && c->pid > 0)
    rc = lv_buf_printf(&head, "%d ", c->pid);
  else if (!rc)
    rc = lv_buf_puts(&head, "- ");
  /* MSGID: the action (ASCII, at most 32 characters). The SD-ID is levee's
   * name at the example enterprise number of RFC 5612 until levee has one
   * of its own. */
  if (!rc)
    rc = lv_buf_printf(&head, "%s [levee@32473", levee_action_name(a->action));
  if (!rc)
    rc = sd_param(&head, "kind",
                  a->kind == LV_ALERT_SUMMARY ? "summary" : "event");
  if (!rc)
    rc = sd_param(&head, "event", a->event_id);
  if (!rc)
    rc = sd_param(&head, "time", when);
  if (!rc)
    rc = sd_param(&head, "channel", a->channel);
  if (!rc)
    rc = sd_param(&head, "sender_id", a->sender_id);
  if (!rc)
    rc = sd_param(&head, "sender", a->sender_name);
  if (!rc)
    rc = sd_param(&head, "dept", a->sender_dept);
  if (!rc)
    rc = sd_param(&head, "conversation", a->conversation);
  if (!rc)
    rc = sd_param(&head, "action", levee_action_name(a->action));
  if (!rc)
    rc = sd_param(&head, "severity", levee_severity_name(a->severity));
  if (!rc)
    rc = sd_list(&head, "categories", a->categories, a->n_categories);
  if (!rc)
    rc = sd_list(&head, "rules", a->rules, a->n_rules);
  snprintf(num, sizeof num, "%llu", (unsigned long long)a->count);
  if (!rc)
    rc = sd_param(&head, "count", num);
  if (!rc && a->kind == LV_ALERT_SUMMARY) {
    snprintf(num, sizeof num, "%lld", (long long)a->window_ms);
    rc = sd_param(&head, "window_ms", num);
  }
  if (!rc)
    rc = lv_buf_puts(&head, "] \xEF\xBB\xBF"); /* the BOM: MSG is UTF-8 */
  if (!rc)
    rc = syslog_msg(a, &msg);
  if (!rc && head.len > LV_ALERT_SYSLOG_BYTES)
    rc = LEVEE_ETOOBIG; /* cannot happen: the fields are bounded */
  if (!rc)
    rc = lv_buf_append(out, head.data, head.len);
  if (!rc && msg.len) {
    size_t room = LV_ALERT_SYSLOG_BYTES - head.len;
    size_t n = msg.len <= room ? msg.len : lv_utf8_floor(msg.data, room);
    rc = lv_buf_append(out, msg.data, n);
  }
  lv_buf_cleanup(&head);
  lv_buf_cleanup(&msg);
  return rc;
}

/* --- one request ---------------------------------------------------------- */

int lv_alert_format(const lv_sink *s, const lv_alert *a,
                    const lv_alert_context *c, lv_buf *url, lv_buf *body) {
  switch (s->type) {
  case LV_SINK_WEBHOOK: {
    int rc = lv_buf_puts(url, s->url);
    return rc ? rc : lv_alert_format_json(a, c, body);
  }
  case LV_SINK_WECOM: {
    int rc = lv_buf_puts(url, s->url);
    return rc ? rc : format_wecom(a, c, body);
  }
  case LV_SINK_DINGTALK: {
    int rc = dingtalk_url(s, c, url);
    return rc ? rc : format_dingtalk(a, c, body);
  }
  case LV_SINK_FEISHU: {
    int rc = lv_buf_puts(url, s->url);
    return rc ? rc : format_feishu(s, a, c, body);
  }
  case LV_SINK_SYSLOG: return lv_alert_format_syslog(a, c, s->facility, body);
  }
  return LEVEE_EINVAL;
}

/* --- answers -------------------------------------------------------------- */

/* Copies s[0..n) into why as printable text (control bytes as spaces, cut
 * at a character boundary). */
static void why_set(char *why, size_t why_len, const char *prefix,
                    const char *s, size_t n) {
  if (!why || !why_len)
    return;
  int k = snprintf(why, why_len, "%s", prefix);
  size_t at = k < 0 ? 0 : (size_t)k >= why_len ? why_len - 1 : (size_t)k;
  size_t room = why_len - 1 - at;
  if (s && n > room)
    n = lv_utf8_floor(s, room);
  for (size_t i = 0; s && i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    why[at++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
  }
  why[at] = '\0';
}

/* Robot error codes that mean "too many messages, later": WeCom 45009
 * (and -1, system busy), DingTalk 130101, Feishu 11232. */
static int rate_limited(lv_sink_type t, int64_t code) {
  switch (t) {
  case LV_SINK_WECOM: return code == 45009 || code == -1;
  case LV_SINK_DINGTALK: return code == 130101;
  case LV_SINK_FEISHU: return code == 11232;
  default: return 0;
  }
}

lv_alert_outcome lv_alert_answer(lv_sink_type t, long status, const char *body,
                                 size_t n, char *why, size_t why_len) {
  char prefix[64];
  if (status < 200 || status > 299) {
    snprintf(prefix, sizeof prefix, "HTTP %ld", status);
    why_set(why, why_len, prefix, NULL, 0);
    return status == 408 || status == 425 || status == 429 || status >= 500 ||
                   status < 100
               ? LV_ALERT_RETRY
               : LV_ALERT_FAILED;
  }
  if (t != LV_SINK_WECOM && t != LV_SINK_DINGTALK && t != LV_SINK_FEISHU)
    return LV_ALERT_DELIVERED;
  lv_json_doc d;
  lv_arena ar;
  lv_alert_outcome out = LV_ALERT_FAILED;
  lv_json_doc_init(&d);
  lv_arena_init(&ar, 64u << 10);
  static const lv_json_key keys[] = {LV_JSON_KEY("errcode"),
                                     LV_JSON_KEY("errmsg"), LV_JSON_KEY("code"),
                                     LV_JSON_KEY("msg")};
  int v[4];
  int64_t code;
  if (n > LV_ALERT_RESPONSE_BYTES || lv_json_parse(&d, body, n, NULL) ||
      lv_json_members(&d, 0, keys, 4, v)) {
    why_set(why, why_len, "not a robot's answer: ", body,
            n > 80 ? lv_utf8_floor(body, 80) : n);
    goto out;
  }
  int ci = t == LV_SINK_FEISHU ? 2 : 0; /* Feishu: code and msg */
  if (v[ci] < 0 || lv_json_type_of(&d, v[ci]) != LV_JSON_NUMBER ||
      lv_json_int64(&d, v[ci], &code)) {
    why_set(why, why_len, "a robot's answer without its code", NULL, 0);
    goto out;
  }
  if (code == 0) {
    out = LV_ALERT_DELIVERED;
    goto out;
  }
  levee_str msg = {"", 0};
  if (v[ci + 1] >= 0 && lv_json_type_of(&d, v[ci + 1]) == LV_JSON_STRING &&
      lv_json_string(&d, v[ci + 1], &ar, &msg))
    msg = (levee_str){"", 0};
  snprintf(prefix, sizeof prefix,
           "%s %lld: ", t == LV_SINK_FEISHU ? "code" : "errcode",
           (long long)code);
  why_set(why, why_len, prefix, msg.ptr, msg.len);
  out = rate_limited(t, code) ? LV_ALERT_RETRY : LV_ALERT_FAILED;
out:
  lv_arena_cleanup(&ar);
  lv_json_doc_cleanup(&d);
  return out;
}
