using RaftBurrow.StateMachine.State;

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

    /// <summary>
    /// Freezes the full state so that it can be written (as <see cref="WriteSnapshot"/> would write it
    /// now) on another thread while entries go on being applied. Called where <see cref="Apply"/> would
    /// be. The default serializes into memory at once; <see cref="QueueStateMachine"/> copies only its
    /// records' small fields (see <see cref="SnapshotImage"/>).
    /// </summary>
    ISnapshotImage CaptureSnapshot()
    {
        var buffer = new MemoryStream();
        WriteSnapshot(buffer);
        return new BufferedSnapshotImage(AppliedIndex, buffer);
    }

    /// <summary>Replaces the whole state with a snapshot written by <see cref="WriteSnapshot"/>.</summary>
    void RestoreSnapshot(Stream source);

    /// <summary>A deterministic hash of the whole state, equal on replicas at equal index (the consensus layer
    /// hashes a captured image instead, with <see cref="SnapshotHashing"/>, so as not to hold its lock meanwhile).</summary>
    ulong StateHash();

    /// <summary>
    /// The earliest time (Unix ms) at which something in the state expires or becomes visible, or
    /// <c>null</c> when nothing is pending. The leader proposes <see cref="LogEntryCodec.EncodeExpire"/>
    /// once its clock passes this.
    /// </summary>
    long? NextDeadlineMs { get; }
}

/// <summary>A frozen state, written later and possibly on another thread (<see cref="IReplicatedStateMachine.CaptureSnapshot"/>).</summary>
public interface ISnapshotImage : IDisposable
{
    /// <summary>The state machine's applied index at capture.</summary>
    long AppliedIndex { get; }

    /// <summary>Writes the snapshot, exactly as <see cref="IReplicatedStateMachine.WriteSnapshot"/> did at capture.</summary>
    void WriteTo(Stream destination);
}

/// <summary>The default image: the snapshot already serialized into memory.</summary>
internal sealed class BufferedSnapshotImage(long appliedIndex, MemoryStream bytes) : ISnapshotImage
{
    public long AppliedIndex { get; } = appliedIndex;

    public void WriteTo(Stream destination) => destination.Write(bytes.GetBuffer(), 0, (int)bytes.Length);

    public void Dispose() => bytes.Dispose();
}

/// <summary>The state hash of a frozen state: XxHash64 of its snapshot bytes.</summary>
public static class SnapshotHashing
{
    /// <summary>Hashes the bytes <paramref name="image"/> writes; equal images hash equal. Any thread.</summary>
    public static ulong Hash(ISnapshotImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var hashing = new HashingStream();
        image.WriteTo(hashing);
        return hashing.Hash;
    }
}
