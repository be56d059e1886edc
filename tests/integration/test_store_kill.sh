#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Durability and idempotence of the audit store: `levee ingest` is killed
# with SIGKILL at a random moment, 200 times (LEVEE_KILL_ITERATIONS), each
# time over a window of events that overlaps what is already stored. After
# each kill, running the same ingest again must converge to exactly the
# events given so far (no loss, no duplicates), and `levee verify` must
# pass: a kill between a commit and its checkpoint leaves an unsigned tail,
# which the re-run signs.
#
# With LEVEE_TEST_STORE=postgres://... (test_store_pg.sh sets it, with
# fewer iterations) the same runs against PostgreSQL, each store a
# database of that server.
set -uo pipefail
: "${LEVEE:?}" "${LEVEE_SRC:?}"
tmp=$(mktemp -d)
export XDG_CACHE_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config"
iterations="${LEVEE_KILL_ITERATIONS:-200}"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

pg_prefix="lv_kill_$$_"
# shellcheck source=tests/integration/store_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/store_lib.sh"
new_store calibrate
new_store d

step=40   # new events per iteration
window=400
total=$((iterations * step + window))
/usr/bin/python3 - "$tmp/all.jsonl" "$total" <<'PY'
import json, sys
words = ["会议纪要", "机密★1年", "下午开会", "转账500元", "私下加我微信", "收到", "身份证 11010519491231002X"]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"id": "k%06d" % i, "time": 1700000000000 + i, "channel": "wechat",
                            "conversation": {"id": "g%d" % (i % 7), "type": "group"},
                            "sender": {"id": "u%d" % (i % 13)},
                            "text": "%s %d" % (words[i % len(words)], i)}, ensure_ascii=False) + "\n")
PY

# How long a run takes here (this build, this machine): kills are spread
# over that time, from start-up to the last commit.
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# (The first run compiles the policy into the store's cache; the second is
# what an iteration does.)
sed -n "1,${window}p" "$tmp/all.jsonl" >"$tmp/in.jsonl"
"$LEVEE" ingest --quiet --batch 25 $(at calibrate) "$tmp/in.jsonl" >/dev/null 2>&1
sed -n "$((step + 1)),$((step + window))p" "$tmp/all.jsonl" >"$tmp/in.jsonl"
c0=$(ms)
"$LEVEE" ingest --quiet --batch 25 $(at calibrate) "$tmp/in.jsonl" >/dev/null 2>&1
run_ms=$(($(ms) - c0))
[ "$run_ms" -ge 1 ] || run_ms=1

t0=$(date +%s)
killed=0 tails=0
for ((i = 0; i < iterations; i++)); do
  first=$((i * step))
  sed -n "$((first + 1)),$((first + window))p" "$tmp/all.jsonl" >"$tmp/in.jsonl"
  "$LEVEE" ingest --quiet --batch 25 $(at d) "$tmp/in.jsonl" >/dev/null 2>"$tmp/err" &
  pid=$!
  delay=$((RANDOM * 32768 + RANDOM))
  delay=$((delay % (run_ms + run_ms / 5 + 1)))
  sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null
  if ! "$LEVEE" ingest --quiet --batch 25 $(at d) "$tmp/in.jsonl" >"$tmp/out" 2>"$tmp/err"; then
    bad "iteration $i: the re-run failed: $(head -n3 "$tmp/err")"
    break
  fi
  grep -q "were checked and signed" "$tmp/err" && tails=$((tails + 1))
  want=$((first + window))
  got=$(q d "SELECT count(*) FROM event")
  if [ "$got" != "$want" ]; then
    bad "iteration $i: $got events stored, want $want"
    break
  fi
  if ! "$LEVEE" verify $(at d) >"$tmp/vout" 2>&1; then
    bad "iteration $i: verify failed: $(head -n3 "$tmp/vout")"
    break
  fi
  ok
done
# exactly the input ids, each once
q d "SELECT id FROM event ORDER BY id" "SELECT convert_from(id, 'UTF8') FROM event ORDER BY id" >"$tmp/ids"
sed -n "1,$(((iterations - 1) * step + window))p" "$tmp/all.jsonl" | grep -o '"id": "k[0-9]*"' | cut -d'"' -f4 | sort >"$tmp/want"
if cmp -s "$tmp/ids" "$tmp/want"; then ok; else bad "the stored ids are not exactly the input's"; fi
# the search index caught up with every kill: each stored event holding a
# word is found, once
n_word=$(grep -c "收到" <(sed -n "1,$(((iterations - 1) * step + window))p" "$tmp/all.jsonl"))
found=$("$LEVEE" search $(at d) --json --limit 10000 收到 2>/dev/null | grep -c .)
if [ "$found" = "$n_word" ]; then ok; else bad "search after the kills finds $found events with 收到, want $n_word"; fi
echo "test_store_kill: $iterations iterations, $killed killed mid-run (a run takes about $run_ms ms), $tails unsigned tails signed by the re-run, $(($(date +%s) - t0)) s"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
