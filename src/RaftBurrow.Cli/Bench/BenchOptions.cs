using System.Globalization;

namespace RaftBurrow.Cli.Bench;

/// <summary>How consumers take messages.</summary>
public enum ConsumeMode
{
    /// <summary>POST .../claims?limit=N, then DELETE each message with its claim id (the shared workload's loop).</summary>
    Claim = 0,

    /// <summary>DELETE .../messages?pop=N: claim and delete in one request.</summary>
    Pop = 1,
}

/// <summary>Settings of one <c>bench</c> run.</summary>
public sealed record BenchOptions
{
    /// <summary>Node URLs; workers are spread over them (worker i prefers URL i mod n, fails over to the rest).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>Project id.</summary>
    public string ProjectId { get; init; } = "bench";

    /// <summary>Concurrent producers (each one request in flight).</summary>
    public int Producers { get; init; } = 1;

    /// <summary>Concurrent consumers.</summary>
    public int Consumers { get; init; }

    /// <summary>Size of one JSON message object in the POST body, bytes (as the shared workload counts it).</summary>
    public int MessageBytes { get; init; } = 256;

    /// <summary>Messages per POST.</summary>
    public int MessagesPerPost { get; init; } = 1;

    /// <summary>Queues; producer i posts to queue i mod n, consumer j consumes queue j mod n.</summary>
    public int Queues { get; init; } = 1;

    /// <summary>Measured time (duration mode; ignored when <see cref="Count"/> &gt; 0).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages to produce (count mode), or 0 for duration mode. With no producers: messages to consume.</summary>
    public long Count { get; init; }

    /// <summary>Messages posted to the run's queues before the warm-up (10 per POST, 16 in flight), so that
    /// consumers have a backlog, as the shared workload's claim run does. Verified like the rest.</summary>
    public long Prefill { get; init; }

    /// <summary>Concurrent POSTs of the prefill.</summary>
    public const int PrefillConcurrency = 16;

    /// <summary>Load before measuring starts (not counted in rates or latencies; its messages are still verified).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consumer style.</summary>
    public ConsumeMode Consume { get; init; } = ConsumeMode.Claim;

    /// <summary>Messages per claim or pop (1..20).</summary>
    public int ClaimLimit { get; init; } = 10;

    /// <summary>Long-poll seconds of a claim when the queue is empty (0 = answer at once, back off, retry).</summary>
    public int WaitSeconds { get; init; }

    /// <summary>Claim ttl, seconds.</summary>
    public int ClaimTtlSeconds { get; init; } = 60;

    /// <summary>Claim grace, seconds.</summary>
    public int ClaimGraceSeconds { get; init; } = 60;

    /// <summary>Message ttl, seconds.</summary>
    public int MessageTtlSeconds { get; init; } = 300;

    /// <summary>Queue names are <c>{prefix}-{runId}-{i}</c>, so runs never see each other's messages.</summary>
    public string QueuePrefix { get; init; } = "bench";

    /// <summary>Leave the queues in place afterwards.</summary>
    public bool KeepQueues { get; init; }

    /// <summary>Retries per request on transient failures.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Per-request timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Live progress interval (zero = none).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Count mode: how long consumers keep going after producers finish when nothing is left to claim.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Identifies this run inside every message body (8 hex digits).</summary>
    public string RunId { get; init; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Throws <see cref="ArgumentException"/> on a setting that cannot work.</summary>
    public void Validate()
    {
        Check(Urls.Count > 0, "at least one --url");
        Check(Producers >= 0 && Consumers >= 0 && Producers + Consumers > 0, "--producers + --consumers must be at least 1");
        Check(MessageBytes is >= 1 and <= 256 * 1024, "--size must be 1..262144 bytes");
        Check(MessagesPerPost is >= 1 and <= 1000, "--batch must be 1..1000");
        Check(Queues is >= 1 and <= 10_000, "--queues must be 1..10000");
        Check(Count >= 0, "--count must be >= 0");
        Check(Prefill >= 0, "--prefill must be >= 0");
        Check(Count > 0 || Duration > TimeSpan.Zero, "--duration must be positive");
        Check(Warmup >= TimeSpan.Zero, "--warmup must be >= 0");
        Check(ClaimLimit is >= 1 and <= 1000, "--limit must be 1..1000");
        Check(Retries >= 0, "--retries must be >= 0");
        Check(WaitSeconds >= 0, "--wait must be >= 0");
        Check(System.Text.RegularExpressions.Regex.IsMatch(QueuePrefix, "^[a-zA-Z0-9_.-]{1,40}$"), "--queue-prefix must match [a-zA-Z0-9_.-]{1,40}");

        static void Check(bool ok, string what)
        {
            if (!ok)
            {
                throw new ArgumentException(what);
            }
        }
    }

    /// <summary>Producer numbers in message bodies: producers first, then the prefill writers.</summary>
    public int SenderCount => Producers + (Prefill > 0 ? PrefillConcurrency : 0);

    /// <summary>The queue of producer or consumer <paramref name="worker"/>.</summary>
    public string QueueName(int worker) => $"{QueuePrefix}-{RunId}-{worker % Queues}";

    /// <summary>Parses <c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c> or a plain number of seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        (string num, double scaleMs) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 1.0)
            : t.EndsWith('s') ? (t[..^1], 1000.0)
            : t.EndsWith('m') ? (t[..^1], 60_000.0)
            : t.EndsWith('h') ? (t[..^1], 3_600_000.0)
            : (t, 1000.0);
        if (!double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsInfinity(value))
        {
            throw new FormatException($"not a duration: '{text}' (use e.g. 10s, 500ms, 2m)");
        }

        return TimeSpan.FromMilliseconds(value * scaleMs);
    }
}
