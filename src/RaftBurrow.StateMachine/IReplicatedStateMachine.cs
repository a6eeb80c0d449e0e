namespace RaftBurrow.StateMachine;

/// <summary>
/// A deterministic state machine as the consensus layer sees it: committed log entries in, opaque
/// results out, snapshots as byte streams. The consensus layer knows nothing about queues.
/// </summary>
/// <remarks>
/// Threading: the consensus layer calls <see cref="Apply"/>, <see cref="WriteSnapshot"/> and
/// <see cref="RestoreSnapshot"/> one at a time, and serializes them with readers through its own
/// per-partition lock. Implementations keep no locks of their own and never block.
/// </remarks>
public interface IReplicatedStateMachine
{
    /// <summary>Index of the last applied log entry; 0 when nothing was applied.</summary>
    long AppliedIndex { get; }

    /// <summary>
    /// Applies a committed entry. Entries with <c>index &lt;= AppliedIndex</c> are skipped and
    /// return <c>null</c> (apply is idempotent). Never throws for bad input: a command that cannot be
    /// decoded yields a result that says so. The returned object reaches the proposer on the leader.
    /// A batch entry (<see cref="LogEntryCodec.BatchVersion"/>) answers an <c>object?[]</c> with one
    /// result per item, in order.
    /// </summary>
    /// <param name="index">Raft log index of the entry (strictly increasing).</param>
    /// <param name="entry">The whole entry as produced by <see cref="LogEntryCodec"/>.</param>
    object? Apply(long index, ReadOnlySpan<byte> entry);

    /// <summary>Writes the full state, versioned, to <paramref name="destination"/>.</summary>
    void WriteSnapshot(Stream destination);

    /// <summary>Replaces the whole state with a snapshot written by <see cref="WriteSnapshot"/>.</summary>
    void RestoreSnapshot(Stream source);

    /// <summary>A cheap deterministic hash of the whole state, equal on replicas at equal index.</summary>
    ulong StateHash();

    /// <summary>
    /// The earliest time (Unix ms) at which something in the state expires or becomes visible, or
    /// <c>null</c> when nothing is pending. The leader proposes <see cref="LogEntryCodec.EncodeExpire"/>
    /// once its clock passes this.
    /// </summary>
    long? NextDeadlineMs { get; }
}
