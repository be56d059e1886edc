/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_email.c: an RFC 5322 / MIME message to a levee_event, with GMime 3.
 *
 * GMime parses the whole message from memory (RFC 2047 encoded words in
 * headers are decoded by it, with UTF-8 then GB18030 as the fallback for raw
 * 8-bit header bytes). This file bounds the input before GMime sees it,
 * walks the MIME tree with a depth and part budget, converts each text part
 * from its declared charset with lv_text_convert, strips tags from HTML when
 * there is no plain text, and copies every string it keeps into the arena
 * before the GMime objects are released.
 */
#include "ingest/event_email.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "extract/text_decode.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/utf8.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init_once(void) {
  g_mime_init();
}

/* What one walk of the MIME tree collects. */
typedef struct email_ctx {
  lv_arena *a;
  levee_error *err;
  lv_buf plain;   /* text/plain parts (and forwarded subjects), UTF-8 */
  lv_buf html;    /* text/html parts stripped (and forwarded subjects) */
  int seen_plain; /* a text/plain body part exists, even if empty */
  int html_full;  /* the HTML text ran past LV_MAX_TEXT_BYTES */
  size_t n_parts;
  levee_attachment *att; /* LV_MAX_ATTACHMENTS slots, allocated on demand */
  size_t n_att;
  size_t att_bytes; /* attachments' decoded bytes kept so far */
} email_ctx;

static int oom(levee_error *err) {
  return lv_error_set(err, LEVEE_ENOMEM, "out of memory");
}

static int text_too_big(levee_error *err) {
  return lv_error_set(err, LEVEE_ETOOBIG, "email: text over %u bytes",
                      LV_MAX_TEXT_BYTES);
}

/* A string from GMime (UTF-8 in principle, but header bytes may be
 * anything) copied into the arena as valid UTF-8. NULL stays absent. */
static int keep_str(email_ctx *c, const char *s, levee_str *out) {
  if (!s) {
    out->ptr = NULL;
    out->len = 0;
    return LEVEE_OK;
  }
  levee_str t;
  int rc = lv_text_convert(NULL, s, strlen(s), c->a, &t, c->err);
  if (rc)
    return rc;
  if (t.ptr == s) { /* borrowed from GMime: copy */
    char *p = lv_arena_strndup(c->a, t.ptr, t.len);
    if (!p)
      return oom(c->err);
    t.ptr = p;
  }
  *out = t;
  return LEVEE_OK;
}

/* Appends a text to b as lines: "\n" before it unless b is empty, CRLF
 * turned into LF, and line breaks at its end dropped. */
static int buf_add_line(email_ctx *c, lv_buf *b, const char *s, size_t n) {
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    n--;
  int rc = LEVEE_OK;
  if (b->len)
    rc = lv_buf_putc(b, '\n');
  size_t i = 0;
  while (!rc && i < n) {
    const char *cr = memchr(s + i, '\r', n - i);
    size_t run = cr ? (size_t)(cr - (s + i)) : n - i;
    rc = lv_buf_append(b, s + i, run);
    i += run;
    if (cr) {
      if (!(i + 1 < n && s[i + 1] == '\n') && !rc)
        rc = lv_buf_putc(b, '\r'); /* a lone CR is kept */
      i++;
    }
  }
  if (rc == LEVEE_ETOOBIG)
    return text_too_big(c->err);
  return rc ? oom(c->err) : LEVEE_OK;
}

/* --- HTML to text ---------------------------------------------------------
 * Crude by design, and safe: every read is bounded by n, the output is never
 * longer than the input plus nothing (tags and entities shrink), and no
 * construct makes the scan go back. Tags vanish; block-level tags become a
 * line break; script and style elements and comments vanish with their
 * content; runs of white space become one space; the common entities and
 * numeric references are decoded. */

static int ci_prefix(const char *s, size_t n, const char *lit) {
  size_t k = strlen(lit);
  return n >= k && strncasecmp(s, lit, k) == 0;
}

/* Offset just past the first occurrence of lit (case-insensitive) in
 * s[from..n), or n if none. */
