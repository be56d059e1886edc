#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make run`'s loader (scripts/run-demo.sh) against a fresh data directory and
# a free port, stdin not a terminal: the accounts are made and their one-time
# passwords printed once; every event of demo/cases/ is stored through
# POST /v1/events; each seed case gives the findings it should (the notice
# photo read by OCR and forwarded twice, the same bytes each time; the report
# page without a marking found as the registered document; the telegrams;
# the fax -> MMS -> WeChat chain; the balance sheet; the salon's rudeness and
# order diversion) and the ordinary chatter is allowed. A second run starts
# the server only: no passwords, nothing stored again. The store verifies.
# Exit 77 (skipped) when ImageMagick, qrencode or the Noto CJK fonts are
# missing.
# check() evals its condition, where $rc and $records are read:
# shellcheck disable=SC2016,SC2034
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
skip() { echo "skipped: $*"; exit 77; }
command -v convert >/dev/null || skip "ImageMagick's convert is not installed"
command -v qrencode >/dev/null || skip "qrencode is not installed"
convert -list font 2>/dev/null | grep -q Noto-Serif-CJK-SC || skip "fonts-noto-cjk is not installed"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# Photos are read within the wait even with sanitizers and tests running side
# by side (the default policy's rules; only the wait for attachments is longer).
printf 'version: 1\ninclude_default: true\nattachments:\n  timeout: 60s\n' >"$tmp/wait.yaml"
demo() { # OUT: scripts/run-demo.sh as make run runs it, stdin not a terminal
  LEVEE="$LEVEE" LEVEE_DATA="$tmp/data" LEVEE_DEMO_LISTEN=127.0.0.1:0 LEVEE_DEMO_POLICY="$tmp/wait.yaml" \
    timeout 900 bash "$LEVEE_SRC/scripts/run-demo.sh" </dev/null >"$1" 2>"$1.err"
}

demo "$tmp/run1"
rc=$?
check "first run: exit 0 ($(tail -n 3 "$tmp/run1.err"))" '[ $rc -eq 0 ]'
check "first run: the URL said" 'grep -q "^levee serve: http://127.0.0.1:[0-9]*/ " "$tmp/run1"'
check "first run: three one-time passwords, each with its role" \
  '[ "$(grep -cE "^  (sysadmin +system-admin|secadmin +security-admin|auditor +auditor) +[A-Za-z0-9]{20} " "$tmp/run1")" = 3 ]'
check "first run: every event stored, none late" \
  'grep -q "^demo: \([0-9]*\) events sent, \1 stored, 0 already were" "$tmp/run1" && ! grep -q "not read in time" "$tmp/run1"'
check "first run: the server stopped (stdin not a terminal)" 'grep -q "levee serve stopped" "$tmp/run1"'
"$LEVEE" admin list --data "$tmp/data" >"$tmp/accounts" 2>/dev/null
check "the three accounts exist" '[ "$(grep -cE "^(sysadmin|secadmin|auditor) " "$tmp/accounts")" = 3 ]'
"$LEVEE" admin tokens --data "$tmp/data" >"$tmp/tokens" 2>/dev/null
check "the loader's integration token exists" 'grep -q "demo-loader" "$tmp/tokens"'
"$LEVEE" register --data "$tmp/data" --list >"$tmp/regs" 2>/dev/null
check "the 机密 report is registered" 'grep -q "机密" "$tmp/regs"'

"$LEVEE" export --data "$tmp/data" >"$tmp/export.jsonl" 2>"$tmp/export.err"
check "levee export of the stopped store ($(cat "$tmp/export.err"))" '[ $? -eq 0 ]'

# Each case's findings, from the stored verdicts. Events not named here (and
# not among the known misses or over-flags, left unasserted) are the
# ordinary chatter: allowed, nothing found.
"$py" - "$LEVEE_SRC/demo/cases" "$tmp/export.jsonl" >"$tmp/cases.out" 2>&1 <<'PY'
import glob, json, os, sys

cases, export = sys.argv[1], sys.argv[2]
sent = {}
for path in sorted(glob.glob(os.path.join(cases, "*.jsonl"))):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            e = json.loads(line)
            sent[e["id"]] = os.path.basename(path)
