namespace RaftBurrow.Consensus;

/// <summary>
/// When a partition snapshots (docs/replication.md): when the command bytes applied since the last
/// snapshot reach max(<see cref="MinLogBytes"/>, last snapshot size × <see cref="LogBytesFactor"/>),
/// so the serializing work stays proportional to the bytes written however large the state grows,
/// or after <see cref="EveryEntries"/> entries (the bound for small entries), whichever comes first.
/// </summary>
/// <param name="EveryEntries">Upper bound in log entries.</param>
/// <param name="MinLogBytes">Floor of the byte trigger.</param>
/// <param name="LogBytesFactor">Multiple of the last snapshot's size that the byte trigger waits for.</param>
internal readonly record struct SnapshotPolicy(int EveryEntries, long MinLogBytes, double LogBytesFactor)
{
    /// <summary>Log bytes after which a snapshot is due, given the last snapshot's size.</summary>
    public long LogBytesThreshold(long lastSnapshotBytes) =>
        Math.Max(MinLogBytes, (long)Math.Min(long.MaxValue / 2, lastSnapshotBytes * LogBytesFactor));

    /// <summary>Whether a snapshot is due after <paramref name="entries"/> entries and <paramref name="logBytes"/> bytes.</summary>
    public bool IsDue(long entries, long logBytes, long lastSnapshotBytes) =>
        entries >= EveryEntries || logBytes >= LogBytesThreshold(lastSnapshotBytes);
}
