using System.IO.Hashing;
using System.Text;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.StateMachine;

/// <summary>
/// Maps a queue to its partition with a stable 64-bit hash (XxHash64 of
/// <c>space + ":" + project + "/" + queue</c> in UTF-8), identical in every process and on every
/// machine. Never <see cref="string.GetHashCode()"/>, which is randomized per process.
/// </summary>
public static class Partitioner
{
    /// <summary>The partition of a queue among <paramref name="partitionCount"/>.</summary>
    public static int PartitionOf(QueueSpace space, string project, string queue, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        var key = (space == QueueSpace.Zaqar ? "z:" : "b:") + project + "/" + queue;
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key));
        return (int)(hash % (ulong)partitionCount);
    }
}
