using System.Text;
using HdrHistogram;
using RaftBurrow.Cli.Output;

namespace RaftBurrow.Cli.Bench;

/// <summary>Latency percentiles of an operation, milliseconds.</summary>
public sealed record LatencyMs
{
    /// <summary>Median.</summary>
    public double P50 { get; init; }

    /// <summary>90th percentile.</summary>
    public double P90 { get; init; }

    /// <summary>99th percentile.</summary>
    public double P99 { get; init; }

    /// <summary>99.9th percentile.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("p99_9")] public double P999 { get; init; }

    /// <summary>Maximum.</summary>
    public double Max { get; init; }

    /// <summary>Mean.</summary>
    public double Mean { get; init; }

    /// <summary>Percentiles of a histogram recorded in µs.</summary>
    public static LatencyMs From(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencyMs()
        : new LatencyMs
        {
            P50 = histogram.GetValueAtPercentile(50) / 1000.0,
            P90 = histogram.GetValueAtPercentile(90) / 1000.0,
            P99 = histogram.GetValueAtPercentile(99) / 1000.0,
            P999 = histogram.GetValueAtPercentile(99.9) / 1000.0,
            Max = histogram.GetMaxValue() / 1000.0,
            Mean = histogram.GetMean() / 1000.0,
        };
}

/// <summary>One operation's totals over the measured interval.</summary>
public sealed record OperationSummary
{
    /// <summary>post, claim, delete or pop.</summary>
    public string Op { get; init; } = "";

    /// <summary>Successful requests.</summary>
    public long Requests { get; init; }

    /// <summary>Failed requests.</summary>
    public long Errors { get; init; }

    /// <summary>Messages moved.</summary>
    public long Messages { get; init; }

    /// <summary>Successful requests per second.</summary>
    public double RequestsPerS { get; init; }

    /// <summary>Messages per second.</summary>
    public double MessagesPerS { get; init; }

    /// <summary>Latency of successful requests.</summary>
    public LatencyMs LatencyMs { get; init; } = new();

    /// <summary>Failures by kind.</summary>
    public IReadOnlyDictionary<string, long> ErrorKinds { get; init; } = new Dictionary<string, long>();

    /// <summary>Merges workers' recorders of one operation.</summary>
    public static OperationSummary From(string op, IEnumerable<OperationRecorder> recorders, double seconds)
    {
        var merged = new LongHistogram(1, OperationRecorder.HighestMicros, 3);
        long requests = 0, errors = 0, messages = 0;
        var kinds = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var r in recorders.Where(r => r.Operation == op))
        {
            merged.Add(r.Histogram);
            requests += r.Requests;
            errors += r.Errors;
            messages += r.Messages;
            foreach (var (k, v) in r.ErrorKinds)
            {
                kinds[k] = kinds.GetValueOrDefault(k) + v;
            }
        }

        return new OperationSummary
        {
            Op = op,
            Requests = requests,
            Errors = errors,
            Messages = messages,
            RequestsPerS = seconds > 0 ? requests / seconds : 0,
            MessagesPerS = seconds > 0 ? messages / seconds : 0,
            LatencyMs = LatencyMs.From(merged),
            ErrorKinds = kinds,
        };
    }
}

/// <summary>The result of a <c>bench</c> run (its <c>--json</c> document).</summary>
public sealed record BenchSummary
{
    /// <summary>Identifies the document.</summary>
    public string Tool { get; init; } = "raftburrow bench";

    /// <summary>Run id embedded in every message.</summary>
    public string RunId { get; init; } = "";

    /// <summary>When the measurement started (UTC, ISO 8601).</summary>
    public string StartedAt { get; init; } = "";

    /// <summary>Target nodes.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>Producers.</summary>
    public int Producers { get; init; }

    /// <summary>Consumers.</summary>
    public int Consumers { get; init; }

    /// <summary>claim or pop.</summary>
    public string ConsumeMode { get; init; } = "";

    /// <summary>Messages per claim/pop.</summary>
    public int ClaimLimit { get; init; }