static size_t ci_skip_past(const char *s, size_t n, size_t from,
                           const char *lit) {
  size_t k = strlen(lit);
  for (size_t i = from; i + k <= n; i++)
    if (strncasecmp(s + i, lit, k) == 0)
      return i + k;
  return n;
}

static int is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
}

/* Tags after which text starts on a new line. */
static int tag_breaks_line(const char *name, size_t n) {
  static const char *const tags[] = {
      "br", "p",  "div", "tr",    "li",         "h1", "h2",    "h3",
      "h4", "h5", "h6",  "table", "blockquote", "hr", "title", "td"};
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
    if (strlen(tags[i]) == n && strncasecmp(name, tags[i], n) == 0)
      return 1;
  return 0;
}

/* Decodes the entity at s[0..n) (s[0] == '&'); writes the UTF-8 into out[4]
 * and returns its length, with *used the bytes consumed; 0 if it is not an
 * entity this knows. */
static int html_entity(const char *s, size_t n, unsigned char out[4],
                       size_t *used) {
  static const struct {
    const char *name;
    int32_t cp;
  } named[] = {{"&nbsp;", 0xA0},     {"&lt;", '<'},       {"&gt;", '>'},
               {"&amp;", '&'},       {"&quot;", '"'},     {"&apos;", '\''},
               {"&ldquo;", 0x201C},  {"&rdquo;", 0x201D}, {"&middot;", 0xB7},
               {"&hellip;", 0x2026}, {"&mdash;", 0x2014}, {"&times;", 0xD7}};
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    if (ci_prefix(s, n, named[i].name)) {
      *used = strlen(named[i].name);
      return lv_utf8_encode(named[i].cp, out);
    }
  if (n < 4 || s[1] != '#')
    return 0;
  size_t i = 2;
  int hex = s[i] == 'x' || s[i] == 'X';
  if (hex)
    i++;
  int32_t cp = 0;
  size_t digits = 0;
  for (; i < n && digits < 8; i++, digits++) {
    char ch = s[i];
    int v;
    if (ch >= '0' && ch <= '9')
      v = ch - '0';
    else if (hex && ch >= 'a' && ch <= 'f')
      v = ch - 'a' + 10;
    else if (hex && ch >= 'A' && ch <= 'F')
      v = ch - 'A' + 10;
    else
      break;
    /* Saturate past U+10FFFF: up to 8 digits would overflow. */
    cp = cp > 0x10FFFF ? 0x110000 : cp * (hex ? 16 : 10) + v;
  }
  if (digits == 0 || i >= n || s[i] != ';')
    return 0;
  if (cp <= 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    cp = 0xFFFD;
  *used = i + 1;
  return lv_utf8_encode(cp, out);
}

/* If s[i] (a '<') opens a tag, a comment or a script/style element,
 * returns the offset just past it and sets *breaks when it ends a line;
 * otherwise returns i (a lone '<' in text). */
static size_t html_tag(const char *s, size_t n, size_t i, int *breaks) {
  *breaks = 0;
  if (ci_prefix(s + i, n - i, "<!--"))
    return ci_skip_past(s, n, i + 4, "-->");
  size_t j = i + 1;
  if (j < n && s[j] == '/')
    j++;
  size_t name = j;
  while (j < n &&
         ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
          (s[j] >= '0' && s[j] <= '9')))
    j++;
  size_t name_len = j - name;
  if (name_len == 0 && (j >= n || s[j] != '!'))
    return i;
  int closing = name > i + 1; /* "</name" */
  size_t end = ci_skip_past(s, n, j, ">");
  if (!closing && ((name_len == 6 && !strncasecmp(s + name, "script", 6)) ||
                   (name_len == 5 && !strncasecmp(s + name, "style", 5)))) {
    end = ci_skip_past(s, n, end, name_len == 6 ? "</script" : "</style");
    end = ci_skip_past(s, n, end, ">");
  }
  *breaks = tag_breaks_line(s + name, name_len);
  return end;
}

