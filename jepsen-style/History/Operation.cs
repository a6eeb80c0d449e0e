using System.Text.Json.Serialization;

namespace RaftBurrow.Jepsen.History;

/// <summary>How an operation ended, as the client saw it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OpResult>))]
public enum OpResult
{
    /// <summary>Definitely happened (2xx).</summary>
    Ok,
    /// <summary>Definitely did not happen (refused connection, 4xx).</summary>
    Fail,
    /// <summary>Indeterminate: timeout, 5xx, connection lost after sending. May or may not have happened.</summary>
    Info,
}

/// <summary>One message as observed by a claim, pop or read.</summary>
/// <param name="Id">The server's message id (from href or id).</param>
/// <param name="ClaimId">The claim that holds it, when the op was a claim.</param>
/// <param name="Value">The harness value carried in the body ({"v": value}).</param>
public sealed record DeliveredMessage(string? Id, string? ClaimId, string? Value);

/// <summary>
/// One client operation with both its invocation and completion, written as one JSONL line.
/// Times are milliseconds since the run started (a monotonic clock of the harness).
/// </summary>
public sealed class Operation
{
    /// <summary>Kind discriminator in the JSONL file.</summary>
    public string Kind { get; init; } = "op";
    /// <summary>Unique, increasing in invocation order.</summary>
    public long Id { get; init; }
    /// <summary>Jepsen-style logical process: a worker gets a new one after an indeterminate result.</summary>
    public int Process { get; init; }
    /// <summary>The worker slot (a lane in the timeline).</summary>
    public int Worker { get; init; }
    /// <summary>Node (1-based) the request was sent to.</summary>
    public int Node { get; init; }
    /// <summary>enqueue, claim, delete, release, pop, read.</summary>
    public string F { get; init; } = "";
    /// <summary>Queue name.</summary>
    public string Queue { get; init; } = "";
    /// <summary>The enqueued value (enqueue) — unique per logical message.</summary>
    public string? Value { get; init; }
    /// <summary>Idempotency-Key header value, when used.</summary>
    public string? Key { get; init; }
    /// <summary>Claim/pop/read limit.</summary>
    public int? Limit { get; init; }
    /// <summary>Claim ttl in seconds (claims only).</summary>
    public int? TtlSeconds { get; init; }
    /// <summary>Target message id (delete).</summary>
    public string? MessageId { get; init; }
    /// <summary>Claim id (delete with claim, release).</summary>
    public string? ClaimId { get; init; }
    /// <summary>Invocation time, ms since run start.</summary>
    public double InvokeMs { get; init; }
    /// <summary>Completion time, ms since run start (for info ops: when the client gave up).</summary>
    public double CompleteMs { get; set; }
    /// <summary>Outcome.</summary>
    public OpResult Result { get; set; }
    /// <summary>HTTP status, when a response arrived.</summary>
    public int? Status { get; set; }
    /// <summary>Short error text for fail/info.</summary>
    public string? Error { get; set; }
    /// <summary>Message ids created (enqueue ok).</summary>
    public List<string>? CreatedIds { get; set; }
    /// <summary>Messages observed (claim/pop/read ok).</summary>
    public List<DeliveredMessage>? Messages { get; set; }
    /// <summary>"main" during the workload, "drain" in the final drain.</summary>
    public string Phase { get; init; } = "main";

    /// <summary>Latency in ms.</summary>
    [JsonIgnore]
    public double LatencyMs => CompleteMs - InvokeMs;

    /// <summary>True for the operations that can change queue state.</summary>
    [JsonIgnore]
    public bool IsWrite => F is Ops.Enqueue or Ops.Claim or Ops.Delete or Ops.Release or Ops.Pop;
}

/// <summary>Operation names used in histories.</summary>
public static class Ops
{
    /// <summary>POST messages.</summary>
    public const string Enqueue = "enqueue";
    /// <summary>POST claims.</summary>
    public const string Claim = "claim";
    /// <summary>DELETE a message with its claim id.</summary>
    public const string Delete = "delete";
    /// <summary>DELETE a claim (release).</summary>
    public const string Release = "release";
    /// <summary>DELETE messages?pop=N.</summary>
    public const string Pop = "pop";
    /// <summary>GET messages?include_claimed=true (paginated).</summary>
    public const string Read = "read";
}
