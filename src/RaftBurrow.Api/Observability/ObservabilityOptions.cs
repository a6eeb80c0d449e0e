namespace RaftBurrow.Api.Observability;

/// <summary>Settings of /metrics, /readyz and the request log (section <c>RaftBurrow:Observability</c>).</summary>
public sealed class ObservabilityOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "RaftBurrow:Observability";

    /// <summary>How long /readyz waits for a read on every partition before answering 503.</summary>
    public int ReadyTimeoutMs { get; set; } = 2000;

    /// <summary>Deadline of the scrape-time queue depth collection; past it the gauges keep their last values.</summary>
    public int DepthTimeoutMs { get; set; } = 2000;

    /// <summary>Least time between two depth collections: scrapes closer together reuse the last values.</summary>
    public int DepthMinIntervalMs { get; set; } = 1000;

    /// <summary>
    /// Zaqar projects the depth collection visits first (within <see cref="MaxQueuesPerPartition"/>) and
    /// gives a project series before any other (within <see cref="MaxProjectSeries"/>). Projects seen in
    /// requests to this node (X-Project-ID) are added as they come, up to <see cref="MaxTrackedProjects"/>.
    /// Every other project is counted too, after these.
    /// </summary>
    public IList<string> Projects { get; } = [];

    /// <summary>Most projects the depth collector tracks (configured ones included).</summary>
    public int MaxTrackedProjects { get; set; } = 64;

    /// <summary>
    /// Most projects exported with series of their own (<c>raftburrow_project_queue_depth</c>,
    /// <c>raftburrow_project_claimed_messages</c>): tracked projects first, then the deepest. 0 = none.
    /// Bounds the series count, as project names come from clients.
    /// </summary>
    public int MaxProjectSeries { get; set; } = 20;

    /// <summary>Most queues one partition's depth collection visits per scrape (bounds the time under its read lock).</summary>
    public int MaxQueuesPerPartition { get; set; } = 2000;
}
