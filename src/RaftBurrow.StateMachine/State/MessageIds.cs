namespace RaftBurrow.StateMachine.State;

/// <summary>
/// Ids handed out by a partition: 24 lowercase hex digits = 8 for the partition id and 16 for the
/// partition-wide sequence. They are derived from the log (the sequence is replicated state), so
/// every replica hands out the same ids, and they never repeat (the sequence survives snapshots).
/// </summary>
internal static class MessageIds
{
    public const int Length = 24;

    public static string Format(int partitionId, long seq) =>
        string.Create(Length, (partitionId, seq), static (span, state) =>
        {
            ((uint)state.partitionId).TryFormat(span, out _, "x8");
            ((ulong)state.seq).TryFormat(span[8..], out _, "x16");
        });

    /// <summary>The sequence of an id this partition handed out, or -1 for anything else.</summary>
    public static long Parse(int partitionId, string? id)
    {
        if (id is null || id.Length != Length)
            return -1;
        ulong value = 0;
        for (var i = 0; i < Length; i++)
        {
            var c = id[i];
            int digit;
            if (c is >= '0' and <= '9')
                digit = c - '0';
            else if (c is >= 'a' and <= 'f')
                digit = c - 'a' + 10;
            else
                return -1;
            if (i == 8)
            {
                if (value != (uint)partitionId)
                    return -1;
                value = 0;
            }
            value = (value << 4) | (uint)digit;
        }
        return value > long.MaxValue ? -1 : (long)value;
    }
}
