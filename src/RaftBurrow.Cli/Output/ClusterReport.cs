using RaftBurrow.Client.Admin;

namespace RaftBurrow.Cli.Output;

/// <summary>
/// The cluster as every node sees it, merged: one row per node, one entry per partition with each node's
/// replica. Pure (built from the answers), so its table and JSON are testable without a cluster.
/// </summary>
public sealed record ClusterReport
{
    /// <summary>Every node asked or listed.</summary>
    public IReadOnlyList<NodeRow> Nodes { get; init; } = [];

    /// <summary>Partitions 0..P-1.</summary>
    public IReadOnlyList<PartitionRow> Partitions { get; init; } = [];

    /// <summary>P as reported (the largest value any node gave).</summary>
    public int PartitionCount { get; init; }

    /// <summary>Partitions whose replicas disagree on the state hash at the same applied index (must be empty).</summary>
    public IReadOnlyList<int> HashMismatches { get; init; } = [];

    /// <summary>Partitions with no agreed leader.</summary>
    public IReadOnlyList<int> Leaderless { get; init; } = [];

    /// <summary>Merges the answers of every node.</summary>
    public static ClusterReport From(IReadOnlyList<NodeClusterView> views)
    {
        var answered = views.Where(v => v.Status is not null).ToList();
        var members = answered.SelectMany(v => v.Status!.Nodes).GroupBy(n => n.Id).ToDictionary(g => g.Key, g => g.First());
        var partitionCount = answered.Count == 0 ? 0 : answered.Max(v => v.Status!.PartitionCount);
        var partitions = new List<PartitionRow>();
        for (var p = 0; p < partitionCount; p++)
        {
            var replicas = answered
                .Select(v => (Node: v.Status!.NodeId, Replica: v.Status.Partitions.FirstOrDefault(x => x.Partition == p)))
                .Where(x => x.Replica is not null)
                .ToList();
            var maxCommit = replicas.Count == 0 ? 0 : replicas.Max(x => x.Replica!.CommitIndex);
            var leaders = replicas.Where(x => x.Replica!.Role == "leader").Select(x => x.Node).ToList();

            // The leader is the replica that says it leads in the highest term; else what most followers believe.
            int? leader = leaders.Count > 0
                ? replicas.Where(x => x.Replica!.Role == "leader").OrderByDescending(x => x.Replica!.Term).First().Node
                : replicas.Select(x => x.Replica!.LeaderNodeId).Where(l => l is not null).GroupBy(l => l).OrderByDescending(g => g.Count())
                    .Select(g => g.Key).FirstOrDefault();
            var term = replicas.Count == 0 ? 0 : replicas.Max(x => x.Replica!.Term);
            var mismatch = replicas.GroupBy(x => x.Replica!.AppliedIndex)
                .Any(g => g.Select(x => x.Replica!.StateHash).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1);
            partitions.Add(new PartitionRow
            {
                Partition = p,
                LeaderNodeId = leader,
                Term = term,
                HashMismatch = mismatch,
                Replicas = replicas.OrderBy(x => x.Node).Select(x => new ReplicaRow
                {
                    NodeId = x.Node,
                    Role = x.Replica!.Role,
                    LeaderNodeId = x.Replica.LeaderNodeId,
                    Term = x.Replica.Term,
                    CommitIndex = x.Replica.CommitIndex,
                    AppliedIndex = x.Replica.AppliedIndex,
                    Lag = Math.Max(0, maxCommit - x.Replica.AppliedIndex),
                    StateHash = x.Replica.StateHash,
                }).ToList(),
            });
        }

        var nodes = views.Select(v => new NodeRow
        {
            // A node that did not answer is named by the member whose URL it is, if any.
            NodeId = v.Status?.NodeId ?? members.Values.FirstOrDefault(m => SameUrl(m.HttpUrl, v.Url.ToString()))?.Id,
            Url = v.Url.ToString().TrimEnd('/'),
            Reachable = v.Status is not null,
            Error = v.Error,
            Zone = members.Values.FirstOrDefault(m => m.Id == v.Status?.NodeId || SameUrl(m.HttpUrl, v.Url.ToString()))?.Zone,
            Leads = v.Status is { } st ? partitions.Count(p => p.LeaderNodeId == st.NodeId) : 0,
        }).ToList();

        // Members nobody could reach by URL still get a row (they are listed by the others).
        foreach (var (id, member) in members)
        {
            if (nodes.All(n => n.NodeId != id) && nodes.All(n => !SameUrl(n.Url, member.HttpUrl)))
            {
                nodes.Add(new NodeRow { NodeId = id, Url = member.HttpUrl.TrimEnd('/'), Reachable = false, Error = "not asked", Zone = member.Zone });
            }
        }

        return new ClusterReport
        {
            Nodes = nodes.OrderBy(n => n.NodeId ?? int.MaxValue).ToList(),
            Partitions = partitions,
            PartitionCount = partitionCount,
            HashMismatches = partitions.Where(p => p.HashMismatch).Select(p => p.Partition).ToList(),
            Leaderless = partitions.Where(p => p.LeaderNodeId is null).Select(p => p.Partition).ToList(),
        };
    }

