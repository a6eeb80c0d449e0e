using System.Globalization;
using System.Text;

namespace RaftBurrow.Cli.Bench;

/// <summary>One run of the shared workload: its name as run_bench.sh spells it, and the <c>bench</c> settings that do the same.</summary>
/// <param name="Run">e.g. <c>post1-c16</c>, <c>post10-c64</c>, <c>claim-c16</c>.</param>
/// <param name="Workload"><c>post1</c>, <c>post10</c> or <c>claim</c>.</param>
/// <param name="Concurrency">Connections of the wrk run = producers (post) or consumers (claim), one request in flight each.</param>
/// <param name="Options">The run's settings.</param>
public sealed record SharedWorkloadRun(string Run, string Workload, int Concurrency, BenchOptions Options);

/// <summary>The shared workload of ../shared/bench/run_bench.sh as a sequence of <c>bench</c> runs, so that one
/// command (<c>bench --shared-workload</c>) reproduces the RaftBurrow rows of docs/benchmarks.md: POST 1 and 10
/// messages of 256 B at 16 and 64 connections, then claim(limit 10) + delete consumers at 16 and 64 connections
/// on a prefilled queue.</summary>
public static class SharedWorkload
{
    /// <summary>run_bench.sh's workloads, in its order.</summary>
    public static readonly IReadOnlyList<string> Workloads = ["post1", "post10", "claim"];

    /// <summary>run_bench.sh's default connections.</summary>
    public static readonly IReadOnlyList<int> DefaultConcurrency = [16, 64];

    /// <summary>The backlog a claim run starts with. run_bench.sh prefills with whole 10 s runs of POST 10 at
    /// 16 connections until it has PREFILL_MSGS (60,000), which on RaftBurrow is several hundred thousand
    /// messages; a fixed 60,000 would run dry within seconds at RaftBurrow's claim rates (~15k msgs/s) and
    /// measure empty claims. 500,000 lasts a 30 s run at 16k msgs/s.</summary>
    public const long DefaultPrefill = 500_000;

    /// <summary>The runs, in run_bench.sh's order (each workload at each concurrency). <paramref name="template"/>
    /// gives the URLs, duration, warm-up, message size, timeouts; producers, consumers, batch, claim limit and
    /// prefill are set per run. Every run gets its own run id (so its own queue, as run_bench.sh uses a fresh queue
    /// per run).</summary>
    public static IReadOnlyList<SharedWorkloadRun> Plan(BenchOptions template, IReadOnlyList<string> workloads, IReadOnlyList<int> concurrency, long prefill)
    {
        ArgumentNullException.ThrowIfNull(template);
        var unknown = workloads.Where(w => !Workloads.Contains(w)).ToList();
        if (unknown.Count > 0 || workloads.Count == 0)
        {
            throw new ArgumentException($"--workloads takes {string.Join(", ", Workloads)} (got '{string.Join(",", workloads)}')");
        }

        if (concurrency.Count == 0 || concurrency.Any(c => c is < 1 or > 4096))
        {
            throw new ArgumentException("--concurrency takes numbers 1..4096, e.g. 16,64");
        }

        if (prefill < 0)
        {
            throw new ArgumentException("--prefill must be >= 0");
        }

        var runs = new List<SharedWorkloadRun>();
        foreach (var w in Workloads.Where(workloads.Contains))
        {
            foreach (var c in concurrency)
            {
                var options = w == "claim"
                    ? template with { Producers = 0, Consumers = c, Consume = ConsumeMode.Claim, ClaimLimit = 10, Prefill = prefill, Count = 0 }
                    : template with { Producers = c, Consumers = 0, MessagesPerPost = w == "post1" ? 1 : 10, Prefill = 0, Count = 0 };
                options = options with { RunId = Guid.NewGuid().ToString("N")[..8] };
                options.Validate();
                runs.Add(new SharedWorkloadRun($"{w}-c{c}", w, c, options));
            }
        }

        return runs;
    }

