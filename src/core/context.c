/* SPDX-License-Identifier: Apache-2.0 */
/*
 * context.c: context scoring for candidates. Hot words near a candidate
 * raise its confidence, anti words lower it, exclusion phrases that overlap
 * it suppress it; each rule's threshold then decides. Also the digit and
 * alphanumeric boundary checks validators share ("a digit run embedded in a
 * longer digit run is not a match").
 */
#include "detect/detector.h"

#define MAX_TAGS 32

double lv_context_delta(const lv_inspect *in, const lv_detector_inst *inst,
                        const lv_hit *hits, size_t n, uint32_t from,
                        uint32_t to) {
  uint32_t seen[MAX_TAGS];
  size_t n_seen = 0;
  double delta = 0;
  uint32_t lo =
      from > inst->ops->window_before ? from - inst->ops->window_before : 0;
  uint32_t hi = to + inst->ops->window_after;
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->role != LV_ROLE_HOT && pi->role != LV_ROLE_ANTI)
      continue;
    if (hits[i].to < lo || hits[i].from > hi)
      continue;
    if (hits[i].from == from && hits[i].to == to) /* the candidate itself */
      continue;
    uint32_t key = (pi->tag << 1) | (pi->role == LV_ROLE_ANTI);
    int dup = 0;
    for (size_t k = 0; k < n_seen; k++)
      dup |= seen[k] == key;
    if (dup)
      continue;
    if (n_seen < MAX_TAGS)
      seen[n_seen++] = key;
    delta += pi->role == LV_ROLE_HOT ? pi->weight : -pi->weight;
  }
  return delta;
}

int lv_context_excluded(const lv_inspect *in, const lv_hit *hits, size_t n,
                        uint32_t from, uint32_t to) {
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->role == LV_ROLE_EXCLUDE && hits[i].from < to && from < hits[i].to)
      return 1;
  }
  return 0;
}

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}
static int is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int lv_norm_digit_before(const lv_norm *n, uint32_t off) {
  return off > 0 && off <= n->len && is_digit(n->text[off - 1]);
}
int lv_norm_digit_after(const lv_norm *n, uint32_t off) {
  return off < n->len && is_digit(n->text[off]);
}
int lv_norm_alnum_before(const lv_norm *n, uint32_t off) {
  return off > 0 && off <= n->len && is_alnum(n->text[off - 1]);
}
int lv_norm_alnum_after(const lv_norm *n, uint32_t off) {
  return off < n->len && is_alnum(n->text[off]);
}
