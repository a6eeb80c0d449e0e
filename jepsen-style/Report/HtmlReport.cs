using System.Globalization;
using System.Net;
using System.Text;
using RaftBurrow.Jepsen.Checkers;
using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Report;

/// <summary>
/// report.html: verdicts, then three inline SVG charts sharing one time axis with the fault bands —
/// a per-client timeline of operations, latency over time, throughput over time. No scripts, no
/// external resources, so it opens offline.
/// </summary>
public static class HtmlReport
{
    private const int Width = 1200;
    private const int Left = 60;
    private const int Right = 20;
    private const int MaxOpsDrawn = 30_000;

    private static readonly string[] BandColors = ["#e6194b", "#4363d8", "#f58231", "#911eb4", "#469990", "#9a6324"];

    /// <summary>Renders the report.</summary>
    public static string Render(RunResults results, RunHistory history)
    {
        var ops = history.Operations;
        var endMs = Math.Max(1, Math.Max(ops.Count == 0 ? 0 : ops.Max(o => o.CompleteMs), history.Faults.Count == 0 ? 0 : history.Faults.Max(f => f.TimeMs)));
        var bands = history.FaultBands(endMs);

        // The axis starts at the first operation or fault (cluster start-up before it is empty),
        // but keeps the run's own clock in its labels so times match history.jsonl.
        var firstMs = Math.Min(ops.Count == 0 ? endMs : ops.Min(o => o.InvokeMs), history.Faults.Count == 0 ? endMs : history.Faults.Min(f => f.TimeMs));
        var range = new TimeRange(Math.Max(0, firstMs - 500), endMs);
        var nemeses = bands.Select(b => b.Nemesis).Distinct().Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>jepsen-style ").Append(E(results.RunId)).Append("</title><style>")
          .Append("body{font-family:sans-serif;margin:20px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:13px}")
          .Append(".Valid{background:#c8f7c5}.Invalid{background:#f7c5c5}.Unknown{background:#f7e9c5}.Skipped{background:#eee}h2{margin-top:28px}svg{border:1px solid #ddd;background:#fff}")
          .Append(".legend span{display:inline-block;margin-right:14px;font-size:13px}.sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}")
          .Append("</style></head><body>");
        sb.Append("<h1>jepsen-style run ").Append(E(results.RunId)).Append("</h1>");
        sb.Append("<p class=\"").Append(results.Valid).Append("\" style=\"padding:8px;font-size:18px\">Verdict: <b>").Append(results.Valid)
          .Append("</b> (exit code ").Append(results.ExitCode).Append(")</p>");
        if (results.Options is { } o)
        {
            sb.Append("<p>").Append(E(FormattableString.Invariant(
                $"{o.Nodes} nodes, {o.Partitions} partitions, workload {o.Workload}, nemesis {(o.Nemeses.Count == 0 ? "none" : string.Join(",", o.Nemeses))}, time limit {o.TimeLimitSeconds}s, rate {o.Rate}/s, concurrency {o.Concurrency}, seed {o.Seed}")))
              .Append("</p>");
        }

        foreach (var n in results.Notes)
        {
            sb.Append("<p>⚠ ").Append(E(n)).Append("</p>");
        }

        AppendCheckers(sb, results);
        AppendCounts(sb, results);
        sb.Append("<div class=\"legend\"><span><i class=\"sw\" style=\"background:#2ca02c\"></i>ok</span><span><i class=\"sw\" style=\"background:#d62728\"></i>fail</span><span><i class=\"sw\" style=\"background:#ff9f1c\"></i>info (indeterminate)</span>");
        for (var i = 0; i < nemeses.Count; i++)
        {
            sb.Append("<span><i class=\"sw\" style=\"opacity:.35;background:").Append(BandColor(i)).Append("\"></i>").Append(E(nemeses[i])).Append("</span>");
        }

        sb.Append("</div>");
        sb.Append("<h2>Operations per client</h2>");
        Timeline(sb, ops, bands, nemeses, range);
        sb.Append("<h2>Latency</h2>");
        Latency(sb, ops, bands, nemeses, range);
        sb.Append("<h2>Throughput (operations per second)</h2>");
        Throughput(sb, ops, bands, nemeses, range);
        sb.Append("<h2>Faults</h2><table><tr><th>time (s)</th><th>nemesis</th><th>action</th><th>nodes</th><th>detail</th></tr>");
        foreach (var f in history.Faults)
        {
            sb.Append("<tr><td>").Append(S(f.TimeMs / 1000)).Append("</td><td>").Append(E(f.Nemesis)).Append("</td><td>").Append(E(f.Action))
              .Append("</td><td>").Append(E(string.Join(",", f.Targets))).Append("</td><td>").Append(E(f.Detail ?? "")).Append("</td></tr>");
        }

        sb.Append("</table></body></html>\n");
        return sb.ToString();
    }

