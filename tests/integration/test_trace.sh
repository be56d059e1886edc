#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `levee trace` (issue 7), the seed's fourth case as an officer meets it: a
# cipher telegram faxed, photographed, sent by MMS, forwarded by WeChat to a
# civil-affairs group and re-forwarded to township and village groups. The
# photo is re-encoded at every hop (resized, re-compressed, cropped by a few
# percent, with ImageMagick), and replayed through `levee ingest` among
# ordinary messages: chatter, another telegram of the same layout, meeting
# notices, pictures. Tracing ANY hop must give exactly the chain's events,
# the fax as the origin, the conversations it reached, and none of the
# bystanders; who passed it on comes from who could see which copy.
#
# Also: a site plan (a picture, no text) forwarded twice, re-encoded, links
# by its perceptual hash; a document (docx) whose paragraphs were pasted as
# text into chats links to every paste; a WeCom chat record that carries a
# file sent before links to it by the archive's md5sum. The JSON has the
# contract's fields (spec/interface.md), DOT renders with Graphviz, text is
# readable; every trace is recorded in the audit log (type "trace"), a look
# for an unknown id too; and the log still verifies.
#
# With LEVEE_TEST_STORE=postgres://... (test_store_pg.sh sets it) the same
# runs against PostgreSQL. Exit 77 (skipped) without ImageMagick or fonts.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
PY=/usr/bin/python3
t0=$SECONDS

pg_prefix="lv_trace_$$_"
# shellcheck source=tests/integration/store_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/store_lib.sh"
command -v convert >/dev/null || { echo "skipped: ImageMagick's convert is not installed"; exit 77; }

# --- the photos --------------------------------------------------------------
# Three telegrams of one layout (tests/photos/gen_photos.py): the first is
# the one that spreads, the others are bystanders.
mkdir -p "$tmp/in"
"$PY" "$LEVEE_SRC/tests/photos/gen_photos.py" "$tmp/gen" --count 3 --kinds telegram \
  --levels mild --seed 7 --jobs 2 >/dev/null 2>"$tmp/gen.err"
rc=$?
[ $rc -ne 3 ] || { echo "skipped: $(cat "$tmp/gen.err")"; exit 77; }
[ $rc -eq 0 ] || { cat "$tmp/gen.err" >&2; echo "FAIL: gen_photos.py exited $rc" >&2; exit 1; }
cd "$tmp/in" || exit 1
# The hops: a fax (gray), a phone photo of it sent by MMS, then WeChat
# forwards, each re-encoded from the one before.
convert "$tmp/gen/000_telegram_mild.jpg" -colorspace Gray -quality 85 fax.jpg
convert fax.jpg -resize 85% -quality 80 mms.jpg
convert mms.jpg -gravity center -crop 96%x96%+0+0 +repage -quality 70 wx1.jpg
convert wx1.jpg -resize 120% -quality 60 wx2.png
convert wx2.png -gravity northwest -crop 97%x97%+0+0 +repage -resize 70% -quality 75 wx3.jpg
convert wx3.jpg -quality 50 wx4.jpg
cp "$tmp/gen/001_telegram_mild.jpg" other-telegram1.jpg
convert "$tmp/gen/002_telegram_mild.jpg" -resize 90% -quality 70 other-telegram2.jpg
# A site plan: shapes and gradients, no text; forwarded twice, re-encoded;
# and another picture.
convert -size 900x640 gradient:'#3a6ea5'-'#e8e0c8' \
  -fill '#aa3322' -draw "rectangle 80,90 380,300" -fill '#228844' -draw "circle 640,220 640,330" \
  -fill '#222222' -draw "rectangle 120,420 820,470" -fill '#ddcc22' -draw "polygon 500,560 700,380 860,600" \
  -quality 90 plan.jpg
convert plan.jpg -resize 80% -quality 70 plan-fwd1.jpg
convert plan-fwd1.jpg -gravity center -crop 97%x97%+0+0 +repage -quality 85 plan-fwd2.jpg
convert -size 900x640 gradient:'#e0e0e0'-'#603020' \
  -fill '#2244aa' -draw "circle 200,200 200,330" -fill '#aa8800' -draw "rectangle 420,300 860,600" \
  -quality 85 other-picture.jpg
