/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pii_health.c: the pii.health detector: health information about a person,
 * i.e. a person (a name, or a word for a person) together with a health
 * fact (temperature, diagnosis, test result, close contact, isolation).
 *
 * Co-occurrence is a Hyperscan logical combination (HS_FLAG_COMBINATION) of
 * the person and fact patterns, so messages that have only one of them cost
 * nothing here; the validator then pairs a person with a fact close to it.
 * Advice to everyone (疫情期间大家注意身体) has no person and no fact;
 * cosmetics (隔离霜) are excluded.
 */
#include <stdio.h>
#include <string.h>

#include "detect/phrases.h"

enum {
  TAG_PERSON_WORD = 1, /* 员工, 患者, 他 ... */
  TAG_NAME,            /* surname + one or two characters, or 王某 */
  TAG_FACT,            /* a health fact */
  TAG_FACT_STRONG,     /* a measured or diagnosed fact */
  TAG_BOTH,            /* the combination */
  TAG_PHRASES = 100
};

/* The most common Chinese surnames. */
#define SURNAMES                                                                                                    \
  "[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"   \
  "潘于蒋蔡"                                                                                                    \
  "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫" \
  "段雷侯"                                                                                                       \
  "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤]"

static const char person_words[] =
    "员工|同事|职工|患者|病人|家属|本人|我|您|他|她|老师|学生|孩子|老人|先生|"
    "女士|"
    "婆婆|公公|岳母|岳父|奶奶|爷爷|外婆|外公|姐姐|哥哥|弟弟|妹妹|"
    "某某|阿姨|大爷|父亲|母亲|爸爸|妈妈|老婆|老公|儿子|女儿|丈夫|妻子|客户|"
    "顾客|"
    "经理|主任|师傅|宝宝|小孩|同学|室友|邻居|租户|业主|司机|骑手|保安";

static const char facts[] =
    "发烧|发热|高烧|低烧|咳嗽|乏力|腹泻|呕吐|疑似|核酸|抗原|感染|新冠|肺炎|"
    "住院|病历|病史|患有|患了|癌|肿瘤|糖尿病|高血压|心脏病|抑郁|焦虑症|"
    "精神分裂|艾滋|hiv|乙肝|结核|梅毒|怀孕|流产|手术|化疗|透析|体检|血压|"
    "血糖|过敏|哮喘|骨折|急诊|就医|看病|病假|发热门诊|ct|隔离|居家观察|"
    "健康码|行程码|红码|黄码|两道杠|增生|甲亢|甲状腺|剖腹产|产假|胃镜|胃炎|"
    "化验|康复|复查|出院|血常规|红疹|风险地区|查出|病情|住进|icu|输液|打针|"
    "开药|吃药|中风|休克|晕倒|体温";

static const char facts_strong[] =
    "体温[0-9]{2}(?:\\.[0-9])?|[3-4][0-9]\\.[0-9](?:°c|度)|确诊|阳性|"
    "阴性|密接|密切接触|次密接|诊断|病毒携带|集中隔离|方舱";