    private static void AppendCheckers(StringBuilder sb, RunResults results)
    {
        sb.Append("<h2>Checkers</h2><table><tr><th>checker</th><th>verdict</th><th>counts</th><th>anomalies / notes</th></tr>");
        foreach (var c in results.Checkers)
        {
            sb.Append("<tr><td>").Append(E(c.Name)).Append("</td><td class=\"").Append(c.Validity).Append("\">").Append(c.Validity).Append("</td><td>");
            sb.Append(E(string.Join(", ", c.Counts.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}")))).Append("</td><td>");
            foreach (var a in c.Anomalies)
            {
                sb.Append("<div>").Append(E(a)).Append("</div>");
            }

            foreach (var n in c.Notes)
            {
                sb.Append("<div><i>").Append(E(n)).Append("</i></div>");
            }

            sb.Append("</td></tr>");
        }

        sb.Append("</table>");
    }

    private static void AppendCounts(StringBuilder sb, RunResults results)
    {
        sb.Append("<h2>Operations</h2><p>");
        sb.Append(E(string.Join(", ", results.OpCounts.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}"))));
        sb.Append("</p>");
    }

    private static void Timeline(StringBuilder sb, IReadOnlyList<Operation> ops, IReadOnlyList<(string Nemesis, double StartMs, double EndMs, string? Detail)> bands,
        List<string> nemeses, TimeRange endMs)
    {
        var lanes = ops.Count == 0 ? 1 : ops.Max(o => o.Worker) + 1;
        var laneH = Math.Clamp(400 / lanes, 6, 16);
        var height = (lanes * laneH) + 40;
        OpenSvg(sb, height);
        Bands(sb, bands, nemeses, endMs, 10, height - 30);
        var step = Math.Max(1, ops.Count / MaxOpsDrawn);
        for (var i = 0; i < ops.Count; i += step)
        {
            var op = ops[i];
            var x1 = X(op.InvokeMs, endMs);
            var w = Math.Max(1.0, X(op.CompleteMs, endMs) - x1);
            var y = 10 + (op.Worker * laneH);
            sb.Append("<rect x=\"").Append(S(x1)).Append("\" y=\"").Append(y + 1).Append("\" width=\"").Append(S(w)).Append("\" height=\"").Append(laneH - 2)
              .Append("\" fill=\"").Append(Color(op.Result)).Append("\"><title>").Append(E(Deliveries.Describe(op) + " " + op.Queue + " " + (op.Value ?? "") + (op.Error is null ? "" : " " + op.Error)))
              .Append("</title></rect>");
        }

        for (var lane = 0; lane < lanes; lane++)
        {
            sb.Append("<text x=\"4\" y=\"").Append(10 + (lane * laneH) + laneH - 2).Append("\" font-size=\"").Append(Math.Min(10, laneH)).Append("\">")
              .Append(lane == lanes - 1 && ops.Any(o => o.Phase == "drain" && o.Worker == lane) ? "drain" : "c" + lane.ToString(CultureInfo.InvariantCulture)).Append("</text>");
        }

        Axis(sb, endMs, height - 30);
        sb.Append("</svg>");
    }

    private static void Latency(StringBuilder sb, IReadOnlyList<Operation> ops, IReadOnlyList<(string Nemesis, double StartMs, double EndMs, string? Detail)> bands,
        List<string> nemeses, TimeRange endMs)
    {
        const int height = 300;
        const int plotH = 250;
        OpenSvg(sb, height);
        Bands(sb, bands, nemeses, endMs, 10, plotH);
        var maxLat = Math.Max(10, ops.Count == 0 ? 10 : ops.Max(o => o.LatencyMs));
        double Y(double ms) => 10 + plotH - (plotH * Math.Log10(Math.Max(1, ms)) / Math.Log10(maxLat));
        var step = Math.Max(1, ops.Count / MaxOpsDrawn);
        for (var i = 0; i < ops.Count; i += step)
        {
            var op = ops[i];
            sb.Append("<circle cx=\"").Append(S(X(op.InvokeMs, endMs))).Append("\" cy=\"").Append(S(Y(op.LatencyMs))).Append("\" r=\"1.6\" fill=\"").Append(Color(op.Result)).Append("\"/>");
        }

        for (var ms = 1.0; ms <= maxLat; ms *= 10)
        {
            sb.Append("<text x=\"2\" y=\"").Append(S(Y(ms) + 3)).Append("\" font-size=\"10\">").Append(S(ms)).Append("ms</text>")
              .Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(Width - Right).Append("\" y1=\"").Append(S(Y(ms))).Append("\" y2=\"").Append(S(Y(ms))).Append("\" stroke=\"#eee\"/>");
        }

        Axis(sb, endMs, 10 + plotH);
        sb.Append("</svg>");
    }

    private static void Throughput(StringBuilder sb, IReadOnlyList<Operation> ops, IReadOnlyList<(string Nemesis, double StartMs, double EndMs, string? Detail)> bands,
        List<string> nemeses, TimeRange endMs)
    {
        const int height = 240;
        const int plotH = 190;
        OpenSvg(sb, height);
        Bands(sb, bands, nemeses, endMs, 10, plotH);
        var buckets = (int)Math.Ceiling(endMs.EndMs / 1000) + 1;
        var firstBucket = (int)(endMs.StartMs / 1000);
        var series = new Dictionary<OpResult, int[]> { [OpResult.Ok] = new int[buckets], [OpResult.Fail] = new int[buckets], [OpResult.Info] = new int[buckets] };
        foreach (var op in ops)
        {
            series[op.Result][Math.Clamp((int)(op.CompleteMs / 1000), 0, buckets - 1)]++;
        }

        var max = Math.Max(1, series.Values.Max(s => s.Max()));
        foreach (var (result, counts) in series)
        {
            sb.Append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").Append(Color(result)).Append("\" points=\"");
            for (var b = firstBucket; b < buckets; b++)
            {
                sb.Append(S(X((b * 1000) + 500, endMs))).Append(',').Append(S(10 + plotH - (plotH * counts[b] / (double)max))).Append(' ');
            }

            sb.Append("\"/>");
        }

        sb.Append("<text x=\"2\" y=\"18\" font-size=\"10\">").Append(max).Append("/s</text>");
        Axis(sb, endMs, 10 + plotH);
        sb.Append("</svg>");
    }

    private static void OpenSvg(StringBuilder sb, int height) =>
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width).Append("\" height=\"").Append(height).Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(height).Append("\">");

    private static void Bands(StringBuilder sb, IReadOnlyList<(string Nemesis, double StartMs, double EndMs, string? Detail)> bands, List<string> nemeses, TimeRange endMs, int top, int bottom)
    {
        foreach (var (nemesis, start, end, detail) in bands)
        {
            var x1 = X(start, endMs);
            var color = BandColor(nemeses.IndexOf(nemesis));
            sb.Append("<rect x=\"").Append(S(x1)).Append("\" y=\"").Append(top).Append("\" width=\"").Append(S(Math.Max(1, X(end, endMs) - x1))).Append("\" height=\"").Append(bottom - top)
              .Append("\" fill=\"").Append(color).Append("\" opacity=\"0.15\"><title>").Append(E($"{nemesis}: {detail}")).Append("</title></rect>")
              .Append("<text x=\"").Append(S(x1 + 2)).Append("\" y=\"").Append(top + 9).Append("\" font-size=\"9\" fill=\"").Append(color).Append("\">").Append(E(nemesis)).Append("</text>");
        }
    }

    private static void Axis(StringBuilder sb, TimeRange endMs, int y)
    {
        sb.Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(Width - Right).Append("\" y1=\"").Append(y).Append("\" y2=\"").Append(y).Append("\" stroke=\"#888\"/>");
        var seconds = (endMs.EndMs - endMs.StartMs) / 1000;
        var tick = seconds <= 30 ? 5 : seconds <= 120 ? 10 : seconds <= 600 ? 60 : 300;
        for (var s = (int)Math.Ceiling(endMs.StartMs / 1000 / tick) * tick; s <= endMs.EndMs / 1000; s += tick)
        {
            var x = X(s * 1000.0, endMs);
            sb.Append("<line x1=\"").Append(S(x)).Append("\" x2=\"").Append(S(x)).Append("\" y1=\"").Append(y).Append("\" y2=\"").Append(y + 4).Append("\" stroke=\"#888\"/>")
              .Append("<text x=\"").Append(S(x - 6)).Append("\" y=\"").Append(y + 15).Append("\" font-size=\"10\">").Append(s).Append("s</text>");
        }
    }

    private static double X(double ms, TimeRange r) => Left + ((Width - Left - Right) * Math.Clamp((ms - r.StartMs) / Math.Max(1, r.EndMs - r.StartMs), 0, 1));

    /// <summary>The span of run time the charts show.</summary>
    private readonly record struct TimeRange(double StartMs, double EndMs);

    private static string Color(OpResult r) => r switch
    {
        OpResult.Ok => "#2ca02c",
        OpResult.Fail => "#d62728",
        _ => "#ff9f1c",
    };

    private static string BandColor(int i) => BandColors[Math.Max(0, i) % BandColors.Length];

    private static string S(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
