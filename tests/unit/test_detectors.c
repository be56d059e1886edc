/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_detectors.c: each built-in detector under src/detect/ (not the check_
 * validators, which test_checks.c proves) on realistic Chinese chat: for
 * every category, sentences a careful reviewer would flag, including
 * evasions (separators, full-width and Traditional forms, zero-width
 * characters, OCR noise in markings), and hard negatives that contain the
 * same words in ordinary talk (anti-context such as 运单号 or 流水号,
 * digit runs inside longer runs, and the exclusions of each detector).
 *
 * Every detector runs in one engine compiled from a policy that reports
 * every category at the default threshold (0.5), so a case asserts what a
 * policy would see. A positive may also name the exact original bytes the
 * finding must cover. All cases of a table run before the test fails, so a
 * failure lists every wrong case at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "levee/levee.h"

typedef struct fixture {
  levee_engine *engine;
  levee_scanner *scanner;
} fixture;

static const char policy_yaml[] = "version: 1\n"
                                  "rules:\n"
                                  "  - id: everything\n"
                                  "    match: {category: '*'}\n"
                                  "    action: alert\n";

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  levee_policy *p = NULL;
  levee_error err = {0};
  if (!f ||
      levee_policy_parse(policy_yaml, strlen(policy_yaml), "detectors.yaml",
                         NULL, NULL, &p, &err) ||
      levee_engine_compile(p, NULL, &f->engine, &err) ||
      levee_scanner_create(f->engine, &f->scanner)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  levee_policy_destroy(p);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  levee_scanner_destroy(f->scanner);
  levee_engine_unref(f->engine);
  free(f);
  return 0;
}

/* A positive case: the text, and the original bytes the finding must cover
 * (NULL: anywhere). */
typedef struct pos {
  const char *text;
  const char *slice;
} pos;

static const levee_verdict *scan(fixture *f, const char *text) {
  levee_event ev;
  memset(&ev, 0, sizeof ev);
  ev.id.ptr = "t";
  ev.id.len = 1;
  ev.channel.ptr = "wechat";
  ev.channel.len = 6;
  ev.conversation_type.ptr = "direct";
  ev.conversation_type.len = 6;
  ev.conversation_external = LEVEE_UNKNOWN;
  ev.text.ptr = text;
  ev.text.len = strlen(text);
  const levee_verdict *v = NULL;
  assert_int_equal(levee_scanner_inspect(f->scanner, &ev, &v), LEVEE_OK);
  return v;
}

static void describe(const levee_verdict *v, const char *text, char *out,
                     size_t cap) {
  size_t o = 0;
  out[0] = '\0';
  for (size_t i = 0; i < v->n_findings && o + 1 < cap; i++) {
    const levee_finding *fd = &v->findings[i];
    int n =
        snprintf(out + o, cap - o, " %s[%.*s]%.2f", fd->category,
                 (int)(fd->end - fd->start), text + fd->start, fd->confidence);
    if (n < 0)
      break;
    o += (size_t)n;
  }
  if (!v->n_findings)
    snprintf(out, cap, " (none)");
}

/* Checks that every text has a finding of category cat (covering slice
 * when given); returns the number of wrong cases, each printed. */
static int check_found(fixture *f, const char *cat, const pos *cases,
                       size_t n) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    const char *text = cases[i].text;
    const levee_verdict *v = scan(f, text);
    int hit = 0, covered = 0;
    for (size_t k = 0; k < v->n_findings; k++) {
      const levee_finding *fd = &v->findings[k];
      if (strcmp(fd->category, cat))
        continue;
      hit = 1;
      const char *s = cases[i].slice;
      if (!s || (fd->end - fd->start == strlen(s) &&
                 !memcmp(text + fd->start, s, strlen(s))))
        covered = 1;
    }
    if (!hit || !covered) {
      char found[1024];
      describe(v, text, found, sizeof found);
      print_error("MISSED %s in \"%s\"%s%s%s; found:%s\n", cat, text,
                  cases[i].slice ? " (covering \"" : "",
                  cases[i].slice ? cases[i].slice : "",
                  cases[i].slice ? "\")" : "", found);
      bad++;
    }
  }
  return bad;
}

