/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_jsonl.c: the levee event JSON (spec/interface.md section 1) into a
 * levee_event. This is the hot path of `levee scan`: the reader's tokens
 * are walked once per object (lv_json_members), and strings without escapes
 * are used in place.
 */
#include "ingest/event_jsonl.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "util/error.h"
#include "util/limits.h"

static int digits(const char *s, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int lv_parse_rfc3339(const char *s, size_t n, int64_t *out_ms) {
  int Y, M, D, h, m, sec;
  if (n < 19 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':' || digits(s, 4, &Y) || digits(s + 5, 2, &M) ||
      digits(s + 8, 2, &D) || digits(s + 11, 2, &h) || digits(s + 14, 2, &m) ||
      digits(s + 17, 2, &sec))
    return LEVEE_ESYNTAX;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
    return LEVEE_ESYNTAX;
  size_t i = 19;
  int ms = 0;
  if (i < n && s[i] == '.') {
    int scale = 100;
    size_t f = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      ms += (s[i] - '0') * scale;
      scale /= 10;
      i++;
    }
    if (i == f)
      return LEVEE_ESYNTAX;
  }
  int offset = 0;
  if (i < n && (s[i] == 'Z' || s[i] == 'z'))
    i++;
  else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh, om;
    if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 ||
        om > 59)
      return LEVEE_ESYNTAX;
    offset = (oh * 60 + om) * 60 * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else
    return LEVEE_ESYNTAX;
  if (i != n)
    return LEVEE_ESYNTAX;
  struct tm tm = {0};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  *out_ms = ((int64_t)t - offset) * 1000 + ms;
  return LEVEE_OK;
}

/* An optional string value at token t (-1 when absent): absent or null
 * leaves *out absent. */
static int opt_string(lv_json_doc *d, int t, const char *key, lv_arena *a,
                      levee_str *out, levee_error *err) {
  if (t < 0 || lv_json_type_of(d, t) == LV_JSON_NULL)
    return LEVEE_OK;
  if (lv_json_type_of(d, t) != LV_JSON_STRING)
    return lv_error_set(err, LEVEE_ESYNTAX, "\"%s\" must be a string", key);
  int rc = lv_json_string(d, t, a, out);
  if (rc)
    return lv_error_set(err, rc, "\"%s\": bad string escape", key);
  return LEVEE_OK;
}

static const lv_json_key party_keys[] = {LV_JSON_KEY("id"), LV_JSON_KEY("name"),
                                         LV_JSON_KEY("dept"),
                                         LV_JSON_KEY("role")};

static int party(lv_json_doc *d, int obj, const char *what, lv_arena *a,
                 levee_party *p, levee_error *err) {
  int m[4];
  if (lv_json_members(d, obj, party_keys, 4, m))
    return lv_error_set(err, LEVEE_ESYNTAX, "\"%s\" must be an object", what);
  int rc;
  if ((rc = opt_string(d, m[0], "id", a, &p->id, err)) ||
      (rc = opt_string(d, m[1], "name", a, &p->name, err)) ||
      (rc = opt_string(d, m[2], "dept", a, &p->dept, err)) ||
      (rc = opt_string(d, m[3], "role", a, &p->role, err)))
    return rc;
  return LEVEE_OK;
}

