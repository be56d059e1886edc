#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `levee scan` as a user meets it: the contract of spec/interface.md section 4
# (inputs, verdict JSON, input order, exit codes, bad lines), plus the cache,
# keyword lists and `levee policy check`.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdg"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

# --help everywhere
"$LEVEE" --help >/dev/null; check "levee --help exits 0" '[ $? -eq 0 ]'
"$LEVEE" scan --help | grep -q "usage: levee scan"; check "scan --help" '[ $? -eq 0 ]'
"$LEVEE" policy --help | grep -q "usage: levee policy"; check "policy --help" '[ $? -eq 0 ]'
"$LEVEE" nosuch 2>"$tmp/err"; rc=$?
check "unknown command exits 2 with levee: prefix" '[ $rc -eq 2 ] && grep -q "^levee: nosuch:" "$tmp/err"'

# exit 0: nothing at alert or above
printf '%s\n' '{"id":"a","time":1,"channel":"wechat","text":"下午两点开会"}' >"$tmp/calm.jsonl"
"$LEVEE" scan "$tmp/calm.jsonl" >"$tmp/out"; rc=$?
check "calm input exits 0" '[ $rc -eq 0 ]'
check "calm verdict is allow" 'grep -q "\"action\":\"allow\"" "$tmp/out"'

# exit 1: something alerts; exit 2 on a bad line, the rest still processed
cat >"$tmp/mixed.jsonl" <<'JSONL'
{"id":"m1","time":"2020-07-15T08:00:00+08:00","channel":"wechat","conversation":{"type":"group"},"text":"秘密★1年 关于调整有关人员的通知"}
this is not json
{"id":"m3","channel":"wechat","text":"no time"}

["an array"]
{"id":"m6","time":1594771200000,"channel":"wechat","text":"周报已提交"}
JSONL
"$LEVEE" scan "$tmp/mixed.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bad lines give exit 2" '[ $rc -eq 2 ]'
check "line 2 reported" 'grep -q "^levee: line 2: " "$tmp/err"'
check "line 3 reported as missing time" 'grep -q "^levee: line 3: .*time" "$tmp/err"'
check "line 5 reported" 'grep -q "^levee: line 5: " "$tmp/err"'
check "blank line 4 not reported" '! grep -q "line 4" "$tmp/err"'
check "good lines still produce verdicts, in order" '[ "$(grep -o "\"id\":\"m[0-9]\"" "$tmp/out" | tr -d "\n")" = "\"id\":\"m1\"\"id\":\"m6\"" ]'
check "marking blocked" 'grep "\"id\":\"m1\"" "$tmp/out" | grep -q "\"action\":\"block\""'
head -1 "$tmp/mixed.jsonl" | "$LEVEE" scan - >/dev/null; rc=$?
check "stdin input, alert exits 1" '[ $rc -eq 1 ]'

