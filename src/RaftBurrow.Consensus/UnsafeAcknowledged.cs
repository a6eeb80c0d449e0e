namespace RaftBurrow.Consensus;

/// <summary>
/// What <see cref="RaftPartition.ProposeAsync"/> returns under the deliberately unsafe
/// <c>FaultInjection:UnsafeAckBeforeCommit</c>: the entry was handed to the local log but nobody
/// waited for a majority or for its result. The caller invents a plausible answer.
/// </summary>
public sealed class UnsafeAcknowledged
{
    /// <summary>The only instance.</summary>
    public static UnsafeAcknowledged Instance { get; } = new();

    private UnsafeAcknowledged()
    {
    }
}