/* Checks that no text has a finding of category cat. */
static int check_absent(fixture *f, const char *cat, const char *const *texts,
                        size_t n) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    const levee_verdict *v = scan(f, texts[i]);
    for (size_t k = 0; k < v->n_findings; k++)
      if (!strcmp(v->findings[k].category, cat)) {
        char found[1024];
        describe(v, texts[i], found, sizeof found);
        print_error("FALSE %s in \"%s\"; found:%s\n", cat, texts[i], found);
        bad++;
        break;
      }
  }
  return bad;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void run(void **state, const char *cat, const pos *p, size_t np,
                const char *const *neg, size_t nn) {
  fixture *f = *state;
  int bad = check_found(f, cat, p, np) + check_absent(f, cat, neg, nn);
  if (bad)
    fail_msg("%d wrong %s case(s)", bad, cat);
}

/* --- classified.marking --------------------------------------------------- */

static void test_classified_marking(void **state) {
  static const pos p[] = {
      {"秘密★1年 关于调整有关人员的通知", "秘密★1年"},
      {"绝密★长期", "绝密★长期"},
      {"机密★6个月 会议纪要", "机密★6个月"},
      {"机密☆5年 市政府办公室", "机密☆5年"},
      {"机密★十年，传达到处级", "机密★十年"},
      {"秘密★一年", "秘密★一年"},
      {"本文件为秘密级，注意保管", "秘密级"},
      {"标题上写着机密★，你看一下", "机密★"},
      /* separators, full width, ideographic spaces, line breaks */
      {"秘 密 ★ 1 年", "秘 密 ★ 1 年"},
      {"绝密 ★ 20 年", "绝密 ★ 20 年"},
      {"秘密★ 1 年 关于印发的通知", "秘密★ 1 年"},
      {"机　密　★　六个月", "机　密　★　六个月"},
      {"ＦＹＩ：机密★１０年", "机密★１０年"},
      {"秘密☆１年", "秘密☆１年"},
      {"绝\n密\n★\n长\n期", "绝\n密\n★\n长\n期"},
      {"机密（★1年）会议纪要", NULL},
      /* Traditional */
      {"機密★2年 請傳達", "機密★2年"},
      {"絕密★長期 請勿外傳", "絕密★長期"},
      {"機密★3個月 請傳達", "機密★3個月"},
      /* zero-width characters inside */
      {"绝\u200d密★长期", "绝\u200d密★长期"},
      {"机\u200b密★\u200c5年", "机\u200b密★\u200c5年"},
      /* OCR noise and typed look-alikes for the star */
      {"这份机密*1年的通知先别转", "机密*1年"},
      {"机密＊1年", "机密＊1年"},
      {"秘密 * 3 年", "秘密 * 3 年"},
      {"秘密女1年 内部传达", "秘密女1年"},
      {"绝密大10年", "绝密大10年"},
      {"机密x5年", "机密x5年"},
      {"机密⭐1年", "机密⭐1年"},
      {"秘密▲1年 会议纪要", "秘密▲1年"},
      /* classified-telegram wording */
      {"把那份涉密文件拍给我看一下，机要局刚送来的电报", "机要"},
      {"这是一份密码电报，不要外传", "密码电报"},
      {"涉密电报请勿通过微信传送", "涉密电报"},
  };
  static const char *const n[] = {
      "明天的保密教育培训在三楼",
      "这批精密电机下周到货",
      "他调去做局长的机要秘书了",
      "《机密任务》这部剧挺好看的",
      "我有个小秘密不告诉你",
      "信息安全的机密性要求数据不被泄露",
      "机密性、完整性、可用性是三要素",
      "这是我们的秘密基地",
      "周末去看《绝密飞行》吗",
      "秘密花园这本书很好看",
      "保守秘密是每个人的责任",
      "我守着这个秘密3年了",
      "这个秘密的3年谁也不知道",
      "这是机密，3年内不能说",
      "老板说这事是绝密，10年后再说",
      "国家秘密的定密期限一般是绝密30年",
      "公司机密不能外传",
      "我们要加强商业秘密保护",
      "绝密档案这部电视剧好看吗",
      "请用保密电话联系",
      "加密电脑已经送修",
  };
  run(state, "classified.marking", p, COUNT(p), n, COUNT(n));
}

