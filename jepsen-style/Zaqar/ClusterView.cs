using System.Text.Json;

namespace RaftBurrow.Jepsen.Zaqar;

/// <summary>One partition as a node sees it in GET /admin/cluster (docs/configuration.md).</summary>
public sealed class PartitionView
{
    /// <summary>Partition number.</summary>
    public int Partition { get; init; }
    /// <summary>leader, follower, candidate or standby.</summary>
    public string? Role { get; init; }
    /// <summary>Leader's node id, null when unknown.</summary>
    public int? LeaderNodeId { get; init; }
    /// <summary>Raft term.</summary>
    public long Term { get; init; }
    /// <summary>Commit index.</summary>
    public long CommitIndex { get; init; }
    /// <summary>Applied index.</summary>
    public long AppliedIndex { get; init; }
    /// <summary>State hash, 16 hex digits.</summary>
    public string? StateHash { get; init; }
}

/// <summary>A node's view of the cluster (GET /admin/cluster).</summary>
public sealed class ClusterView
{
    /// <summary>Answering node.</summary>
    public int NodeId { get; init; }
    /// <summary>P.</summary>
    public int PartitionCount { get; init; }
    /// <summary>Partitions as this node sees them.</summary>
    public List<PartitionView> Partitions { get; init; } = [];

    /// <summary>True when this node knows a leader for all <paramref name="partitions"/> partitions.</summary>
    public bool HasAllLeaders(int partitions) =>
        Partitions.Count >= partitions && Partitions.All(p => p.LeaderNodeId is > 0);

    /// <summary>Parses the admin JSON (camelCase, unknown fields ignored).</summary>
    public static ClusterView Parse(string json) =>
        JsonSerializer.Deserialize<ClusterView>(json, History.HistoryFile.Json) ?? throw new FormatException("empty /admin/cluster body");
}

/// <summary>A node's cluster view captured at a time (ms since run start).</summary>
/// <param name="TimeMs">When it was taken.</param>
/// <param name="Node">Node asked.</param>
/// <param name="View">Its answer.</param>
public sealed record ClusterSample(double TimeMs, int Node, ClusterView View);
