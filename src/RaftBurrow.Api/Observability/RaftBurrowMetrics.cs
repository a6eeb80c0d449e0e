using System.Globalization;
using Prometheus;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// Every <c>raftburrow_*</c> metric, on prometheus-net's default registry (exported at <c>/metrics</c>).
/// The HTTP edge and the depth collector feed some of them; the rest come from the consensus and
/// cluster layers' <c>RaftBurrow.Consensus</c> meter through <see cref="MeterBridge"/> (this class has
/// no dependency on those layers, so the arrow still points Api ← Cluster).
/// </summary>
/// <remarks>
/// Threading: every member is safe to call from any thread; prometheus-net children are lock-free.
/// Cardinality: labels are the partition (bounded by P), the HTTP method, the route template (never
/// the raw path) and the status code.
/// </remarks>
public static class RaftBurrowMetrics
{
    // First field on purpose (initializers run in order): before any metric exists, drop prometheus-net's
    // System.Diagnostics.Metrics bridge. It re-exports every Meter (HttpClient, Kestrel) with per-peer-port
    // labels and duplicates the HTTP series below; process and runtime metrics stay.
    private static readonly bool DefaultsConfigured = ConfigureDefaults();

    // Partition labels as cached strings so hot paths (every proposal) do not format integers.
    private static readonly string[] PartitionLabels = Enumerable.Range(0, 256).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();

    // Latency buckets from 0.25 ms to ~8 s: commits on loopback take well under 1 ms, a stalled leader seconds.
    private static readonly double[] LatencyBucketsSeconds = Histogram.ExponentialBuckets(0.00025, 2, 16);

    /// <summary>HTTP requests by method, route template and status code.</summary>
    public static readonly Counter HttpRequests = Metrics.CreateCounter(
        "raftburrow_http_requests_total", "HTTP requests served, by method, route template and status code.",
        new CounterConfiguration { LabelNames = ["method", "route", "status"] });

    /// <summary>HTTP request latency by method and route template.</summary>
    public static readonly Histogram HttpRequestDuration = Metrics.CreateHistogram(
        "raftburrow_http_request_duration_seconds", "Time from the request reaching the middleware to the response completing.",
        new HistogramConfiguration { LabelNames = ["method", "route"], Buckets = LatencyBucketsSeconds });

    /// <summary>Commands proposed to a partition's Raft log by this node.</summary>
    public static readonly Counter Proposals = Metrics.CreateCounter(
        "raftburrow_proposals_total", "Commands this node proposed to a partition's Raft log (as leader).",
        new CounterConfiguration { LabelNames = ["partition"] });

    /// <summary>Time from proposing an entry to its commit on a majority.</summary>
    public static readonly Histogram CommitLatency = Metrics.CreateHistogram(
        "raftburrow_commit_latency_seconds", "Time from proposal to commit on a majority.",
        new HistogramConfiguration { LabelNames = ["partition"], Buckets = LatencyBucketsSeconds });

    /// <summary>Time to apply one committed entry to the state machine.</summary>
    public static readonly Histogram ApplyLatency = Metrics.CreateHistogram(
        "raftburrow_apply_latency_seconds", "Time to apply a committed entry to the partition's state machine.",
        new HistogramConfiguration { LabelNames = ["partition"], Buckets = LatencyBucketsSeconds });

    /// <summary>Requests this node forwarded to another node (the partition's leader).</summary>
    public static readonly Counter ForwardedRequests = Metrics.CreateCounter(
        "raftburrow_forwarded_requests_total", "Commands this node forwarded to the partition's leader on another node.",
        new CounterConfiguration { LabelNames = ["partition"] });

    /// <summary>A follower's flush (msync + checkpoint) of received entries before it acknowledges them.</summary>
    public static readonly Histogram FollowerFlush = Metrics.CreateHistogram(
        "raftburrow_follower_flush_seconds", "Follower: flush and checkpoint of the entries of one received append before acknowledging it.",
        new HistogramConfiguration { LabelNames = ["partition"], Buckets = LatencyBucketsSeconds });

    /// <summary>A follower's write of the entries of one received append into its WAL (before the flush).</summary>
    public static readonly Histogram FollowerAppend = Metrics.CreateHistogram(
        "raftburrow_follower_append_seconds", "Follower: writing the entries of one received append into the WAL, before the flush.",
        new HistogramConfiguration { LabelNames = ["partition"], Buckets = LatencyBucketsSeconds });

    /// <summary>Entries per append a follower received (heartbeats without entries are not counted).</summary>
    public static readonly Histogram FollowerAppendEntries = Metrics.CreateHistogram(
        "raftburrow_follower_append_entries", "Entries per append a follower received from its leader.",
        new HistogramConfiguration { LabelNames = ["partition"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128] });

    /// <summary>Internal requests that carried forwarded commands (batched forwarding).</summary>
    public static readonly Counter ForwardBatches = Metrics.CreateCounter(
        "raftburrow_forward_batches_total", "Internal requests this node sent to carry forwarded commands (forwarded_requests / forward_batches = commands per request).",
        new CounterConfiguration { LabelNames = ["partition"] });