# A notice as a docx; its paragraphs will be pasted into chats.
p1="各乡镇人民政府，县直各单位：为切实做好今年汛期地质灾害防治工作，确保人民群众生命财产安全，经县政府研究决定，自即日起全面开展隐患点排查整治行动。"
p2="二、排查范围包括辖区内所有在建工地、削坡建房户、学校、卫生院及人员密集场所周边的边坡和河道，发现险情立即上报县应急管理局值班室。"
p3="三、各单位要严格落实二十四小时值班和领导带班制度，保持通讯畅通，对迟报、漏报、瞒报造成严重后果的，依法依规追究有关人员责任。"
printf '%s\n' "关于开展汛期地质灾害隐患排查的紧急通知" "$p1" "$p2" "$p3" >notice.txt
"$PY" - notice.txt notice.docx <<'PY'
import sys, zipfile
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
body = "".join(f"<w:p><w:r><w:t>{l}</w:t></w:r></w:p>" for l in open(sys.argv[1]).read().splitlines())
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>')
PY

# --- the events ----------------------------------------------------------------
# Who can see what: the clerk faxes and sends the MMS to Wang; Wang posts in
# the civil-affairs group, whose members the event lists (Zhao among them);
# Zhao forwards to township 1, where Qian had written before; Qian forwards
# to township 2; Sun, in no conversation the store knows, to the village.
"$PY" - "$p1" "$p2" "$p3" >events.jsonl <<'PY'
import json, sys
p1, p2, p3 = sys.argv[1:4]
def ev(id_, t, channel, conv, sender, text=None, att=None, recipients=None, title=None, ctype="group"):
    e = {"id": id_, "time": "2024-07-15T%s+08:00" % t, "channel": channel,
         "sender": {"id": sender[0], "name": sender[1]}}
    if conv:
        e["conversation"] = {"id": conv, "type": ctype, "title": title or conv}
    if text:
        e["text"] = text
    if att:
        e["attachments"] = [{"kind": "image" if att.endswith(("jpg", "png")) else "file", "path": att, "name": att}]
    if recipients:
        e["recipients"] = [{"id": r[0], "name": r[1]} for r in recipients]
    return e
