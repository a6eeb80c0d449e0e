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
            // Hand-rolled: general number formatting showed up in the apply profile.
            var value = (ulong)state.seq;
            for (var i = Length - 1; i >= 8; i--, value >>= 4)
                span[i] = Hex[(int)(value & 0xf)];
            var partition = (uint)state.partitionId;
            for (var i = 7; i >= 0; i--, partition >>= 4)
                span[i] = Hex[(int)(partition & 0xf)];
        });

    private const string Hex = "0123456789abcdef";

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
