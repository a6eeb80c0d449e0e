using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Zaqar;

/// <summary>What one API call produced, before it is stamped with times and a process.</summary>
public sealed class ApiOutcome
{
    /// <summary>ok, fail or info.</summary>
    public OpResult Result { get; init; }
    /// <summary>HTTP status when a response arrived.</summary>
    public int? Status { get; init; }
    /// <summary>Short error text.</summary>
    public string? Error { get; init; }
    /// <summary>Message ids created (enqueue).</summary>
    public List<string>? CreatedIds { get; init; }
    /// <summary>Messages observed (claim, pop, read).</summary>
    public List<DeliveredMessage>? Messages { get; init; }

    /// <summary>A successful outcome.</summary>
    public static ApiOutcome Ok(int status, List<string>? created = null, List<DeliveredMessage>? messages = null) =>
        new() { Result = OpResult.Ok, Status = status, CreatedIds = created, Messages = messages };

    /// <summary>A definite failure.</summary>
    public static ApiOutcome Fail(string error, int? status = null) => new() { Result = OpResult.Fail, Error = error, Status = status };

    /// <summary>An indeterminate outcome.</summary>
    public static ApiOutcome Info(string error, int? status = null) => new() { Result = OpResult.Info, Error = error, Status = status };
}
