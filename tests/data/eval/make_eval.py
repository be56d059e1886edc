#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make_eval.py: builds the extended labelled evaluation set of levee,
messages.jsonl (events, spec/interface.md section 1) and labels.jsonl
({id, pos, neg}: category prefixes that must / must not be found), in the
format of the shared development set (shared/data/dev/make_dev.py).

Every case below is written by hand; identifiers (resident IDs, bank cards,
USCC) are computed here with their real check digits from real region codes
and issuer prefixes, and checked with python3-stdnum. Run with /usr/bin/python3;
it rewrites the two .jsonl files next to it and prints counts per group.
"""
import collections
import datetime
import json
import os

from stdnum import luhn
from stdnum.cn import ric, uscc as stdnum_uscc

ZW = '\u200b'    # zero-width space
ZWJ = '\u200d'   # zero-width joiner
IDSP = '\u3000'  # ideographic space


# ---------------------------------------------------------------------------
# Identifiers with valid (or deliberately broken) check digits

def rid(region, birth, seq):
    """Resident ID: 6-digit region code, YYYYMMDD, 3-digit sequence, check."""
    body = region + birth + seq
    n = body + ric.calc_check_digit(body + "0")
    assert ric.is_valid(n), n
    return n


def rid_bad(region, birth, seq):
    """Same number with a wrong check digit."""
    good = rid(region, birth, seq)
    wrong = '0' if good[-1] != '0' else '1'
    n = good[:-1] + wrong
    assert not ric.is_valid(n)
    return n


def card(prefix, length, body):
    """Bank card number: issuer prefix, body digits, Luhn check digit."""
    digits = (prefix + body)[:length - 1]
    assert len(digits) == length - 1
    n = digits + luhn.calc_check_digit(digits)
    assert luhn.is_valid(n)
    return n


def card_bad(prefix, length, body):
    good = card(prefix, length, body)
    n = good[:-1] + str((int(good[-1]) + 3) % 10)
    assert not luhn.is_valid(n)
    return n


def org_code(first8):
    """GB 11714 organization code check character."""
    w = (3, 7, 9, 10, 5, 8, 4, 2)
    alpha = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    c = 11 - sum(alpha.index(ch) * k for ch, k in zip(first8, w)) % 11
    return first8 + ('X' if c == 10 else '0' if c == 11 else str(c))


def uscc(dept_kind, region, first8):
    body = dept_kind + region + org_code(first8)
    n = body + stdnum_uscc.calc_check_digit(body)
    assert stdnum_uscc.is_valid(n), n
    return n


def uscc_bad(dept_kind, region, first8):
    good = uscc(dept_kind, region, first8)
    alpha = '0123456789ABCDEFGHJKLMNPQRTUWXY'
    n = good[:-1] + alpha[(alpha.index(good[-1]) + 7) % 31]
    assert not stdnum_uscc.is_valid(n)
    return n


def spaced(s, groups):
    out, i = [], 0
    for g in groups:
        out.append(s[i:i + g])
        i += g
    return ' '.join(out)


# ---------------------------------------------------------------------------
# Cases: (group, text, pos, neg, kind)
#   group: the category group the case was written for (for counts only)
#   kind:  group | direct (internal), external (staff to customer, direct),
#          external_customer (customer's own message), email

ALL = ['classified', 'confidential', 'finance', 'pii', 'conduct']
C = []


def add(group, kind, text, pos=(), neg=()):
    C.append((group, text, list(pos), list(neg), kind))


def P(group, kind, text, cat):
    add(group, kind, text, pos=[cat])


def N(group, kind, text, *cats):
    add(group, kind, text, neg=list(cats))


# --- classified: state-secret markings and classified-telegram wording ------
K = 'classified'
P(K, 'group', '秘密★2年\n关于做好汛期安全防范工作的通知\n各村（社区）：', K)
P(K, 'group', '机密★十年 县委常委会会议纪要（第12次）', K)
P(K, 'group', '绝密★长期\n关于重要目标防护方案的报告', K)
P(K, 'group', '秘密☆6个月 镇党委会议议定事项通报', K)
P(K, 'direct', '绝密★20年 请阅后即还，不得复印', K)
P(K, 'group', '秘密★一年\n关于开展重点人员排查的紧急通知', K)
P(K, 'group', '机密★五年 关于调整部分干部职务的请示', K)
P(K, 'direct', '机密★三个月 市应急指挥部工作简报', K)
P(K, 'group', '绝密★二十年（此件不得翻印）', K)
P(K, 'group', '機密★三年 關於人事調整的通知 請各單位傳達', K)
P(K, 'group', '絕密★長期 國防動員方案', K)
P(K, 'direct', '秘密★三個月 會議紀要 僅供領導參閱', K)
P(K, 'group', '机' + IDSP + '密★1年 关于近期维稳工作的部署', K)
P(K, 'group', '秘' + ZW + '密★5年 干部考察材料', K)
P(K, 'group', '机' + ZWJ + '密' + ZW + '★' + ZW + '8年 工作方案', K)
P(K, 'group', '机密★１０年 专项审计报告', K)
P(K, 'direct', '秘密＊２年 关于信访案件处理情况的汇报', K)
P(K, 'group', '机 密 ☆ 2 年\n会议纪要', K)
P(K, 'group', '绝 密 ★ 长 期\n关于专项行动的实施方案', K)
P(K, 'group', '机密*1年 关于防汛物资调拨的通知（拍照件）', K)
P(K, 'group', '秘密女1年\n关于做好重大活动安保工作的通知', K)
P(K, 'group', '绝密大5年 关于某型装备试验情况的报告', K)
P(K, 'direct', '秘密*6个月 第三季度党建工作考核结果', K)
P(K, 'direct', '密级：机密 保密期限：5年\n标题：关于干部任免的决定', K)
P(K, 'direct', '这份是机密级的材料，看完就删掉', K)
P(K, 'group', '绝密级，仅限主要领导阅', K)
P(K, 'group', '刚收到一份密码电报，我拍了照片，大家先看看内容', K)
P(K, 'group', '涉密电报原文如下，请各村支书抓紧落实：', K)
P(K, 'direct', '机要局刚送来一份文件，局长让先在群里传达一下', K)
P(K, 'direct', '机要员小张把电报送到办公室了，我拍给你', K)
P(K, 'direct', '这是今天的机要文件，你在路上先看一下', K)
P(K, 'group', '机要交通刚送来的件，拍照发群里了，大家学习', K)
P(K, 'direct', '领导，县里发来的密码电报一共四份，我都拍下来发您', K)
P(K, 'group', '機要局轉來的電報，內容見圖', K)
N(K, 'group', '下午三点召开保密工作会议，请各科室负责人准时参加', K, 'confidential')
N(K, 'group', '周末一起去看《绝密飞行》吗？听说很刺激', K)
N(K, 'group', '系统设计要同时满足机密性、完整性和可用性三个要求', K)
N(K, 'external', '《秘密花园》这本涂色书孩子特别喜欢，店里还有货', K, 'conduct')
N(K, 'external', '这款精华是我们店的秘密武器，补水效果特别好', K, 'conduct')
N(K, 'direct', '跟你说个小秘密，明天部门给你过生日', K, 'confidential')
N(K, 'group', '保密协议已经签好了，明天快递寄回公司', K)
N(K, 'group', '新员工入职第一天要签保密协议和劳动合同', K)
N(K, 'external', '祖传绝密配方，祛痘效果看得见', K)
N(K, 'group', '保密教育月活动方案请各支部下周五前提交', K)
N(K, 'group', '电报大楼旁边新开了一家咖啡店，下班去尝尝', K)
N(K, 'direct', '他的秘密终于被发现了，这集剧情太精彩了', K)
N(K, 'group', '今晚央视播出纪录片《机密档案》第三集', K)
N(K, 'direct', '保密期限一般是怎么确定的？培训时老师问的', K)
N(K, 'group', '秘密花园主题下午茶周六开始，欢迎带家属', K)
N(K, 'direct', 'WiFi密码是店里座机号码，别告诉客人', K)
N(K, 'group', '机房钥匙在行政那里，需要的找小刘', K)
N(K, 'direct', '告诉你一个顶级秘密：老板下周请全组吃饭', K)

# --- confidential: company confidentiality markers -------------------------
K = 'confidential'
P(K, 'group', '【公司机密】2024年门店扩张计划，请勿转发', K)
P(K, 'direct', '商业秘密：核心配方及主要供应商报价', K)
P(K, 'group', '内部资料 严禁外传\n三季度绩效考核方案（讨论稿）', K)
P(K, 'group', '内部文件，请勿外传：集团组织架构调整方案', K)
P(K, 'direct', '仅限内部使用——新品定价策略与渠道折扣表', K)
P(K, 'email', 'CONFIDENTIAL - Q3 pricing for key accounts, do not forward', K)
P(K, 'email', 'Internal use only: product roadmap 2025 (draft v2)', K)
P(K, 'direct', '绝对保密！收购方案谈妥之前不要跟任何人提', K)
P(K, 'group', '公司機密，請勿轉發：年終獎金分配方案', K)
P(K, 'group', '内部资料' + IDSP + '严禁外传　销售提成新规', K)
P(K, 'email', 'ＣＯＮＦＩＤＥＮＴＩＡＬ：董事会会议材料', K)
P(K, 'email', 'Strictly Confidential: board minutes, 12 March', K)
P(K, 'direct', '本文件属于公司商业秘密，未经授权不得复制、转发', K)
P(K, 'group', '内 部 资 料，严 禁 外 传：门店督导检查要点', K)
P(K, 'external', '此报价单为我司商业秘密，仅供贵司内部评估使用', K)
P(K, 'email', 'confidential -- do not forward outside the team', K)
P(K, 'group', '请注意：以下内容为公司机密，仅限项目组成员查看', K)
P(K, 'group', '内部资料，注意保密：2024年培训考核题库', K)
P(K, 'group', '【内部传阅 请勿外传】关于门店人员调整的通知', K)
P(K, 'direct', '仅供内部参考，请勿外传。竞品分析报告见附件', K)
P(K, 'email', 'Company Confidential: salary review 2024', K)
P(K, 'group', '公 司 机 密：新店选址清单', K)
P(K, 'group', '公司' + ZW + '机密 会员数据分析报告', K)
P(K, 'email', '[Confidential] Supplier contract terms, for legal only', K)
P(K, 'direct', '公司机密，你自己看就行：明年裁员名单初稿', K)
P(K, 'group', '商業秘密 嚴禁外傳', K)
P(K, 'direct', '这份是公司机密的成本核算，别发到大群里', K)
N(K, 'group', '明天下午开保密工作培训，地点在三楼会议室', K, 'classified')
N(K, 'group', 'Confidential computing 指在可信执行环境里处理数据，下周分享会讲这个', K)
N(K, 'group', '公司下周二组织商业秘密保护专题培训，请报名', K)
N(K, 'group', '内部资料室周六不开放，借书请周五来', K)
N(K, 'external', '您的个人信息我们绝对保密，请放心', K, 'conduct')
N(K, 'group', '内部员工价只限本周，大家抓紧', K)
N(K, 'email', 'The confidentiality agreement has been signed and scanned', K)
N(K, 'group', '保密协议模板放在共享盘“法务”文件夹里了', K, 'classified')
N(K, 'group', '只限内部员工参加的团建活动，家属下次再带', K)
N(K, 'direct', '这是我们俩的小秘密哦，别告诉别人', K, 'classified')
N(K, 'group', '内部培训资料已上传到学习平台，大家自行学习', K)
N(K, 'email', 'Confidence is key when you present to the client', K)
N(K, 'group', '机密性、完整性、可用性是信息安全的三要素', K, 'classified')
N(K, 'external', '我们会员的消费记录都是保密的，只有您本人能查', K)

# --- finance: statements, bills, account flows -----------------------------
K = 'finance'
P(K, 'direct', '2023年度资产负债表：资产总计 12,356,780.00 元，负债合计 5,420,000.00 元，所有者权益 6,936,780.00 元', K)
P(K, 'direct', '现金流量表发你了，经营活动产生的现金流量净额 -2,300,000.00 元', K)
P(K, 'direct', '这是上个月的银行流水：收入 356,200.00，支出 298,430.50，余额 57,769.50', K)
P(K, 'group', '3月工资表：张丽 8,500；李娜 9,200；王芳 7,800；合计 25,500', K)
P(K, 'direct', '8月对账单：期初余额 120,000.00，本期借方 86,500.00，期末余额 33,500.00', K)
P(K, 'direct', '发票明细：面膜 数量200 单价35.00 金额7,000.00 税率13% 税额910.00', K)
P(K, 'direct', '利润表（2023年1-6月）营业收入 3,560万元，营业成本 2,180万元，净利润 412万元', K)
P(K, 'group', '门店6月营业流水：现金 12,300，微信 45,600，支付宝 23,100，合计 81,000', K)
P(K, 'direct', '应收账款明细：A公司 230,000.00，B公司 156,000.00，账龄都超过90天', K)
P(K, 'direct', '供应商付款明细：华美化妆品 86,400.00 元，已付 50,000.00 元，未付 36,400.00 元', K)
P(K, 'email', 'Balance sheet FY2023: total assets RMB 8.2M, total liabilities RMB 3.1M', K)
P(K, 'direct', '資產負債表：資產總計 5,600,000 元，負債合計 2,100,000 元', K)
P(K, 'direct', '账户尾号6688 流水：03-01 转入 50,000.00；03-05 转出 17,550.00；余额 132,450.21', K)
P(K, 'direct', '这个月的员工工资条发你邮箱了，注意别转发', K)
P(K, 'group', '年度审计报告和财务报表我放群文件了，盖章版下周给', K)
P(K, 'direct', '成本核算表：原料 23.5万，人工 18万，房租 12万，水电 1.8万', K)
P(K, 'direct', '税务申报表：增值税 45,600.00 元，城建税及附加 5,472.00 元', K)
P(K, 'group', '公司一季度营收4,500万，净利润780万，数据还没公布，别外传', K)
P(K, 'direct', '2024Q1财务报表：营业收入 1.2亿元，毛利率 38%，经营现金流 2,100万元', K)
P(K, 'direct', '资产负债表、利润表、现金流量表都在附件里了，你核对一下', K)
P(K, 'group', '上月门店收支明细：收入 18.6万，支出 15.2万，结余 3.4万', K)
P(K, 'direct', '刚导出的对公账户流水，1月到3月一共 326 笔，总流入 2,180,000 元', K)
P(K, 'direct', '集团合并报表草稿：总资产 15.8亿，总负债 9.6亿，先别发给审计', K)
P(K, 'direct', '上季度的財務賬單在附件，老闆說只給你看', K)
P(K, 'group', '二月份工资表已经做好了，基本工资加提成一共 186,420 元，老板审批后发', K)
P(K, 'email', 'Income statement Q2: revenue 4,820,000, net profit 611,000 (unaudited)', K)
N(K, 'group', '报销要走OA审批，纸质单据周五前交到财务', K)
N(K, 'group', '明天上午去财务室交一下发票', K)
N(K, 'external', '这个项目单次多少钱？有没有套餐价', K)
N(K, 'group', '流水线上那批货下周二到', K)
N(K, 'direct', '写总结别写成流水账，挑重点', K)
N(K, 'group', '这个月工资什么时候发啊？', K)
N(K, 'external', '发票抬头写公司全称就行，税号我一会儿发您', K)
N(K, 'group', '明天上午财务部开季度会，其他部门不用参加', K)
N(K, 'external', '这款面膜原价298，活动价199，买二送一', K)
N(K, 'direct', '银行卡丢了，今天下午要去挂失', K, 'pii')
N(K, 'group', '余额宝收益又降了，还不如存定期', K)
N(K, 'direct', '想学点财务知识，有没有入门的书推荐', K)
N(K, 'external', '你们店可以开发票吗？公司报销用', K)
N(K, 'group', '对账的事下午再说，我先去趟银行', K)
N(K, 'group', '会计考试要考资产负债表的编制方法，大家多练练', K)
N(K, 'group', '财务共享中心的新系统下个月上线', K)

# --- pii: validated identifiers --------------------------------------------
K = 'pii'
ids = [rid('110105', '19850312', '027'), rid('310104', '19920718', '146'), rid('440106', '19780203', '351'),
       rid('330106', '20010930', '062'), rid('510107', '19681125', '483'), rid('420111', '19950506', '219'),
       rid('320102', '19890821', '734'), rid('610113', '19730114', '905'), rid('500103', '19990228', '318'),
       rid('350203', '19870409', '556'), rid('430104', '19930617', '092')]
add(K, 'direct', '客户登记：刘梅，身份证号 %s，手机尾号 2231' % ids[0], pos=['pii.cn_resident_id'])
add(K, 'direct', '身份证：%s 王磊 男' % ids[1], pos=['pii.cn_resident_id'])
add(K, 'group', '新员工入职信息 姓名：陈静 证件号码：%s' % ids[2], pos=['pii.cn_resident_id'])
add(K, 'external_customer', '好的，我的身份证号 %s，办卡用' % ids[3], pos=['pii.cn_resident_id'])
add(K, 'direct', '身份证号码 %s' % spaced(ids[4], (6, 8, 4)), pos=['pii.cn_resident_id'])
add(K, 'direct', '身份證號：%s' % ids[5].translate(str.maketrans('0123456789', '０１２３４５６７８９')),
    pos=['pii.cn_resident_id'])
add(K, 'group', '订机票用：张伟 %s' % ids[6], pos=['pii.cn_resident_id'])
add(K, 'direct', '帮我查一下这个人 %s 名下有没有房' % ids[7], pos=['pii.cn_resident_id'])
add(K, 'direct', '报名表：赵敏，身份证%s，联系电话见附件' % ids[8], pos=['pii.cn_resident_id'])
add(K, 'direct', '公民身份号码 %s' % ids[9], pos=['pii.cn_resident_id'])
add(K, 'group', '保险受益人：孙悦（%s）' % ids[10], pos=['pii.cn_resident_id'])
add(K, 'direct', '身份证号 %s 好像输错了一位，核对一下' % rid_bad('110105', '19850312', '027'),
    neg=['pii.cn_resident_id'])
add(K, 'direct', '快递单号 %s 明天到' % rid('440106', '19780203', '351'), neg=['pii.cn_resident_id'])
add(K, 'direct', '证件号 11010519851332027X 系统提示无效', neg=['pii.cn_resident_id'])
add(K, 'group', '批次号 2024030412%s88 已入库' % ids[1], neg=['pii.cn_resident_id'])
add(K, 'group', '日志时间戳 1709517600123，请求ID 20240304093000123456', neg=['pii'])
add(K, 'group', '入库时间 2024-03-04 15:30:12，批次 20240304153012', neg=['pii'])

add(K, 'external', '有事打我电话 139 1234 5678，我是前台小李', pos=['pii.cn_mobile'])
add(K, 'direct', '客户王女士 手机：+86 138-2716-4409', pos=['pii.cn_mobile'])
add(K, 'direct', '联系人：陈先生 0086 15912345678', pos=['pii.cn_mobile'])
add(K, 'group', '新店长电话 18600001234，有事直接联系', pos=['pii.cn_mobile'])
add(K, 'direct', '手機號：１７７１２３４５６７８', pos=['pii.cn_mobile'])
add(K, 'direct', '会员张姐的电话是 135-6789-0123', pos=['pii.cn_mobile'])
add(K, 'group', '紧急联系人：李强 父子 电话 +8613712345678', pos=['pii.cn_mobile'])
add(K, 'direct', '她手机号 199 8765 4321，你加一下她', pos=['pii.cn_mobile'])
add(K, 'direct', '收件人：周琳，电话16612348888，地址见上', pos=['pii.cn_mobile'])
add(K, 'group', '座机 021-64381234，分机 8012', neg=['pii.cn_mobile'])
add(K, 'direct', '订单号 202403041381234567 已发货', neg=['pii.cn_mobile'])
add(K, 'group', '客服热线 400-820-8820，工作日9点到18点', neg=['pii.cn_mobile'])
add(K, 'group', '系统编号 12345678901 是测试数据', neg=['pii.cn_mobile'])

cards = [card('622202', 19, '400012345678'), card('622848', 19, '010987654321'), card('621700', 19, '210003456789'),
         card('622588', 16, '012345678'), card('601382', 19, '700012398765'), card('621483', 16, '556677889'),
         card('622262', 19, '033300112233'), card('436742', 16, '123456789')]
add(K, 'direct', '工资卡号：%s 工商银行' % spaced(cards[0], (4, 4, 4, 4, 3)), pos=['pii.bank_card'])
add(K, 'direct', '退款请打到这张卡：农业银行 %s 户名 李娜' % cards[1], pos=['pii.bank_card'])
add(K, 'group', '报销打款账户 建行 %s' % cards[2], pos=['pii.bank_card'])
add(K, 'direct', '招行信用卡 %s 有效期 08/27' % spaced(cards[3], (4, 4, 4, 4)), pos=['pii.bank_card'])
add(K, 'direct', '银行卡号%s（中国银行）' % cards[4], pos=['pii.bank_card'])
add(K, 'direct', '卡号 %s-%s-%s-%s 招商银行' % (cards[5][:4], cards[5][4:8], cards[5][8:12], cards[5][12:]),
    pos=['pii.bank_card'])
add(K, 'group', '交行账号：%s，开户行 上海徐汇支行' % cards[6], pos=['pii.bank_card'])
add(K, 'direct', '信用卡：%s' % cards[7], pos=['pii.bank_card'])
add(K, 'direct', '卡号 %s 提示无效' % card_bad('622202', 19, '400012345678'), neg=['pii.bank_card'])
add(K, 'group', '保单号 %s 已生效' % card('622700', 16, '000011112'), neg=['pii.bank_card'])
add(K, 'direct', '订单编号 %s，请核对' % card('621226', 19, '000000042424'), neg=['pii.bank_card'])
add(K, 'external', '您的会员卡号是 88001234，积分 3200', neg=['pii.bank_card'])

usccs = [uscc('91', '440300', 'MA5F3K2R'), uscc('91', '310115', '60712345'), uscc('92', '510107', 'L1234567'),
         uscc('12', '110000', '40000123'), uscc('52', '330106', 'MJ987654'), uscc('91', '420111', '77889900')]
add(K, 'direct', '开票信息：深圳某某科技有限公司 统一社会信用代码 %s' % usccs[0], pos=['pii.cn_uscc'])
add(K, 'direct', '税号：%s' % usccs[1], pos=['pii.cn_uscc'])
add(K, 'group', '个体户营业执照 信用代码%s 经营者 王某' % usccs[2], pos=['pii.cn_uscc'])
add(K, 'direct', '事业单位法人证书 统一社会信用代码：%s' % usccs[3], pos=['pii.cn_uscc'])
add(K, 'direct', '社会组织 %s 年检材料' % usccs[4], pos=['pii.cn_uscc'])
add(K, 'external', '发票抬头：武汉美丽人生美容有限公司，税号 %s' % usccs[5].lower(), pos=['pii.cn_uscc'])
add(K, 'direct', '统一社会信用代码 %s 校验不通过' % uscc_bad('91', '440300', 'MA5F3K2R'), neg=['pii.cn_uscc'])
add(K, 'group', '物料编码 91440300ABCDEFGHIJ 已停用', neg=['pii.cn_uscc'])

add(K, 'direct', '护照号：E58213907，下周去新加坡', pos=['pii.cn_passport'])
add(K, 'group', '出差名单：李明 护照 E37104265 有效期至2030年', pos=['pii.cn_passport'])
add(K, 'direct', '她的护照号码是 G29834712，签证还在办', pos=['pii.cn_passport'])
add(K, 'direct', '護照號碼：E90128345', pos=['pii.cn_passport'])
add(K, 'group', '订机票需要：姓名 王芳 护照 E66341289', pos=['pii.cn_passport'])
add(K, 'direct', 'passport no. E71625340, 张伟', pos=['pii.cn_passport'])
add(K, 'group', '打印机型号 E12345678 的墨盒到了', neg=['pii.cn_passport'])
add(K, 'group', '航班 CA1234 明早8点起飞', neg=['pii.cn_passport'])

add(K, 'direct', '简历发到 zhang.li1988@163.com 就行', pos=['pii.email'])
add(K, 'external', '电子发票发我邮箱：wangfang_beauty@qq.com', pos=['pii.email'])
add(K, 'group', '新同事邮箱 chen.jing@example.com.cn，大家加一下', pos=['pii.email'])
add(K, 'direct', '客户联系人：Linda，邮箱 linda.wu@sina.cn', pos=['pii.email'])
add(K, 'direct', '邮箱：ＬＩＵＱＩＡＮＧ＠１２６．ＣＯＭ', pos=['pii.email'])
add(K, 'group', '有问题发邮件给 hr-recruit@meilishop.com', pos=['pii.email'])
add(K, 'group', '@所有人 明天上午九点开会', neg=['pii.email'])
add(K, 'direct', '微博 @人民日报 发了通知，你看看', neg=['pii.email'])

# --- pii.health: health information about a person -------------------------
K = 'pii.health'
P(K, 'group', '3号楼的刘强今天体温37.9℃，已经让他回家休息了', K)
P(K, 'direct', '我婆婆查出糖尿病了，最近血糖一直偏高', K)
P(K, 'external', '陈姐您怀孕三个月了，这个项目先不能做哦', K)
P(K, 'group', '小王核酸检测结果阳性，所在楼层今天封控', K)
P(K, 'group', '张磊是密接，今天开始集中隔离14天', K)
P(K, 'group', '财务部赵敏抗原两道杠，请假三天', K)
P(K, 'group', '李经理做了心脏支架手术，下周才能回来上班', K)
P(K, 'direct', '王阿姨血压160/100，今天别给她做肩颈按摩', K)
P(K, 'group', '我儿子确诊甲流了，明天请假带他去复查', K)
P(K, 'group', '健康登记：孙悦 体温36.5℃ 无咳嗽 无发热', K)
add(K, 'direct', '客户周姐有乳腺增生，胸部护理先不要给她做', pos=[K], neg=['conduct'])
P(K, 'direct', '张伟的CT报告显示右肺有个8毫米结节', K)
P(K, 'direct', '她是乙肝携带者，这事别跟别人说', K)
P(K, 'direct', '我妈查出抑郁症了，这几天心情很差', K)
P(K, 'group', '小刘新冠康复了，复查核酸阴性，明天返岗', K)
P(K, 'group', '今天早上量体温，行政部吴昊38.2度，已送发热门诊', K)
P(K, 'direct', '我今天发烧38.6℃，嗓子疼，请一天假', K)
P(K, 'group', '老陈高血压三级，医生不让他再熬夜了', K)
P(K, 'external', '您上次说对果酸过敏，起了红疹，这次给您换温和的产品', K)
P(K, 'group', '前台小林的化验结果出来了，甲状腺功能亢进', K)
P(K, 'group', '體溫登記：黃麗 37.8℃，已居家隔離', K)
P(K, 'group', '病例：男，45岁，物业公司员工周某，3月2日出现发热，3月3日确诊', K)
P(K, 'direct', '李娜做完剖腹产刚出院，产假要休到九月', K)
P(K, 'group', '行程卡显示王芳去过中风险地区，先居家观察7天', K)
P(K, 'direct', '客户郑女士有癫痫病史，做项目时要有人陪着', K)
P(K, 'group', '隔离人员名单：马骏（密接）、何琳（次密接），均已转运', K)
P(K, 'direct', '他上周做了胃镜，慢性萎缩性胃炎，要长期吃药', K)
N(K, 'group', '多喝热水，注意休息，换季容易感冒', K)
N(K, 'group', '今天全市新增本土确诊病例3例，无症状感染者5例', K)
N(K, 'group', '体温枪放在前台抽屉里了，没电记得换', K)
N(K, 'direct', '发热门诊在医院东门，挂号处右转', K)
N(K, 'group', '请大家每天上午十点前在小程序上报体温', K)
N(K, 'group', '核酸检测点今天开放到晚上九点', K)
N(K, 'group', '防疫手册发群里了，大家看一下', K)
N(K, 'external', '这款面膜适合敏感肌，孕期也可以用', K, 'conduct')
N(K, 'group', '公司年度体检安排在下周三，需空腹', K)
N(K, 'group', '口罩和酒精请到行政部领取', K)
N(K, 'direct', '降压药不能自己随便停，这是常识', K)
N(K, 'group', '研究表明长期睡眠不足会导致免疫力下降', K)
N(K, 'external', '肩颈理疗项目适合久坐办公的人群', K)
N(K, 'group', '医保报销比例今年有调整，具体看社保局通知', K)
N(K, 'group', '疫苗接种点在社区服务中心二楼', K)
N(K, 'direct', '《健康中国行动》宣传海报明天贴出来', K)

# --- conduct.abusive: staff toward customers ---------------------------------
K = 'conduct.abusive'
P(K, 'external', '你是不是傻？说了三遍了还问', K)
P(K, 'external', '傻 逼，自己看说明书', K)
P(K, 'external', '傻*逼客户，爱买不买', K)
P(K, 'external', '你sb吧，价格都写在上面了', K)
P(K, 'external', 'nmsl，别再发了', K)
P(K, 'external', '大半夜的发什么消息，有病吧，滚！', K)
P(K, 'external', '你懂个屁，这是最新款的仪器', K)
P(K, 'external', '穷鬼就别来问价了，浪费时间', K)
P(K, 'external', '买不起就别问，烦', K)
P(K, 'external', '闭嘴吧你，烦不烦', K)
P(K, 'external', '关你屁事，我们店怎么做不用你教', K)
P(K, 'external', '你有病吧？约了三次都不来', K)
P(K, 'external', '滚蛋，别在这叽叽歪歪的', K)
P(K, 'external', '你脑子进水了吧，这都看不懂', K)
P(K, 'external', '白癡，價格表上寫得清清楚楚', K)
P(K, 'external', '你這個賤人，還敢投訴我', K)
P(K, 'external', '神经病啊，做完了还想退款', K)
P(K, 'external', '爱做不做，不做拉倒', K)
P(K, 'external', 'tmd 又是你，有完没完', K)
P(K, 'external', '你个废物，连个预约都不会', K)
P(K, 'external', 'ＳＢ，自己去看公告', K)
P(K, 'external', '煞笔，说了不能退就是不能退', K)
P(K, 'external', '他妈的，你到底还做不做', K)
P(K, 'external', '草泥马，少来烦我', K)
P(K, 'external', 'cnm 还好意思要优惠', K)
P(K, 'external', '你是猪脑子吗？操作步骤发你三遍了', K)
P(K, 'external', '你这种脑残客户我见多了', K)
P(K, 'external', '死胖子还想瘦成那样？做梦吧', K)
P(K, 'external', '滚！再发我就拉黑你', K)
P(K, 'external', '给我闭嘴，听我说完', K)
P(K, 'external', '你算什么东西，也配跟我讲价', K)
P(K, 'external', '老娘不伺候了，找别人去吧', K)
P(K, 'external', '傻' + ZW + '逼，别烦我', K)
P(K, 'external', '你是智障吗，卡都不会刷', K)
P(K, 'external', '白痴，早就说了要提前预约', K)
P(K, 'external', '你真是个 sha bi', K)
P(K, 'external', '贱货，还敢给我差评', K)
P(K, 'external', '傻_逼，听不懂人话是吧', K)
P(K, 'external', '丑八怪做什么项目都没用，省省吧', K)
P(K, 'external', 'wcnm，退什么退', K)
P(K, 'group', '3号床那个客户就是个傻逼，折腾了一下午', K)
P(K, 'group', '那个王女士脑子有病，别理她', K)
P(K, 'group', '这种穷鬼客户以后别接了，爱买不买', K)
P(K, 'direct', '那个老不死的又来投诉了，真他妈烦', K)
N(K, 'external', '您妈妈上次做的肩颈护理效果很好，这周还约吗', K)
N(K, 'external', '他妈妈今天陪他一起来店里，两位都做了护理', K)
N(K, 'external', '这款身体乳和乳液可以叠加使用，先乳液后身体乳', K)
N(K, 'external', '丰胸项目需要先做皮肤检测，您方便周六来吗', K)
N(K, 'external', '健身期间可以多吃鸡胸肉，少吃油炸食品', K)
N(K, 'external', '这台仪器是傻瓜式操作，您在家也能用', K)
N(K, 'external', '滚筒式的按摩仪效果更好，价格也不贵', K)
N(K, 'external', '刚烧的水很滚烫，泡脚前先兑点凉水', K)
N(K, 'external', '宝宝屁股红了，可以涂点护臀膏', K)
N(K, 'external', '做完果酸要先去死皮，再敷修复面膜', K)
N(K, 'external', '你妈的生日快到了，要不要给她订个SPA套餐', K)
N(K, 'external_customer', '三八节的活动还有效吗？有的话我带我妈一起去', K)
N(K, 'external', '你有病史吗？比如高血压、糖尿病，做热玛吉前要登记', K)
N(K, 'external', '滚轮按摩器买一送一，今天最后一天', K)
N(K, 'external', '胸部护理和乳腺疏通是两个项目，价格不一样', K)
N(K, 'external', '不要脸部按摩的话，可以只做背部', K)
N(K, 'external', '宝宝晚上放屁多可能是肠胀气，可以顺时针揉揉肚子', K)
N(K, 'external', '把页面往下滚动就能看到价格表', K)
N(K, 'external', '你是猪年出生的吧，今年本命年要穿红', K)
N(K, 'external', '杂种狗和纯种狗洗澡美容收费一样', K)
N(K, 'external', '第二货架上的面膜是新到的，可以试用', K)
N(K, 'external', '靠北边的那个房间比较安静，给您留着', K)
N(K, 'external', '下次可以带你妈妈一起来，双人套餐更划算', K)
N(K, 'external', '我们老板娘的手艺是出了名的好', K)
N(K, 'external', '傻瓜相机拍出来的效果也不错，您别担心', K)
N(K, 'external', '鸡肉炖汤可以加点红枣，补气血', K)
N(K, 'external_customer', '你妈妈的腰好点了没？我下周陪她去做理疗', K)
N(K, 'group', '周日你妈来店里吗？帮她留个下午的位置', K)

# --- conduct.order_diversion: 飞单 ------------------------------------------
K = 'conduct.order_diversion'
P(K, 'external', '姐，这次别在店里付了，加我私人微信，我给你算便宜点', K)
P(K, 'external', '直接转我支付宝就行，比店里划算', K)
P(K, 'external', '你把钱直接打我卡上，我给你安排最好的技师', K)
P(K, 'external', '这单不走公司账，能给你省三百', K)
P(K, 'external', '扫我个人收款码，别让前台知道', K)
P(K, 'external', '下次直接找我，不用通过前台预约，私下给你做', K)
P(K, 'external', '我自己在外面也接活，价格只要店里一半，你来我家就行', K)
P(K, 'external', '加我小号吧，以后别在这个号上说，这个号公司能看到', K)
P(K, 'external', '这次卡里的钱别充了，现金直接给我就行', K)
P(K, 'external', '绕过前台，直接微信转我，我帮你登记', K)
P(K, 'external', '付款的时候别扫店里的码，扫我这个', K)
P(K, 'external', '你转到我老婆的账户，一样的', K)
P(K, 'external', '这个单我私下接，你别跟店长说', K)
P(K, 'external', '红包发我就行，不用开单', K)
P(K, 'external', '不要发票的话我私下给你打八折', K)
P(K, 'external', '店里套餐太贵了，你私聊我，我有更便宜的', K)
P(K, 'external', '我给你我个人的银行卡号，转过来就行', K)
P(K, 'external', '这个产品我有渠道，比店里便宜，你单独找我买', K)
P(K, 'external', '私下交易给你打七折，别告诉别人', K)
P(K, 'external', '以后直接打我手机约，别在公众号上约了，能便宜', K)
P(K, 'external', '你加一下我私人微信，这个是工作号，说话不方便', K)
P(K, 'external', '不走系统下单了，你直接转我', K)
P(K, 'external', '扫我个人二维码付款，优惠多一点', K)
P(K, 'external', '加我私人微信，轉我支付寶就行', K)
P(K, 'external', '我下个月自己开工作室，你的疗程直接转到我那边做，钱转我个人', K)
P(K, 'external', '尾款别交给店里了，直接微信转我，我帮你搞定', K)
P(K, 'group', '你让那个客户加你个人微信，钱直接转你，别走店里系统', K)
P(K, 'direct', '这单别录系统了，收现金咱俩分', K)
N(K, 'external', '请在前台付款，可以刷卡或扫店里的二维码', K)
N(K, 'external', '我个人觉得这个套餐更适合您的肤质', K)
N(K, 'external', '个人推荐的话，敏感肌先做舒缓护理', K)
N(K, 'external', '付款请通过公司官方小程序，会自动开电子发票', K)
N(K, 'external', '可以加一下门店企业微信，有活动会第一时间通知您', K)
N(K, 'external', '转账请转到公司对公账户，备注您的姓名和手机尾号', K)
N(K, 'external', '您的个人信息我们会严格保密', K)
N(K, 'external', '收款码在前台，是公司统一的', K)
N(K, 'external', '我这两天休息，有事可以找前台小王', K)
N(K, 'external', '会员卡充值请到收银台办理', K)
N(K, 'external', '这个价格是店里统一定的，我私下也没办法改', K)
N(K, 'external', '公司规定不能私下收钱，请您到前台付款', K)
N(K, 'external', '支付宝和微信都可以，付的都是店里的账户', K)
N(K, 'external', '个人中心里可以查看您的订单和积分', K)
N(K, 'external', '我个人微信不加客户的，有问题请联系门店客服号', K)
N(K, 'external', '已经帮您在系统里下单了，稍后前台会跟您确认', K)
N(K, 'group', '提醒大家：所有款项必须走前台收银，严禁私下收款', K)

# --- everyday messages: negative for everything ------------------------------
K = 'everyday'
for kind, t in [
        ('group', '好的，我马上过去'), ('group', '收到，谢谢'), ('group', '下午三点在二楼会议室开周会'),
        ('group', '今天的日报已经提交了'), ('direct', '中午一起吃饭吗？楼下新开了家面馆'),
        ('group', '空调坏了，已经报修'), ('group', '明天降温，大家注意保暖'), ('direct', '文件我改好了，你再看看'),
        ('group', '周五下午团建，地点待定'), ('direct', '我堵在路上了，晚十分钟到'),
        ('external', '您好，明天上午十点的预约已为您确认'), ('external', '亲，您的快递已经到店了，有空来取'),
        ('external', '这款洗面奶适合油性皮肤，早晚各用一次'), ('external', '您上次办的卡还剩五次护理'),
        ('external', '本周六店庆，全场护理项目八折'), ('external', '做完项目两小时内不要洗脸哦'),
        ('external', '停车场在店后面，停车免费'), ('external_customer', '我明天下午有空，能约两点吗'),
        ('external_customer', '上次那个补水项目效果挺好的'), ('external_customer', '你们几点关门？'),
        ('group', '打印机没纸了，谁去领一下'), ('group', '新来的同事叫小周，大家多关照'),
        ('group', '下周一开始执行新的排班表'), ('direct', '帮我带杯咖啡，谢谢'),
        ('group', '会议纪要已经发到邮箱了，请查收'), ('group', '今天的培训视频已上传'),
        ('direct', '明天我请假半天，去孩子学校开家长会'), ('group', '祝大家中秋节快乐！'),
        ('group', '门口的快递是谁的？'), ('direct', '那个方案领导说可以，就按这个来'),
        ('group', '微信群里不要发广告'), ('external', '感谢您的好评，欢迎下次光临'),
        ('external', '天气热，来店里喝杯凉茶'), ('group', '明天早上八点半准时打卡'),
        ('direct', '周末去爬山吗'), ('group', '请各门店周三前上报库存'), ('email', 'Meeting moved to 3pm, same room.'),
        ('email', 'Thanks, see you tomorrow.'), ('group', '年会节目报名截止到本周五'),
        ('direct', '你看到我的充电器了吗'), ('group', '今天客人比较多，大家辛苦了'),
        ('external', '您好，请问是王女士吗？您预约的面部护理改到周四可以吗'),
        ('group', '新品试用装到了，每人领两份'), ('direct', '孩子发的作业拍照给我看看')]:
    N(K, kind, t, *ALL)


# ---------------------------------------------------------------------------
# Events

TITLES = {
    'classified': ['城关镇工作群', '县局办公室群', '镇党政办', '市委办信息科'],
    'default': ['门店工作群', '总部行政群', '财务部', '运营中心'],
}
NAMES = ['李娜', '王芳', '张伟', '刘洋', '陈静', '杨帆', '赵磊', '黄丽', '周杰', '吴敏']
CUSTOMERS = ['王女士', '刘姐', '陈小姐', '张阿姨', '周先生', '林女士', '赵姐']
BASE = datetime.datetime(2024, 3, 4, 9, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def event(i, group, text, kind):
    """One event; conversation and sender fields stay consistent per id."""
    conduct = group.startswith('conduct')
    channel = ['wechat', 'wecom', 'dingtalk', 'qq'][i % 4] if kind != 'email' else 'email'
    staff = i % len(NAMES)
    if kind in ('external', 'external_customer'):
        c = i % len(CUSTOMERS)
        conv = {'id': 'cust-%02d' % c, 'type': 'direct', 'title': '客户：' + CUSTOMERS[c], 'external': True}
    elif kind == 'email':
        conv = {'id': 'mail-%02d' % staff, 'type': 'direct', 'title': '邮件', 'external': False}
    elif kind == 'group':
        titles = TITLES['classified' if group == 'classified' else 'default']
        t = i % len(titles)
        conv = {'id': 'grp-%s-%d' % ('gov' if group == 'classified' else 'corp', t), 'type': 'group',
                'title': titles[t], 'external': False}
    else:
        conv = {'id': 'dm-%02d' % staff, 'type': 'direct', 'title': '单聊', 'external': False}
    if kind == 'external_customer':
        c = i % len(CUSTOMERS)
        sender = {'id': 'cust-%02d' % c, 'name': CUSTOMERS[c], 'dept': '', 'role': 'customer'}
    else:
        dept = '办公室' if group == 'classified' else ('美容门店' if conduct or kind == 'external' else '综合部')
        sender = {'id': 's%02d' % staff, 'name': NAMES[staff], 'dept': dept, 'role': 'staff'}
    t = BASE + datetime.timedelta(seconds=97 * i)
    when = t.isoformat() if i % 2 else int(t.timestamp() * 1000)
    return {'id': 'e%04d' % i, 'time': when, 'channel': channel, 'conversation': conv, 'sender': sender,
            'text': text}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    dev = set()  # the shared dev set sits beside the repository (shared/ next to main/)
    for cand in (os.path.join(here, '..', '..', '..', '..', 'shared', 'data', 'dev', 'messages.jsonl'),
                 '/work/shared/data/dev/messages.jsonl'):
        if os.path.exists(cand):
            with open(cand, encoding='utf-8') as f:
                dev = {json.loads(l).get('text') for l in f if l.strip()}
            break
    else:
        print('note: dev set not found; not checked for copies')
    texts = set()
    counts = collections.OrderedDict()
    with open(os.path.join(here, 'messages.jsonl'), 'w', encoding='utf-8') as ev, \
            open(os.path.join(here, 'labels.jsonl'), 'w', encoding='utf-8') as lb:
        for i, (group, text, pos, neg, kind) in enumerate(C):
            assert text not in texts, 'duplicate case: ' + text
            assert text not in dev, 'copied from the dev set: ' + text
            assert not set(pos) & set(neg), text
            texts.add(text)
            if kind == 'external_customer' and 'conduct' in neg:
                # a customer's own message: no claim about conduct.unanswered
                neg = [n for n in neg if n != 'conduct'] + ['conduct.abusive', 'conduct.order_diversion']
            ev.write(json.dumps(event(i, group, text, kind), ensure_ascii=False) + '\n')
            lb.write(json.dumps({'id': 'e%04d' % i, 'pos': pos, 'neg': neg}, ensure_ascii=False) + '\n')
            c = counts.setdefault(group, [0, 0])
            c[0 if pos else 1] += 1
    for g, (p, n) in counts.items():
        print('%-26s %3d cases (%d positive, %d hard negative)' % (g, p + n, p, n))
    print('%-26s %3d cases' % ('total', len(C)))


if __name__ == '__main__':
    main()
