/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_wecom.c: a WeCom chat-archive record (会话内容存档) to a levee_event.
 *
 * A record is one JSON object: msgid, action (send | recall | switch), from,
 * tolist, roomid, msgtime (epoch ms), msgtype, and the body under a key that
 * is usually the msgtype ("text": {"content": ...}) but not always
 * (markdown and news put theirs under "info", docmsg under "doc",
 * external_redpacket under "redpacket"). The kind table below says, per
 * msgtype, where the body is, which of its strings are text, and whether it
 * is an attachment. Chat records (chatrecord) and mixed messages hold items
 * whose "content" is itself JSON inside a string; those are parsed with a
 * document per nesting level, up to LV_MAX_WECOM_NESTING levels.
 *
 * Field names follow the published format (developer.work.weixin.qq.com,
 * document 91774 "获取会话内容", 消息格式) and records seen from archive
 * SDK users.
 */
#include "ingest/event_wecom.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/limits.h"

/* How a body's content is laid out beyond plain string fields. */
typedef enum wecom_shape {
  SHAPE_FIELDS = 0, /* only the string fields */
  SHAPE_NEWS,       /* item[]: title, description, url */
  SHAPE_MIXED,      /* item[]: type, content (JSON in a string) */
  SHAPE_CHATRECORD, /* item[]: type "ChatRecordXxx", content (JSON string) */
  SHAPE_VOTE,       /* voteitem[]: strings */
  SHAPE_COLLECT     /* details[]: ques */
} wecom_shape;

typedef struct wecom_kind {
  const char *msgtype;
  const char *keys[2];   /* where the body is in a record, in order */
  const char *fields[4]; /* its string fields that are text, in order */
  const char *attach;    /* attachment kind, or NULL */
  wecom_shape shape;
} wecom_kind;

static const wecom_kind KINDS[] = {
    {"text", {"text"}, {"content"}, NULL, SHAPE_FIELDS},
    {"markdown", {"markdown", "info"}, {"content"}, NULL, SHAPE_FIELDS},
    {"link",
     {"link"},
     {"title", "description", "link_url"},
     NULL,
     SHAPE_FIELDS},
    {"weapp",
     {"weapp"},
     {"title", "description", "displayname"},
     NULL,
     SHAPE_FIELDS},
    {"location", {"location"}, {"title", "address"}, NULL, SHAPE_FIELDS},
    {"card", {"card"}, {"corpname"}, NULL, SHAPE_FIELDS},
    {"file", {"file"}, {"filename"}, "file", SHAPE_FIELDS},
    {"image", {"image"}, {NULL}, "image", SHAPE_FIELDS},
    {"emotion", {"emotion"}, {NULL}, "image", SHAPE_FIELDS},
    {"voice", {"voice"}, {NULL}, "file", SHAPE_FIELDS},
    {"video", {"video"}, {NULL}, "file", SHAPE_FIELDS},
    {"todo", {"todo"}, {"title", "content"}, NULL, SHAPE_FIELDS},
    {"meeting",
     {"meeting"},
     {"topic", "address", "remarks"},
     NULL,
     SHAPE_FIELDS},
    {"docmsg", {"doc", "docmsg"}, {"title", "link_url"}, NULL, SHAPE_FIELDS},
    {"calendar",
     {"calendar"},
     {"title", "place", "remarks"},
     NULL,
     SHAPE_FIELDS},
    {"redpacket", {"redpacket"}, {"wish"}, NULL, SHAPE_FIELDS},
    {"external_redpacket",
     {"redpacket", "external_redpacket"},
     {"wish"},
     NULL,
     SHAPE_FIELDS},
    {"sphfeed", {"sphfeed"}, {"sph_name", "feed_desc"}, NULL, SHAPE_FIELDS},
    {"voip_doc_share", {"voip_doc_share"}, {"filename"}, "file", SHAPE_FIELDS},
    {"qydiskfile", {"qydiskfile"}, {"filename"}, "file", SHAPE_FIELDS},
    {"news", {"info", "news"}, {NULL}, NULL, SHAPE_NEWS},
    {"mixed", {"mixed"}, {NULL}, NULL, SHAPE_MIXED},
    {"chatrecord", {"chatrecord"}, {"title"}, NULL, SHAPE_CHATRECORD},
    {"vote", {"vote"}, {"votetitle"}, NULL, SHAPE_VOTE},
    {"collect", {"collect"}, {"room_name"}, NULL, SHAPE_COLLECT},
    /* No text: revoke (pre_msgid), agree/disagree, calls. */
    {"revoke", {"revoke"}, {NULL}, NULL, SHAPE_FIELDS},
    {"agree", {"agree"}, {NULL}, NULL, SHAPE_FIELDS},
    {"disagree", {"disagree"}, {NULL}, NULL, SHAPE_FIELDS},
    {"meeting_voice_call", {"meeting_voice_call"}, {NULL}, NULL, SHAPE_FIELDS},
    {"voiptext", {"voiptext"}, {NULL}, NULL, SHAPE_FIELDS},
};