    /// <summary>Leader changes this node observed.</summary>
    public static readonly Counter LeaderChanges = Metrics.CreateCounter(
        "raftburrow_leader_changes_total", "Leader changes this node observed, per partition.",
        new CounterConfiguration { LabelNames = ["partition"] });

    /// <summary>Messages in a partition's Zaqar queues (free and claimed), as of the last scrape.</summary>
    public static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "raftburrow_queue_depth", "Live messages (free and claimed) in the partition's Zaqar queues, as of the last scrape.",
        new GaugeConfiguration { LabelNames = ["partition"] });

    /// <summary>Claimed messages in a partition's Zaqar queues, as of the last scrape.</summary>
    public static readonly Gauge ClaimedMessages = Metrics.CreateGauge(
        "raftburrow_claimed_messages", "Messages under a live claim in the partition's Zaqar queues, as of the last scrape.",
        new GaugeConfiguration { LabelNames = ["partition"] });

    /// <summary>Zaqar queues counted in a partition by the last scrape.</summary>
    public static readonly Gauge Queues = Metrics.CreateGauge(
        "raftburrow_queues", "Zaqar queues in the partition counted by the last scrape.",
        new GaugeConfiguration { LabelNames = ["partition"] });

    /// <summary>Messages in a project's Zaqar queues over all partitions, for at most MaxProjectSeries projects.</summary>
    public static readonly Gauge ProjectQueueDepth = Metrics.CreateGauge(
        "raftburrow_project_queue_depth", "Live messages (free and claimed) in the project's Zaqar queues over all partitions, as of the last scrape (at most MaxProjectSeries projects: tracked ones, then the deepest).",
        new GaugeConfiguration { LabelNames = ["project"] });

    /// <summary>Claimed messages in a project's Zaqar queues over all partitions, for the same projects as <see cref="ProjectQueueDepth"/>.</summary>
    public static readonly Gauge ProjectClaimedMessages = Metrics.CreateGauge(
        "raftburrow_project_claimed_messages", "Messages under a live claim in the project's Zaqar queues over all partitions, as of the last scrape (same projects as raftburrow_project_queue_depth).",
        new GaugeConfiguration { LabelNames = ["project"] });

    /// <summary>Projects with Zaqar queues counted by the last scrape (with or without a series of their own).</summary>
    public static readonly Gauge ProjectsWithQueues = Metrics.CreateGauge(
        "raftburrow_projects", "Projects with Zaqar queues counted by the last scrape (with or without a raftburrow_project_* series).");

    /// <summary>Scrape-time depth collections that failed or hit their deadline (the gauges keep their last values).</summary>
    public static readonly Counter DepthCollectionFailures = Metrics.CreateCounter(
        "raftburrow_depth_collection_failures_total", "Scrape-time queue depth collections that failed or timed out (gauges keep their last values).");

    /// <summary>Size of a partition's latest snapshot.</summary>
    public static readonly Gauge SnapshotBytes = Metrics.CreateGauge(
        "raftburrow_snapshot_bytes", "Size of the partition's latest snapshot in bytes.",
        new GaugeConfiguration { LabelNames = ["partition"] });

    /// <summary>Time taken to write a snapshot.</summary>
    public static readonly Histogram SnapshotDuration = Metrics.CreateHistogram(
        "raftburrow_snapshot_duration_seconds", "Time to take and persist a partition snapshot.",
        new HistogramConfiguration { LabelNames = ["partition"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });

    /// <summary>Time the applier paused to capture a snapshot image (the write itself runs in the background).</summary>
    public static readonly Histogram SnapshotCapture = Metrics.CreateHistogram(
        "raftburrow_snapshot_capture_seconds", "Time the partition's applier paused to capture a snapshot image.",
        new HistogramConfiguration { LabelNames = ["partition"], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });

    /// <summary>Bytes of a partition's write-ahead log on disk.</summary>
    public static readonly Gauge WalBytes = Metrics.CreateGauge(
        "raftburrow_wal_bytes", "Bytes of the partition's write-ahead log on disk.",
        new GaugeConfiguration { LabelNames = ["partition"] });

    private static bool ConfigureDefaults()
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressProcessMetrics = false,
            SuppressDebugMetrics = false,
            SuppressEventCounters = false,
            SuppressMeters = true,
        });
        return true;
    }

    /// <summary>The label value of a partition (cached for 0..255).</summary>
    public static string PartitionLabel(int partition) =>
        (uint)partition < (uint)PartitionLabels.Length ? PartitionLabels[partition] : partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sets the depth gauges of a partition (the scrape-time collector calls this; a layer that knows better may too).</summary>
    public static void SetQueueDepth(int partition, long queues, long messages, long claimed)
    {
        var label = PartitionLabel(partition);
        Queues.WithLabels(label).Set(queues);
        QueueDepth.WithLabels(label).Set(messages);
        ClaimedMessages.WithLabels(label).Set(claimed);
    }
}