stored = {}
for line in open(export, encoding="utf-8"):
    e = json.loads(line)
    stored[e["id"]] = e

MARKING, DOCUMENT = "classified.marking", "classified.document"
FINANCE, ABUSIVE, DIVERSION = "finance.statement", "conduct.abusive", "conduct.order_diversion"
# id: (category, action, where: "text" or "attachment:0")
expect = {
    # notice.jsonl: the night-time notice and its forwards (same photo)
    "wx-2788801348856849422": (MARKING, "block", "attachment:0"),  # posted to 柳林镇政府工作群 at 23:12
    "wx-4297327506875018998": (MARKING, "block", "attachment:0"),  # forwarded to 村两委干部群
    "wx-2373034733805808743": (MARKING, "block", "attachment:0"),  # forwarded to 东坡村村民群 (external)
    # report.jsonl: two pages sent point to point to the travelling leader
    "wx-9026932753842744965": (MARKING, "block", "attachment:0"),  # page 1, 机密★5年
    "wx-8367845037463351648": (DOCUMENT, "block", "attachment:0"),  # page 3, no marking: the registered report
    # telegrams.jsonl: the intern's photo of the four headers
    "wx-8177070100731100166": (MARKING, "block", "attachment:0"),
    # chain.jsonl: fax -> three MMS -> WeChat -> group -> groups, one photo
    "fax-1782514156256837413": (MARKING, "hold", "attachment:0"),  # fax is not a chat channel: held
    "mms-1262160249837155565": (MARKING, "block", "attachment:0"),
    "mms-2544089741757148670": (MARKING, "block", "attachment:0"),
    "mms-8559099534402302796": (MARKING, "block", "attachment:0"),
    "wx-2640390770035975129": (MARKING, "block", "attachment:0"),  # 张立新 -> 陶红
    "wx-9967321774439046029": (MARKING, "block", "attachment:0"),  # 开发区民政工作群
    "wx-8054088815902610682": (MARKING, "block", "attachment:0"),  # 东湖乡民政协理员群
    "wx-1488365845434779826": (MARKING, "block", "attachment:0"),  # 东湖乡爱心志愿者群 (external)
    # finance.jsonl: the balance sheet to an outsider over WeChat
    "wx-8990713039740515005": (FINANCE, "alert", "text"),
    "wx-4595317117890844250": (FINANCE, "alert", "attachment:0"),  # photo of 资产负债表
    # salon.jsonl
    "wecom-8248822440230490167": (ABUSIVE, "alert", "text"),  # 爱做不做，你烦不烦
    "wecom-6964518228800918987": (ABUSIVE, "alert", "text"),  # 神经病
    "wecom-1858751859567475172": (ABUSIVE, "allow", "text"),  # venting in the staff group: recorded only
    "wecom-7663757295590688898": (DIVERSION, "alert", "text"),  # 加我私人微信，直接转我
    "wecom-8202053198760129721": (DIVERSION, "alert", "attachment:0"),  # a wxp:// QR code
    "wecom-6040242198757301349": (DIVERSION, "alert", "text"),  # 不走公司账
    "wecom-6382789722622236305": (DIVERSION, "alert", "text"),  # 私下的开不了发票
}
# Four photos of the telegrams' full text: OCR of the red 密码电报 heading
# is uneven, so at least one of them.
telegram_pages = ["wx-3809061051031396030", "wx-1985380533057480035", "wx-3640656999717032208",
                  "wx-1687169919582812839"]
# Not asserted: what levee misses (demo/cases/README.md says) and what it
# flags that a reviewer would dismiss.
unasserted = {
    "wx-7221952534555353183",  # the bureau head's order to post the full text
    "wx-5015895967671353343",  # "把通知发到民政微信群"
    "wx-8115047864602148214",  # receivables spreadsheet (missed)
    "wx-8468044947522180301",  # figures retyped (missed)
    "wecom-9381221524783893474",  # "你自己皮肤敏感怪谁" (missed)
    "wecom-5416063887393218243",  # "周末我在家给你做" (missed)
    "wecom-8667434690550752380",  # the ignored customer (no conduct.unanswered detector yet)
    "wx-3364798125204838694",  # "机要局刚送来4份电报" (机要)
    "wx-1700419901427198164",  # a warning naming 秘密级 (over-flagged)
    "wecom-8167680136199383642",  # "合并报表" in the finance group (over-flagged)
    "wx-8972688031933782283",  # a health check for villagers (over-flagged as pii.health)
}
fails = 0


