using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RaftBurrow.Consensus;

/// <summary>
/// The replication layer's measurements, as BCL <see cref="System.Diagnostics.Metrics"/> instruments on
/// the meter <see cref="MeterName"/> (no exporter dependency here: the server bridges them to its
/// <c>raftburrow_*</c> Prometheus series). Every instrument carries one tag, <see cref="PartitionTag"/>
/// (an <see cref="int"/>). Durations are seconds, sizes bytes.
/// </summary>
/// <remarks>
/// Threading: instruments are safe to record from any thread; recording without a listener is a
/// cheap no-op. The WAL gauge is observable: it scans the WAL directories of the partitions open in
/// this process when a listener collects (at scrape time), so nothing polls in between.
/// </remarks>
public static class ConsensusMetrics
{
    /// <summary>Name of the meter every instrument below belongs to.</summary>
    public const string MeterName = "RaftBurrow.Consensus";

    /// <summary>The tag naming the partition (value: <see cref="int"/>).</summary>
    public const string PartitionTag = "partition";

    private static readonly Meter Meter = new(MeterName);

    // Boxed partition numbers, so hot paths (every proposal and apply) do not allocate a box each time.
    private static readonly object[] BoxedPartitions = Enumerable.Range(0, 256).Select(p => (object)p).ToArray();

    // WAL directories of the partitions open in this process, for the observable WAL gauge.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<object, (int Partition, string Directory)> WalDirectories = new();

    /// <summary>Commands this node proposed as leader (client commands, local or forwarded to it).</summary>
    public static readonly Counter<long> Proposals = Meter.CreateCounter<long>("raftburrow.proposals", description: "Commands this node proposed as leader.");

    /// <summary>Proposal until committed on a majority and applied on this leader.</summary>
    public static readonly Histogram<double> CommitLatency = Meter.CreateHistogram<double>("raftburrow.commit_latency", "s", "Proposal to commit on a majority (and apply on the leader).");

    /// <summary>Time to apply one committed command to the state machine.</summary>
    public static readonly Histogram<double> ApplyLatency = Meter.CreateHistogram<double>("raftburrow.apply_latency", "s", "Time to apply one committed entry.");

    /// <summary>Commands forwarded to the leader on another node.</summary>
    public static readonly Counter<long> Forwarded = Meter.CreateCounter<long>("raftburrow.forwarded_requests", description: "Commands forwarded to the partition's leader on another node.");

    /// <summary>Entries per AppendEntries a follower received (heartbeats without entries are not recorded).</summary>
    public static readonly Histogram<long> FollowerAppendEntries = Meter.CreateHistogram<long>("raftburrow.follower_append_entries", "{entry}", "Entries per append a follower received from its leader.");

    /// <summary>A follower's write of received entries into its WAL, before the flush.</summary>
    public static readonly Histogram<double> FollowerAppend = Meter.CreateHistogram<double>("raftburrow.follower_append", "s", "Follower: writing received entries into the WAL (before the flush).");

    /// <summary>A follower's flush (msync + checkpoint) of received entries before it acknowledges them.</summary>
    public static readonly Histogram<double> FollowerFlush = Meter.CreateHistogram<double>("raftburrow.follower_flush", "s", "Follower: flush and checkpoint of received entries before acknowledging them.");

    /// <summary>Internal requests that carried forwarded commands (one per batch: forwarded / batches = commands per request).</summary>
    public static readonly Counter<long> ForwardBatches = Meter.CreateCounter<long>("raftburrow.forward_batches", description: "Internal requests this node sent to carry forwarded commands.");

    /// <summary>New leaders this node observed.</summary>
    public static readonly Counter<long> LeaderChanges = Meter.CreateCounter<long>("raftburrow.leader_changes", description: "Leader changes this node observed.");

    /// <summary>Size of the latest snapshot written.</summary>
    public static readonly Gauge<long> SnapshotBytes = Meter.CreateGauge<long>("raftburrow.snapshot_bytes", "By", "Size of the latest snapshot.");

    /// <summary>Time the applier paused to capture a snapshot image (the rest of the snapshot is written in the background).</summary>
    public static readonly Histogram<double> SnapshotCapture = Meter.CreateHistogram<double>("raftburrow.snapshot_capture", "s", "Time the applier paused to capture a snapshot image.");

    /// <summary>Time to take and write a snapshot.</summary>
    public static readonly Histogram<double> SnapshotDuration = Meter.CreateHistogram<double>("raftburrow.snapshot_duration", "s", "Time to take and persist a snapshot.");

    /// <summary>Bytes of each open partition's WAL directory, measured when collected.</summary>
    public static readonly ObservableGauge<long> WalBytes = Meter.CreateObservableGauge("raftburrow.wal_bytes", ObserveWalBytes, "By", "Bytes of the partition's write-ahead log on disk.");

    /// <summary>The partition tag for <paramref name="partition"/>.</summary>
    public static KeyValuePair<string, object?> Tag(int partition) =>
        new(PartitionTag, (uint)partition < (uint)BoxedPartitions.Length ? BoxedPartitions[partition] : partition);

    /// <summary>Records the seconds elapsed since <paramref name="startedTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static void RecordSince(Histogram<double> histogram, int partition, long startedTimestamp) =>
        histogram.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, Tag(partition));

    /// <summary>Makes the WAL gauge report <paramref name="directory"/> for <paramref name="partition"/> until <see cref="UntrackWal"/>.</summary>
    internal static void TrackWal(object owner, int partition, string directory) => WalDirectories[owner] = (partition, directory);

    /// <summary>Stops reporting the WAL of <paramref name="owner"/>.</summary>
    internal static void UntrackWal(object owner) => WalDirectories.TryRemove(owner, out _);

    private static IEnumerable<Measurement<long>> ObserveWalBytes()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var (partition, directory) in WalDirectories.Values)
        {
            try
            {
                long bytes = 0;
                foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
                    bytes += file.Length;
                measurements.Add(new Measurement<long>(bytes, Tag(partition)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A chunk deleted by compaction during the scan: skip this partition until the next collection.
            }
        }
        return measurements;
    }
}