static int is_token(levee_str s) {
  if (s.len == 0 || s.len > 32)
    return 0;
  for (size_t i = 0; i < s.len; i++) {
    char c = s.ptr[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return 0;
  }
  return 1;
}

static const lv_json_key attachment_keys[] = {
    LV_JSON_KEY("kind"),   LV_JSON_KEY("name"), LV_JSON_KEY("path"),
    LV_JSON_KEY("sha256"), LV_JSON_KEY("md5"),  LV_JSON_KEY("data")};

static int attachments(lv_json_doc *d, int arr, lv_arena *a, levee_event *ev,
                       levee_error *err) {
  if (lv_json_type_of(d, arr) != LV_JSON_ARRAY)
    return lv_error_set(err, LEVEE_ESYNTAX, "\"attachments\" must be an array");
  int n = lv_json_size(d, arr);
  if (n > LV_MAX_ATTACHMENTS)
    return lv_error_set(err, LEVEE_ETOOBIG, "more than %d attachments",
                        LV_MAX_ATTACHMENTS);
  if (n == 0)
    return LEVEE_OK;
  levee_attachment *at = lv_arena_alloc(a, (size_t)n * sizeof *at);
  if (!at)
    return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
  memset(at, 0, (size_t)n * sizeof *at);
  size_t k = 0;
  for (int t = lv_json_first(d, arr); t >= 0; t = lv_json_next(d, arr, t)) {
    levee_attachment *x = &at[k++];
    if (lv_json_type_of(d, t) != LV_JSON_OBJECT)
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "attachment %zu must be an object", k - 1);
    levee_str b64 = {0};
    int m[6], rc;
    (void)lv_json_members(d, t, attachment_keys, 6, m);
    if ((rc = opt_string(d, m[0], "kind", a, &x->kind, err)) ||
        (rc = opt_string(d, m[1], "name", a, &x->name, err)) ||
        (rc = opt_string(d, m[2], "path", a, &x->path, err)) ||
        (rc = opt_string(d, m[3], "sha256", a, &x->sha256, err)) ||
        (rc = opt_string(d, m[4], "md5", a, &x->md5, err)) ||
        (rc = opt_string(d, m[5], "data", a, &b64, err)))
      return rc;
    if (b64.ptr) {
      if (b64.len / 4 * 3 > LV_MAX_FILE_BYTES)
        return lv_error_set(err, LEVEE_ETOOBIG,
                            "attachment %zu: data over %u bytes", k - 1,
                            LV_MAX_FILE_BYTES);
      size_t cap = b64.len / 4 * 3 + 3, len = 0;
      unsigned char *bin = lv_arena_alloc(a, cap);
      if (!bin)
        return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
      if (sodium_base642bin(bin, cap, b64.ptr, b64.len, " \r\n", &len, NULL,
                            sodium_base64_VARIANT_ORIGINAL) != 0)
        return lv_error_set(err, LEVEE_ESYNTAX,
                            "attachment %zu: \"data\" is not base64", k - 1);
      x->data.ptr = (const char *)bin;
      x->data.len = len;
    }
  }
  ev->attachments = at;
  ev->n_attachments = k;
  return LEVEE_OK;
}

/* The event's members (spec/interface.md section 1), found in one pass. */
enum {
  K_ID,
  K_TIME,
  K_CHANNEL,
  K_TEXT,
  K_FORWARDED_FROM,
  K_CONVERSATION,
  K_SENDER,
  K_RECIPIENTS,
  K_ATTACHMENTS,
  N_EVENT_KEYS
};
static const lv_json_key event_keys[N_EVENT_KEYS] = {
    [K_ID] = LV_JSON_KEY("id"),
    [K_TIME] = LV_JSON_KEY("time"),
    [K_CHANNEL] = LV_JSON_KEY("channel"),
    [K_TEXT] = LV_JSON_KEY("text"),
    [K_FORWARDED_FROM] = LV_JSON_KEY("forwarded_from"),
    [K_CONVERSATION] = LV_JSON_KEY("conversation"),
    [K_SENDER] = LV_JSON_KEY("sender"),
    [K_RECIPIENTS] = LV_JSON_KEY("recipients"),
    [K_ATTACHMENTS] = LV_JSON_KEY("attachments"),
};
static const lv_json_key conversation_keys[] = {
    LV_JSON_KEY("id"), LV_JSON_KEY("type"), LV_JSON_KEY("title"),
    LV_JSON_KEY("external")};