/* A msgtype this table does not know: its body is under the msgtype, and
 * the strings that usually carry text are taken. */
static const wecom_kind GENERIC = {
    NULL, {NULL}, {"title", "content", "description"}, NULL, SHAPE_FIELDS};

static const wecom_kind *kind_of(const char *msgtype) {
  for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
    if (!strcmp(KINDS[i].msgtype, msgtype))
      return &KINDS[i];
  return &GENERIC;
}

typedef struct wecom_ctx {
  lv_arena *a;
  levee_error *err;
  /* text: the first piece is kept as a slice; only a second one makes the
   * pieces be joined in buf (most messages have one piece, zero-copy). */
  levee_str first;
  size_t n_pieces;
  lv_buf buf;
  levee_attachment *att; /* LV_MAX_ATTACHMENTS slots, allocated on demand */
  size_t n_att;
  lv_json_doc nested[LV_MAX_WECOM_NESTING]; /* nested[k]: level k + 1 */
} wecom_ctx;

static int oom(levee_error *err) {
  return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
}

static int text_add(wecom_ctx *c, levee_str s) {
  if (!s.ptr || s.len == 0)
    return LEVEE_OK;
  int rc = LEVEE_OK;
  if (c->n_pieces == 0) {
    c->first = s;
  } else {
    if (c->n_pieces == 1)
      rc = lv_buf_append(&c->buf, c->first.ptr, c->first.len);
    if (!rc)
      rc = lv_buf_putc(&c->buf, '\n');
    if (!rc)
      rc = lv_buf_append(&c->buf, s.ptr, s.len);
  }
  if (rc == LEVEE_ETOOBIG)
    return lv_error_set(c->err, LEVEE_ETOOBIG, "wecom: text over %u bytes",
                        LV_MAX_TEXT_BYTES);
  if (rc)
    return oom(c->err);
  c->n_pieces++;
  return LEVEE_OK;
}

static int text_finish(wecom_ctx *c, levee_str *out) {
  out->ptr = NULL;
  out->len = 0;
  if (c->n_pieces == 0)
    return LEVEE_OK;
  if (c->n_pieces == 1) {
    if (c->first.len > LV_MAX_TEXT_BYTES)
      return lv_error_set(c->err, LEVEE_ETOOBIG, "wecom: text over %u bytes",
                          LV_MAX_TEXT_BYTES);
    *out = c->first;
    return LEVEE_OK;
  }
  char *p = lv_arena_strndup(c->a, c->buf.data, c->buf.len);
  if (!p)
    return oom(c->err);
  out->ptr = p;
  out->len = c->buf.len;
  return LEVEE_OK;
}

/* --- typed field access ---------------------------------------------------
 * A null value counts as absent. Some producers wrap a body's fields in an
 * "info" object; a field not found in obj is looked up there too. */

static int field(const lv_json_doc *d, int obj, const char *key) {
  int t = lv_json_get(d, obj, key);
  if (t < 0) {
    int info = lv_json_get(d, obj, "info");
    if (lv_json_type_of(d, info) == LV_JSON_OBJECT)
      t = lv_json_get(d, info, key);
  }
  return lv_json_type_of(d, t) == LV_JSON_NULL ? -1 : t;
}

static int string_at(wecom_ctx *c, const lv_json_doc *d, int tok,
                     const char *what, levee_str *out) {
  if (lv_json_type_of(d, tok) != LV_JSON_STRING)
    return lv_error_set(c->err, LEVEE_ESYNTAX, "wecom: %s: expected a string",
                        what);
  int rc = lv_json_string(d, tok, c->a, out);
  if (rc == LEVEE_ENOMEM)
    return oom(c->err);
  if (rc)
    return lv_error_set(c->err, LEVEE_ESYNTAX, "wecom: %s: bad string escape",
                        what);
  return LEVEE_OK;
}

