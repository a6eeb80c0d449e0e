using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Cluster;

/// <summary>What nemeses may do to the cluster. Implemented by <see cref="LocalCluster"/> (and fakes in tests).</summary>
public interface IClusterControl
{
    /// <summary>All node ids.</summary>
    IReadOnlyList<int> NodeIds { get; }

    /// <summary>Partition count P.</summary>
    int Partitions { get; }

    /// <summary>Node specs (addresses and ports).</summary>
    IReadOnlyList<NodeSpec> Specs { get; }

    /// <summary>Relative cgroup path of a node, when the cluster runs in per-node cgroups.</summary>
    string? CgroupPath(int node);

    /// <summary>kill -9 a node (no-op when it is down).</summary>
    void Kill(int node);

    /// <summary>(Re)starts a node, optionally with a new clock offset; kills it first if running.</summary>
    void Restart(int node, long? clockOffsetMs = null);

    /// <summary>
    /// kill -9 a node and empties its data directory; from then on it starts as a joining node
    /// (the membership nemesis: a removed node comes back as a new replica).
    /// </summary>
    void KillAndWipe(int node);

    /// <summary>Sends an admin request with a JSON body (or none); returns the status (null: no answer) and the body.</summary>
    Task<(int? Status, string Body)> AdminSendAsync(int node, HttpMethod method, string pathAndQuery, string? json, TimeSpan timeout, CancellationToken ct);

    /// <summary>Current clock offset of a node.</summary>
    long ClockOffsetMs(int node);

    /// <summary>True when the node process is running.</summary>
    bool IsUp(int node);

    /// <summary>SIGSTOP.</summary>
    void Pause(int node);

    /// <summary>SIGCONT.</summary>
    void Resume(int node);

    /// <summary>Nodes currently stopped with SIGSTOP.</summary>
    IReadOnlyCollection<int> Paused { get; }

    /// <summary>The node that claims leadership of <paramref name="partition"/> with the highest term, if any answers.</summary>
    Task<int?> LeaderOfAsync(int partition, CancellationToken ct);
}
