/* SPDX-License-Identifier: Apache-2.0 */
/*
 * classified_marking.c: the classified.marking detector: state-secret
 * markings (国家秘密标志, GB/T 7156) and classified-telegram wording.
 *
 * A marking needs structure, not just the word: a level (绝密/机密/秘密),
 * then ★ ☆ * or 级, then a period (N年, N个月, 长期, Chinese numerals).
 * "机密★" and "秘密级" alone count too (the period may be the default).
 * Separators, U+3000, zero-width characters and Traditional forms are
 * handled by normalization; a "*" between level and period is dropped there
 * as a separator, so the validator looks for it in the original text. OCR
 * often misreads the star as another single character; such a gap counts
 * with less confidence. Ordinary talk with the bare word (保密工作会议,
 * 《绝密飞行》, 机密性, 秘密花园) has no structure and so no candidate.
 *
 * In an attachment's text (OCR of a photographed page, a document), two
 * things change. A marking stands on a line of its own at the top of a
 * page, and OCR often loses the star and the period around it: a line
 * that is only a level word, perhaps with one more character, counts
 * (TAG_LINE). And a document about secrecy work (a training notice, a
 * regulation) names 涉密文件 or 国家秘密 in passing, where a chat message
 * naming them is unusual: such phrases weigh less there (DOC_DAMPING),
 * and a level with 级 counts only at the start of a line (a poster quoting
 * the law, 绝密级国家秘密是..., is not marked).
 */
#include <string.h>

#include "detect/phrases.h"
#include "util/utf8.h"

enum {
  TAG_STAR = 1000,    /* level + ★/☆ */
  TAG_JI,             /* level + 级 */
  TAG_PERIOD,         /* level + (gap of 0..1 char) + period */
  TAG_FIELD,          /* 密级：机密 (a form field) */
  TAG_LINE,           /* a level word, to check for a line of its own */
  TAG_PHRASE_BASE = 0 /* phrase table entries */
};

#define LEVEL "(?:绝密|机密|秘密)"
#define PERIOD                                                                                      \
  "(?:长期|[0-9]{1,3}(?:年|个月)|[一二三四五六七八九十两〇零]{1,3}(?:年|个月)" \
  ")"

