/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search_json.c: a search hit as one JSON object (search_json.h).
 */
#include "store/search_json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* s with the marks taken out, as a JSON string, and the marked ranges as
 * [[start, end], ...] byte offsets into it. */
static void json_marked(lv_jw *w, const char *key, levee_str s, lv_buf *tmp) {
  if (!s.ptr)
    return;
  lv_buf_reset(tmp);
  int64_t ranges[64][2];
  size_t n = 0;
  int64_t open_at = -1;
  for (size_t i = 0; i < s.len; i++) {
    if (s.ptr[i] == LV_SEARCH_JSON_MARK_OPEN[0]) {
      open_at = (int64_t)tmp->len;
    } else if (s.ptr[i] == LV_SEARCH_JSON_MARK_CLOSE[0]) {
      if (open_at >= 0 && n < 64) {
        ranges[n][0] = open_at;
        ranges[n++][1] = (int64_t)tmp->len;
      }
      open_at = -1;
    } else if (lv_buf_putc(tmp, s.ptr[i])) {
      return;
    }
  }
  lv_jw_key(w, key);
  lv_jw_string(w, tmp->data ? tmp->data : "", tmp->len);
  char mkey[64];
  snprintf(mkey, sizeof mkey, "%s_matches", key);
  lv_jw_key(w, mkey);
  lv_jw_array_begin(w);
  for (size_t i = 0; i < n; i++) {
    lv_jw_array_begin(w);
    lv_jw_int(w, ranges[i][0]);
    lv_jw_int(w, ranges[i][1]);
    lv_jw_array_end(w);
  }
  lv_jw_array_end(w);
}

static void jw_str(lv_jw *w, const char *key, levee_str v) {
  if (!v.ptr)
    return;
  lv_jw_key(w, key);
  lv_jw_string(w, v.ptr, v.len);
}

void lv_search_hit_json(lv_jw *w, const lv_search_hit *h, int with_text,
                        lv_buf *scratch) {
  char when[40];
  time_t t = (time_t)(h->time_ms / 1000);
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  else
    snprintf(when, sizeof when, "%lld", (long long)h->time_ms);
  lv_jw_object_begin(w);
  lv_jw_key(w, "record");
  lv_jw_int(w, (int64_t)h->seq);
  jw_str(w, "id", h->id);
  lv_jw_key(w, "time");
  lv_jw_cstring(w, when);
  lv_jw_key(w, "time_ms");
  lv_jw_int(w, h->time_ms);
  jw_str(w, "channel", h->channel);
  if (h->sender_id.ptr || h->sender_name.ptr || h->sender_dept.ptr) {
    lv_jw_key(w, "sender");
    lv_jw_object_begin(w);
    jw_str(w, "id", h->sender_id);
    jw_str(w, "name", h->sender_name);
    jw_str(w, "dept", h->sender_dept);
    lv_jw_object_end(w);
  }
  if (h->conversation_id.ptr || h->conversation_title.ptr) {
    lv_jw_key(w, "conversation");
    lv_jw_object_begin(w);
    jw_str(w, "id", h->conversation_id);
    jw_str(w, "title", h->conversation_title);
    lv_jw_object_end(w);
  }
  jw_str(w, "action", h->action);
  jw_str(w, "severity", h->severity);
  lv_jw_key(w, "categories");
  lv_jw_array_begin(w);
  /* Each category once (the store lists one a finding). */
  for (size_t i = 0, start = 0; h->categories.ptr && i <= h->categories.len;
       i++) {
    if (i == h->categories.len || h->categories.ptr[i] == ',') {
      levee_str cat = {h->categories.ptr + start, i - start};
      int seen = 0;
      for (size_t j = 0, s = 0; j < start && !seen; j++)
        if (h->categories.ptr[j] == ',') {
          seen = j - s == cat.len &&
                 !memcmp(h->categories.ptr + s, cat.ptr, cat.len);
          s = j + 1;
        }
      if (!seen)
        lv_jw_string(w, cat.ptr, cat.len);
      start = i + 1;
    }
  }
  lv_jw_array_end(w);
  if (with_text) {
    json_marked(w, "text", h->text, scratch);
    json_marked(w, "extracted", h->extracted, scratch);
  }
  lv_jw_object_end(w);
}
