#!/usr/bin/env python3
"""Throughput vs concurrency, as an SVG, from the shared workload's JSON lines.

    scripts/plot_bench.py [-o docs/img/throughput.svg] [--linear] RESULTS.jsonl [MORE.jsonl ...]

Each input line is what ../shared/bench/run_bench.sh writes:
    {"label": "raftburrow", "run": "post10-c16", "concurrency": 16, "result": {BENCH_JSON}}
One series per (label, workload): post1 / post10 plot messages/s of acknowledged POSTs
(result.msgs_per_s); claim plots messages consumed/s (result.msgs_consumed_per_s). When several
runs share a (label, workload, concurrency), the last one wins (files in the order given).
A file may also hold scripts/bench_report.py's combined rows (scripts/bench_all.sh's results.jsonl:
"system", "workload", "concurrency", "msgs_per_s"; RabbitMQ and NATS publishes plot as post1), a
`raftburrow-cli bench --shared-workload --json` document, or `raftburrow-cli bench --json` documents (one per file, or one per line): they
plot as label "bench" (or the document's "label" key), workload postN (x = producers, produced
msgs/s) or claim/pop (x = consumers, consumed msgs/s) when there are no producers.
The y axis is logarithmic when the values span more than 20x (Zaqar next to RaftBurrow), unless
--linear. Python 3 standard library only.
"""
import argparse
import json
import math
import sys
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 860, 520
LEFT, RIGHT, TOP, BOTTOM = 90, 230, 50, 60
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
# RabbitMQ and NATS publish one message per request with a confirm: their points sit on the post1 lines.
PEER_NAMES = {"rabbitmq": "rabbitmq-qq-3node", "nats": "nats-js-r3"}
# Fixed colours for the systems of the one-sitting run, so that plots of different runs compare.
FIXED_COLORS = {"raftburrow-1node": "#1f77b4", "raftburrow-3node": "#2ca02c", "zaqar": "#d62728",
                "rabbitmq-qq-3node": "#ff7f0e", "nats-js-r3": "#9467bd", "kestrel": "#7f7f7f"}
DASHES = {"post1": "", "post10": "6,3", "claim": "2,3"}


def load(paths):
    """{(label, workload): {concurrency: msgs/s}} from JSON lines; bad lines are reported and skipped."""
    series = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            whole = json.loads(text)  # a single (indented) `bench --json` document
            lines = [json.dumps(whole)]
        except ValueError:
            lines = text.splitlines()
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                if row.get("tool") == "raftburrow bench":
                    add_bench(series, row)
                    continue
                if row.get("tool") == "raftburrow bench --shared-workload":
                    for run in row["runs"]:
                        series.setdefault((row.get("label", "bench"), run["workload"]), {})[int(run["concurrency"])] = float(run["msgs_per_s"])
                    continue
                if "system" in row:  # scripts/bench_report.py's combined rows (scripts/bench_all.sh)
                    if row.get("workload") in ("post1", "post10", "claim") and row.get("msgs_per_s") is not None:
                        key = (PEER_NAMES.get(row["system"], row["system"]), row["workload"])
                        series.setdefault(key, {})[int(row["concurrency"])] = float(row["msgs_per_s"])
                    continue
                res = row["result"]
                workload = row["run"].rsplit("-c", 1)[0]
                rate = res["msgs_consumed_per_s"] if res.get("workload") == "claim_delete" else res["msgs_per_s"]
                series.setdefault((row["label"], workload), {})[int(row["concurrency"])] = float(rate)
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                print(f"{path}:{n}: skipped ({e})", file=sys.stderr)
    return series


def add_bench(series, doc):
    """A `raftburrow-cli bench --json` summary as one point."""
    label = doc.get("label", "bench")
    if doc["producers"] > 0:
        key, x, y = f"post{doc['messages_per_post']}", doc["producers"], doc["produced_msgs_per_s"]
    else:
        key, x, y = doc["consume_mode"], doc["consumers"], doc["consumed_msgs_per_s"]
    series.setdefault((label, key), {})[int(x)] = float(y)


