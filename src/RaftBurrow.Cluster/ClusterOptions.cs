namespace RaftBurrow.Cluster;

/// <summary>
/// Request-path settings of the cluster layer, bound from the <c>RaftBurrow</c> section next to the
/// consensus settings (<see cref="Consensus.RaftNodeOptions"/>).
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>How long a request may wait for a leader and a commit before it fails with 503, ms.</summary>
    public int RequestTimeoutMs { get; set; } = 5000;

    /// <summary>Seconds suggested to clients in Retry-After when no leader answered in time.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Whether the leader balancer runs.</summary>
    public bool BalancerEnabled { get; set; } = true;

    /// <summary>How often the balancer looks at the leader spread, ms (jittered ±25%).</summary>
    public int BalancerIntervalMs { get; set; } = 2000;
}
