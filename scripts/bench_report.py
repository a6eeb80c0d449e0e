#!/usr/bin/env python3
"""Collects the one-sitting benchmark (scripts/bench_all.sh) into one JSON-lines file and prints one
markdown table per workload, with the ratios that issue 8's targets are defined on.

    scripts/bench_report.py wrk SYSTEM RUN_BENCH.jsonl [--cpu-s S] [--load L] >> results.jsonl
    scripts/bench_report.py kestrel KESTREL.tsv >> results.jsonl
    scripts/bench_report.py peer SYSTEM PEERLOAD.tsv >> results.jsonl
    scripts/bench_report.py disk DISK.txt >> results.jsonl
    scripts/bench_report.py table results.jsonl [--meta meta.json]

Every line of results.jsonl is one measurement:
    {"system": "raftburrow-1node", "workload": "post1", "concurrency": 16, "msgs_per_s": ..., "req_per_s": ...,
     "p50_ms": ..., "p99_ms": ..., "errors": ..., "server_cpu_us_per_req": ... or null, "load1": ..., "source": path}
workload is post1 / post10 (POST 1 or 10 messages of 256 B per request; for RabbitMQ and NATS: publish one
256 B message with a confirm, concurrency = messages in flight), claim (claim 10 + delete; msgs_per_s =
messages consumed), ping (Kestrel GET), disk (one fio/dd line each, in "text"). scripts/plot_bench.py
plots this file. Python 3 standard library only.
"""
import argparse
import csv
import json
import sys

SYSTEMS = [  # order and names of the table rows
    ("raftburrow-1node", "RaftBurrow, 1 node"),
    ("raftburrow-3node", "RaftBurrow, 3 nodes"),
    ("raftburrow-3node-private", "RaftBurrow, 3 nodes, WalMemory=PrivateMemory (not the default)"),
    ("zaqar", "Zaqar 15 (uwsgi 2×4, redis)"),
    ("rabbitmq", "RabbitMQ 3.10 quorum queue, 3 nodes (publish + confirm)"),
    ("nats", "NATS 2.9 JetStream R3 (publish + ack)"),
    ("kestrel", "bare Kestrel JSON endpoint, no storage (ceiling)"),
]
WORKLOADS = [
    ("post1", "POST 1 message of 256 B per request"),
    ("post10", "POST 10 messages of 256 B per request"),
    ("claim", "claim (limit 10) + delete each message, consumers on a prefilled queue"),
]


def emit(row):
    print(json.dumps(row, sort_keys=True))