clerk, wang, zhao, qian, sun = ("clerk", "机要员"), ("wang", "王科长"), ("zhao", "赵干事"), ("qian", "钱主任"), ("sun", "孙村长")
a, b, c, d = ("liu", "刘"), ("chen", "陈"), ("yang", "杨"), ("xu", "徐")
civil = [zhao, a, b, c]
events = [
    ev("tg-fax", "08:00:00", "fax", "fax:office", clerk, att="fax.jpg", title="机要室传真"),
    ev("chat-01", "08:05:00", "wechat", "civil", a, "早上好", recipients=civil, title="民政工作群"),
    ev("tg-mms", "08:10:00", "mms", "mms:clerk|wang", clerk, att="mms.jpg", recipients=[wang], ctype="direct"),
    ev("chat-02", "08:12:00", "wechat", "town1", qian, "收到", title="一镇工作群"),
    ev("chat-03", "08:15:00", "wechat", "civil", b, "明天上午九点在三楼会议室召开全体职工大会，请大家准时参加，不得缺席。", recipients=civil, title="民政工作群"),
    ev("tg-other1", "08:20:00", "wechat", "civil", c, att="other-telegram1.jpg", recipients=civil, title="民政工作群"),
    ev("tg-wx-civil", "08:30:00", "wechat", "civil", wang, "请各位注意", att="wx1.jpg", recipients=civil, title="民政工作群"),
    ev("chat-04", "08:31:00", "wechat", "civil", a, "收到", recipients=civil, title="民政工作群"),
    ev("chat-05", "08:32:00", "wechat", "civil", b, "好的", recipients=civil, title="民政工作群"),
    ev("tg-wx-town1", "09:00:00", "wechat", "town1", zhao, att="wx2.png", title="一镇工作群"),
    ev("pic-other", "09:05:00", "wechat", "town1", d, att="other-picture.jpg", title="一镇工作群"),
    ev("tg-other2", "09:10:00", "wechat", "town2", d, att="other-telegram2.jpg", title="二镇工作群"),
    ev("tg-wx-town2", "09:30:00", "wechat", "town2", qian, att="wx3.jpg", title="二镇工作群"),
    ev("chat-06", "09:31:00", "wechat", "town2", d, "收到，马上传达", title="二镇工作群"),
    ev("tg-wx-village", "10:00:00", "wechat", "village", sun, att="wx4.jpg", title="三村群"),
    ev("plan", "11:00:00", "wechat", "works", a, att="plan.jpg", title="工程群"),
    ev("plan-fwd1", "11:10:00", "wechat", "works2", b, att="plan-fwd1.jpg", title="工程二群"),
    ev("plan-fwd2", "11:20:00", "qq", "works3", c, att="plan-fwd2.jpg", title="工程三群"),
    ev("doc", "12:00:00", "wechat", "office", clerk, "通知见附件", att="notice.docx", title="办公室"),
    ev("paste-1", "12:10:00", "wechat", "g-paste1", a, p2, title="转发群一"),
    ev("paste-2", "12:20:00", "dingtalk", "g-paste2", b, "大家看看这段：" + p3, title="转发群二"),
    ev("chat-07", "12:30:00", "wechat", "g-paste2", c, "关于组织开展职工秋季运动会的通知：为丰富职工业余文化生活，增强职工体质，经研究决定于十月中旬举办秋季运动会，请各部门积极组织报名。", title="转发群二"),
]
for e in events:
    print(json.dumps(e, ensure_ascii=False))
PY
# WeCom: a file sent in one room, then a chat record of it forwarded to
# another (the archive gives its md5sum, not the first message's id).
cat >wecom.jsonl <<'EOF'
{"msgid":"wc-file","action":"send","from":"zhangli","tolist":["lisi","wangwu"],"roomid":"wrRoomA","msgtime":1721030400000,"msgtype":"file","file":{"md5sum":"3c2f0a8e1b9d4c7f6e5a4b3c2d1e0f9a","filename":"值班表.xlsx","fileext":"xlsx","filesize":20480,"sdkfileid":"x"}}
{"msgid":"wc-chat","action":"send","from":"lisi","tolist":["wangwu"],"roomid":"","msgtime":1721030500000,"msgtype":"text","text":{"content":"收到"}}
{"msgid":"wc-record","action":"send","from":"wangwu","tolist":["zhaoliu"],"roomid":"wrRoomB","msgtime":1721031000000,"msgtype":"chatrecord","chatrecord":{"title":"群聊的聊天记录","item":[{"type":"ChatRecordFile","msgtime":1721030400,"content":"{\"filename\":\"值班表.xlsx\",\"md5sum\":\"3c2f0a8e1b9d4c7f6e5a4b3c2d1e0f9a\"}","from_chatroom":true}]}}
EOF
cd - >/dev/null || exit 1

# --- ingest -------------------------------------------------------------------------
new_store s
"$LEVEE" ingest $(at s) "$tmp/in/events.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest of the chain and the bystanders ($(cat "$tmp/out"))" '[ $rc -eq 0 ] && grep -q "22 stored" "$tmp/out"'
"$LEVEE" ingest $(at s) --format wecom "$tmp/in/wecom.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "ingest of WeCom records" '[ $rc -eq 0 ] && grep -q "3 stored" "$tmp/out"'
echo "photos made and events ingested in $((SECONDS - t0)) s"