/* Optional string member: absent (ptr NULL) when missing or null. */
static int get_str(wecom_ctx *c, const lv_json_doc *d, int obj, const char *key,
                   levee_str *out) {
  out->ptr = NULL;
  out->len = 0;
  int t = field(d, obj, key);
  return t < 0 ? LEVEE_OK : string_at(c, d, t, key, out);
}

/* Optional array member: -1 when missing or null. */
static int get_array(wecom_ctx *c, const lv_json_doc *d, int obj,
                     const char *key, int *out) {
  int t = field(d, obj, key);
  if (t >= 0 && lv_json_type_of(d, t) != LV_JSON_ARRAY)
    return lv_error_set(c->err, LEVEE_ESYNTAX, "wecom: %s: expected an array",
                        key);
  *out = t;
  return LEVEE_OK;
}

static int add_attachment(wecom_ctx *c, const char *kind, levee_str name,
                          levee_str md5) {
  if (c->n_att >= LV_MAX_ATTACHMENTS)
    return LEVEE_OK; /* the first LV_MAX_ATTACHMENTS are kept */
  if (!c->att) {
    c->att = lv_arena_alloc(c->a, sizeof *c->att * LV_MAX_ATTACHMENTS);
    if (!c->att)
      return oom(c->err);
  }
  levee_attachment *at = &c->att[c->n_att++];
  memset(at, 0, sizeof *at);
  at->kind.ptr = kind;
  at->kind.len = strlen(kind);
  at->name = name;
  at->md5 = md5;
  return LEVEE_OK;
}

/* --- bodies --------------------------------------------------------------- */

static int body_extract(wecom_ctx *c, const lv_json_doc *d, int body,
                        const wecom_kind *k, int depth);

/* Maps an item type to a msgtype: chat-record items are "ChatRecordText",
 * "ChatRecordFile", ... (the prefix is dropped), mixed items are "text",
 * "image", ...; lowercased into buf. Empty when it does not fit. */