/* --- confidential.marking ------------------------------------------------- */

static void test_confidential_marking(void **state) {
  static const pos p[] = {
      {"【内部资料 严禁外传】2020年销售政策", "严禁外传"},
      {"公司机密：新品成本价清单", "公司机密"},
      {"Confidential: salary bands 2020", "Confidential"},
      {"ＣＯＮＦＩＤＥＮＴＩＡＬ – Q3 pricing", "ＣＯＮＦＩＤＥＮＴＩＡＬ"},
      {"这份报价单仅限内部使用，请勿外传", "请勿外传"},
      {"商业机密，不要发给客户", "商业机密"},
      {"Strictly confidential - do not forward", "Strictly confidential"},
      {"For internal use only: 2021 roadmap", NULL},
      {"公 司 机 密：客户名单", "公 司 机 密"},
      {"公司機密，嚴禁外傳", "公司機密"},
      {"内部资料，请勿转发给外部人员", NULL},
      {"这是一份密码电报，不要外传", "不要外传"},
  };
  static const char *const n[] = {
      "我们签了confidentiality agreement",
      "confidentially speaking, I like it",
      "Confidential computing is a hot topic",
      "商业秘密保护法培训下周开始",
      "内部资料室在三楼",
      "保密文件柜坏了",
      "请大家学习保密制度",
      "这个月的内部培训安排已发群里",
      "公司会议室明天装修",
      "秘密★1年 关于调整有关人员的通知",
  };
  run(state, "confidential.marking", p, COUNT(p), n, COUNT(n));
}

/* --- finance.statement ---------------------------------------------------- */

static void test_finance_statement(void **state) {
  static const pos p[] = {
      {"上个月的财务账单发你了，别给别人看", "财务账单"},
      {"利润表：营业收入 5,230,000.00 元，净利润 812,000.00 元", "利润表"},
      {"附件是2023年资产负债表，请查收", "资产负债表"},
      {"这是公司上季度的现金流量表", "现金流量表"},
      {"帮我把银行流水打印一下，3月份的", "银行流水"},
      {"本月工资表已发邮箱，注意保密", "工资表"},
      {"对账单：期初余额 12,300.00，本期收入 5,000.00", "对账单"},
      {"账户流水：3月5日 转入 50,000.00元，转出 12,000.00元", "账户流水"},
      {"营业收入 1.2亿，净利润 3000万", "营业收入"},
      {"Balance sheet Q3 attached", "Balance sheet"},
      {"資產負債表已經做好了", "資產負債表"},
      {"资 产 负 债 表 发你了", "资 产 负 债 表"},
  };
  static const char *const n[] = {
      "财务报销流程有变化，请看OA通知",
      "请提供订单的流水号",
      "这条流水线明天检修",
      "他写文章行云流水",
      "这个月话费账单好贵",
      "我的外卖账单太夸张了",
      "大家的收入都不高",
      "把奖品收入囊中",
      "记个流水账而已",
      "这周流水席办得不错",
  };
  run(state, "finance.statement", p, COUNT(p), n, COUNT(n));
}

/* --- pii.cn_resident_id --------------------------------------------------- */

static void test_resident_id(void **state) {
  static const pos p[] = {
      {"身份证号：11010519491231002X", "11010519491231002X"},
      {"证件号码 440305198001010013", "440305198001010013"},
      {"他的身份证号是11010519491231002x", "11010519491231002x"},
      {"身份证 110105 19491231 002X", "110105 19491231 002X"},
      {"身份证 110105-19491231-002X", "110105-19491231-002X"},
      {"身份证：１１０１０５１９４９１２３１００２Ｘ",
       "１１０１０５１９４９１２３１００２Ｘ"},
      {"老身份证 110105491231002", "110105491231002"},
      {"张三 310104198506151237 北京", "310104198506151237"},
      {"报名信息：李四，440106199003072314，男", "440106199003072314"},
      {"姓名 王芳 身份证 510107197811234567", "510107197811234567"},
      {"身份证号码11010519491231002X，姓名王五", "11010519491231002X"},
  };
  static const char *const n[] = {
      "流水号 110105194912310021 已处理",
      "订单号：11010519491231002X",
      "快递单号 440305198001010013",
      "序列号 440305198001010013",
      "批次 110105194912310021",
      /* a digit run inside a longer one */
      "911010519491231002X",
      "11010519491231002X1",
      "编号 1440305198001010013 已归档",
      /* a wrong check digit */
      "身份证 110105194912310022",
      "工单号 20200715123456789",
  };
  run(state, "pii.cn_resident_id", p, COUNT(p), n, COUNT(n));
}

