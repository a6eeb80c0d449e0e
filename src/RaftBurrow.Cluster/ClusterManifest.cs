using System.Text.Json;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster;

/// <summary>
/// <c>&lt;DataDir&gt;/cluster.json</c>: what this data directory was created with. The partition
/// count is fixed at creation (queues hash onto it); starting with another count is refused.
/// </summary>
public sealed record ClusterManifest
{
    /// <summary>Format version of this file.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The node that owns this data directory.</summary>
    public int NodeId { get; init; }

    /// <summary>P.</summary>
    public int Partitions { get; init; }

    /// <summary>The members at the last start (informational).</summary>
    public IReadOnlyList<ClusterMember> Members { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Creates the manifest on first start; on later starts checks that P and the node id match.</summary>
    /// <exception cref="InvalidOperationException">The data directory belongs to another configuration.</exception>
    public static ClusterManifest CheckOrCreate(RaftNodeOptions options)
    {
        var dir = Directory.CreateDirectory(Path.GetFullPath(options.DataDir));
        var path = Path.Combine(dir.FullName, "cluster.json");
        if (File.Exists(path))
        {
            var existing = JsonSerializer.Deserialize<ClusterManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidOperationException($"{path} is empty.");
            if (existing.Version != 1)
                throw new InvalidOperationException($"{path} has version {existing.Version}; this build reads version 1.");
            if (existing.Partitions != options.Partitions)
                throw new InvalidOperationException(
                    $"{path} says the cluster has {existing.Partitions} partitions but RaftBurrow:Partitions is {options.Partitions}; " +
                    "the partition count is fixed when a cluster is created (changing it needs a migration).");
            if (existing.NodeId != options.NodeId)
                throw new InvalidOperationException($"{path} belongs to node {existing.NodeId}, not node {options.NodeId}.");
        }
        var manifest = new ClusterManifest { NodeId = options.NodeId, Partitions = options.Partitions, Members = options.EffectiveMembers() };
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(manifest, Json));
        File.Move(temp, path, overwrite: true);
        return manifest;
    }
}
