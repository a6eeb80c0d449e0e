using MessagePack;

namespace RaftBurrow.StateMachine.Commands;

// Burrow v1.0 commands (../shared/api/BURROW-V1.md). Account = Project. Burrow queues exist only
// while they hold a message; accounts only while they hold a queue. ttl/hide values follow the
// contract: N > 0 → deadline floor(now_s) + N; 0 → never expires / visible.

/// <summary>Base of Burrow queue commands.</summary>
public abstract record BurrowQueueCommand : Command, IQueueCommand
{
    /// <inheritdoc />
    [IgnoreMember] public QueueSpace Space => QueueSpace.Burrow;

    /// <summary>The account.</summary>
    [Key(0)] public string Project { get; init; } = "";

    /// <inheritdoc />
    [Key(1)] public string Queue { get; init; } = "";
}

/// <summary>Which messages of a queue a bulk operation matches, in queue order.</summary>
[MessagePackObject]
public sealed record BurrowSelector
{
    /// <summary>At most this many; null or ≤ 0 = no limit.</summary>
    [Key(0)] public int? Limit { get; init; }

    /// <summary>Start after this id (if it exists in the queue), else from the beginning.</summary>
    [Key(1)] public string? Marker { get; init; }

    /// <summary>Match hidden messages too.</summary>
    [Key(2)] public bool MatchHidden { get; init; }
}

/// <summary>PUT /v1.0/{a}/{q}/{m}: create (Created, appended) or replace in place (Ok).</summary>
[MessagePackObject]
public sealed record BurrowPutMessage : BurrowQueueCommand
{
    /// <summary>Client-chosen id.</summary>
    [Key(2)] public string MessageId { get; init; } = "";

    /// <summary>Raw body bytes.</summary>
    [Key(3)] public byte[] Body { get; init; } = [];

    /// <summary>ttl seconds, defaults already resolved at the edge (0 = never).</summary>
    [Key(4)] public long TtlSeconds { get; init; }

    /// <summary>hide seconds (0 = visible).</summary>
    [Key(5)] public long HideSeconds { get; init; }
}

/// <summary>POST /v1.0/{a}/{q}: atomically select and set ttl/hide (the worker's claim).</summary>
[MessagePackObject]
public sealed record BurrowUpdateMessages : BurrowQueueCommand
{
    /// <summary>Selection.</summary>
    [Key(2)] public BurrowSelector Selector { get; init; } = new();

    /// <summary>New ttl, or null to keep.</summary>
    [Key(3)] public long? TtlSeconds { get; init; }

    /// <summary>New hide, or null to keep.</summary>
    [Key(4)] public long? HideSeconds { get; init; }
}

/// <summary>POST /v1.0/{a}/{q}/{m}.</summary>
[MessagePackObject]
public sealed record BurrowUpdateMessage : BurrowQueueCommand
{
    /// <summary>Message id.</summary>
    [Key(2)] public string MessageId { get; init; } = "";

    /// <summary>New ttl, or null to keep.</summary>
    [Key(3)] public long? TtlSeconds { get; init; }

    /// <summary>New hide, or null to keep.</summary>
    [Key(4)] public long? HideSeconds { get; init; }
}

/// <summary>DELETE /v1.0/{a}/{q}: atomically select and delete (the fast worker's pop).</summary>
[MessagePackObject]
public sealed record BurrowDeleteMessages : BurrowQueueCommand
{
    /// <summary>Selection.</summary>
    [Key(2)] public BurrowSelector Selector { get; init; } = new();
}

/// <summary>DELETE /v1.0/{a}/{q}/{m}.</summary>
[MessagePackObject]
public sealed record BurrowDeleteMessage : BurrowQueueCommand
{
    /// <summary>Message id.</summary>
    [Key(2)] public string MessageId { get; init; } = "";
}

/// <summary>Deletes one whole Burrow queue (a step of DELETE /v1.0/{a}, whose selection spans partitions).</summary>
[MessagePackObject]
public sealed record BurrowDeleteQueue : BurrowQueueCommand;

/// <summary>Deletes every Burrow queue of an account held by this partition (a step of DELETE /v1.0).
/// Partition-wide: sent to every partition.</summary>
[MessagePackObject]
public sealed record BurrowDeleteAccount : Command
{
    /// <summary>The account.</summary>
    [Key(0)] public string Project { get; init; } = "";
}
