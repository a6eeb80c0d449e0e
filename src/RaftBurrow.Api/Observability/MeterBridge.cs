using System.Diagnostics.Metrics;
using Prometheus;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// Bridges the replication layer's <see cref="System.Diagnostics.Metrics"/> instruments (meter
/// <see cref="ConsensusMeterName"/>, defined in RaftBurrow.Consensus, which this project does not
/// reference) to the <c>raftburrow_*</c> series of <see cref="RaftBurrowMetrics"/>, keeping their
/// documented names. Only that meter is listened to: prometheus-net's generic bridge of every meter
/// stays off (it duplicated the HTTP series).
/// </summary>
/// <remarks>
/// One listener per process (<see cref="EnsureStarted"/> is idempotent): the instruments and the
/// Prometheus registry are both process-wide. Observable instruments (the WAL size) are collected
/// just before each scrape. Threading: measurement callbacks come from any thread; the helpers they
/// call are thread-safe.
/// </remarks>
public static class MeterBridge
{
    /// <summary>The meter the consensus and cluster layers record on (RaftBurrow.Consensus.ConsensusMetrics.MeterName).</summary>
    public const string ConsensusMeterName = "RaftBurrow.Consensus";

    private static readonly Lazy<MeterListener> Listener = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Starts the bridge once per process.</summary>
    public static void EnsureStarted() => _ = Listener.Value;

    private static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ConsensusMeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Forward(instrument.Name, value, PartitionOf(tags)));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Forward(instrument.Name, value, PartitionOf(tags)));
        listener.Start();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(listener.RecordObservableInstruments);
        return listener;
    }

    private static void Forward(string instrument, double value, int partition)
    {
        if (partition < 0)
            return;
        switch (instrument)
        {
            case "raftburrow.proposals":
                RaftBurrowMetrics.Proposals.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Inc(value);
                break;
            case "raftburrow.commit_latency":
                RaftBurrowMetrics.CommitLatency.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Observe(value);
                break;
            case "raftburrow.apply_latency":
                RaftBurrowMetrics.ApplyLatency.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Observe(value);
                break;
            case "raftburrow.forwarded_requests":
                RaftBurrowMetrics.ForwardedRequests.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Inc(value);
                break;
            case "raftburrow.follower_flush":
                RaftBurrowMetrics.FollowerFlush.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Observe(value);
                break;
            case "raftburrow.follower_append":
                RaftBurrowMetrics.FollowerAppend.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Observe(value);
                break;
            case "raftburrow.follower_append_entries":
                RaftBurrowMetrics.FollowerAppendEntries.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Observe(value);
                break;
            case "raftburrow.forward_batches":
                RaftBurrowMetrics.ForwardBatches.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Inc(value);
                break;
            case "raftburrow.leader_changes":
                RaftBurrowMetrics.LeaderChanges.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Inc(value);
                break;
            case "raftburrow.snapshot_bytes":
                RaftBurrowMetrics.SnapshotBytes.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Set(value);
                break;
            case "raftburrow.snapshot_duration":
                RaftBurrowMetrics.SnapshotDuration.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Observe(value);
                break;
            case "raftburrow.snapshot_capture":
                RaftBurrowMetrics.SnapshotCapture.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Observe(value);
                break;
            case "raftburrow.wal_bytes":
                RaftBurrowMetrics.WalBytes.WithLabels(RaftBurrowMetrics.PartitionLabel(partition)).Set(value);
                break;
        }
    }

    private static int PartitionOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "partition" && tag.Value is int partition)
                return partition;
        }
        return -1;
    }
}