static void item_msgtype(levee_str type, char *buf, size_t cap) {
  static const char prefix[] = "chatrecord";
  const size_t plen = sizeof prefix - 1;
  if (type.len > plen && strncasecmp(type.ptr, prefix, plen) == 0) {
    type.ptr += plen;
    type.len -= plen;
  }
  if (type.len >= cap) {
    buf[0] = '\0';
    return;
  }
  for (size_t i = 0; i < type.len; i++) {
    char ch = type.ptr[i];
    buf[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
  }
  buf[type.len] = '\0';
}

/* One item of a chatrecord or mixed body: {"type": ..., "content": ...},
 * content being JSON in a string (as WeCom sends it) or, from some
 * re-serialisers, an object or plain text. */
static int item_extract(wecom_ctx *c, const lv_json_doc *d, int item,
                        int depth) {
  if (lv_json_type_of(d, item) != LV_JSON_OBJECT)
    return lv_error_set(c->err, LEVEE_ESYNTAX,
                        "wecom: item: expected an object");
  levee_str type;
  int rc = get_str(c, d, item, "type", &type);
  if (rc || !type.ptr)
    return rc;
  char msgtype[32];
  item_msgtype(type, msgtype, sizeof msgtype);
  const wecom_kind *k = kind_of(msgtype);
  int content = lv_json_get(d, item, "content");
  switch (lv_json_type_of(d, content)) {
  case LV_JSON_INVALID:
  case LV_JSON_NULL: return LEVEE_OK;
  case LV_JSON_OBJECT: return body_extract(c, d, content, k, depth);
  case LV_JSON_STRING: break;
  default:
    return lv_error_set(c->err, LEVEE_ESYNTAX,
                        "wecom: item content: expected a string");
  }
  levee_str s;
  if ((rc = string_at(c, d, content, "content", &s)))
    return rc;
  if (depth >= LV_MAX_WECOM_NESTING)
    return lv_error_set(c->err, LEVEE_ETOOBIG,
                        "wecom: chat records nested deeper than %d",
                        LV_MAX_WECOM_NESTING);
  lv_json_doc *nd = &c->nested[depth];
  rc = lv_json_parse(nd, s.ptr, s.len, NULL);
  if (rc == LEVEE_OK && lv_json_type_of(nd, 0) == LV_JSON_OBJECT)
    return body_extract(c, nd, 0, k, depth + 1);
  if (rc == LEVEE_ENOMEM)
    return oom(c->err);
  /* Not JSON (or not an object): plain text is still text. */
  return k->shape == SHAPE_FIELDS && k->fields[0] &&
                 !strcmp(k->fields[0], "content")
             ? text_add(c, s)
             : LEVEE_OK;
}

static int items_extract(wecom_ctx *c, const lv_json_doc *d, int body,
                         int depth) {
  int arr;
  int rc = get_array(c, d, body, "item", &arr);
  for (int it = lv_json_first(d, arr); !rc && it >= 0;
       it = lv_json_next(d, arr, it))
    rc = item_extract(c, d, it, depth);
  return rc;
}

static int news_extract(wecom_ctx *c, const lv_json_doc *d, int body) {
  static const char *const keys[] = {"title", "description", "url"};
  int arr;
  int rc = get_array(c, d, body, "item", &arr);
  for (int it = lv_json_first(d, arr); !rc && it >= 0;
       it = lv_json_next(d, arr, it)) {
    if (lv_json_type_of(d, it) != LV_JSON_OBJECT)
      return lv_error_set(c->err, LEVEE_ESYNTAX,
                          "wecom: news item: expected an object");
    for (size_t i = 0; !rc && i < 3; i++) {
      levee_str s;
      rc = get_str(c, d, it, keys[i], &s);
      if (!rc)
        rc = text_add(c, s);
    }
  }
  return rc;
}

/* An array of strings (voteitem) or of objects with one string (details[]
 * .ques). */
static int list_extract(wecom_ctx *c, const lv_json_doc *d, int body,
                        const char *key, const char *member) {
  int arr;
  int rc = get_array(c, d, body, key, &arr);
  for (int it = lv_json_first(d, arr); !rc && it >= 0;
       it = lv_json_next(d, arr, it)) {
    levee_str s = {NULL, 0};
    if (!member)
      rc = string_at(c, d, it, key, &s);
    else if (lv_json_type_of(d, it) == LV_JSON_OBJECT)
      rc = get_str(c, d, it, member, &s);
    else
      rc = lv_error_set(c->err, LEVEE_ESYNTAX, "wecom: %s: expected objects",
                        key);
    if (!rc)
      rc = text_add(c, s);
  }
  return rc;
}

/* Text and attachments of one body object (a record's body, or the parsed
 * content of an item) in document d. depth: JSON-in-string levels so far. */
static int body_extract(wecom_ctx *c, const lv_json_doc *d, int body,
                        const wecom_kind *k, int depth) {
  int rc = LEVEE_OK;
  for (size_t i = 0; !rc && i < 4 && k->fields[i]; i++) {
    levee_str s;
    rc = get_str(c, d, body, k->fields[i], &s);
    if (!rc)
      rc = text_add(c, s);
  }
  if (rc)
    return rc;
  if (k->attach) {
    levee_str name, md5;
    if ((rc = get_str(c, d, body, "filename", &name)) ||
        (rc = get_str(c, d, body, "md5sum", &md5)))
      return rc;
    if ((rc = add_attachment(c, k->attach, name, md5)))
      return rc;
  }
  switch (k->shape) {
  case SHAPE_FIELDS: return LEVEE_OK;
  case SHAPE_NEWS: return news_extract(c, d, body);
  case SHAPE_MIXED:
  case SHAPE_CHATRECORD: return items_extract(c, d, body, depth);
  case SHAPE_VOTE: return list_extract(c, d, body, "voteitem", NULL);
  case SHAPE_COLLECT: return list_extract(c, d, body, "details", "ques");
  }
  return lv_error_set(c->err, LEVEE_EINVAL, "wecom: unknown body shape");
}

/* The body of a record: the first of the kind's keys present (the msgtype
 * itself for an unknown kind); a body not under its key (some SDKs flatten
 * it into the record) is read from the record itself. */
static int record_body(wecom_ctx *c, const lv_json_doc *d, const wecom_kind *k,
                       const char *msgtype, int *out) {
  const char *keys[2] = {k->keys[0], k->keys[1]};
  if (k == &GENERIC)
    keys[0] = msgtype;
  for (int i = 0; i < 2 && keys[i]; i++) {
    int t = lv_json_get(d, 0, keys[i]);
    lv_json_type ty = lv_json_type_of(d, t);
    if (ty == LV_JSON_INVALID || ty == LV_JSON_NULL)
      continue;
    if (ty != LV_JSON_OBJECT)
      return lv_error_set(c->err, LEVEE_ESYNTAX,
                          "wecom: %s: expected an object", keys[i]);
    *out = t;
    return LEVEE_OK;
  }
  *out = 0;
  return LEVEE_OK;
}

/* --- parties -------------------------------------------------------------- */

static int has_prefix(levee_str s, const char *p) {
  size_t n = strlen(p);
  return s.len >= n && memcmp(s.ptr, p, n) == 0;
}

/* WeCom external_userid values (customers on WeChat, people of other
 * companies) begin with "wo" or "wm"; robots' with "wb". Internal userids
 * are chosen by the company and may, rarely, begin the same way: such a
 * staff member is then counted as external, the safe direction. */
static int is_external(levee_str id) {
  return has_prefix(id, "wo") || has_prefix(id, "wm");
}

static levee_str role_of(levee_str id) {
  const char *r = is_external(id)        ? "customer"
                  : has_prefix(id, "wb") ? "bot"
                                         : "staff";
  levee_str s = {r, strlen(r)};
  return s;
}

static int str_cmp(const void *x, const void *y) {
  const levee_str *a = x, *b = y;
  size_t n = a->len < b->len ? a->len : b->len;
  int r = n ? memcmp(a->ptr, b->ptr, n) : 0;
  return r ? r : (a->len > b->len) - (a->len < b->len);
}

/* "a|b": the distinct ids of a direct conversation, sorted, so both
 * directions of a chat share one id. */
static int direct_id(wecom_ctx *c, levee_str *ids, size_t n, levee_str *out) {
  qsort(ids, n, sizeof *ids, str_cmp);
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += ids[i].len + 1;
  char *p = lv_arena_alloc(c->a, total + 1);
  if (!p)
    return oom(c->err);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && str_cmp(&ids[i], &ids[i - 1]) == 0)
      continue;
    if (o)
      p[o++] = '|';
    memcpy(p + o, ids[i].ptr, ids[i].len);
    o += ids[i].len;
  }
  p[o] = '\0';
  out->ptr = p;
  out->len = o;
  return LEVEE_OK;
}

