#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench_tool.py: helpers for bench/run.sh (timing commands, counting verdicts,
printing the results table).

  bench_tool.py time NAME RUNS OKCODES -- CMD...   time CMD (stdout to /dev/null) RUNS times;
                                                   print a RESULT line with the median
  bench_tool.py verdicts NAME FILE                 count verdict lines, alerts and keyword hits
  bench_tool.py report RESULTS META OUT.md         print the table; write it as markdown

RESULT/LATENCY/VERDICTS lines are "KEY key=value ..." records; run.sh collects
them in bench/out/results.txt, and `report` reads them back.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time


def cmd_time(argv):
    name, runs, okcodes = argv[0], int(argv[1]), {int(c) for c in argv[2].split(",")}
    cmd = argv[argv.index("--") + 1:]
    secs, cpus = [], []
    for r in range(runs):
        with tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
            _, status, ru = os.wait4(p.pid, 0)
            dt = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode not in okcodes:
                err.seek(0)
                msg = err.read().decode(errors="replace").strip().splitlines()
                sys.stderr.write(f"  {name}: exit status {p.returncode}: "
                                 f"{msg[0] if msg else '(no message)'}\n")
                return 1
        cpu = ru.ru_utime + ru.ru_stime
        secs.append(dt)
        cpus.append(cpu)
        sys.stderr.write(f"  {name}: run {r + 1}/{runs}: {dt:.3f} s (cpu {cpu:.3f} s)\n")
    print(f"RESULT name={name} runs={runs} median_s={statistics.median(secs):.6f} "
          f"cpu_s={statistics.median(cpus):.6f}")
    return 0


def cmd_verdicts(argv):
    name, path = argv
    lines = alerts = kw_msgs = kw_findings = findings = bad = 0
    actions = {}
    with open(path, "rb") as f:
        for raw in f:
            lines += 1
            try:
                v = json.loads(raw)
            except ValueError:
                bad += 1
                continue
            act = v.get("action", "?")
            actions[act] = actions.get(act, 0) + 1
            alerts += act != "allow"
            fs = v.get("findings") or []
            findings += len(fs)
            k = sum(1 for x in fs if str(x.get("category", "")).startswith("keyword."))
            kw_findings += k
            kw_msgs += k > 0
    acts = ",".join(f"{a}:{n}" for a, n in sorted(actions.items()))
    print(f"VERDICTS name={name} lines={lines} alerts={alerts} findings={findings} "
          f"keyword_msgs={kw_msgs} keyword_findings={kw_findings} bad_lines={bad} "
          f"actions={acts or '-'}")
    return 0


def parse_records(path):
    recs = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0] not in ("RESULT", "LATENCY", "VERDICTS", "NOTE"):
                continue
            if parts[0] == "NOTE":
                recs.append(("NOTE", {"text": line[5:].strip()}))
                continue
            recs.append((parts[0], dict(p.split("=", 1) for p in parts[1:] if "=" in p)))
    return recs


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


RATIO_HEAD = ["ratio of messages/s", "by wall time", "by CPU time"]

LABELS = {
    "hs_raw": "hs_raw (Hyperscan, all matches)",
    "hs_raw_singlematch": "hs_raw (Hyperscan, SINGLEMATCH)",
    "hs_raw_batched": "hs_raw --batched (texts joined in 256 KiB blocks; reference)",
    "io_floor": "io_floor (read corpus, write a verdict per line, no parsing or scan; reference)",
    "yara_raw": "yara_raw (yr_rules_scan_mem)",
    "yara_raw_scanner": "yara_raw (reused YR_SCANNER)",
    "ripgrep": "ripgrep (rg -c -F -f, whole lines)",
    "levee_keywords": "levee scan, keyword policy",
    "levee_default": "levee scan, default + keywords",
    "levee_keywords_allcpus": "levee scan, keyword policy, all CPUs (as run by default)",
    "levee_default_allcpus": "levee scan, default + keywords, all CPUs (as run by default)",
}