    private static bool SameUrl(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>The human-readable form: a node table, a partition table, and a verdict line.</summary>
    public string ToText()
    {
        var nodes = new TextTable("NODE", "URL", "STATE", "LEADS>", "ZONE");
        foreach (var n in Nodes)
        {
            nodes.Add(n.NodeId is { } id ? Formats.Int(id) : "?", n.Url, n.Reachable ? "up" : "DOWN" + (n.Error is null ? "" : " (" + n.Error + ")"),
                Formats.Int(n.Leads), n.Zone ?? "");
        }

        var parts = new TextTable("PART>", "NODE>", "ROLE", "LEADER>", "TERM>", "COMMIT>", "APPLIED>", "LAG>", "STATE HASH");
        foreach (var p in Partitions)
        {
            foreach (var r in p.Replicas)
            {
                parts.Add(Formats.Int(p.Partition), Formats.Int(r.NodeId), r.Role, r.LeaderNodeId is { } l ? Formats.Int(l) : "-",
                    Formats.Int(r.Term), Formats.Int(r.CommitIndex), Formats.Int(r.AppliedIndex), Formats.Int(r.Lag),
                    (r.StateHash ?? "") + (p.HashMismatch ? " MISMATCH" : ""));
            }
        }

        var up = Nodes.Count(n => n.Reachable);
        if (up == 0)
        {
            return nodes + "\nno node answered\n";
        }

        var verdict = $"{up}/{Nodes.Count} nodes answered, {PartitionCount} partitions";
        verdict += Leaderless.Count == 0 ? ", every partition has a leader" : ", NO LEADER: partitions " + string.Join(",", Leaderless);
        verdict += HashMismatches.Count == 0 ? "" : ", STATE HASH MISMATCH: partitions " + string.Join(",", HashMismatches);
        return nodes + "\n" + parts + "\n" + verdict + "\n";
    }
}

/// <summary>A node in <see cref="ClusterReport"/>.</summary>
public sealed record NodeRow
{
    /// <summary>Node id, if it answered or is listed.</summary>
    public int? NodeId { get; init; }

    /// <summary>Its URL.</summary>
    public string Url { get; init; } = "";

    /// <summary>Whether it answered.</summary>
    public bool Reachable { get; init; }

    /// <summary>Why not.</summary>
    public string? Error { get; init; }

    /// <summary>Zone.</summary>
    public string? Zone { get; init; }

    /// <summary>How many partitions it leads.</summary>
    public int Leads { get; init; }
}

/// <summary>A partition in <see cref="ClusterReport"/>.</summary>
public sealed record PartitionRow
{
    /// <summary>Partition number.</summary>
    public int Partition { get; init; }

    /// <summary>Agreed leader, or null.</summary>
    public int? LeaderNodeId { get; init; }

    /// <summary>Highest term any replica reported.</summary>
    public long Term { get; init; }

    /// <summary>Replicas at the same applied index disagree on the state hash.</summary>
    public bool HashMismatch { get; init; }

    /// <summary>Each answering node's replica.</summary>
    public IReadOnlyList<ReplicaRow> Replicas { get; init; } = [];
}

/// <summary>One node's replica of a partition.</summary>
public sealed record ReplicaRow
{
    /// <summary>Node id.</summary>
    public int NodeId { get; init; }

    /// <summary>Raft role.</summary>
    public string Role { get; init; } = "";

    /// <summary>Leader it believes in.</summary>
    public int? LeaderNodeId { get; init; }

    /// <summary>Term.</summary>
    public long Term { get; init; }

    /// <summary>Commit index.</summary>
    public long CommitIndex { get; init; }

    /// <summary>Applied index.</summary>
    public long AppliedIndex { get; init; }

    /// <summary>Highest commit index of any replica of this partition minus this replica's applied index.</summary>
    public long Lag { get; init; }

    /// <summary>State hash.</summary>
    public string? StateHash { get; init; }
}