    /// <summary>Parses <c>16,64</c> (commas or spaces).</summary>
    public static IReadOnlyList<int> ParseConcurrency(string text) =>
        text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ArgumentException($"--concurrency: not a number: '{s}'"))
            .ToList();

    /// <summary>Parses <c>post1,post10,claim</c> (commas or spaces).</summary>
    public static IReadOnlyList<string> ParseWorkloads(string text) =>
        text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}

/// <summary>One row of <see cref="SharedWorkloadReport"/>.</summary>
public sealed record SharedWorkloadResult
{
    /// <summary>e.g. <c>post1-c16</c>.</summary>
    public string Run { get; init; } = "";

    /// <summary>post1, post10 or claim.</summary>
    public string Workload { get; init; } = "";

    /// <summary>Connections (producers or consumers).</summary>
    public int Concurrency { get; init; }

    /// <summary>Acknowledged messages/s (post) or consumed messages/s (claim): the figure the tables and the plot use.</summary>
    public double MsgsPerS { get; init; }

    /// <summary>The run's full summary.</summary>
    public BenchSummary Summary { get; init; } = new();
}

/// <summary>The result of <c>bench --shared-workload</c> (its <c>--json</c> document).</summary>
public sealed record SharedWorkloadReport
{
    /// <summary>Identifies the document (scripts/plot_bench.py reads it).</summary>
    public string Tool { get; init; } = "raftburrow bench --shared-workload";

    /// <summary>Series name in tables and plots.</summary>
    public string Label { get; init; } = "bench";

    /// <summary>One entry per run, in the order run.</summary>
    public IReadOnlyList<SharedWorkloadResult> Runs { get; init; } = [];

    /// <summary>True when every run's verification passed.</summary>
    public bool Ok => Runs.All(r => r.Summary.Verification.Ok);

    /// <summary>The figure of a run from its summary: produced msgs/s for POST runs, consumed msgs/s for claim runs.</summary>
    public static SharedWorkloadResult Result(SharedWorkloadRun run, BenchSummary summary) => new()
    {
        Run = run.Run,
        Workload = run.Workload,
        Concurrency = run.Concurrency,
        MsgsPerS = run.Workload == "claim" ? summary.ConsumedMsgsPerS : summary.ProducedMsgsPerS,
        Summary = summary,
    };

    /// <summary>A markdown table in the layout of run_bench.sh's summary (msgs/s, p50/p99 of the run's
    /// operation: post, or claim / delete).</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| run | conc | req/s | msgs/s | p50 ms | p99 ms | errors | verification |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var r in Runs)
        {
            var ops = r.Summary.Operations;
            var post = ops.FirstOrDefault(o => o.Op == "post");
            var claim = ops.FirstOrDefault(o => o.Op == "claim");
            var delete = ops.FirstOrDefault(o => o.Op == "delete");
            string reqs, p50, p99;
            if (r.Workload == "claim")
            {
                reqs = F0((claim?.RequestsPerS ?? 0) + (delete?.RequestsPerS ?? 0));
                p50 = $"claim {F1(claim?.LatencyMs.P50)} / del {F1(delete?.LatencyMs.P50)}";
                p99 = $"claim {F1(claim?.LatencyMs.P99)} / del {F1(delete?.LatencyMs.P99)}";
            }
            else
            {
                reqs = F0(post?.RequestsPerS ?? 0);
                p50 = F1(post?.LatencyMs.P50);
                p99 = F1(post?.LatencyMs.P99);
            }

            var errors = ops.Sum(o => o.Errors);
            var v = r.Summary.Verification;
            text.Append(CultureInfo.InvariantCulture, $"| {r.Run} | {r.Concurrency} | {reqs} | {F0(r.MsgsPerS)}{(r.Workload == "claim" ? " consumed" : "")} | {p50} | {p99} | {errors} | ")
                .Append(v.Ok ? "OK" : $"FAILED ({v.Duplicates} duplicates, {v.Unknown} unknown)").Append(" |\n");
        }

        return text.ToString();
    }

    private static string F0(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F1(double? v) => (v ?? 0).ToString("0.0", CultureInfo.InvariantCulture);
}