static const lv_phrase phrases[] = {
    /* classified-telegram wording */
    {"密码电报", LV_ROLE_TRIGGER, 0.9f},
    {"涉密电报", LV_ROLE_TRIGGER, 0.9f},
    {"机要", LV_ROLE_TRIGGER, 0.6f},
    {"密电", LV_ROLE_TRIGGER, 0.55f},
    {"绝密文件", LV_ROLE_TRIGGER, 0.6f},
    {"机密文件", LV_ROLE_TRIGGER, 0.55f},
    {"秘密文件", LV_ROLE_TRIGGER, 0.5f},
    {"涉密文件", LV_ROLE_TRIGGER, 0.45f},
    {"涉密材料", LV_ROLE_TRIGGER, 0.45f},
    {"涉密资料", LV_ROLE_TRIGGER, 0.45f},
    {"涉密载体", LV_ROLE_TRIGGER, 0.45f},
    {"国家秘密", LV_ROLE_TRIGGER, 0.45f},
    /* context that makes a leak more likely */
    {"电报", LV_ROLE_HOT, 0.2f},
    {"文件", LV_ROLE_HOT, 0.1f},
    {"通知", LV_ROLE_HOT, 0.1f},
    {"纪要", LV_ROLE_HOT, 0.1f},
    {"传达", LV_ROLE_HOT, 0.15f},
    {"印发", LV_ROLE_HOT, 0.1f},
    {"份号", LV_ROLE_HOT, 0.15f},
    {"拍", LV_ROLE_HOT, 0.15f},
    {"照片", LV_ROLE_HOT, 0.15f},
    {"截图", LV_ROLE_HOT, 0.15f},
    {"发给", LV_ROLE_HOT, 0.15f},
    {"发群", LV_ROLE_HOT, 0.15f},
    {"转发", LV_ROLE_HOT, 0.15f},
    {"全文", LV_ROLE_HOT, 0.15f},
    {"保密期限", LV_ROLE_HOT, 0.15f},
    {"传真", LV_ROLE_HOT, 0.15f},
    /* fiction, games and training about secrecy */
    {"电影", LV_ROLE_ANTI, 0.3f},
    {"电视剧", LV_ROLE_ANTI, 0.3f},
    {"这部剧", LV_ROLE_ANTI, 0.3f},
    {"小说", LV_ROLE_ANTI, 0.3f},
    {"游戏", LV_ROLE_ANTI, 0.3f},
    {"培训", LV_ROLE_ANTI, 0.2f},
    {"管理制度", LV_ROLE_ANTI, 0.2f},
    {"教育", LV_ROLE_ANTI, 0.15f},
    /* ordinary words that contain a trigger */
    {"绝密飞行", LV_ROLE_EXCLUDE, 0},
    {"秘密花园", LV_ROLE_EXCLUDE, 0},
    {"小秘密", LV_ROLE_EXCLUDE, 0},
    {"保守秘密", LV_ROLE_EXCLUDE, 0},
    /* the Law on Guarding State Secrets, quoted on posters and in
     * training: 绝密级国家秘密是最重要的国家秘密 */
    {"绝密级国家秘密", LV_ROLE_EXCLUDE, 0},
    {"机密级国家秘密", LV_ROLE_EXCLUDE, 0},
    {"秘密级国家秘密", LV_ROLE_EXCLUDE, 0},
    {"秘密武器", LV_ROLE_EXCLUDE, 0},
    {"秘密基地", LV_ROLE_EXCLUDE, 0},
    {"商业秘密", LV_ROLE_EXCLUDE, 0},
    {"商业机密", LV_ROLE_EXCLUDE, 0},
    {"公司机密", LV_ROLE_EXCLUDE, 0},
    {"密电影", LV_ROLE_EXCLUDE, 0},
    {"精密电", LV_ROLE_EXCLUDE, 0},
    {"机要秘书", LV_ROLE_EXCLUDE, 0},
    {"密电话", LV_ROLE_EXCLUDE, 0},
    {"密电脑", LV_ROLE_EXCLUDE, 0},
    {"密电子", LV_ROLE_EXCLUDE, 0},
    {"密电视", LV_ROLE_EXCLUDE, 0},
    {"密电梯", LV_ROLE_EXCLUDE, 0},
};

/* Characters OCR produces for a misread ★ (and look-alikes typed by hand). */
static const char *const star_lookalikes[] = {
    "*",
    "+",
    "x",
    "k",
    "#",
    "女",
    "大",
    "太",
    "犬",
    "食",
    "火",
    "米",
    "木",
    "本",
    "夫",
    "士",
    "丈",
    "文",
    "六",
    "水",
    "会",
    "☆",
    "★",
    "⭐",
    "✩",
    "✪",
    "✫",
    "✬",
    "✭",
    "✮",
    "✯",
    "✰",
    "⋆",
    "✱",
    "✲",
    "✳",
    "❋",
    "❊",
    "✦",
    "✧",
    "×",
    "·",
    "•",
    "兴",
    "头",
    "央",
    /* what Tesseract made of ★ on generated phone photos (tests/photos) */
    "妇",
    "娘",
    "雪",
    "广",
    "友",
};

/* Function words that make "level + char + period" ordinary talk
 * (我守着这个秘密的3年). */
static const char *const plain_gap_chars[] = {
    "的", "了", "是", "在", "有", "和", "这", "那", "个", "也", "都", "就",
    "要", "我", "你", "他", "她", "们", "不", "没", "很", "将", "已", "又",
    "还", "才", "只", "等", "为", "与", "及", "或", "把", "被", "给", "让",
    "对", "向", "从", "到", "过", "着", "整", "近", "约", "共", "满", "后",
    "前", "第", "每", "几", "多", "快", "超", "长", "达", "再", "吗", "呢",
};

static const char *const period_starts[] = {
    "一", "二", "三", "四", "五", "六", "七",
    "八", "九", "十", "两", "〇", "零", "长",
};

/* What a phrase trigger loses in an attachment's text (see the top). */
#define DOC_DAMPING 0.2