/* --- the record ----------------------------------------------------------- */

static int required_int(wecom_ctx *c, const lv_json_doc *d, const char *key,
                        int64_t *out) {
  int t = lv_json_get(d, 0, key);
  lv_json_type ty = lv_json_type_of(d, t);
  if (ty == LV_JSON_INVALID || ty == LV_JSON_NULL)
    return lv_error_set(c->err, LEVEE_EMISSING, "wecom: record has no %s", key);
  if (lv_json_int64(d, t, out))
    return lv_error_set(c->err, LEVEE_ESYNTAX,
                        "wecom: %s: expected an integer (epoch milliseconds)",
                        key);
  return LEVEE_OK;
}

/* Sender, recipients and conversation of a send or recall record. */
static int map_parties(wecom_ctx *c, const lv_json_doc *d, levee_str msgid,
                       levee_event *e) {
  levee_str from, roomid;
  int rc;
  if ((rc = get_str(c, d, 0, "from", &from)) ||
      (rc = get_str(c, d, 0, "roomid", &roomid)))
    return rc;
  int tolist;
  if ((rc = get_array(c, d, 0, "tolist", &tolist)))
    return rc;
  size_t n_to = tolist >= 0 ? (size_t)lv_json_size(d, tolist) : 0;
  /* All parties, for the direct id and the external test. */
  levee_str *ids = lv_arena_alloc(c->a, sizeof *ids * (n_to + 1));
  if (!ids)
    return oom(c->err);
  size_t n_ids = 0;
  /* "msgid以_external结尾的消息，表明该消息是一条外部消息" */
  int external =
      msgid.len >= 9 && !memcmp(msgid.ptr + msgid.len - 9, "_external", 9);
  if (from.ptr) {
    e->sender.id = from;
    e->sender.role = role_of(from);
    ids[n_ids++] = from;
    external |= is_external(from);
  }
  size_t keep = n_to > LV_MAX_RECIPIENTS ? LV_MAX_RECIPIENTS : n_to;
  levee_party *r = NULL;
  if (keep) {
    r = lv_arena_alloc(c->a, sizeof *r * keep);
    if (!r)
      return oom(c->err);
  }
  size_t i = 0;
  for (int t = lv_json_first(d, tolist); t >= 0 && i < n_to;
       t = lv_json_next(d, tolist, t), i++) {
    levee_str s;
    if ((rc = string_at(c, d, t, "tolist", &s)))
      return rc;
    ids[n_ids++] = s;
    external |= is_external(s);
    if (i < keep) {
      memset(&r[i], 0, sizeof r[i]);
      r[i].id = s;
      r[i].role = role_of(s);
    }
  }
  e->recipients = r;
  e->n_recipients = i < keep ? i : keep;
  e->conversation_external = external ? LEVEE_TRUE : LEVEE_FALSE;
  if (roomid.ptr && roomid.len) {
    e->conversation_type.ptr = "group";
    e->conversation_id = roomid;
  } else {
    e->conversation_type.ptr = "direct";
    if (n_ids && (rc = direct_id(c, ids, n_ids, &e->conversation_id)))
      return rc;
  }
  e->conversation_type.len = strlen(e->conversation_type.ptr);
  return LEVEE_OK;
}