static int html_strip(email_ctx *c, const char *s, size_t n) {
  lv_buf *b = &c->html;
  if (b->len && lv_buf_putc(b, '\n'))
    return text_too_big(c->err);
  const size_t start = b->len;
  int rc = LEVEE_OK;
  int pending_space = 0;
  size_t i = 0;
  while (i < n && !rc) {
    char ch = s[i];
    int breaks;
    size_t end = ch == '<' ? html_tag(s, n, i, &breaks) : i;
    if (end > i) {
      if (breaks && b->len > start && b->data[b->len - 1] != '\n')
        rc = lv_buf_putc(b, '\n');
      if (breaks)
        pending_space = 0;
      i = end;
      continue;
    }
    if (is_space(ch)) {
      pending_space = 1;
      i++;
      continue;
    }
    if (pending_space) {
      if (b->len > start && b->data[b->len - 1] != '\n')
        rc = lv_buf_putc(b, ' ');
      pending_space = 0;
      if (rc)
        break;
    }
    unsigned char u[4];
    size_t used;
    int k = ch == '&' ? html_entity(s + i, n - i, u, &used) : 0;
    if (k > 0) {
      rc = lv_buf_append(b, u, (size_t)k);
      i += used;
    } else {
      rc = lv_buf_putc(b, ch);
      i++;
    }
  }
  while (b->len > start && b->data[b->len - 1] == '\n')
    b->data[--b->len] = '\0';
  if (b->len == start && start > 0) /* nothing came: drop the separator */
    b->data[--b->len] = '\0';
  if (rc == LEVEE_ETOOBIG)
    return text_too_big(c->err);
  return rc ? oom(c->err) : LEVEE_OK;
}

/* --- MIME tree ------------------------------------------------------------ */

/* The decoded (transfer encoding removed) content of a part, converted to
 * UTF-8 from its charset parameter and appended to the plain or HTML text. */
static int add_text_part(email_ctx *c, GMimePart *part, int html) {
  if (html && (c->seen_plain || c->html_full))
    return LEVEE_OK; /* HTML is only used when there is no plain text */
  GMimeDataWrapper *w = g_mime_part_get_content(part);
  if (!w)
    return LEVEE_OK;
  GMimeStream *ms = g_mime_stream_mem_new();
  int rc = LEVEE_OK;
  if (g_mime_data_wrapper_write_to_stream(w, ms) < 0)
    goto out; /* unreadable content: nothing to add */
  GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
  GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
  const char *charset =
      ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
  levee_str t;
  rc = lv_text_convert(charset, (const char *)ba->data, ba->len, c->a, &t,
                       c->err);
  if (!rc)
    rc = html ? html_strip(c, t.ptr, t.len)
              : buf_add_line(c, &c->plain, t.ptr, t.len);
  if (html && rc == LEVEE_ETOOBIG) {
    /* Too much HTML is an error only if no plain text turns up. */
    c->html_full = 1;
    rc = LEVEE_OK;
  }
  if (rc == LEVEE_ETOOBIG)
    rc = text_too_big(c->err);
out:
  g_object_unref(ms);
  return rc;
}

static int add_attachment(email_ctx *c, GMimePart *part) {
  if (c->n_att >= LV_MAX_ATTACHMENTS)
    return LEVEE_OK; /* the first LV_MAX_ATTACHMENTS are kept */
  if (!c->att) {
    c->att = lv_arena_alloc(c->a, sizeof *c->att * LV_MAX_ATTACHMENTS);
    if (!c->att)
      return oom(c->err);
  }
  levee_attachment *at = &c->att[c->n_att];
  memset(at, 0, sizeof *at);
  GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
  const char *type = ct ? g_mime_content_type_get_media_type(ct) : NULL;
  at->kind.ptr = type && !g_ascii_strcasecmp(type, "image") ? "image" : "file";
  at->kind.len = strlen(at->kind.ptr);
  int rc = keep_str(c, g_mime_part_get_filename(part), &at->name);
  if (rc)
    return rc;
  c->n_att++;
  /* Its bytes, decoded from the transfer encoding (base64, quoted-
   * printable), for the caller to extract text from (an image, a
   * document). Within LV_MAX_FILE_BYTES each and LV_MAX_EMAIL_BYTES for
   * all of an email's: past that, an attachment keeps its name only. */
  GMimeDataWrapper *content = g_mime_part_get_content(part);
  if (!content)
    return LEVEE_OK;
  GMimeStream *mem = g_mime_stream_mem_new();
  if (!mem)
    return oom(c->err);
  if (g_mime_data_wrapper_write_to_stream(content, mem) >= 0) {
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    if (bytes && bytes->len > 0 && bytes->len <= LV_MAX_FILE_BYTES &&
        bytes->len <= LV_MAX_EMAIL_BYTES - c->att_bytes) {
      char *copy = lv_arena_alloc(c->a, bytes->len);
      if (copy) {
        memcpy(copy, bytes->data, bytes->len);
        at->data = (levee_str){copy, bytes->len};
        c->att_bytes += bytes->len;
      }
    }
  }
  g_object_unref(mem);
  return LEVEE_OK;
}