/* --- pii.cn_mobile -------------------------------------------------------- */

static void test_mobile(void **state) {
  static const pos p[] = {
      {"手机 13912345678 微信同号", "13912345678"},
      {"电话：+86 186-1234-5678", "+86 186-1234-5678"},
      {"我的号码是 139 1234 5678", "139 1234 5678"},
      {"139-1234-5678 是我手机", "139-1234-5678"},
      {"打我电话 15800001111", "15800001111"},
      {"手机：１３９１２３４５６７８", "１３９１２３４５６７８"},
      {"手机号１３９－１２３４－５６７８", "１３９－１２３４－５６７８"},
      {"0086 13912345678", "0086 13912345678"},
      {"+8613912345678", "+8613912345678"},
      {"联系人王经理 17712345678", "17712345678"},
      {"他的微信号是13912345678", "13912345678"},
      {"13912345678", "13912345678"},
  };
  static const char *const n[] = {
      "运单号：13912345678",          "流水号13912345678",
      "订单号 13912345678901",        "813912345678",
      "工单号 20200715123456789",     "12345678901",
      "卡号 6222 0202 0000 0000 006",
  };
  run(state, "pii.cn_mobile", p, COUNT(p), n, COUNT(n));
}

/* --- pii.bank_card -------------------------------------------------------- */

static void test_bank_card(void **state) {
  static const pos p[] = {
      {"卡号 6222 0202 0000 0000 006", "6222 0202 0000 0000 006"},
      {"银行卡 6225880137008000", "6225880137008000"},
      {"卡号 6225-8801-3700-8000", "6225-8801-3700-8000"},
      {"转账到这张卡：6225 8801 3700 8000，户名张三", "6225 8801 3700 8000"},
      {"招行卡 6225880137008000 开户行深圳分行", "6225880137008000"},
      {"工行 6222020200000000006", "6222020200000000006"},
      {"信用卡号：4111 1111 1111 1111", "4111 1111 1111 1111"},
      {"银行卡：６２２５８８０１３７００８０００",
       "６２２５８８０１３７００８０００"},
      {"钱打到我卡上 6225 8801 3700 8000", "6225 8801 3700 8000"},
      {"工资卡号 6222 0202 0000 0000 006，这个月发工资用", NULL},
  };
  static const char *const n[] = {
      "运单号 6225880137008009",
      "运单号 6225880137008000",
      "订单号 6225880137008000",
      "订单编号：6222020200000000006",
      "会员号 6225880137008000",
      "条码 6901234567892",
      /* fails the Luhn check */
      "卡号 6225880137008001",
      /* a card-like run inside a longer digit run */
      "卡号62258801370080001234",
  };
  run(state, "pii.bank_card", p, COUNT(p), n, COUNT(n));
}

/* --- pii.cn_uscc ---------------------------------------------------------- */

static void test_uscc(void **state) {
  static const pos p[] = {
      {"统一社会信用代码 91110000600037341L", "91110000600037341L"},
      {"税号：91310000MA1FL8TQ36，开票用", "91310000MA1FL8TQ36"},
      {"营业执照号码 91440300MA5DC6QX2N", "91440300MA5DC6QX2N"},
      {"信用代码91110000600037341L（我们公司）", "91110000600037341L"},
      {"发票抬头：某某公司，税号 91310000MA1FL8TQ36", "91310000MA1FL8TQ36"},
      {"公司信用代码：９１１１００００６０００３７３４１Ｌ",
       "９１１１００００６０００３７３４１Ｌ"},
  };
  static const char *const n[] = {
      "订单号 91110000600037341L",
      "信用代码 91110000600037341M",
      "X91110000600037341L",
      "91110000600037341L7",
  };
  run(state, "pii.cn_uscc", p, COUNT(p), n, COUNT(n));
}