def cmd_report(argv):
    results_path, meta_path, md_path = argv
    with open(meta_path) as f:
        meta = json.load(f)
    recs = parse_records(results_path)
    res = {d["name"]: d for k, d in recs if k == "RESULT"}
    ver = {d["name"]: d for k, d in recs if k == "VERDICTS"}
    lat = [d for k, d in recs if k == "LATENCY"]
    notes = [d["text"] for k, d in recs if k == "NOTE"]
    norm_path = os.path.join(os.path.dirname(os.path.abspath(results_path)), "bench_normalize.txt")
    norm = open(norm_path).read().rstrip() if os.path.exists(norm_path) else ""
    comp_path = os.path.join(os.path.dirname(os.path.abspath(results_path)), "components.txt")
    comp = open(comp_path).read().rstrip() if os.path.exists(comp_path) else ""
    corpus_b, text_b, msgs = meta["corpus_bytes"], meta["text_bytes"], meta["messages"]

    rows = []
    for name in ["hs_raw", "hs_raw_singlematch", "hs_raw_batched", "io_floor", "yara_raw",
                 "yara_raw_scanner",
                 "ripgrep", "levee_keywords", "levee_keywords_allcpus", "levee_default",
                 "levee_default_allcpus"]:
        if name in ("levee_keywords_allcpus", "levee_default_allcpus",
                    "hs_raw_batched", "io_floor") and name not in res:
            continue
        d = res.get(name)
        if not d:
            rows.append([LABELS[name], "n/a", "", "", "", "", "not measured (see notes)"])
            continue
        s = float(d["median_s"])
        mbs = f"{corpus_b / s / 1e6:,.1f}"
        tmbs = "" if name == "ripgrep" else f"{text_b / s / 1e6:,.1f}"
        mps = msgs / s
        if name.startswith("levee"):
            v = ver.get(name.replace("_allcpus", ""))
            check = (f"{int(v['lines']):,} verdicts, {int(v['alerts']):,} alerts, "
                     f"{int(v['keyword_msgs']):,} msgs with keyword hits "
                     f"({int(v['keyword_findings']):,} hits)") if v else "not counted"
        elif name == "ripgrep":
            check = f"{int(d.get('matched', 0)):,} matching lines"
        elif name == "io_floor":
            check = f"{int(d['matched']):,} verdict lines"
        else:
            check = f"{int(d['matched']):,} msgs matched / {int(d['matches']):,} matches"
        cpu = f" (cpu {float(d['cpu_s']):.3f})" if "cpu_s" in d else ""
        cmps = f"{msgs / float(d['cpu_s']):,.0f}" if float(d.get("cpu_s", 0)) > 0 else ""
        rows.append([LABELS[name], mbs, tmbs, f"{mps:,.0f}", cmps, f"{s:.3f} s{cpu} x{d['runs']}",
                     check])

    def mps(name, key):
        d = res.get(name)
        return msgs / float(d[key]) if d and key in d else None

    ratios = []
    for lv in ["levee_keywords", "levee_keywords_allcpus", "levee_default",
               "levee_default_allcpus"]:
        for base in ["hs_raw", "hs_raw_batched", "yara_raw", "yara_raw_scanner"]:
            a, b = mps(lv, "median_s"), mps(base, "median_s")
            ac, bc = mps(lv, "cpu_s"), mps(base, "cpu_s")
            if a and b:
                ratios.append([f"{LABELS[lv]} / {LABELS[base]}", f"{a / b:.3f}",
                               f"{ac / bc:.3f}" if ac and bc else "n/a"])

    # The least an end-to-end scan can cost: its input and output (io_floor)
    # plus the batched scan, with no parsing or normalization at all.
    fl, fb, base = res.get("io_floor"), res.get("hs_raw_batched"), res.get("hs_raw")
    if fl and fb and base:
        ws = float(fl["median_s"]) + float(fb["median_s"])
        cs = float(fl["cpu_s"]) + float(fb["cpu_s"])
        ratios.append(["floor: io_floor + hs_raw --batched (no parsing, no normalization) / "
                       + LABELS["hs_raw"], f"{float(base['median_s']) / ws:.3f}",
                       f"{float(base['cpu_s']) / cs:.3f}"])

    lat_rows = []
    for d in lat:
        lat_rows.append([d.get("label", d["policy"]), d["messages"], d["p50_us"], d["p90_us"],
                         d["p99_us"], d["p999_us"],
                         f"{int(d['with_findings']):,} msgs with findings, "
                         f"{int(d['alerts']):,} at alert or above"])

    start_rows = []
    for lv in ["levee_keywords", "levee_default"]:
        cold, warm = res.get(lv + "_startup_cold"), res.get(lv + "_startup_warm")
        if cold or warm:
            start_rows.append([LABELS[lv],
                               f"{float(cold['median_s']) * 1000:.0f}" if cold else "n/a",
                               f"{float(warm['median_s']) * 1000:.0f}" if warm else "n/a"])
    start_head = ["levee start-up (10-message probe)", "cold cache ms", "warm cache ms"]

    machine = (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
               f"Linux {platform.release()}")
    date = time.strftime("%Y-%m-%d %H:%M %Z")
    head = ["benchmark", "MB/s (corpus)", "MB/s (text)", "messages/s", "messages/s by CPU time",
            "median time", "verification"]

    def table(header, body):
        w = [max(len(str(r[i])) for r in [header] + body) for i in range(len(header))]
        out = ["  ".join(str(c).ljust(w[i]) for i, c in enumerate(header)),
               "  ".join("-" * x for x in w)]
        out += ["  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) for r in body]
        return "\n".join(out)

    def md(header, body):
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(str(c) for c in r) + " |" for r in body]
        return "\n".join(out)

    corpus_line = (f"corpus: {msgs:,} messages, {corpus_b:,} bytes of JSONL, {text_b:,} bytes of "
                   f"message text; {meta['keywords']} keywords; "
                   f"{meta['sensitive_messages']:,} messages with sensitive content")
    lat_head = ["latency (levee_scanner_inspect)", "messages", "p50 µs", "p90 µs", "p99 µs",
                "p99.9 µs", "verification"]
    print()
    print(f"levee benchmarks, {date}; {machine}")
    print(corpus_line)
    print("MB = 10^6 bytes; single thread unless a row says all CPUs; median of runs. Baselines "
          "time only the scan of preloaded texts; levee scan is end to end (start, policy load "
          "with a warm compile cache, JSON parsing, inspection, verdict output to /dev/null); "
          "cpu = user + sys seconds of the process.")
    print()
    print(table(head, rows))
    if ratios:
        print()
        print(table(RATIO_HEAD, ratios))
    if lat_rows:
        print()
        print(table(lat_head, lat_rows))
    if start_rows:
        print()
        print(table(start_head, start_rows))
    for n in notes:
        print(f"note: {n}")

    with open(md_path, "w") as f:
        f.write(f"# levee benchmark results\n\n- date: {date}\n- machine: {machine}\n"
                f"- {corpus_line}\n- command: `make bench` (bench/run.sh)\n\n")
        f.write("MB = 10^6 bytes; single thread; median of runs. The baselines time only the "
                "scan of texts already in memory; `levee scan` is timed end to end (process "
                "start, policy load with a warm compile cache, JSON parsing, inspection, verdict "
                "output to /dev/null; `--threads 1` unless marked). cpu = user + sys seconds. "
                "ripgrep scans whole JSON lines, not only the text field.\n\n")
        f.write(md(head, rows) + "\n")
        if ratios:
            f.write("\n" + md(RATIO_HEAD, ratios) + "\n")
        if lat_rows:
            f.write("\n" + md(lat_head, lat_rows) + "\n")
        if start_rows:
            f.write("\n" + md(start_head, start_rows) + "\n")
        if norm:
            f.write("\nNormalizer throughput (bench/bench_normalize, its own synthetic texts):\n\n"
                    "```\n" + norm + "\n```\n")
        if comp:
            f.write("\nComponents (bench_parse: event lines to levee_event over the corpus; "
                    "bench_verdict: levee_verdict_json, 95% allow):\n\n"
                    "```\n" + comp + "\n```\n")
        if notes:
            f.write("\nNotes:\n\n" + "".join(f"- {n}\n" for n in notes))
    return 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, argv = sys.argv[1], sys.argv[2:]
    fn = {"time": cmd_time, "verdicts": cmd_verdicts, "report": cmd_report}.get(cmd)
    if not fn:
        sys.exit(__doc__)
    sys.exit(fn(argv))


if __name__ == "__main__":
    main()