static int walk(email_ctx *c, GMimeObject *obj, int depth);

static int walk_message(email_ctx *c, GMimeMessage *m, int depth) {
  const char *subject = g_mime_message_get_subject(m);
  if (subject && *subject) {
    levee_str s;
    int rc = keep_str(c, subject, &s);
    if (!rc)
      rc = buf_add_line(c, &c->plain, s.ptr, s.len);
    if (!rc && !c->html_full &&
        (rc = buf_add_line(c, &c->html, s.ptr, s.len)) == LEVEE_ETOOBIG) {
      c->html_full = 1;
      rc = LEVEE_OK;
    }
    if (rc)
      return rc;
  }
  return walk(c, g_mime_message_get_mime_part(m), depth + 1);
}

static int walk(email_ctx *c, GMimeObject *obj, int depth) {
  if (!obj)
    return LEVEE_OK;
  if (depth > LV_MAX_MIME_DEPTH)
    return lv_error_set(c->err, LEVEE_ETOOBIG,
                        "email: MIME parts nested deeper than %d",
                        LV_MAX_MIME_DEPTH);
  if (++c->n_parts > LV_MAX_MIME_PARTS)
    return lv_error_set(c->err, LEVEE_ETOOBIG, "email: more than %d MIME parts",
                        LV_MAX_MIME_PARTS);
  if (GMIME_IS_MESSAGE_PART(obj)) {
    GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    return m ? walk_message(c, m, depth + 1) : LEVEE_OK;
  }
  if (GMIME_IS_MULTIPART(obj)) {
    GMimeMultipart *mp = GMIME_MULTIPART(obj);
    int count = g_mime_multipart_get_count(mp);
    for (int i = 0; i < count; i++) {
      int rc = walk(c, g_mime_multipart_get_part(mp, i), depth + 1);
      if (rc)
        return rc;
    }
    return LEVEE_OK;
  }
  if (!GMIME_IS_PART(obj))
    return LEVEE_OK;
  GMimePart *part = GMIME_PART(obj);
  GMimeContentType *ct = g_mime_object_get_content_type(obj);
  const char *disp = g_mime_object_get_disposition(obj);
  int attached = disp && !g_ascii_strcasecmp(disp, "attachment");
  if (!attached && ct && g_mime_content_type_is_type(ct, "text", "plain")) {
    c->seen_plain = 1;
    return add_text_part(c, part, 0);
  }
  if (!attached && ct && g_mime_content_type_is_type(ct, "text", "html"))
    return add_text_part(c, part, 1);
  return add_attachment(c, part);
}

/* --- addresses ------------------------------------------------------------ */

/* Mailboxes in a list, groups flattened (groups do not nest in RFC 5322;
 * one level of group is followed). */
static size_t count_mailboxes(InternetAddressList *l, int in_group) {
  size_t n = 0;
  int len = l ? internet_address_list_length(l) : 0;
  for (int i = 0; i < len; i++) {
    InternetAddress *ia = internet_address_list_get_address(l, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(ia))
      n++;
    else if (INTERNET_ADDRESS_IS_GROUP(ia) && !in_group)
      n += count_mailboxes(
          internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), 1);
  }
  return n;
}

