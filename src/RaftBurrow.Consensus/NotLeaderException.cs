namespace RaftBurrow.Consensus;

/// <summary>
/// This node does not lead the partition (or lost leadership while a proposal was in flight, in
/// which case the entry may still commit: retry with the same request id, dedup makes it safe).
/// </summary>
public sealed class NotLeaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NotLeaderException(int partition, Exception? inner = null)
        : base($"This node does not lead partition {partition}.", inner) => Partition = partition;

    /// <summary>Creates the exception.</summary>
    public NotLeaderException() : this(-1) { }

    /// <summary>Creates the exception.</summary>
    public NotLeaderException(string message) : base(message) => Partition = -1;

    /// <summary>Creates the exception.</summary>
    public NotLeaderException(string message, Exception inner) : base(message, inner) => Partition = -1;

    /// <summary>The partition, or -1.</summary>
    public int Partition { get; }
}