# --- tracing ----------------------------------------------------------------------------
# trace ID EXPECTED_IDS ORIGIN [CONVERSATIONS]: the JSON's node ids (as a
# set), its origin, and the conversations reached; the contract's fields.
trace_is() {
  local id=$1 want=$2 origin=$3 convs=${4:-}
  "$LEVEE" trace $(at s) "$id" >"$tmp/t.json" 2>"$tmp/t.err"; local rc=$?
  [ $rc -eq 0 ] || { cat "$tmp/t.err" >&2; return 1; }
  "$PY" - "$tmp/t.json" "$id" "$want" "$origin" "$convs" <<'PY'
import json, sys
path, id_, want, origin, convs = sys.argv[1:6]
g = json.load(open(path, encoding="utf-8"))
ids = [n["id"] for n in g["nodes"]]
problems = []
if sorted(ids) != sorted(want.split(",")):
    problems.append("nodes %s, not %s" % (ids, want))
if g["origin"]["id"] != origin or ids[0] != origin:
    problems.append("origin %s, not %s" % (g["origin"]["id"], origin))
for n in g["nodes"] + [g["origin"]]:
    for k in ("id", "conversation", "sender", "time"):
        if k not in n:
            problems.append("a node without %s" % k)
times = [n["time_ms"] for n in g["nodes"]]
if times != sorted(times):
    problems.append("nodes not in time order")
if len(g["edges"]) != len(ids) - 1 or any(e["to"] == origin for e in g["edges"]):
    problems.append("not one edge into each copy but the origin")
for e in g["edges"]:
    if e["from"] not in ids or e["to"] not in ids or ids.index(e["from"]) >= ids.index(e["to"]):
        problems.append("edge %s -> %s does not go forward in time" % (e["from"], e["to"]))
    if e["reason"] not in ("forward", "same_bytes", "near_image", "shared_text") or not 0 < e["confidence"] <= 1:
        problems.append("edge %s -> %s: reason %s, confidence %s" % (e["from"], e["to"], e["reason"], e["confidence"]))
if g["target"]["id"] != id_ or [n for n in g["nodes"] if n.get("target")][0]["id"] != id_:
    problems.append("the target is not %s" % id_)
if convs and sorted(c["id"] for c in g["reached"]["conversations"]) != sorted(convs.split(",")):
    problems.append("conversations %s" % [c["id"] for c in g["reached"]["conversations"]])
if g["truncated"]:
    problems.append("truncated")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}
