/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verdict.c: a verdict as one line of JSON (spec/interface.md section 2),
 * written with the JSON builder.
 */
#include <stdio.h>
#include <stdlib.h>

#include "levee/levee.h"
#include "util/buf.h"
#include "util/json_writer.h"

int levee_verdict_json(const levee_verdict *v, char **buf, size_t *len,
                       size_t *cap) {
  lv_buf b = {*buf, *len, *cap, (size_t)1 << 30};
  lv_jw w;
  lv_jw_init(&w, &b);
  lv_jw_object_begin(&w);
  lv_jw_key(&w, "id");
  if (v->id.ptr)
    lv_jw_string(&w, v->id.ptr, v->id.len);
  else
    lv_jw_null(&w);
  lv_jw_key(&w, "action");
  lv_jw_cstring(&w, levee_action_name(v->action));
  lv_jw_key(&w, "severity");
  lv_jw_cstring(&w, levee_severity_name(v->severity));
  lv_jw_key(&w, "findings");
  lv_jw_array_begin(&w);
  for (size_t i = 0; i < v->n_findings; i++) {
    const levee_finding *f = &v->findings[i];
    lv_jw_object_begin(&w);
    lv_jw_key(&w, "rule");
    lv_jw_cstring(&w, f->rule);
    lv_jw_key(&w, "category");
    lv_jw_cstring(&w, f->category);
    lv_jw_key(&w, "source");
    if (f->source < 0)
      lv_jw_cstring(&w, "text");
    else {
      char src[32];
      int n = snprintf(src, sizeof src, "attachment:%d", f->source);
      lv_jw_string(&w, src, (size_t)n);
    }
    lv_jw_key(&w, "start");
    lv_jw_int(&w, (int64_t)f->start);
    lv_jw_key(&w, "end");
    lv_jw_int(&w, (int64_t)f->end);
    lv_jw_key(&w, "excerpt");
    lv_jw_cstring(&w, f->excerpt);
    lv_jw_key(&w, "confidence");
    lv_jw_double(&w, f->confidence, 2);
    lv_jw_key(&w, "action");
    lv_jw_cstring(&w, levee_action_name(f->action));
    lv_jw_key(&w, "severity");
    lv_jw_cstring(&w, levee_severity_name(f->severity));
    lv_jw_object_end(&w);
  }
  lv_jw_array_end(&w);
  if (v->redacted_text) {
    lv_jw_key(&w, "redacted_text");
    lv_jw_cstring(&w, v->redacted_text);
  }
  if (v->truncated) {
    lv_jw_key(&w, "truncated");
    lv_jw_bool(&w, 1);
  }
  lv_jw_object_end(&w);
  int rc = lv_jw_status(&w);
  if (!rc)
    rc = lv_buf_putc(&b, '\n');
  *buf = b.data;
  *len = b.len;
  *cap = b.cap;
  return rc;
}