# verdicts follow the schema, in input order, over many events and threads
/usr/bin/python3 - "$tmp/many.jsonl" <<'PY'
import json, sys
texts = ["好的收到", "身份证号：11010519491231002X", "你妈的，烦死了", "机密★6个月 会议纪要", "周报已提交",
         "卡号 6222 0202 0000 0000 006", "手机 13912345678", "别走店里的账了，直接微信转我"]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(20000):
        f.write(json.dumps({"id": "e%05d" % i, "time": 1594771200000 + i, "channel": "wechat",
                            "conversation": {"id": "c", "type": "direct", "external": i % 2 == 0},
                            "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
PY
"$LEVEE" scan --threads 3 "$tmp/many.jsonl" >"$tmp/many.out"; rc=$?
check "many events exit 1" '[ $rc -eq 1 ]'
/usr/bin/python3 - "$tmp/many.out" "$tmp/many.jsonl" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
src = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert [v["id"] for v in out] == [e["id"] for e in src], "verdicts out of order or missing"
actions = {"allow", "alert", "hold", "redact", "block"}
sevs = {"info", "low", "medium", "high", "critical"}
for v, e in zip(out, src):
    assert v["action"] in actions and v["severity"] in sevs, v
    assert isinstance(v["findings"], list)
    text = e["text"].encode("utf-8")
    for f in v["findings"]:
        assert set(["rule", "category", "source", "start", "end", "excerpt"]) <= set(f), f
        assert f["source"] == "text" and 0 <= f["start"] < f["end"] <= len(text), f
        assert isinstance(f["rule"], str) and f["rule"], f
    if v["findings"]:
        assert v["action"] == max((f["action"] for f in v["findings"]),
                                  key=["allow", "alert", "hold", "redact", "block"].index), v
PY
check "20000 verdicts in order and following the schema" '[ $? -eq 0 ]'
check "personal data masked in excerpts" '! grep -q "11010519491231002X" "$tmp/many.out" && grep -q "110105\*\*\*\*\*\*\*\*002X" "$tmp/many.out"'

# files as events: plain text in UTF-8, GB18030 and UTF-16; .eml; WeCom archive
printf '公司机密：新品成本价清单\n' >"$tmp/memo.txt"
printf '公司机密：新品成本价清单\n' | iconv -f UTF-8 -t GB18030 >"$tmp/memo-gb.txt"
printf '\xff\xfe' >"$tmp/memo-u16.txt"; printf '公司机密：新品成本价清单\n' | iconv -f UTF-8 -t UTF-16LE >>"$tmp/memo-u16.txt"
for f in memo.txt memo-gb.txt memo-u16.txt; do
  "$LEVEE" scan "$tmp/$f" >"$tmp/out"
  check "$f is a file event with the path as id" 'grep -q "\"id\":\"$tmp/$f\"" "$tmp/out" && grep -q "\"source\":\"attachment:0\"" "$tmp/out" && grep -q confidential.marking "$tmp/out"'
done
head -c 4096 /dev/urandom >"$tmp/noise.bin"; printf '\0\0\0' >>"$tmp/noise.bin"
"$LEVEE" scan "$tmp/noise.bin" "$tmp/calm.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "binary file reported, others still scanned, exit 2" '[ $rc -eq 2 ] && grep -q "^levee: $tmp/noise.bin: " "$tmp/err" && grep -q "\"id\":\"a\"" "$tmp/out"'
"$LEVEE" scan "$LEVEE_SRC/demo/notice.eml" >"$tmp/out"
check ".eml is one email event" 'grep -q "\"id\":\"$LEVEE_SRC/demo/notice.eml\"" "$tmp/out" && grep -q classified.marking "$tmp/out"'
"$LEVEE" scan --format wecom "$LEVEE_SRC/demo/wecom.json" >"$tmp/out"
check "WeCom archive: order diversion found" 'grep -q conduct.order_diversion "$tmp/out"'
"$LEVEE" scan "$tmp/nonexistent.jsonl" 2>"$tmp/err"; rc=$?
check "missing file: exit 2, named" '[ $rc -eq 2 ] && grep -q "nonexistent.jsonl" "$tmp/err"'

# an attachment given as a path (relative to the JSONL file) is inspected
mkdir -p "$tmp/att"; printf '绝密★10年 关于某项目的汇报\n' >"$tmp/att/scan.txt"
printf '%s\n' '{"id":"p1","time":1,"channel":"wechat","text":"看附件","attachments":[{"kind":"file","name":"scan.txt","path":"scan.txt"}]}' >"$tmp/att/ev.jsonl"
"$LEVEE" scan "$tmp/att/ev.jsonl" >"$tmp/out"
check "attachment path resolved against the JSONL directory" 'grep -q "\"source\":\"attachment:0\"" "$tmp/out"'

# a line over the limit is skipped, the next is still read
/usr/bin/python3 -c "
import json
print(json.dumps({'id':'big','time':1,'channel':'wechat','text':'x'*(9<<20)}))
print(json.dumps({'id':'after','time':1,'channel':'wechat','text':'ok'}))" >"$tmp/big.jsonl"
"$LEVEE" scan "$tmp/big.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "over-long line reported and skipped" '[ $rc -eq 2 ] && grep -q "^levee: line 1: longer than" "$tmp/err" && grep -q "\"id\":\"after\"" "$tmp/out"'
cat "$tmp/big.jsonl" | "$LEVEE" scan - >"$tmp/out2" 2>"$tmp/err2"; rc=$?
check "over-long line on a pipe: the same" '[ $rc -eq 2 ] && cmp -s "$tmp/out" "$tmp/out2" && cmp -s "$tmp/err" "$tmp/err2"'

# keyword lists from files, normalized; the compiled databases are cached
printf '# project code names\n北极星计划\nProject Aurora\n' >"$tmp/kw.txt"
cat >"$tmp/kw.yaml" <<'YAML'
version: 1
include_default: true
keyword_lists:
  - name: projects
    file: kw.txt
rules:
  - id: project-names
    match: { category: keyword.projects }
    action: alert
    severity: high
YAML
printf '%s\n' '{"id":"k1","time":1,"channel":"wechat","text":"北 極 星 計 劃下周启动"}' \
              '{"id":"k2","time":1,"channel":"wechat","text":"PROJECT  AURORA kickoff"}' >"$tmp/kw.jsonl"
"$LEVEE" scan --policy "$tmp/kw.yaml" --data "$tmp/data" "$tmp/kw.jsonl" >"$tmp/out"; rc=$?
check "keyword hits across Traditional and spacing" '[ $rc -eq 1 ] && [ "$(grep -c keyword.projects "$tmp/out")" -eq 2 ]'
check "compiled databases cached in --data DIR/cache" 'ls "$tmp/data/cache/"engine-*.hsdb >/dev/null 2>&1'
"$LEVEE" scan --policy "$tmp/kw.yaml" --data "$tmp/data" "$tmp/kw.jsonl" >"$tmp/out2"
check "cached run gives the same verdicts" 'cmp -s "$tmp/out" "$tmp/out2"'

# many batches: a mapped file and the same bytes on a pipe give the same
# verdicts and the same line numbers for bad lines far into the input
/usr/bin/python3 - "$tmp/big.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(40000):
        text = "北极星计划进度" if i % 9973 == 0 else "普通消息 %d" % i
        f.write(json.dumps({"id": "m%d" % i, "time": 1, "channel": "wechat", "text": text},
                           ensure_ascii=False) + "\n")
        if i in (5, 20000, 39998):
            f.write("{broken\n")
PY
"$LEVEE" scan --policy "$tmp/kw.yaml" "$tmp/big.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
cat "$tmp/big.jsonl" | "$LEVEE" scan --policy "$tmp/kw.yaml" - >"$tmp/out2" 2>"$tmp/err2"
check "large file: one verdict per event, in order" '[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 40000 ] && sed -n 40000p "$tmp/out" | grep -q "^{\"id\":\"m39999\""'
check "large file: bad lines numbered across batches" '[ "$(cut -d: -f1-2 "$tmp/err" | tr "\n" " ")" = "levee: line 7 levee: line 20003 levee: line 40002 " ]'
check "large file: keyword hits in batches" '[ "$(grep -c keyword.projects "$tmp/out")" -eq 5 ]'
check "large file: a pipe gives the same as the file" 'cmp -s "$tmp/out" "$tmp/out2" && cmp -s "$tmp/err" "$tmp/err2"'
"$LEVEE" scan --policy "$tmp/kw.yaml" - <"$tmp/big.jsonl" >"$tmp/out2" 2>"$tmp/err2"
check "large file: a file on stdin gives the same" 'cmp -s "$tmp/out" "$tmp/out2" && cmp -s "$tmp/err" "$tmp/err2"'
# stdin already partly read (its offset is not 0): levee starts there, and
# numbers lines from there
{ read -r _; read -r _; "$LEVEE" scan --policy "$tmp/kw.yaml" -; } <"$tmp/big.jsonl" >"$tmp/out2" 2>"$tmp/err2"
tail -n +3 "$tmp/big.jsonl" | "$LEVEE" scan --policy "$tmp/kw.yaml" - >"$tmp/out3" 2>"$tmp/err3"
check "large file: stdin from an offset" 'cmp -s "$tmp/out2" "$tmp/out3" && cmp -s "$tmp/err2" "$tmp/err3" && grep -q "^levee: line 5: " "$tmp/err2"'
# no newline after the last line; the file is mapped up to the last
# newline and the rest read
printf '%s' '{"id":"tail","time":1,"channel":"wechat","text":"北极星计划"}' >>"$tmp/big.jsonl"
"$LEVEE" scan --policy "$tmp/kw.yaml" "$tmp/big.jsonl" >"$tmp/out" 2>"$tmp/err"
cat "$tmp/big.jsonl" | "$LEVEE" scan --policy "$tmp/kw.yaml" - >"$tmp/out2" 2>"$tmp/err2"
check "large file: a last line without a newline" '[ "$(wc -l <"$tmp/out")" -eq 40001 ] && tail -n1 "$tmp/out" | grep -q "\"id\":\"tail\".*keyword.projects" && cmp -s "$tmp/out" "$tmp/out2" && cmp -s "$tmp/err" "$tmp/err2"'
# a mapped file that shrinks while levee reads it: no crash (SIGBUS), the
# lines that were lost are reported, and the exit status is 2. levee blocks
# writing to a FIFO nobody reads yet, with most of the file not yet read;
# the file is cut short then, and the FIFO drained.
/usr/bin/python3 - "$tmp/shrink.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        f.write(json.dumps({"id": "s%d" % i, "time": 1, "channel": "wechat",
                            "text": "普通消息 %d" % i}, ensure_ascii=False) + "\n")