    /// <summary>Bytes of one message object.</summary>
    public int MessageBytes { get; init; }

    /// <summary>Messages per POST.</summary>
    public int MessagesPerPost { get; init; }

    /// <summary>POST body bytes.</summary>
    public int RequestBodyBytes { get; init; }

    /// <summary>Queues.</summary>
    public int Queues { get; init; }

    /// <summary>Warm-up, seconds.</summary>
    public double WarmupS { get; init; }

    /// <summary>Measured interval, seconds.</summary>
    public double DurationS { get; init; }

    /// <summary>Per operation.</summary>
    public IReadOnlyList<OperationSummary> Operations { get; init; } = [];

    /// <summary>Messages acknowledged per second (measured interval).</summary>
    public double ProducedMsgsPerS { get; init; }

    /// <summary>Messages consumed per second (measured interval).</summary>
    public double ConsumedMsgsPerS { get; init; }

    /// <summary>Correctness.</summary>
    public VerificationReport Verification { get; init; } = new();

    /// <summary>Messages left in the run's queues at the end (null if unknown).</summary>
    public long? LeftInQueues { get; init; }

    /// <summary>The human-readable form.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        var consumers = Consumers == 0 ? "no consumers"
            : $"{Consumers} consumer(s) ({(ConsumeMode == "pop" ? $"pop {ClaimLimit}" : $"claim {ClaimLimit} + delete")})";
        text.Append($"raftburrow bench  run {RunId}  {Producers} producer(s), {consumers}, {MessageBytes} B/msg, {MessagesPerPost} msg/POST, ")
            .Append($"{Queues} queue(s), {Formats.Seconds(DurationS)} s measured after {Formats.Seconds(WarmupS)} s warm-up, {Urls.Count} node URL(s)\n\n");
        var table = new TextTable("OP", "REQUESTS>", "REQ/S>", "MSGS>", "MSGS/S>", "ERRORS>", "P50 ms>", "P90 ms>", "P99 ms>", "P99.9 ms>", "MAX ms>");
        foreach (var o in Operations)
        {
            table.Add(o.Op, Formats.Count(o.Requests), Formats.Rate(o.RequestsPerS), Formats.Count(o.Messages), Formats.Rate(o.MessagesPerS),
                Formats.Count(o.Errors), Formats.Ms(o.LatencyMs.P50), Formats.Ms(o.LatencyMs.P90), Formats.Ms(o.LatencyMs.P99),
                Formats.Ms(o.LatencyMs.P999), Formats.Ms(o.LatencyMs.Max));
        }

        text.Append(table).Append('\n');
        foreach (var o in Operations.Where(o => o.ErrorKinds.Count > 0))
        {
            text.Append($"{o.Op} errors: {string.Join(", ", o.ErrorKinds.Select(k => $"{k.Key} x{Formats.Count(k.Value)}"))}\n");
        }

        text.Append($"produced {Formats.Rate(ProducedMsgsPerS)} msgs/s, consumed {Formats.Rate(ConsumedMsgsPerS)} msgs/s\n");
        var v = Verification;
        text.Append($"verification: {(v.Ok ? "OK" : "FAILED")} - {Formats.Count(v.Acknowledged)} acknowledged of {Formats.Count(v.Sent)} sent; ")
            .Append($"{Formats.Count(v.ConsumedUnique)} consumed, {Formats.Count(v.Duplicates)} duplicates, {Formats.Count(v.Unknown)} unknown; ")
            .Append($"{Formats.Count(v.ConsumedWithoutAck)} consumed whose POST got no answer; {Formats.Count(v.AcknowledgedNotConsumed)} acknowledged not consumed")
            .Append(LeftInQueues is { } left ? $"; {Formats.Count(left)} left in queues" : "")
            .Append('\n');
        foreach (var s in v.UnknownSamples)
        {
            text.Append("  unknown body: ").Append(s).Append('\n');
        }

        return text.ToString();
    }
}