/* --- pii.cn_passport ------------------------------------------------------ */

static void test_passport(void **state) {
  static const pos p[] = {
      {"护照号码 E12345678", "E12345678"},
      {"passport no. G12345678", "G12345678"},
      {"我的护照是EA1234567", "EA1234567"},
      {"护照 E12345678，下周出境", "E12345678"},
  };
  static const char *const n[] = {
      "订单号 E12345678",
      "型号 E12345678，库存20台",
      "护照号码 E123456789",
      "护照号码 XE12345678",
  };
  run(state, "pii.cn_passport", p, COUNT(p), n, COUNT(n));
}

/* --- pii.email ------------------------------------------------------------ */

static void test_email(void **state) {
  static const pos p[] = {
      {"发我邮箱 zhang.san@example.com", "zhang.san@example.com"},
      {"联系 li_si+work@mail.example.com.cn", "li_si+work@mail.example.com.cn"},
      {"邮箱：ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
       "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ"},
      {"Zhang.San@Example.COM 是我的邮箱", "Zhang.San@Example.COM"},
      {"邮件发到 hr@company.com.cn 就行", "hr@company.com.cn"},
  };
  static const char *const n[] = {
      "@张三 明天开会", "图标用icon@2x.png那个", "user@localhost 不是邮箱",
      "版本号 v1.2@3",  "价格 3@5.00 元",
  };
  run(state, "pii.email", p, COUNT(p), n, COUNT(n));
}

/* --- pii.health ----------------------------------------------------------- */

static void test_health(void **state) {
  static const pos p[] = {
      {"王五 体温38.5℃ 咳嗽 已送发热门诊", NULL},
      {"赵六核酸结果阳性，已隔离", NULL},
      {"员工张伟确诊新冠，已送医", NULL},
      {"他上周做了手术，现在还在住院", NULL},
      {"同事小刘得了抑郁症", NULL},
      {"患者陈某某，诊断为糖尿病", NULL},
      {"員工王五確診，已隔離", NULL},
      {"李强是密接，需要居家观察", NULL},
      {"我妈妈高血压又犯了", NULL},
      {"客户刘女士怀孕了，别推荐这个项目", NULL},
      {"我们部门的王芳怀孕三个月了", NULL},
      {"他确诊了", NULL},
      {"小王昨天确诊了", NULL},
      {"小王昨天确诊了，大家注意", NULL},
      {"同事小刘得了抑郁症，大家多关心", NULL},
      {"老张住院了，肺癌晚期", NULL},
  };
  static const char *const n[] = {
      "疫情期间大家注意身体", "这款隔离霜很好用",
      "发热贴在哪里买",       "大家记得按时做核酸",
      "手术刀要消毒",         "他们公司体检中心在二楼",
      "吉他弹得真好",         "明天公司组织体检，大家空腹",
      "注意预防感冒",         "这个方案感染力很强",
      "马上要做核酸了",       "万一发烧了怎么办",
      "向日葵过敏怎么办",     "金融行业的感染率",
      "周末去医院体检",       "他得了第一名",
      "我得了一等奖",         "钱包丢了，顺便去做了个体检",
      "请到三楼核酸点排队",   "隔离带不要跨越",
      "这台电脑发热量很大",   "高温天气注意防暑，谨防发烧",
  };
  run(state, "pii.health", p, COUNT(p), n, COUNT(n));
}

/* --- conduct.abusive ------------------------------------------------------ */

