using MessagePack;

namespace RaftBurrow.StateMachine.Commands;

// Read-only snapshots of state handed to the API edge (in command results and query answers).
// Times are absolute Unix ms; the edge computes ages and remaining ttls from the result's NowMs
// (or the query's now).

/// <summary>A Zaqar message.</summary>
[MessagePackObject]
public sealed record MessageView(
    [property: Key(0)] string Id,
    [property: Key(1)] long CreatedMs,
    [property: Key(2)] int TtlSeconds,
    [property: Key(3)] long ExpiresMs,
    [property: Key(4)] byte[] BodyJson,
    [property: Key(5)] Guid ClientId,
    [property: Key(6)] string? ClaimId,
    [property: Key(7)] int ClaimCount,
    [property: Key(8)] long VisibleAtMs);

/// <summary>A Zaqar claim with its live messages.</summary>
[MessagePackObject]
public sealed record ClaimView(
    [property: Key(0)] string Id,
    [property: Key(1)] long CreatedMs,
    [property: Key(2)] int TtlSeconds,
    [property: Key(3)] int GraceSeconds,
    [property: Key(4)] long ExpiresMs,
    [property: Key(5)] MessageView[] Messages);

/// <summary>A Zaqar queue as listed.</summary>
[MessagePackObject]
public sealed record QueueView(
    [property: Key(0)] string Name,
    [property: Key(1)] long CreatedMs,
    [property: Key(2)] byte[] MetadataJson);

/// <summary>Zaqar queue statistics at a given now.</summary>
[MessagePackObject]
public sealed record QueueStatsView(
    [property: Key(0)] int Total,
    [property: Key(1)] int Claimed,
    [property: Key(2)] int Free,
    [property: Key(3)] MessageView? Oldest,
    [property: Key(4)] MessageView? Newest);

/// <summary>A Zaqar subscription.</summary>
[MessagePackObject]
public sealed record SubscriptionView(
    [property: Key(0)] string Id,
    [property: Key(1)] string Queue,
    [property: Key(2)] string Subscriber,
    [property: Key(3)] long CreatedMs,
    [property: Key(4)] int TtlSeconds,
    [property: Key(5)] long ExpiresMs,
    [property: Key(6)] byte[] OptionsJson,
    [property: Key(7)] bool Confirmed);

/// <summary>
/// A Burrow message. <see cref="TtlDeadlineS"/> and <see cref="HideDeadlineS"/> are stored values
/// in whole Unix seconds (0 = never / visible); the edge shows remaining seconds.
/// </summary>
[MessagePackObject]
public sealed record BurrowMessageView(
    [property: Key(0)] string Id,
    [property: Key(1)] byte[] Body,
    [property: Key(2)] long TtlDeadlineS,
    [property: Key(3)] long HideDeadlineS);

/// <summary>A Burrow queue or account name with its (replicated) creation time and a tie-break, for cross-partition ordering.</summary>
[MessagePackObject]
public sealed record BurrowNameView(
    [property: Key(0)] string Name,
    [property: Key(1)] long CreatedMs,
    [property: Key(2)] long CreatedIndex);

/// <summary>A message waiting in the dead-letter outbox for its move to <see cref="DeadLetterQueue"/>.</summary>
[MessagePackObject]
public sealed record DeadLetterView(
    [property: Key(0)] string Project,
    [property: Key(1)] string SourceQueue,
    [property: Key(2)] string DeadLetterQueue,
    [property: Key(3)] int? DeadLetterTtlSeconds,
    [property: Key(4)] MessageView Message);