static const lv_phrase phrases[] = {
    {"隔离霜", LV_ROLE_EXCLUDE, 0},
    {"隔离乳", LV_ROLE_EXCLUDE, 0},
    {"隔离带", LV_ROLE_EXCLUDE, 0},
    {"隔离栏", LV_ROLE_EXCLUDE, 0},
    {"隔离墙", LV_ROLE_EXCLUDE, 0},
    {"发热量", LV_ROLE_EXCLUDE, 0},
    {"发热贴", LV_ROLE_EXCLUDE, 0},
    {"感染力", LV_ROLE_EXCLUDE, 0},
    {"体检中心", LV_ROLE_EXCLUDE, 0},
    {"血压计", LV_ROLE_EXCLUDE, 0},
    {"他们", LV_ROLE_EXCLUDE, 0},
    {"她们", LV_ROLE_EXCLUDE, 0},
    {"其他", LV_ROLE_EXCLUDE, 0},
    {"吉他", LV_ROLE_EXCLUDE, 0},
    {"手术刀", LV_ROLE_EXCLUDE, 0},
    {"核酸检测点", LV_ROLE_EXCLUDE, 0},
    {"核酸点", LV_ROLE_EXCLUDE, 0},
    {"抗原试剂", LV_ROLE_EXCLUDE, 0},
    /* ordinary words that begin with a surname character */
    {"马上", LV_ROLE_EXCLUDE, 0},
    {"万一", LV_ROLE_EXCLUDE, 0},
    {"向日葵", LV_ROLE_EXCLUDE, 0},
    {"金融", LV_ROLE_EXCLUDE, 0},
    {"方案", LV_ROLE_EXCLUDE, 0},
    {"方便", LV_ROLE_EXCLUDE, 0},
    {"周末", LV_ROLE_EXCLUDE, 0},
    {"周一", LV_ROLE_EXCLUDE, 0},
    {"周五", LV_ROLE_EXCLUDE, 0},
    {"钱包", LV_ROLE_EXCLUDE, 0},
    {"白天", LV_ROLE_EXCLUDE, 0},
    {"高兴", LV_ROLE_EXCLUDE, 0},
    {"高速", LV_ROLE_EXCLUDE, 0},
    {"许多", LV_ROLE_EXCLUDE, 0},
    {"于是", LV_ROLE_EXCLUDE, 0},
    {"程序", LV_ROLE_EXCLUDE, 0},
    {"程度", LV_ROLE_EXCLUDE, 0},
    {"石头", LV_ROLE_EXCLUDE, 0},
    {"黄金", LV_ROLE_EXCLUDE, 0},
    {"江湖", LV_ROLE_EXCLUDE, 0},
    {"张开", LV_ROLE_EXCLUDE, 0},
    {"陈列", LV_ROLE_EXCLUDE, 0},
    {"常规", LV_ROLE_EXCLUDE, 0},
    {"毛巾", LV_ROLE_EXCLUDE, 0},
    {"安全", LV_ROLE_EXCLUDE, 0},
    {"林业", LV_ROLE_EXCLUDE, 0},
    {"孔雀", LV_ROLE_EXCLUDE, 0},
    {"龙头", LV_ROLE_EXCLUDE, 0},
    {"史上", LV_ROLE_EXCLUDE, 0},
    {"何时", LV_ROLE_EXCLUDE, 0},
    {"统一", LV_ROLE_EXCLUDE, 0},
    {"顺便", LV_ROLE_EXCLUDE, 0},
    {"注意", LV_ROLE_ANTI, 0.2f},
    {"大家", LV_ROLE_ANTI, 0.1f},
    {"谨防", LV_ROLE_ANTI, 0.2f},
    {"高温", LV_ROLE_EXCLUDE, 0},
    {"提醒", LV_ROLE_ANTI, 0.15f},
    {"预防", LV_ROLE_ANTI, 0.2f},
    {"如果", LV_ROLE_ANTI, 0.2f},
    {"如有", LV_ROLE_ANTI, 0.2f},
    {"新增", LV_ROLE_ANTI, 0.3f},
    {"本土", LV_ROLE_ANTI, 0.3f},
    {"全市", LV_ROLE_ANTI, 0.2f},
    {"全国", LV_ROLE_ANTI, 0.2f},
    {"病例", LV_ROLE_ANTI, 0.2f},
    {"通报", LV_ROLE_ANTI, 0.1f},
    {"已", LV_ROLE_HOT, 0.1f},
    {"送", LV_ROLE_HOT, 0.1f},
    {"结果", LV_ROLE_HOT, 0.1f},
};

/* Words before a name that mark it as a person (员工王五). */
static const char *const name_cues[] = {
    "员工", "同事", "患者", "病人", "职工", "家属", "学生",
    "老师", "客户", "顾客", "的",   "和",   "与",   "及",
    "部",   "科",   "组",   "处",   "室",   "前台", "店长"};

static int compile(lv_compiler *c, const lv_detector_inst *inst) {
  (void)inst;
  char combo[64];
  int pw = lv_compiler_regex(c, LV_ROLE_AUX, TAG_PERSON_WORD, 0, person_words);
  int nm = lv_compiler_regex(c, LV_ROLE_AUX, TAG_NAME, 0,
                             "(?:小|老)?" SURNAMES
                             "(?:某某?|[\\x{4e00}-\\x{9fa5}]{1,2})");
  int f1 = lv_compiler_regex(c, LV_ROLE_AUX, TAG_FACT, 0.6f, facts);
  int f2 =
      lv_compiler_regex(c, LV_ROLE_AUX, TAG_FACT_STRONG, 0.8f, facts_strong);
  if (pw < 0 || nm < 0 || f1 < 0 || f2 < 0)
    return LEVEE_ECOMPILE;
  int qp = lv_compiler_quiet_regex(c, person_words);
  int qn = lv_compiler_quiet_regex(c, "(?:小|老)?" SURNAMES
                                      "(?:某|[\\x{4e00}-\\x{9fa5}])");
  int qf1 = lv_compiler_quiet_regex(c, facts);
  int qf2 = lv_compiler_quiet_regex(c, facts_strong);
  if (qp < 0 || qn < 0 || qf1 < 0 || qf2 < 0)
    return LEVEE_ECOMPILE;
  snprintf(combo, sizeof combo, "(%d | %d) & (%d | %d)", qp, qn, qf1, qf2);
  if (lv_compiler_combination(c, LV_ROLE_TRIGGER, TAG_BOTH, 0, combo) < 0)
    return LEVEE_ECOMPILE;
  return lv_compile_phrases(c, phrases, LV_COUNT(phrases), TAG_PHRASES);
}