static void test_abusive(void **state) {
  static const pos p[] = {
      {"你妈的，烦死了，别问了", "你妈的"},
      {"你是猪吗？听不懂？", NULL},
      {"有病吧你，滚", NULL},
      {"滚蛋，别烦我", "滚蛋"},
      {"你脑子有病吧", NULL},
      {"操你妈", NULL},
      {"你他妈的能不能快点", NULL},
      {"他是个傻子", "傻子"},
      /* separators, letters, full width, Traditional */
      {"你这个傻 逼", "傻 逼"},
      {"傻*逼客户真多", "傻*逼"},
      {"SB客户又来了", "SB"},
      {"ＳＢ一个", "ＳＢ"},
      {"你是不是s b啊", "s b"},
      {"你个 S.B", "S.B"},
      {"nmsl", "nmsl"},
      {"你這個白癡", "白癡"},
  };
  static const char *const n[] = {
      "你妈妈身体好些了吗？", "他妈妈明天来接他",   "你妈的生日是哪天",
      "这款身体乳很滋润",     "乳液用完了",         "胸部护理项目本周八折",
      "丰胸项目有优惠",       "晚饭吃鸡胸肉",       "傻瓜式操作，很简单",
      "SBS板材到货了",        "USB接口坏了",        "猪肉涨价了",
      "今年是猪年",           "首页广告滚动播放",   "滚筒洗衣机坏了",
      "水滚开了再下面",       "做完体操你再去吃饭",
  };
  run(state, "conduct.abusive", p, COUNT(p), n, COUNT(n));
}

/* --- conduct.order_diversion ---------------------------------------------- */

static void test_order_diversion(void **state) {
  static const pos p[] = {
      {"别走店里的账了，直接微信转我", NULL},
      {"私下做的话我给你便宜两百", NULL},
      {"扫我个人的收款码付款就行", "个人的收款码"},
      {"加我私人微信，价格好商量", NULL},
      {"钱直接打到我卡上就行", NULL},
      {"不走公司，我私下给你做，便宜点", NULL},
      {"你转我支付宝，我给你打八折", NULL},
      {"这单不走系统，现金给我就行", "不走系统"},
      {"别让店长知道，我给你打个折", NULL},
      {"你直接转我微信 500 就行", NULL},
      {"私下轉賬給我，比店裡便宜", NULL},
      {"私 下 交 易 更 便 宜", "私 下 交 易"},
  };
  static const char *const n[] = {
      "请在官方小程序下单，谢谢",
      "直接转账给公司就行",
      "我自己的钱转给我老婆了",
      "我个人推荐您试试这个套餐",
      "个人觉得这个颜色更适合您",
      "请添加我们的企业微信客服",
      "您可以直接到前台付款",
      "付款请用微信支付，认准公司账户",
      "个人信息请妥善保管",
      "做好了通知您",
      "您可以联系我们的客服了解优惠",
      "这个套餐现在有折扣，可以直接在小程序购买",
      "我私下问了一下，这个款明天到货",
      "偷偷告诉你，下周有大促活动",
      "悄悄说一句，老板今天心情好",
  };
  run(state, "conduct.order_diversion", p, COUNT(p), n, COUNT(n));
}

/* --- everyday chat
 * ------------------------------------------------------------ */

static void test_everyday_chat_is_clean(void **state) {
  fixture *f = *state;
  static const char *const texts[] = {
      "好的收到",
      "下午两点开会",
      "周报已提交",
      "明天早上九点在三楼会议室，记得带电脑",
      "这个需求下周一上线，测试那边已经确认了",
      "收到，谢谢您的耐心等待，我们尽快处理",
      "亲，您的订单已经发货了，请注意查收",
      "午饭吃什么？楼下新开了一家面馆",
      "周末团建去爬山，大家报名接龙",
      "Please review the PR before Friday",
      "客户说价格可以接受，明天签合同",
      "",
  };
  int bad = 0;
  for (size_t i = 0; i < COUNT(texts); i++) {
    const levee_verdict *v = scan(f, texts[i]);
    if (v->n_findings) {
      char found[1024];
      describe(v, texts[i], found, sizeof found);
      print_error("FALSE finding in \"%s\":%s\n", texts[i], found);
      bad++;
    }
  }
  if (bad)
    fail_msg("%d everyday message(s) had findings", bad);
}

int main(void) {
#define T(name) cmocka_unit_test(name)
  const struct CMUnitTest tests[] = {
      T(test_classified_marking),
      T(test_confidential_marking),
      T(test_finance_statement),
      T(test_resident_id),
      T(test_mobile),
      T(test_bank_card),
      T(test_uscc),
      T(test_passport),
      T(test_email),
      T(test_health),
      T(test_abusive),
      T(test_order_diversion),
      T(test_everyday_chat_is_clean),
  };
#undef T
  return cmocka_run_group_tests(tests, setup, teardown);
}