static int in_list(const char *const *list, size_t n, const char *s,
                   size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(list[i]) == len && !memcmp(list[i], s, len))
      return 1;
  return 0;
}

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  if (lv_compiler_regex(c, LV_ROLE_TRIGGER, TAG_STAR, 0.9f, LEVEL "[★☆]") < 0 ||
      lv_compiler_regex(c, LV_ROLE_TRIGGER, TAG_JI, 0.8f, LEVEL "级") < 0 ||
      lv_compiler_regex(c, LV_ROLE_TRIGGER, TAG_FIELD, 0.85f, "密级" LEVEL) <
          0 ||
      lv_compiler_regex(c, LV_ROLE_TRIGGER, TAG_LINE, 0.0f, LEVEL) < 0 ||
      lv_compiler_regex(c, LV_ROLE_TRIGGER, TAG_PERIOD, 1.0f,
                        LEVEL
                        "(?:[^0-9一二三四五六七八九十两〇零长])?" PERIOD) < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), TAG_PHRASE_BASE);
}

/* Level word + gap + period: how sure we are that the gap is a star. */
static double period_confidence(lv_inspect *in, uint32_t from, uint32_t to) {
  const lv_norm *n = lv_inspect_norm(in);
  const uint32_t level_end = from + 6; /* two CJK characters */
  if (level_end >= to)
    return 0;
  const unsigned char *t = (const unsigned char *)n->text;
  int32_t cp;
  int len = lv_utf8_decode(t + level_end, to - level_end, &cp);
  /* The regex keeps digits, numerals and 长 out of the gap, so one of
   * them right after the level word means there is no gap character. */
  int gap_is_period_start = (cp >= '0' && cp <= '9') ||
                            in_list(period_starts, LV_COUNT(period_starts),
                                    (const char *)t + level_end, (size_t)len);
  if (gap_is_period_start) {
    /* No character between level and period in the normalized text: look
     * at what normalization dropped there. */
    levee_str dropped = {n->orig + lv_norm_orig_end(n, level_end),
                         lv_norm_orig_start(n, level_end) -
                             lv_norm_orig_end(n, level_end)};
    if (dropped.len && (memchr(dropped.ptr, '*', dropped.len) ||
                        memmem(dropped.ptr, dropped.len, "＊", 3) ||
                        memmem(dropped.ptr, dropped.len, "﹡", 3)))
      return 0.9;
    return 0.4; /* 秘密1年: could be anything */
  }
  const char *gap = (const char *)t + level_end;
  if (cp == 0x2605 || cp == 0x2606) /* ★ ☆ */
    return 1.0;
  if (len == 3 && !memcmp(gap, "级", 3))
    return 0.95;
  if (in_list(star_lookalikes, LV_COUNT(star_lookalikes), gap, (size_t)len))
    return 0.8;
  if (in_list(plain_gap_chars, LV_COUNT(plain_gap_chars), gap, (size_t)len))
    return 0.3;
  return 0.6; /* some other single character: OCR noise */
}

static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* What OCR makes of the frame of a stamped marking (a red box around
 * 机密★1年): brackets and bars around the line. Their length at p (a
 * frame character ends at or before end), or 0. */
static const char *const frame_chars[] = {"[",  "]",  "|",  "(",  ")",  "【",
                                          "】", "〔", "〕", "（", "）", "「",
                                          "」", "『", "』", "｜"};

static size_t frame_at(const char *p, const char *end) {
  for (size_t i = 0; i < LV_COUNT(frame_chars); i++) {
    size_t k = strlen(frame_chars[i]);
    if ((size_t)(end - p) >= k && !memcmp(p, frame_chars[i], k))
      return k;
  }
  return 0;
}

/* The same, for the frame character that ends just before p. */
static size_t frame_before(const char *text, const char *p) {
  for (size_t i = 0; i < LV_COUNT(frame_chars); i++) {
    size_t k = strlen(frame_chars[i]);
    if ((size_t)(p - text) >= k && !memcmp(p - k, frame_chars[i], k))
      return k;
  }
  return 0;
}

/* Where a written-out period starts at b (digits or numerals, then 年 or
 * 个月; or 长期): one past its end, or NULL. */
