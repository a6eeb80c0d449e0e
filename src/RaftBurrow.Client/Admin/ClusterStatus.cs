using System.Text.Json.Serialization;

namespace RaftBurrow.Client.Admin;

/// <summary>One node's view of the cluster: <c>GET /admin/cluster</c> (docs/configuration.md).</summary>
public sealed record ClusterStatus
{
    /// <summary>The answering node's id.</summary>
    [JsonPropertyName("nodeId")] public int NodeId { get; init; }

    /// <summary>Number of partitions P.</summary>
    [JsonPropertyName("partitionCount")] public int PartitionCount { get; init; }

    /// <summary>Every member, the answering node included.</summary>
    [JsonPropertyName("nodes")] public IReadOnlyList<ClusterNode> Nodes { get; init; } = [];

    /// <summary>The answering node's replica of each partition.</summary>
    [JsonPropertyName("partitions")] public IReadOnlyList<PartitionStatus> Partitions { get; init; } = [];
}

/// <summary>A cluster member.</summary>
public sealed record ClusterNode
{
    /// <summary>Node id (1-based).</summary>
    [JsonPropertyName("id")] public int Id { get; init; }

    /// <summary>Where it serves REST.</summary>
    [JsonPropertyName("httpUrl")] public string HttpUrl { get; init; } = "";

    /// <summary>IP address or DNS host name its Raft groups bind to.</summary>
    [JsonPropertyName("raftAddress")] public string? RaftAddress { get; init; }

    /// <summary>Partition p listens on RaftBasePort + p.</summary>
    [JsonPropertyName("raftBasePort")] public int? RaftBasePort { get; init; }

    /// <summary>Failure zone, if configured.</summary>
    [JsonPropertyName("zone")] public string? Zone { get; init; }
}

/// <summary>One replica of one partition, as its node sees it.</summary>
public sealed record PartitionStatus
{
    /// <summary>Partition number, 0..P-1.</summary>
    [JsonPropertyName("partition")] public int Partition { get; init; }

    /// <summary><c>leader</c>, <c>follower</c>, <c>candidate</c> or <c>standby</c>.</summary>
    [JsonPropertyName("role")] public string Role { get; init; } = "";

    /// <summary>Known leader's node id, or null when unknown.</summary>
    [JsonPropertyName("leaderNodeId")] public int? LeaderNodeId { get; init; }

    /// <summary>Raft term.</summary>
    [JsonPropertyName("term")] public long Term { get; init; }

    /// <summary>Highest log index known committed.</summary>
    [JsonPropertyName("commitIndex")] public long CommitIndex { get; init; }

    /// <summary>Highest log index applied to the state machine.</summary>
    [JsonPropertyName("appliedIndex")] public long AppliedIndex { get; init; }

    /// <summary>State hash (16 hex digits): replicas at the same applied index must agree.</summary>
    [JsonPropertyName("stateHash")] public string? StateHash { get; init; }
}

/// <summary>The answer of one node to <c>GET /admin/cluster</c>, or why there was none.</summary>
/// <param name="Url">The node's base URL.</param>
/// <param name="Status">Its view, or null on error.</param>
/// <param name="Error">What went wrong, or null.</param>
public sealed record NodeClusterView(Uri Url, ClusterStatus? Status, string? Error);

/// <summary>Body of <c>POST /admin/nodes</c> (same fields as <see cref="ClusterNode"/>).</summary>
public sealed record AddNodeRequest
{
    /// <summary>New node id.</summary>
    [JsonPropertyName("id")] public int Id { get; init; }

    /// <summary>Its REST URL.</summary>
    [JsonPropertyName("httpUrl")] public string HttpUrl { get; init; } = "";

    /// <summary>Its Raft bind address.</summary>
    [JsonPropertyName("raftAddress")] public string? RaftAddress { get; init; }

    /// <summary>Its Raft base port.</summary>
    [JsonPropertyName("raftBasePort")] public int? RaftBasePort { get; init; }

    /// <summary>Its zone.</summary>
    [JsonPropertyName("zone")] public string? Zone { get; init; }
}
