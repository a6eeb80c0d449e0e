using RaftBurrow.Jepsen.Cluster;

namespace RaftBurrow.Jepsen.Nemesis;

/// <summary>Target choices for process faults: one random node, a partition's leader, or a majority.</summary>
public static class Targets
{
    /// <summary>Modes of <see cref="PickAsync"/>.</summary>
    public static readonly IReadOnlyList<string> Modes = ["one", "leader", "majority"];

    /// <summary>One random node.</summary>
    public static IReadOnlyList<int> One(IReadOnlyList<int> nodes, Random rng) => [nodes[rng.Next(nodes.Count)]];

    /// <summary>⌊n/2⌋+1 distinct random nodes, sorted.</summary>
    public static IReadOnlyList<int> Majority(IReadOnlyList<int> nodes, Random rng) =>
        nodes.OrderBy(_ => rng.Next()).Take((nodes.Count / 2) + 1).Order().ToList();

    /// <summary>Chooses targets for <paramref name="mode"/> (random mode when null).</summary>
    public static async Task<(IReadOnlyList<int> Nodes, string Detail)> PickAsync(string? mode, IClusterControl cluster, Random rng, CancellationToken ct)
    {
        mode ??= Modes[rng.Next(Modes.Count)];
        switch (mode)
        {
            case "majority":
                return (Majority(cluster.NodeIds, rng), "majority");
            case "leader":
                var p = rng.Next(cluster.Partitions);
                var leader = await cluster.LeaderOfAsync(p, ct);
                return leader is { } l ? ([l], $"leader of p{p}") : (One(cluster.NodeIds, rng), $"random (no leader known for p{p})");
            default:
                return (One(cluster.NodeIds, rng), "random node");
        }
    }
}
