using System.Diagnostics;
using HdrHistogram;

namespace RaftBurrow.Cli.Bench;

/// <summary>
/// Latencies and counts of one operation kind (post, claim, delete, pop) for one worker: no sharing, no
/// locks on the hot path; workers' recorders are merged at the end. Latencies in microseconds, 3
/// significant digits, up to one hour.
/// </summary>
public sealed class OperationRecorder(string operation)
{
    /// <summary>Highest latency tracked, µs (larger values are clamped).</summary>
    public const long HighestMicros = 3_600_000_000;

    /// <summary>Operation name.</summary>
    public string Operation { get; } = operation;

    /// <summary>Successful request latencies, µs.</summary>
    public LongHistogram Histogram { get; } = new(1, HighestMicros, 3);

    /// <summary>Successful requests.</summary>
    public long Requests { get; private set; }

    /// <summary>Failed requests.</summary>
    public long Errors { get; private set; }

    /// <summary>Messages moved by successful requests.</summary>
    public long Messages { get; private set; }

    /// <summary>Failed requests by kind (HTTP status or "timeout"/"unreachable").</summary>
    public Dictionary<string, long> ErrorKinds { get; } = new(StringComparer.Ordinal);

    /// <summary>Records a success that started at <paramref name="startTimestamp"/> (Stopwatch ticks).</summary>
    public void Success(long startTimestamp, long endTimestamp, int messages)
    {
        Requests++;
        Messages += messages;
        RecordMicros(TicksToMicros(endTimestamp - startTimestamp));
    }

    /// <summary>Records a latency directly (tests, merges).</summary>
    public void RecordMicros(long micros) => Histogram.RecordValue(Math.Clamp(micros, 1, HighestMicros));

    /// <summary>Records a failure.</summary>
    public void Failure(string kind)
    {
        Errors++;
        ErrorKinds[kind] = ErrorKinds.GetValueOrDefault(kind) + 1;
    }

    /// <summary>Stopwatch ticks to µs.</summary>
    public static long TicksToMicros(long ticks) => (long)(ticks * 1_000_000.0 / Stopwatch.Frequency);
}