chain="tg-fax,tg-mms,tg-wx-civil,tg-wx-town1,tg-wx-town2,tg-wx-village"
chain_convs="fax:office,mms:clerk|wang,civil,town1,town2,village"
for hop in ${chain//,/ }; do
  trace_is "$hop" "$chain" tg-fax "$chain_convs"; rc=$?
  check "tracing $hop: exactly the chain, the fax first, its six conversations" '[ $rc -eq 0 ]'
done
"$LEVEE" trace $(at s) tg-wx-town2 >"$tmp/t.json"
"$PY" - "$tmp/t.json" >"$tmp/edges" <<'PY'
import json, sys
g = json.load(open(sys.argv[1], encoding="utf-8"))
for e in g["edges"]:
    print(e["from"], e["to"], e["basis"])
names = {p["id"]: p for p in g["reached"]["people"]}
print("wang", names["wang"]["sent"], names["wang"]["received"])
print("zhao", names["zhao"]["sent"], names["zhao"]["received"])
PY
check "who passed it on: each from the copy its sender could see; Sun from the earliest" \
  'diff -u - "$tmp/edges" >&2 <<EOF
tg-fax tg-mms seen
tg-mms tg-wx-civil seen
tg-wx-civil tg-wx-town1 seen
tg-wx-town1 tg-wx-town2 seen
tg-fax tg-wx-village earliest
wang 1 1
zhao 1 1
EOF'
for other in tg-other1 tg-other2 chat-04 pic-other; do
  trace_is "$other" "$other" "$other"; rc=$?
  check "a bystander ($other) links to nothing" '[ $rc -eq 0 ]'
done
trace_is plan-fwd2 "plan,plan-fwd1,plan-fwd2" plan "works,works2,works3"; rc=$?
check "a picture forwarded and re-encoded: its copies" '[ $rc -eq 0 ] && grep -q "\"reason\":\"near_image\"" "$tmp/t.json"'
for id in doc paste-1 paste-2; do
  trace_is "$id" "doc,paste-1,paste-2" doc; rc=$?
  check "a document and the paragraphs pasted from it, traced from $id" '[ $rc -eq 0 ] && grep -q "\"reason\":\"shared_text\"" "$tmp/t.json"'
done
trace_is wc-record "wc-file,wc-record" wc-file "wrRoomA,wrRoomB"; rc=$?
check "a WeCom chat record and the file it carries, by md5sum" '[ $rc -eq 0 ] && grep -q "\"reason\":\"same_bytes\"" "$tmp/t.json"'

# --- formats, errors, the audit record ----------------------------------------------------
"$LEVEE" trace $(at s) --format text tg-wx-civil >"$tmp/t.txt"; rc=$?
check "text: the copies, the origin, who passed it on, who received it" \
  '[ $rc -eq 0 ] && grep -q "^6 copies of tg-wx-civil in 6 conversations" "$tmp/t.txt" && grep -q "^origin: tg-fax" "$tmp/t.txt" && grep -q "王科长 (wang): sent 1, received 1" "$tmp/t.txt" && grep -q "民政工作群 (civil): 1 copy" "$tmp/t.txt"'
"$LEVEE" trace $(at s) --format dot tg-wx-civil >"$tmp/t.dot"; rc=$?
check "dot: a digraph" '[ $rc -eq 0 ] && grep -q "^digraph trace {" "$tmp/t.dot" && [ "$(grep -c " -> " "$tmp/t.dot")" -eq 5 ]'
if command -v dot >/dev/null; then
  dot -Tsvg "$tmp/t.dot" >"$tmp/t.svg" 2>"$tmp/dot.err"; rc=$?
  check "dot -Tsvg renders it" '[ $rc -eq 0 ] && grep -q "<svg" "$tmp/t.svg" && [ ! -s "$tmp/dot.err" ]'
else
  echo "note: graphviz is not installed (scripts/deps.sh); DOT not rendered"
fi
"$LEVEE" trace $(at s) no-such-id >/dev/null 2>"$tmp/err"; rc=$?
check "an unknown id: exit 1, said" '[ $rc -eq 1 ] && grep -q "^levee: trace: no event has the id .no-such-id." "$tmp/err"'
"$LEVEE" trace $(at s) --format xml tg-fax >/dev/null 2>"$tmp/err"; rc=$?
check "a bad format: exit 2" '[ $rc -eq 2 ] && grep -q "json, dot or text" "$tmp/err"'
"$LEVEE" trace $(at s) >/dev/null 2>"$tmp/err"; rc=$?
check "no EVENT_ID: exit 2" '[ $rc -eq 2 ] && grep -q "one EVENT_ID is required" "$tmp/err"'
"$LEVEE" trace tg-fax >/dev/null 2>"$tmp/err"; rc=$?
check "no store: exit 2" '[ $rc -eq 2 ] && grep -q "required" "$tmp/err"'
"$LEVEE" trace --help | grep -q "usage: levee trace"; check "trace --help" '[ $? -eq 0 ]'
"$LEVEE" --help | grep -q "trace"; check "levee --help lists trace" '[ $? -eq 0 ]'
n_traces=$(q s "SELECT count(*) FROM record WHERE type = 'trace'")
n_missing=$(q s "SELECT count(*) FROM record WHERE type = 'trace' AND outcome = 'not-found'")
check "every look is recorded ($n_traces trace records, $n_missing not found)" '[ "$n_traces" -ge 19 ] && [ "$n_missing" -eq 1 ]'
check "... with the event traced and what was found" '[ "$(q s "SELECT count(*) FROM record WHERE type = '"'"'trace'"'"' AND detail LIKE '"'"'%\"event\":\"tg-wx-civil\",\"copies\":6,\"origin\":\"tg-fax\"%'"'"'")" -ge 1 ]'
"$LEVEE" verify $(at s) >"$tmp/vout" 2>&1; rc=$?
check "the log verifies after the traces" '[ $rc -eq 0 ] && grep -q intact "$tmp/vout"'

echo "test_trace: $((SECONDS - t0)) s"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