def fail(why):
    global fails
    fails += 1
    print("FAIL: " + why)


missing = sorted(set(sent) - set(stored))
if missing:
    fail("%d demo events not stored, e.g. %s" % (len(missing), missing[:3]))
for eid in list(expect) + telegram_pages + sorted(unasserted):
    if eid not in sent:
        fail("%s is not a demo event (demo/cases changed? update this test)" % eid)


def cats(e):
    return {(f["category"], f.get("source", "text")) for f in e["verdict"]["findings"]}


for eid, (cat, action, where) in expect.items():
    e = stored.get(eid)
    if e is None:
        continue
    v = e["verdict"]
    if (cat, where) not in cats(e) or v["action"] != action:
        fail("%s (%s): want %s in %s, %s; got %s, %s" % (eid, sent[eid], cat, where, action, v["action"],
                                                      sorted(cats(e))))
hits = [eid for eid in telegram_pages if eid in stored and (MARKING, "attachment:0") in cats(stored[eid])]
if not hits:
    fail("no photo of the telegrams' full text gave %s" % MARKING)
chatter = 0
for eid, e in stored.items():
    if eid in expect or eid in unasserted or eid in telegram_pages or eid not in sent:
        continue
    chatter += 1
    v = e["verdict"]
    if v["action"] != "allow" or v["findings"]:
        fail("chatter %s (%s) %r: %s %s" % (eid, sent[eid], e.get("text", ""), v["action"], sorted(cats(e))))
flagged = sum(1 for e in stored.values() if e["verdict"]["action"] != "allow")
if chatter <= flagged:
    fail("%d ordinary messages for %d flagged: chatter should outnumber alerts" % (chatter, flagged))
# A forwarded photo is the same bytes each time: its sha256 matches.
for group in (["wx-2788801348856849422", "wx-4297327506875018998", "wx-2373034733805808743"],
              ["mms-1262160249837155565", "wx-2640390770035975129", "wx-9967321774439046029",
               "wx-1488365845434779826"]):
    digests = {stored[i]["attachments"][0].get("sha256") for i in group if i in stored}
    if len(digests) != 1 or None in digests:
        fail("the forwarded photo's sha256 differs along %s: %s" % (group[0], digests))
print("stored %d of %d; %d chatter allowed; %d flagged; %d of 4 telegram pages found" %
      (len(set(sent) & set(stored)), len(sent), chatter, flagged, len(hits)))
sys.exit(1 if fails else 0)
PY
rc=$?
check "each case's findings, chatter allowed: $(tail -n 12 "$tmp/cases.out")" '[ $rc -eq 0 ]'
echo "  $(tail -n 1 "$tmp/cases.out")"

"$LEVEE" verify --data "$tmp/data" >/dev/null 2>&1
check "the store verifies (levee verify)" '[ $? -eq 0 ]'

# The second run: the server only
records=$(grep -c . "$tmp/export.jsonl")
demo "$tmp/run2"
rc=$?
check "second run: exit 0 ($(tail -n 3 "$tmp/run2.err"))" '[ $rc -eq 0 ]'
check "second run: no passwords, says how to start over" \
  '! grep -qE "^  (sysadmin|secadmin|auditor) " "$tmp/run2" && grep -q "not shown again" "$tmp/run2" && grep -q "rm -rf $tmp/data" "$tmp/run2"'
check "second run: the server started and stopped" 'grep -q "^levee serve: http://127.0.0.1:[0-9]*/ " "$tmp/run2" && grep -q "levee serve stopped" "$tmp/run2"'
check "second run: nothing stored again" '[ "$("$LEVEE" export --data "$tmp/data" 2>/dev/null | grep -c .)" = "$records" ]'

echo "test_demo: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
