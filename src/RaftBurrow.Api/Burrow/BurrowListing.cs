using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

/// <summary>An account or queue found on one or more partitions, with the partitions that hold it.</summary>
internal sealed record BurrowName(string Name, long CreatedMs, int Partition, long CreatedIndex, IReadOnlyList<int> Partitions);

/// <summary>
/// Cluster-wide listings of accounts and queues: per-partition answers merged into one creation
/// order. Order key: the replicated creation time, then partition, then the creation log index
/// (both consistent with creation order within a partition), then the name — so every node
/// computes the same order from the same state and markers page consistently.
/// </summary>
internal static class BurrowListing
{
    /// <summary>Merges per-partition name lists (index = partition). A name on several partitions
    /// (an account) is placed by its earliest creation and remembers every partition holding it.</summary>
    public static List<BurrowName> Merge(IReadOnlyList<IReadOnlyList<BurrowNameView>> perPartition)
    {
        var byName = new Dictionary<string, (BurrowNameView First, int Partition, List<int> Partitions)>(StringComparer.Ordinal);
        for (var partition = 0; partition < perPartition.Count; partition++)
        {
            foreach (var view in perPartition[partition])
            {
                if (!byName.TryGetValue(view.Name, out var entry))
                {
                    byName[view.Name] = (view, partition, [partition]);
                    continue;
                }

                entry.Partitions.Add(partition);
                if (Compare(view.CreatedMs, partition, view.CreatedIndex, entry.First.CreatedMs, entry.Partition, entry.First.CreatedIndex) < 0)
                    byName[view.Name] = (view, partition, entry.Partitions);
            }
        }

        var merged = byName.Values
            .Select(e => new BurrowName(e.First.Name, e.First.CreatedMs, e.Partition, e.First.CreatedIndex, e.Partitions))
            .ToList();
        merged.Sort((x, y) =>
        {
            var c = Compare(x.CreatedMs, x.Partition, x.CreatedIndex, y.CreatedMs, y.Partition, y.CreatedIndex);
            return c != 0 ? c : string.CompareOrdinal(x.Name, y.Name);
        });
        return merged;
    }

    /// <summary>The items after <paramref name="marker"/> (from the start when it is absent or unknown), at most <paramref name="limit"/>.</summary>
    public static List<T> Select<T>(IReadOnlyList<T> items, Func<T, string> name, string? marker, int? limit)
    {
        var start = 0;
        if (marker is not null)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (string.Equals(name(items[i]), marker, StringComparison.Ordinal))
                {
                    start = i + 1;
                    break;
                }
            }
        }

        return items.Skip(start).Take(limit ?? int.MaxValue).ToList();
    }

    private static int Compare(long createdMsX, int partitionX, long indexX, long createdMsY, int partitionY, long indexY)
    {
        var c = createdMsX.CompareTo(createdMsY);
        if (c != 0)
            return c;
        c = partitionX.CompareTo(partitionY);
        return c != 0 ? c : indexX.CompareTo(indexY);
    }
}