static const char *period_at(const char *b, const char *end) {
  const char *p = b;
  while (p < end && *p >= '0' && *p <= '9')
    p++;
  if (p > b && (size_t)(end - p) >= 3 && !memcmp(p, "年", 3))
    return p + 3;
  if (p > b && (size_t)(end - p) >= 6 && !memcmp(p, "个月", 6))
    return p + 6;
  if ((size_t)(end - b) >= 6 && !memcmp(b, "长期", 6))
    return b + 6;
  return NULL;
}

/* Whether only white space comes before the match on its line of the
 * original text. */
static int starts_line(lv_inspect *in, uint32_t from, uint32_t to) {
  const lv_norm *n = lv_inspect_norm(in);
  levee_str w = lv_inspect_original(in, from, to);
  const char *a = w.ptr;
  while (a > n->orig && a[-1] != '\n' && is_space((unsigned char)a[-1]))
    a--;
  return a == n->orig || a[-1] == '\n';
}

/* A level word on a line of its own in the original text, perhaps with a
 * star (or what OCR made of it) and a period after it, perhaps in the
 * frame of a stamp: how sure that is a marking, or 0. */
static double line_confidence(lv_inspect *in, uint32_t from, uint32_t to) {
  const lv_norm *n = lv_inspect_norm(in);
  levee_str w = lv_inspect_original(in, from, to);
  const char *text = n->orig, *end = n->orig + n->orig_len;
  const char *a = w.ptr, *b = w.ptr + w.len;
  for (size_t k = 1; k;) {
    k = 0;
    if (a > text && a[-1] != '\n' && is_space((unsigned char)a[-1]))
      k = 1;
    else
      k = frame_before(text, a);
    a -= k;
  }
  if (a > text && a[-1] != '\n')
    return 0; /* something before it on its line */
  /* After it: at most one character (none when the period follows at
   * once), then perhaps a period, then the line's end. */
  int32_t cp;
  double conf = 0.7;
  if (b < end && *b != '\n' && !is_space((unsigned char)*b) &&
      !frame_at(b, end) && !period_at(b, end)) {
    int len = lv_utf8_decode((const unsigned char *)b, (size_t)(end - b), &cp);
    if (len <= 0 ||
        in_list(plain_gap_chars, LV_COUNT(plain_gap_chars), b, (size_t)len))
      return 0;
    conf = in_list(star_lookalikes, LV_COUNT(star_lookalikes), b, (size_t)len)
               ? 0.8
               : 0.6;
    b += len;
  }
  while (b < end && is_space((unsigned char)*b))
    b++;
  const char *p = period_at(b, end);
  if (p)
    b = p;
  for (size_t k = 1; k;) {
    k = b < end && is_space((unsigned char)*b) ? 1 : frame_at(b, end);
    b += k;
  }
  return b == end || *b == '\n' ? conf : 0;
}

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *pi = lv_inspect_pattern(in, hits[i].pid);
    if (pi->role != LV_ROLE_TRIGGER)
      continue;
    uint32_t from = hits[i].from, to = hits[i].to;
    if (lv_context_excluded(in, hits, n, from, to))
      continue;
    int in_doc = lv_inspect_source(in) >= 0;
    double conf;
    if (pi->tag == TAG_LINE) {
      if (!in_doc || (conf = line_confidence(in, from, to)) == 0)
        continue;
    } else if (pi->tag == TAG_PERIOD) {
      conf = period_confidence(in, from, to);
    } else if (pi->tag == TAG_JI && in_doc && !starts_line(in, from, to)) {
      continue; /* 绝密级 in a document's sentence: talk about the level */
    } else {
      conf = pi->weight;
      if (in_doc && pi->tag < TAG_STAR)
        conf -= DOC_DAMPING; /* a phrase, in a document */
    }
    conf += lv_context_delta(in, inst, hits, n, from, to);
    lv_inspect_emit(in, inst->category, from, to, lv_clamp01(conf),
                    LV_MASK_NONE);
  }
}

const lv_detector_ops lv_classified_marking_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "classified.marking",
    .compile = compile,
    .validate = validate,
    .window_before = 36,
    .window_after = 36,
};