def nice_ticks(lo, hi, log):
    if log:
        return [10 ** e for e in range(int(math.floor(math.log10(lo))), int(math.ceil(math.log10(hi))) + 1)]
    step = 10 ** math.floor(math.log10(max(hi, 1) / 5))
    for m in (1, 2, 5, 10):
        if hi / (step * m) <= 6:
            step *= m
            break
    return [i * step for i in range(0, int(hi / step) + 2)]


def fmt(v):
    if v >= 1_000_000:
        return f"{v / 1_000_000:g}M"
    if v >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def render(series, force_linear=False, subtitle=""):
    xs = sorted({c for pts in series.values() for c in pts})
    ys = [v for pts in series.values() for v in pts.values() if v > 0]
    if not xs or not ys:
        raise SystemExit("plot_bench.py: no data points")
    log = not force_linear and max(ys) / min(ys) > 20
    yticks = nice_ticks(min(ys), max(ys), log)
    ylo, yhi = (yticks[0], yticks[-1]) if log else (0, yticks[-1])
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(c):  # concurrency on a log2 axis, evenly spaced when it doubles
        if len(xs) == 1:
            return LEFT + pw / 2
        a, b = math.log2(xs[0]), math.log2(xs[-1])
        pad = 40  # keep the end points off the frame
        return LEFT + pad + (math.log2(c) - a) / (b - a) * (pw - 2 * pad)

    def y_of(v):
        if log:
            t = (math.log10(max(v, ylo)) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo))
        else:
            t = (v - ylo) / (yhi - ylo)
        return TOP + ph - t * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{LEFT + pw / 2}" y="24" text-anchor="middle" font-size="16">Throughput vs concurrency (shared Zaqar v2 workload)</text>']
    if subtitle:
        out.append(f'<text x="{LEFT + pw / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">{escape(subtitle)}</text>')
    for v in yticks:
        y = y_of(v)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{fmt(v)}</text>')
    for c in xs:
        x = x_of(c)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ph}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + ph + 18}" text-anchor="middle">{c}</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{HEIGHT - 15}" text-anchor="middle">connections (RabbitMQ, NATS: publishes in flight)</text>')
    out.append(f'<text transform="translate(22,{TOP + ph / 2}) rotate(-90)" text-anchor="middle">'
               f'messages/s{" (log scale)" if log else ""}</text>')

    labels = sorted({label for label, _ in series})
    for i, key in enumerate(sorted(series)):
        label, workload = key
        color = FIXED_COLORS.get(label) or COLORS[labels.index(label) % len(COLORS)]
        dash = DASHES.get(workload, "4,2,1,2")
        pts = sorted(series[key].items())
        path = " ".join(f"{'M' if j == 0 else 'L'}{x_of(c):.1f},{y_of(v):.1f}" for j, (c, v) in enumerate(pts))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"{dash_attr}/>')
        for c, v in pts:
            out.append(f'<circle cx="{x_of(c):.1f}" cy="{y_of(v):.1f}" r="3.5" fill="{color}">'
                       f'<title>{escape(label)} {escape(workload)} c{c}: {v:,.0f} msgs/s</title></circle>')
        ly = TOP + 10 + i * 20
        lx = LEFT + pw + 15
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 28}" y2="{ly}" stroke="{color}" stroke-width="2"{dash_attr}/>')
        out.append(f'<text x="{lx + 34}" y="{ly + 4}">{escape(label)} {escape(workload)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", help="JSON-lines files from run_bench.sh")
    ap.add_argument("-o", "--output", default="docs/img/throughput.svg")
    ap.add_argument("--subtitle", default="", help="a line under the title (machine, date, duration)")
    ap.add_argument("--linear", action="store_true", help="linear y axis even for a wide range")
    a = ap.parse_args(argv)
    svg = render(load(a.inputs), a.linear, a.subtitle)
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(svg)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
