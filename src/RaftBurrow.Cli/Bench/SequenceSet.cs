using System.Numerics;

namespace RaftBurrow.Cli.Bench;

/// <summary>A growable set of non-negative sequence numbers (one bit each). Not thread-safe.</summary>
public sealed class SequenceSet
{
    private ulong[] words = new ulong[16];

    /// <summary>Adds <paramref name="value"/>; returns false if it was already present.</summary>
    public bool Add(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var w = (int)(value >> 6);
        if (w >= words.Length)
        {
            Array.Resize(ref words, Math.Max(w + 1, words.Length * 2));
        }

        var bit = 1UL << (int)(value & 63);
        if ((words[w] & bit) != 0)
        {
            return false;
        }

        words[w] |= bit;
        return true;
    }

    /// <summary>Whether <paramref name="value"/> is present.</summary>
    public bool Contains(long value)
    {
        var w = value >> 6;
        return value >= 0 && w < words.Length && (words[w] & (1UL << (int)(value & 63))) != 0;
    }

    /// <summary>Number of members.</summary>
    public long Count => words.Sum(x => (long)BitOperations.PopCount(x));

    /// <summary>Members of this set that are not in <paramref name="other"/>.</summary>
    public long CountExcept(SequenceSet other)
    {
        long n = 0;
        for (var i = 0; i < words.Length; i++)
        {
            var o = i < other.words.Length ? other.words[i] : 0;
            n += BitOperations.PopCount(words[i] & ~o);
        }

        return n;
    }
}
