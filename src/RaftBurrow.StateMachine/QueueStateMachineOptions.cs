namespace RaftBurrow.StateMachine;

/// <summary>
/// Settings of a partition's state machine. They shape replicated behaviour, so every replica of a
/// partition must be given the same values (they come from the cluster's configuration).
/// </summary>
public sealed record QueueStateMachineOptions
{
    /// <summary>The partition number; part of every id the machine hands out.</summary>
    public int PartitionId { get; init; }

    /// <summary>Message ttl when neither the message nor the queue's <c>_default_message_ttl</c> gives one.</summary>
    public int DefaultMessageTtlSeconds { get; init; } = 3600;

    /// <summary>Message delay when neither the message nor the queue's <c>_default_message_delay</c> gives one.</summary>
    public int DefaultMessageDelaySeconds { get; init; }

    /// <summary>Most messages (live, including claimed and delayed) one queue may hold; 0 = unlimited.</summary>
    public int MaxMessagesPerQueue { get; init; } = 100_000;

    /// <summary>How long a request id (and an idempotency key) is remembered, in ms.</summary>
    public long DedupWindowMs { get; init; } = 10 * 60 * 1000;

    /// <summary>Most remembered request ids per partition; the oldest are forgotten first.</summary>
    public int MaxDedupEntries { get; init; } = 100_000;
}