def cmd_wrk(a):
    """run_bench.sh's BENCH_JSON lines (one run_bench.sh call = one workload at one concurrency here)."""
    for line in open(a.file, encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        x = r["result"]
        workload = r["run"].rsplit("-c", 1)[0]
        row = {"system": a.system, "workload": workload, "concurrency": int(r["concurrency"]), "source": a.file,
               "load1": a.load, "server_cpu_us_per_req": None}
        if x.get("workload") == "claim_delete":
            row.update(msgs_per_s=x["msgs_consumed_per_s"], req_per_s=x["req_per_s"],
                       p50_ms=x["claim_lat_ms"]["p50"], p99_ms=x["claim_lat_ms"]["p99"],
                       delete_p99_ms=x["delete_lat_ms"]["p99"], empty_claims=x["claims_empty"],
                       errors=x["claims_err"] + x["deletes_err"] + sum(x["socket_errors"].values()))
        else:
            row.update(msgs_per_s=x["msgs_per_s"], req_per_s=x["ok_req_per_s"], p50_ms=x["lat_ms"]["p50"],
                       p99_ms=x["lat_ms"]["p99"],
                       errors=x["requests"] - x["ok_201"] + sum(x["socket_errors"].values()))
            if a.cpu_s is not None and x["requests"] > 0:
                row["server_cpu_us_per_req"] = a.cpu_s / x["requests"] * 1e6
        emit(row)


def cmd_kestrel(a):
    names = {"GET /ping": "ping", "POST 1x256B": "post1", "POST 10x256B": "post10"}
    for r in csv.DictReader(open(a.file, encoding="utf-8"), delimiter="\t"):
        emit({"system": "kestrel", "workload": names.get(r["workload"], r["workload"]), "concurrency": int(r["conns"]),
              "msgs_per_s": float(r["msgs_s"]), "req_per_s": float(r["req_s"]), "p50_ms": float(r["p50_ms"]),
              "p99_ms": float(r["p99_ms"]), "errors": int(r["errors"]),
              "server_cpu_us_per_req": float(r["server_cpu_us_per_req"]), "load1": num(r["load1_before"]), "source": a.file})


def cmd_peer(a):
    for r in csv.DictReader(open(a.file, encoding="utf-8"), delimiter="\t"):
        if r["mode"] != "pub":
            continue  # publish + consume runs have no counterpart in the shared workload
        per_msg = num(r["server_cpu_us_per_pub_msg"])
        emit({"system": a.system, "workload": "post1", "concurrency": int(r["inflight"]), "run": r["label"],
              "msgs_per_s": float(r["pub_msgs_s"]), "req_per_s": float(r["pub_msgs_s"]),
              "p50_ms": num(r["confirm_p50_ms"]), "p99_ms": num(r["confirm_p99_ms"]), "errors": int(r["errors"]),
              "server_cpu_us_per_req": per_msg, "load1": num(r["load1_before"]), "source": a.file})


def cmd_disk(a):
    for line in open(a.file, encoding="utf-8"):
        line = line.rstrip()
        if line.startswith("fio ") or line.startswith("== dd") or "copied" in line:
            emit({"system": "disk", "workload": "disk", "text": line, "source": a.file})


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt_rate(v):
    return "—" if v is None else f"{v:,.0f}"


def fmt_ms(v):
    return "—" if v is None else (f"{v:.1f}" if v < 100 else f"{v:,.0f}")


def cmd_table(a):
    rows = [json.loads(line) for line in open(a.file, encoding="utf-8") if line.strip()]
    meta = json.load(open(a.meta, encoding="utf-8")) if a.meta else {}
    get = {}
    for r in rows:  # the last measurement of a (system, workload, concurrency) wins
        if r.get("workload") != "disk":
            get[(r["system"], r["workload"], r["concurrency"])] = r
    concs = sorted({c for (_, w, c) in get if w in ("post1", "post10", "claim")}) or [16, 64]
    out = []
    if meta:
        out.append(f"Machine: {meta.get('machine', '?')}. Date: {meta.get('date', '?')}. "
                   f"Duration per run: {meta.get('duration', '?')} s. Command: `{meta.get('command', '?')}`.")
        out.append("")
        d = meta.get("duration", 20)
        out.append("How each row was measured (all on this machine, one after the other; see docs/benchmarks.md):")
        out.append("")
        out.append(f"- RaftBurrow 1 node: `raftburrow --RaftBurrow:DataDir=… --RaftBurrow:HttpUrl=http://127.0.0.1:18888 "
                   f"--RaftBurrow:RaftBasePort=18988 --RaftBurrow:MaxMessagesPerQueue=0`, then for each workload W and "
                   f"connections C: `WORKLOADS=W CONCURRENCY=C DURATION={d} PREFILL_MSGS=30000 PREFILL_MAX_S=10 "
                   f"../shared/bench/run_bench.sh http://127.0.0.1:18888 LABEL` (after a 3 s warm-up run)")
        out.append("- RaftBurrow 3 nodes: `RaftBurrow__MaxMessagesPerQueue=0 scripts/cluster.sh up 3`, the same run_bench.sh "
                   "lines against http://127.0.0.1:8888 (node 1; it forwards to each partition's leader)")
        out.append("- Zaqar: `ZAQAR_REF_MODE=uwsgi ../shared/bench/zaqar-reference/start.sh`, the same run_bench.sh lines "
                   "against http://127.0.0.1:8890")
        out.append(f"- bare Kestrel: `../shared/bench/peers/kestrel/run.sh {d}`; RabbitMQ / NATS: `MATRIX=\"{meta.get('matrix', 'pub16 pub64')}\" "
                   f"DURATION={d} ../shared/bench/peers/{{rabbitmq,nats}}/bench.sh` (publish 256 B with confirms, "
                   "16 publishers × 1 or × 4 in flight); disk: `../shared/bench/peers/disk/run.sh`")
        out.append("- server CPU µs/req: utime + stime of the server processes (/proc) over the run ÷ requests")
        out.append("")
    for w, title in WORKLOADS:
        out.append(f"### {title}")
        out.append("")
        head = "| system | " + " | ".join(f"{c} conn: msgs/s | p50 / p99 ms" for c in concs) + " | server CPU µs/req (16) | load1 |"
        out.append(head)
        out.append("|---|" + "---:|---|" * len(concs) + "---:|---:|")
        for key, name in SYSTEMS:
            if key == "raftburrow-3node-private" and not any(k[0] == key for k in get):
                continue  # an optional step that did not run
            if key in ("rabbitmq", "nats") and w != "post1":
                if w == "post10":
                    out.append(f"| {name} | " + " | ".join("n/a (1 msg per publish) | —" for _ in concs) + " | | |")
                continue
            if key == "kestrel" and w == "claim":
                continue
            cells, cpu, loads = [], None, []
            for c in concs:
                r = get.get((key, w, c))
                if r is None:
                    cells.append("— | —")
                    continue
                note = " consumed" if w == "claim" else ""
                lat = f"{fmt_ms(r.get('p50_ms'))} / {fmt_ms(r.get('p99_ms'))}"
                if w == "claim" and r.get("delete_p99_ms") is not None:
                    lat += f" (del p99 {fmt_ms(r['delete_p99_ms'])})"
                if r.get("errors"):
                    note += f" ({r['errors']} errors)"
                if w == "claim" and r.get("empty_claims"):
                    note += f" ({r['empty_claims']} empty claims)"
                cells.append(f"{fmt_rate(r.get('msgs_per_s'))}{note} | {lat}")
                if c == 16 and r.get("server_cpu_us_per_req") is not None:
                    cpu = r["server_cpu_us_per_req"]
                if r.get("load1") is not None:
                    loads.append(r["load1"])
            load = "" if not loads else f"{min(loads):.2f}" if min(loads) == max(loads) else f"{min(loads):.2f}–{max(loads):.2f}"
            out.append(f"| {name} | " + " | ".join(cells) + f" | {'' if cpu is None else f'{cpu:.0f}'} | {load} |")
        out.append("")
        out.extend(ratios(w, get))
        out.append("")
    disk = [r["text"] for r in rows if r.get("workload") == "disk"]
    if disk:
        out.append("### Disk flush latency (`peers/disk/run.sh`)")
        out.append("")
        out.append("```")
        out.extend(disk)
        out.append("```")
        out.append("")
    print("\n".join(out))


def ratio(get, a, b):
    ra, rb = get.get(a), get.get(b)
    if not ra or not rb or not rb.get("msgs_per_s"):
        return None
    return ra["msgs_per_s"] / rb["msgs_per_s"]


def ratios(w, get):
    """Issue 8's targets, as measured in this sitting."""
    lines = []

    def line(text, value, target, higher=True):
        if value is None:
            lines.append(f"- {text}: not measured")
            return
        met = value >= target if higher else value <= target
        lines.append(f"- {text}: **{value:.2f}×** (target {'≥' if higher else '≤'} {target:g}×) — {'met' if met else 'not met'}")

    def p99(system, c, limit):
        r = get.get((system, w, c))
        if r and r.get("p99_ms") is not None:
            ok = r["p99_ms"] <= limit
            lines.append(f"- {system} p99 at {c} conn: {r['p99_ms']:.1f} ms (target ≤ {limit} ms) — {'met' if ok else 'not met'}")

    for c in (16, 64):
        line(f"1 node ÷ Zaqar, {c} conn", ratio(get, ("raftburrow-1node", w, c), ("zaqar", w, c)), 20)
    if w in ("post1", "post10"):
        p99("raftburrow-1node", 16, 10)
    if w == "post1":
        line("3 nodes ÷ RabbitMQ QQ, 64 conn / 64 in flight", ratio(get, ("raftburrow-3node", w, 64), ("rabbitmq", w, 64)), 2)
        line("3 nodes ÷ NATS JetStream R3, 64 conn / 64 in flight (far goal)", ratio(get, ("raftburrow-3node", w, 64), ("nats", w, 64)), 1)
        if ("raftburrow-3node-private", w, 64) in get:
            line("3 nodes with WalMemory=PrivateMemory ÷ RabbitMQ QQ, 64 conn / 64 in flight",
                 ratio(get, ("raftburrow-3node-private", w, 64), ("rabbitmq", w, 64)), 2)
        ours, kes = get.get(("raftburrow-1node", w, 16)), get.get(("kestrel", w, 16))
        if ours and kes and ours.get("server_cpu_us_per_req") and kes.get("server_cpu_us_per_req"):
            line("server CPU per 1-msg POST, 1 node ÷ bare Kestrel, 16 conn",
                 ours["server_cpu_us_per_req"] / kes["server_cpu_us_per_req"], 2, higher=False)
        share = ratio(get, ("raftburrow-1node", w, 16), ("kestrel", w, 16))
        if share is not None:
            lines.append(f"- 1 node ÷ bare Kestrel, 16 conn: {share:.2f}× of the HTTP ceiling (no target)")
    if w == "post10":
        line("3 nodes ÷ NATS JetStream R3 (1-msg publishes, 64 in flight), msgs/s, 64 conn",
             ratio(get, ("raftburrow-3node", w, 64), ("nats", "post1", 64)), 5)
    if w in ("post1", "post10"):
        p99("raftburrow-3node", 16, 25)
        p99("raftburrow-3node", 64, 25)
    if w == "claim":
        for c in (16, 64):
            line(f"3 nodes ÷ Zaqar, {c} conn", ratio(get, ("raftburrow-3node", w, c), ("zaqar", w, c)), 10)
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("wrk")
    p.add_argument("system")
    p.add_argument("file")
    p.add_argument("--cpu-s", type=float, default=None, help="server CPU seconds spent during the run")
    p.add_argument("--load", type=float, default=None, help="load1 before the run")
    p = sub.add_parser("kestrel")
    p.add_argument("file")
    p = sub.add_parser("peer")
    p.add_argument("system")
    p.add_argument("file")
    p = sub.add_parser("disk")
    p.add_argument("file")
    p = sub.add_parser("table")
    p.add_argument("file")
    p.add_argument("--meta")
    a = ap.parse_args(argv)
    {"wrk": cmd_wrk, "kestrel": cmd_kestrel, "peer": cmd_peer, "disk": cmd_disk, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