/* Words right after a name that mark it as a person. */
static const char *const name_followers[] = {
    "去过", "到过", "来自", "确诊", "感染", "发烧",   "发热", "核酸",
    "抗原", "体温", "查出", "患有", "住院", "被隔离", "居家"};

/* A name candidate is a person when it starts at a delimiter in the original
 * text, after a cue word, before a word said of persons, or is written 王某
 * or 小王. */
static int name_ok(lv_inspect *in, const lv_hit *h) {
  const lv_norm *n = lv_inspect_norm(in);
  if (h->to - h->from >= 6 && !memcmp(n->text + h->from + 3, "某", 3))
    return 1;
  /* 小王, 老李: a nickname is a person wherever it stands. */
  if (!memcmp(n->text + h->from, "小", 3) ||
      !memcmp(n->text + h->from, "老", 3))
    return 1;
  if (lv_original_delimited_before(in, h->from))
    return 1;
  for (size_t i = 0; i < LV_COUNT(name_cues); i++) {
    size_t l = strlen(name_cues[i]);
    if (h->from >= l && !memcmp(n->text + h->from - l, name_cues[i], l))
      return 1;
  }
  /* ... or right before what epidemic reports say of a person:
   * 王芳去过中风险地区, 张伟确诊. */
  for (size_t i = 0; i < LV_COUNT(name_followers); i++) {
    size_t l = strlen(name_followers[i]);
    if (h->to + l <= n->len && !memcmp(n->text + h->to, name_followers[i], l))
      return 1;
  }
  return 0;
}

#define NEAR 30 /* bytes between person and fact: about ten characters */

static void validate(lv_inspect *in, const lv_detector_inst *inst,
                     const lv_hit *hits, size_t n) {
  int have_combo = 0;
  for (size_t i = 0; i < n; i++)
    have_combo |= lv_inspect_pattern(in, hits[i].pid)->tag == TAG_BOTH;
  if (!have_combo)
    return;
  /* Pair each fact with the nearest acceptable person. */
  for (size_t i = 0; i < n; i++) {
    const lv_pattern_info *fi = lv_inspect_pattern(in, hits[i].pid);
    if (fi->tag != TAG_FACT && fi->tag != TAG_FACT_STRONG)
      continue;
    const lv_hit *f = &hits[i];
    if (lv_context_excluded(in, hits, n, f->from, f->to))
      continue;
    const lv_hit *best = NULL;
    uint32_t best_gap = NEAR + 1;
    for (size_t j = 0; j < n; j++) {
      uint32_t tag = lv_inspect_pattern(in, hits[j].pid)->tag;
      if (tag != TAG_PERSON_WORD && tag != TAG_NAME)
        continue;
      const lv_hit *p = &hits[j];
      if (p->from < f->to && f->from < p->to)
        continue; /* overlapping: one word read two ways */
      uint32_t gap = p->to <= f->from ? f->from - p->to : p->from - f->to;
      if (gap >= best_gap)
        continue;
      if (lv_context_excluded(in, hits, n, p->from, p->to))
        continue;
      if (tag == TAG_NAME && !name_ok(in, p))
        continue;
      best = p;
      best_gap = gap;
    }
    if (!best)
      continue;
    uint32_t from = best->from < f->from ? best->from : f->from;
    uint32_t to = best->to > f->to ? best->to : f->to;
    double conf = fi->weight + lv_context_delta(in, inst, hits, n, from, to);
    lv_inspect_emit(in, inst->category, from, to, lv_clamp01(conf),
                    LV_MASK_NONE);
  }
}

const lv_detector_ops lv_pii_health_detector = {
    .version = LV_DETECTOR_VERSION,
    .category = "pii.health",
    .compile = compile,
    .validate = validate,
    .window_before = 24,
    .window_after = 24,
};