static int add_mailboxes(email_ctx *c, InternetAddressList *l, int in_group,
                         levee_party *out, size_t *n, size_t cap) {
  int len = l ? internet_address_list_length(l) : 0;
  for (int i = 0; i < len && *n < cap; i++) {
    InternetAddress *ia = internet_address_list_get_address(l, i);
    if (INTERNET_ADDRESS_IS_GROUP(ia) && !in_group) {
      int rc = add_mailboxes(
          c, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), 1,
          out, n, cap);
      if (rc)
        return rc;
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
      continue;
    levee_party *p = &out[*n];
    memset(p, 0, sizeof *p);
    const char *addr =
        internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    const char *name = internet_address_get_name(ia);
    int rc = keep_str(c, addr, &p->id);
    if (!rc && name && *name)
      rc = keep_str(c, name, &p->name);
    if (rc)
      return rc;
    (*n)++;
  }
  return LEVEE_OK;
}

/* --- the message ---------------------------------------------------------- */

/* GMime recurses once per nesting level, and every level needs a
 * Content-Type header (a part without one is text/plain, or message/rfc822
 * in a digest, whose body is again text/plain without one). Counting the
 * lines that start with "Content-Type" before parsing therefore bounds both
 * the part count and the recursion depth of the parser itself. */
static size_t count_content_type_lines(const char *s, size_t n) {
  static const char key[] = "content-type";
  size_t count = 0;
  size_t i = 0;
  while (i < n) {
    if (n - i >= sizeof key - 1 && strncasecmp(s + i, key, sizeof key - 1) == 0)
      count++;
    const char *nl = memchr(s + i, '\n', n - i);
    if (!nl)
      break;
    i = (size_t)(nl - s) + 1;
  }
  return count;
}

/* The id of the first message in a References or In-Reply-To header. */
static const char *first_reference(GMimeMessage *m, GMimeParserOptions *opts,
                                   const char *header, GMimeReferences **keep) {
  const char *v = g_mime_object_get_header(GMIME_OBJECT(m), header);
  if (!v)
    return NULL;
  GMimeReferences *r = g_mime_references_parse(opts, v);
  if (!r)
    return NULL;
  if (g_mime_references_length(r) > 0) {
    *keep = r;
    return g_mime_references_get_message_id(r, 0);
  }
  g_mime_references_free(r);
  return NULL;
}

static int join_text(email_ctx *c, levee_str subject, levee_str *out) {
  const lv_buf *body = c->seen_plain ? &c->plain : &c->html;
  size_t n = subject.len + 1 + body->len;
  if (n > LV_MAX_TEXT_BYTES || (!c->seen_plain && c->html_full))
    return text_too_big(c->err);
  char *p = lv_arena_alloc(c->a, n + 1);
  if (!p)
    return oom(c->err);
  size_t o = 0;
  if (subject.len) {
    memcpy(p, subject.ptr, subject.len);
    o = subject.len;
    p[o++] = '\n';
  }
  if (body->len)
    memcpy(p + o, body->data, body->len);
  o += body->len;
  p[o] = '\0';
  out->ptr = p;
  out->len = o;
  return LEVEE_OK;
}

