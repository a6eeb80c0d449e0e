using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// Convergence: replicas that applied the same prefix of a partition's log hold the same state.
/// Any two samples (any nodes, any times) of a partition at the same applied index must report the
/// same state hash — otherwise the state machine is not deterministic or the logs diverged. And after
/// the heal, the last sample of every node must show every partition at one applied index (else the
/// verdict is unknown: a replica lagging is not proven unsafe).
/// </summary>
public sealed class ConvergenceChecker
{
    /// <summary>Checker name.</summary>
    public const string Name = "convergence";

    /// <summary>Checks samples from <paramref name="nodes"/> nodes taken after the heal.</summary>
    public static CheckResult Check(IReadOnlyList<ClusterSample> samples, int nodes)
    {
        if (samples.Count == 0)
        {
            var none = new CheckResult { Name = Name };
            none.Undecided("no /admin/cluster samples were collected");
            return none;
        }

        var result = new CheckResult { Name = Name };
        result.Add("samples", samples.Count);
        var byPartitionIndex = new Dictionary<(int Partition, long Index), (string Hash, ClusterSample First)>();
        foreach (var s in samples)
        {
            foreach (var p in s.View.Partitions.Where(p => !string.IsNullOrEmpty(p.StateHash)))
            {
                var key = (p.Partition, p.AppliedIndex);
                if (!byPartitionIndex.TryGetValue(key, out var seen))
                {
                    byPartitionIndex[key] = (p.StateHash!, s);
                }
                else if (!string.Equals(seen.Hash, p.StateHash, StringComparison.OrdinalIgnoreCase))
                {
                    result.Anomaly("divergent", $"partition {p.Partition} at applied index {p.AppliedIndex}: node {seen.First.Node} has {seen.Hash}, node {s.Node} has {p.StateHash} ({s.TimeMs:F0}ms)");
                }
            }
        }

        var latest = samples.GroupBy(s => s.Node).Select(g => g.OrderBy(s => s.TimeMs).Last()).ToList();
        if (latest.Count < nodes)
        {
            result.Undecided($"only {latest.Count} of {nodes} nodes answered /admin/cluster");
        }

        var partitions = latest.SelectMany(s => s.View.Partitions.Select(p => p.Partition)).Distinct().Order().ToList();
        foreach (var partition in partitions)
        {
            var finals = latest.Select(s => (s.Node, P: s.View.Partitions.FirstOrDefault(p => p.Partition == partition))).ToList();
            var indexes = finals.Where(f => f.P is not null).Select(f => f.P!.AppliedIndex).Distinct().ToList();
            var hashes = finals.Where(f => f.P is not null).Select(f => f.P!.StateHash ?? "").Distinct(StringComparer.OrdinalIgnoreCase).Count();
            if (indexes.Count == 1 && finals.All(f => f.P is not null) && hashes > 1)
            {
                // Same index, different states at the end: already an anomaly above.
                result.Add("partitions-diverged");
            }
            else if (indexes.Count == 1 && finals.All(f => f.P is not null))
            {
                result.Add("partitions-converged");
            }
            else
            {
                result.Add("partitions-not-converged");
                result.Undecided($"partition {partition}: final applied indexes differ: {string.Join(", ", finals.Select(f => $"n{f.Node}={f.P?.AppliedIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}"))}");
            }
        }

        return result;
    }

    /// <summary>True when the latest samples of all nodes agree on index and hash for every partition.</summary>
    public static bool Converged(IReadOnlyList<ClusterSample> latestPerNode, int nodes)
    {
        if (latestPerNode.Select(s => s.Node).Distinct().Count() < nodes)
        {
            return false;
        }

        var partitions = latestPerNode.SelectMany(s => s.View.Partitions.Select(p => p.Partition)).Distinct();
        return partitions.All(partition =>
        {
            var ps = latestPerNode.Select(s => s.View.Partitions.FirstOrDefault(p => p.Partition == partition)).ToList();
            return ps.All(p => p is not null)
                && ps.Select(p => p!.AppliedIndex).Distinct().Count() == 1
                && ps.Select(p => p!.StateHash ?? "").Distinct(StringComparer.OrdinalIgnoreCase).Count() == 1;
        });
    }
}