static int map_record(wecom_ctx *c, const lv_json_doc *d, levee_event *e) {
  if (lv_json_type_of(d, 0) != LV_JSON_OBJECT)
    return lv_error_set(c->err, LEVEE_ESYNTAX,
                        "wecom: record is not a JSON object");
  levee_str msgid, action, msgtype;
  int rc;
  if ((rc = get_str(c, d, 0, "msgid", &msgid)) ||
      (rc = get_str(c, d, 0, "action", &action)) ||
      (rc = get_str(c, d, 0, "msgtype", &msgtype)))
    return rc;
  if (!msgid.ptr || msgid.len == 0)
    return lv_error_set(c->err, LEVEE_EMISSING, "wecom: record has no msgid");
  e->id = msgid;
  e->channel.ptr = "wecom";
  e->channel.len = 5;
  e->conversation_external = LEVEE_UNKNOWN;

  int is_switch =
      action.ptr && action.len == 6 && !memcmp(action.ptr, "switch", 6);
  int is_recall =
      action.ptr && action.len == 6 && !memcmp(action.ptr, "recall", 6);
  if (is_switch) {
    /* {"msgid", "action": "switch", "time", "user"}: a member switched the
     * company they are logged in to. */
    int has_time =
        lv_json_type_of(d, lv_json_get(d, 0, "time")) != LV_JSON_INVALID;
    if ((rc = required_int(c, d, has_time ? "time" : "msgtime", &e->time_ms)))
      return rc;
    levee_str user;
    if ((rc = get_str(c, d, 0, "user", &user)))
      return rc;
    if (user.ptr) {
      e->sender.id = user;
      e->sender.role = role_of(user);
    }
    return LEVEE_OK;
  }
  if ((rc = required_int(c, d, "msgtime", &e->time_ms)) ||
      (rc = map_parties(c, d, msgid, e)))
    return rc;
  if (is_recall || !msgtype.ptr)
    return LEVEE_OK; /* a recall carries only pre_msgid */
  char type[32];
  if (msgtype.len >= sizeof type || memchr(msgtype.ptr, '\0', msgtype.len))
    return LEVEE_OK; /* not a msgtype anyone sends: no body to read */
  memcpy(type, msgtype.ptr, msgtype.len);
  type[msgtype.len] = '\0';
  const wecom_kind *k = kind_of(type);
  int body;
  if ((rc = record_body(c, d, k, type, &body)) ||
      (rc = body_extract(c, d, body, k, 0)))
    return rc;
  if ((rc = text_finish(c, &e->text)))
    return rc;
  e->attachments = c->att;
  e->n_attachments = c->n_att;
  return LEVEE_OK;
}

int lv_event_from_wecom(lv_json_doc *doc, const char *rec, size_t len,
                        lv_arena *a, levee_event *ev, levee_error *err) {
  int rc = lv_json_parse(doc, rec, len, err);
  if (rc)
    return rc;
  wecom_ctx c;
  memset(&c, 0, sizeof c);
  c.a = a;
  c.err = err;
  lv_buf_init(&c.buf, LV_MAX_TEXT_BYTES);
  for (int i = 0; i < LV_MAX_WECOM_NESTING; i++)
    lv_json_doc_init(&c.nested[i]);
  levee_event e;
  memset(&e, 0, sizeof e);
  rc = map_record(&c, doc, &e);
  if (rc == LEVEE_OK)
    *ev = e;
  for (int i = 0; i < LV_MAX_WECOM_NESTING; i++)
    lv_json_doc_cleanup(&c.nested[i]);
  lv_buf_cleanup(&c.buf);
  return rc;
}