int lv_event_from_email(const char *bytes, size_t len, levee_str id,
                        lv_arena *a, levee_event *ev, levee_error *err) {
  if (len > LV_MAX_EMAIL_BYTES)
    return lv_error_set(err, LEVEE_ETOOBIG, "email: message over %u bytes",
                        LV_MAX_EMAIL_BYTES);
  if (!bytes || len == 0)
    return lv_error_set(err, LEVEE_ESYNTAX, "email: empty message");
  if (count_content_type_lines(bytes, len) > LV_MAX_MIME_PARTS)
    return lv_error_set(err, LEVEE_ETOOBIG, "email: more than %d MIME parts",
                        LV_MAX_MIME_PARTS);
  pthread_once(&gmime_once, gmime_init_once);

  email_ctx c;
  memset(&c, 0, sizeof c);
  c.a = a;
  c.err = err;
  lv_buf_init(&c.plain, LV_MAX_TEXT_BYTES);
  lv_buf_init(&c.html, LV_MAX_TEXT_BYTES);
  GMimeParserOptions *opts = g_mime_parser_options_new();
  static const char *fallback[] = {"UTF-8", "GB18030", NULL};
  g_mime_parser_options_set_fallback_charsets(opts, fallback);
  g_mime_parser_options_set_rfc2047_compliance_mode(opts,
                                                    GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(opts,
                                                    GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(
      opts, GMIME_RFC_COMPLIANCE_LOOSE);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer(bytes, len);
  GMimeParser *parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage *m = g_mime_parser_construct_message(parser, opts);
  GMimeReferences *refs = NULL;
  levee_event e;
  memset(&e, 0, sizeof e);
  int rc;
  if (!m) {
    rc = lv_error_set(err, LEVEE_ESYNTAX, "email: not an RFC 5322 message");
    goto out;
  }

  levee_str subject = {NULL, 0};
  const char *subj = g_mime_message_get_subject(m);
  if ((rc = keep_str(&c, subj && *subj ? subj : NULL, &subject)))
    goto out;

  /* id, time, thread */
  levee_str message_id = {NULL, 0};
  if ((rc = keep_str(&c, g_mime_message_get_message_id(m), &message_id)))
    goto out;
  if (id.ptr) {
    e.id = id;
  } else if (message_id.ptr && message_id.len) {
    e.id = message_id;
  } else {
    rc = lv_error_set(err, LEVEE_EMISSING,
                      "email: no id given and no Message-ID header");
    goto out;
  }
  GDateTime *date = g_mime_message_get_date(m);
  e.time_ms = date ? (int64_t)g_date_time_to_unix(date) * 1000 : 0;
  e.channel.ptr = "email";
  e.channel.len = 5;
  const char *root = first_reference(m, opts, "References", &refs);
  if (!root)
    root = first_reference(m, opts, "In-Reply-To", &refs);
  if (root) {
    if ((rc = keep_str(&c, root, &e.conversation_id)))
      goto out;
  } else {
    e.conversation_id = message_id;
  }
  e.conversation_title = subject;
  e.conversation_external = LEVEE_UNKNOWN;

  /* people */
  InternetAddressList *from = g_mime_message_get_from(m);
  if (count_mailboxes(from, 0) > 0) {
    size_t n = 0;
    if ((rc = add_mailboxes(&c, from, 0, &e.sender, &n, 1)))
      goto out;
  }
  InternetAddressList *lists[3] = {g_mime_message_get_to(m),
                                   g_mime_message_get_cc(m),
                                   g_mime_message_get_bcc(m)};
  size_t n_rcpt = 0;
  for (int i = 0; i < 3; i++)
    n_rcpt += count_mailboxes(lists[i], 0);
  if (n_rcpt > LV_MAX_RECIPIENTS)
    n_rcpt = LV_MAX_RECIPIENTS;
  if (n_rcpt) {
    levee_party *r = lv_arena_alloc(a, sizeof *r * n_rcpt);
    if (!r) {
      rc = oom(err);
      goto out;
    }
    size_t n = 0;
    for (int i = 0; i < 3; i++)
      if ((rc = add_mailboxes(&c, lists[i], 0, r, &n, n_rcpt)))
        goto out;
    e.recipients = r;
    e.n_recipients = n;
  }
  e.conversation_type.ptr = e.n_recipients > 1 ? "group" : "direct";
  e.conversation_type.len = strlen(e.conversation_type.ptr);

  /* body */
  if ((rc = walk(&c, g_mime_message_get_mime_part(m), 0)))
    goto out;
  if ((rc = join_text(&c, subject, &e.text)))
    goto out;
  e.attachments = c.att;
  e.n_attachments = c.n_att;
  *ev = e;
  rc = LEVEE_OK;
out:
  if (refs)
    g_mime_references_free(refs);
  if (m)
    g_object_unref(m);
  g_object_unref(parser);
  g_object_unref(stream);
  g_mime_parser_options_free(opts);
  lv_buf_cleanup(&c.html);
  lv_buf_cleanup(&c.plain);
  return rc;
}