PY
mkfifo "$tmp/fifo"
"$LEVEE" scan "$tmp/shrink.jsonl" >"$tmp/fifo" 2>"$tmp/err" &
pid=$!
exec 3<"$tmp/fifo"
blocked=
for _ in $(seq 300); do
  case "$(cat "/proc/$pid/wchan" 2>/dev/null)" in *pipe_write*) blocked=1; break ;; esac
  sleep 0.1
done
truncate -s 100000 "$tmp/shrink.jsonl"
cat <&3 >"$tmp/out"
exec 3<&-
wait "$pid"; rc=$?
if [ -n "$blocked" ]; then
  check "a file that shrinks while read: reported, exit 2" '[ $rc -eq 2 ] && grep -q "shrink.jsonl: the file shrank while it was read" "$tmp/err" && [ "$(wc -l <"$tmp/out")" -lt 200000 ]'
else
  echo "skipped: the shrinking-file check (levee did not block on its FIFO; /proc/PID/wchan: $(cat "/proc/$pid/wchan" 2>&1))"
  check "a file that shrinks while read: no crash" '[ $rc -le 2 ]'
fi

if [ -w /dev/full ]; then
  "$LEVEE" scan --policy "$tmp/kw.yaml" "$tmp/big.jsonl" >/dev/full 2>"$tmp/err"; rc=$?
  check "stdout that cannot be written: exit 2, said once" '[ $rc -eq 2 ] && [ "$(grep -c "^levee: stdout: " "$tmp/err")" -eq 1 ]'
fi

# policy check
"$LEVEE" policy check >"$tmp/out"; rc=$?
check "default policy valid and explained" '[ $rc -eq 0 ] && grep -q "rule state-secret-marking: block" "$tmp/out"'
"$LEVEE" policy check "$tmp/kw.yaml" >"$tmp/out"; rc=$?
check "keyword policy valid" '[ $rc -eq 0 ] && grep -q "keyword list projects: 2 keywords" "$tmp/out"'
printf 'version: 1\nrules:\n  - id: r1\n    match: { category: pii }\n    action: explode\n' >"$tmp/bad.yaml"
"$LEVEE" policy check "$tmp/bad.yaml" 2>"$tmp/err"; rc=$?
check "bad action: exit 2, line number" '[ $rc -eq 2 ] && grep -q "bad.yaml:5: action must be" "$tmp/err"'
"$LEVEE" scan --policy "$tmp/bad.yaml" "$tmp/calm.jsonl" 2>/dev/null; rc=$?
check "scan with a bad policy exits 2" '[ $rc -eq 2 ]'

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
