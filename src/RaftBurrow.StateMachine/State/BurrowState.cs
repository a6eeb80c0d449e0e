namespace RaftBurrow.StateMachine.State;

/// <summary>A Burrow account: exists only while it holds a queue in this partition.</summary>
internal sealed class BurrowAccount(string name, long createdMs, long createdIndex)
{
    public string Name { get; } = name;

    /// <summary>When the account appeared in this partition (it keeps this while it has a queue here).</summary>
    public long CreatedMs { get; } = createdMs;

    /// <summary>Log index of the PUT that created the account here (a replicated tie-break).</summary>
    public long CreatedIndex { get; } = createdIndex;

    /// <summary>Queues in creation order (insertion order of this ordered dictionary).</summary>
    public OrderedDictionary<string, BurrowQueue> Queues { get; } = new(StringComparer.Ordinal);
}

/// <summary>A Burrow queue: exists only while it holds a message.</summary>
internal sealed class BurrowQueue(BurrowAccount account, string name, long createdMs, long createdIndex)
{
    public BurrowAccount Account { get; } = account;

    public string Name { get; } = name;

    public long CreatedMs { get; } = createdMs;

    /// <summary>Log index of the PUT that created the queue (a replicated tie-break for ordering).</summary>
    public long CreatedIndex { get; } = createdIndex;

    public SequencedList<BurrowMessage> Messages { get; } = new();

    /// <summary>
    /// A performance hint, not state (0 after a restore): every live message with a smaller sequence
    /// is hidden at the machine's clock. Invariant: lowered whenever a message may become visible.
    /// </summary>
    public long VisibleFromSeq { get; set; }

    public Dictionary<string, BurrowMessage> ById { get; } = new(StringComparer.Ordinal);
}

/// <summary>A Burrow message. Deadlines are whole Unix seconds; 0 = never expires / visible.</summary>
internal sealed class BurrowMessage : ISequenced
{
    public required long Seq { get; init; }

    public required BurrowQueue Queue { get; init; }

    public required string Id { get; init; }

    public required byte[] Body { get; set; }

    public required long TtlDeadlineS { get; set; }

    public required long HideDeadlineS { get; set; }

    public bool Removed { get; set; }
}