int lv_event_from_jsonl(lv_json_doc *d, const char *line, size_t len,
                        lv_arena *a, levee_event *out, levee_error *err) {
  int rc = lv_json_parse(d, line, len, err);
  if (rc)
    return rc;
  if (lv_json_type_of(d, 0) != LV_JSON_OBJECT)
    return lv_error_set(err, LEVEE_ESYNTAX, "an event must be a JSON object");
  levee_event ev;
  memset(&ev, 0, sizeof ev);
  ev.conversation_external = LEVEE_UNKNOWN;
  int m[N_EVENT_KEYS];
  (void)lv_json_members(d, 0, event_keys, N_EVENT_KEYS, m);

  int t = m[K_ID];
  if (t < 0)
    return lv_error_set(err, LEVEE_EMISSING, "missing required field \"id\"");
  if (lv_json_type_of(d, t) != LV_JSON_STRING)
    return lv_error_set(err, LEVEE_ESYNTAX, "\"id\" must be a string");
  if ((rc = lv_json_string(d, t, a, &ev.id)))
    return lv_error_set(err, rc, "\"id\": bad string escape");
  if (ev.id.len == 0)
    return lv_error_set(err, LEVEE_ESYNTAX, "\"id\" must not be empty");

  t = m[K_TIME];
  if (t < 0)
    return lv_error_set(err, LEVEE_EMISSING, "missing required field \"time\"");
  if (lv_json_type_of(d, t) == LV_JSON_NUMBER) {
    if (lv_json_int64(d, t, &ev.time_ms))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"time\" must be integer epoch milliseconds");
  } else if (lv_json_type_of(d, t) == LV_JSON_STRING) {
    levee_str s;
    if ((rc = lv_json_string(d, t, a, &s)) ||
        lv_parse_rfc3339(s.ptr, s.len, &ev.time_ms))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"time\" is not an RFC 3339 date-time");
  } else
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "\"time\" must be an RFC 3339 string or epoch "
                        "milliseconds");

  t = m[K_CHANNEL];
  if (t < 0)
    return lv_error_set(err, LEVEE_EMISSING,
                        "missing required field \"channel\"");
  if (lv_json_type_of(d, t) != LV_JSON_STRING ||
      (rc = lv_json_string(d, t, a, &ev.channel)) || !is_token(ev.channel))
    return lv_error_set(err, LEVEE_ESYNTAX,
                        "\"channel\" must be a lowercase token such as "
                        "\"wechat\"");

  if ((rc = opt_string(d, m[K_TEXT], "text", a, &ev.text, err)) ||
      (rc = opt_string(d, m[K_FORWARDED_FROM], "forwarded_from", a,
                       &ev.forwarded_from, err)))
    return rc;
  if (ev.text.len > LV_MAX_TEXT_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "\"text\" over %u bytes",
                        LV_MAX_TEXT_BYTES);

  t = m[K_CONVERSATION];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL) {
    int c[4];
    if (lv_json_members(d, t, conversation_keys, 4, c))
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"conversation\" must be an object");
    if ((rc = opt_string(d, c[0], "id", a, &ev.conversation_id, err)) ||
        (rc = opt_string(d, c[1], "type", a, &ev.conversation_type, err)) ||
        (rc = opt_string(d, c[2], "title", a, &ev.conversation_title, err)))
      return rc;
    int x = c[3];
    if (x >= 0) {
      lv_json_type ty = lv_json_type_of(d, x);
      if (ty == LV_JSON_TRUE || ty == LV_JSON_FALSE)
        ev.conversation_external =
            ty == LV_JSON_TRUE ? LEVEE_TRUE : LEVEE_FALSE;
      else if (ty != LV_JSON_NULL)
        return lv_error_set(err, LEVEE_ESYNTAX,
                            "\"conversation.external\" must be true or false");
    }
  }
  t = m[K_SENDER];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL &&
      (rc = party(d, t, "sender", a, &ev.sender, err)))
    return rc;
  t = m[K_RECIPIENTS];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL) {
    if (lv_json_type_of(d, t) != LV_JSON_ARRAY)
      return lv_error_set(err, LEVEE_ESYNTAX,
                          "\"recipients\" must be an array");
    int n = lv_json_size(d, t);
    if (n > LV_MAX_RECIPIENTS)
      return lv_error_set(err, LEVEE_ETOOBIG, "more than %d recipients",
                          LV_MAX_RECIPIENTS);
    if (n > 0) {
      levee_party *r = lv_arena_alloc(a, (size_t)n * sizeof *r);
      if (!r)
        return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
      memset(r, 0, (size_t)n * sizeof *r);
      size_t k = 0;
      for (int x = lv_json_first(d, t); x >= 0; x = lv_json_next(d, t, x))
        if ((rc = party(d, x, "recipients[]", a, &r[k++], err)))
          return rc;
      ev.recipients = r;
      ev.n_recipients = k;
    }
  }
  t = m[K_ATTACHMENTS];
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_NULL &&
      (rc = attachments(d, t, a, &ev, err)))
    return rc;
  *out = ev;
  return LEVEE_OK;
}
