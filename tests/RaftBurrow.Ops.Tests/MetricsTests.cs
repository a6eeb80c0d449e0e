using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.Consensus;
using RaftBurrow.Ops.Tests.Support;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Ops.Tests;

/// <summary>/metrics over a real Kestrel host: HTTP counters by route template, the depth gauges, the consensus meter bridge.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_count_requests_by_route_template_and_status_in_prometheus_text()
    {
        await using var host = await OpsHost.StartAsync();
        await host.Client.CreateQueueAsync("metrics-a", "orders");
        using (await host.Client.SendAsync(ZaqarCalls.Request(HttpMethod.Get, "/v2/queues/orders/stats", "metrics-a")))
        {
        }

        using var response = await host.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE raftburrow_http_requests_total counter", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "raftburrow_http_requests_total", "method=\"PUT\",route=\"/v2/queues/{queue_name}\",status=\"201\"") >= 1, text);
        Assert.True(Sample(text, "raftburrow_http_request_duration_seconds_count", "method=\"GET\",route=\"/v2/queues/{queue_name}/stats\"") >= 1);
        // The raw path (a queue name) never becomes a label.
        Assert.DoesNotContain("route=\"/v2/queues/orders\"", text, StringComparison.Ordinal);
        // The Meter bridge is off (it would re-export HttpClient/Kestrel meters with per-port labels); process metrics stay.
        // Checked by the meters' instrument names: prometheus-net's event counter adapter (left on) also exports
        // System.Net.Http counters (system_net_http_requests_started…) once its first interval has passed.
        Assert.DoesNotContain("http_client_request_duration", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kestrel_active_connections", text, StringComparison.Ordinal);
        Assert.Contains("process_cpu_seconds_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Depth_gauges_sum_the_live_and_claimed_messages_of_each_partition_at_scrape_time()
    {
        await using var host = await OpsHost.StartAsync();
        const string project = "metrics-depth";
        string[] queues = ["q-alpha", "q-beta", "q-gamma"];
        foreach (var q in queues)
        {
            await host.Client.CreateQueueAsync(project, q);
            await host.Client.PostMessagesAsync(project, q, 3);
        }
        await host.Client.ClaimAsync(project, "q-beta", 2);

        var text = await host.Client.GetStringAsync("/metrics");
        var expectedDepth = new long[host.Service.PartitionCount];
        var expectedClaimed = new long[host.Service.PartitionCount];
        foreach (var q in queues)
        {
            var p = host.Service.PartitionOf(QueueSpace.Zaqar, project, q);
            expectedDepth[p] += 3;
            if (q == "q-beta")
                expectedClaimed[p] += 2;
        }
        for (var p = 0; p < host.Service.PartitionCount; p++)
        {
            var label = $"partition=\"{p}\"";
            Assert.Equal(expectedDepth[p], Sample(text, "raftburrow_queue_depth", label));
            Assert.Equal(expectedClaimed[p], Sample(text, "raftburrow_claimed_messages", label));
        }
    }

    [Fact]
    public async Task Every_project_is_counted_and_at_most_MaxProjectSeries_projects_get_series_of_their_own()
    {
        // Nothing configured, and the projects are written straight to the service (no request names
        // them to this node, so none is tracked): the gauges still count them all.
        var service = new LocalQueueService(4);
        await using var host = await OpsHost.StartAsync(service: service, observability: o => o.MaxProjectSeries = 2);
        (string Project, int Messages)[] projects = [("series-deep", 5), ("series-mid", 3), ("series-shallow", 1)];
        foreach (var (project, count) in projects)
        {
            var post = new PostMessages
            {
                Project = project, Queue = "q", ClientId = Guid.NewGuid(),
                Messages = Enumerable.Range(0, count).Select(_ => new NewMessage { TtlSeconds = 300, DelaySeconds = 0, BodyJson = "1"u8.ToArray() }).ToArray(),
            };
            await service.ExecuteAsync(service.PartitionOf(QueueSpace.Zaqar, project, "q"), post, Guid.NewGuid(), CancellationToken.None);
        }

        var text = await host.Client.GetStringAsync("/metrics");
        var depth = Enumerable.Range(0, service.PartitionCount).Sum(p => Sample(text, "raftburrow_queue_depth", $"partition=\"{p}\""));
        Assert.Equal(9, depth);
        Assert.Equal(3, Sample(text, "raftburrow_projects", null));
        // The two deepest; the third is counted above but has no series (the cap bounds the series count).
        Assert.Equal(5, Sample(text, "raftburrow_project_queue_depth", "project=\"series-deep\""));
        Assert.Equal(3, Sample(text, "raftburrow_project_queue_depth", "project=\"series-mid\""));
        Assert.DoesNotContain("project=\"series-shallow\"", text, StringComparison.Ordinal);
        Assert.Equal(0, Sample(text, "raftburrow_project_claimed_messages", "project=\"series-deep\""));
    }

    [Fact]
    public async Task Consensus_meter_measurements_reach_metrics_through_the_bridge_under_their_names()
    {
        await using var host = await OpsHost.StartAsync();
        // Emitted exactly as the consensus and cluster layers do: through their meter (RaftBurrow.Consensus),
        // which the host's MeterBridge listens to. The in-process host has no Raft layer, so nothing
        // else feeds these series while the test runs.
        var p5Tag = ConsensusMetrics.Tag(5);
        ConsensusMetrics.Proposals.Add(1, p5Tag);
        ConsensusMetrics.CommitLatency.Record(0.002, p5Tag);
        ConsensusMetrics.ApplyLatency.Record(0.001, p5Tag);
        ConsensusMetrics.Forwarded.Add(1, p5Tag);
        ConsensusMetrics.LeaderChanges.Add(1, p5Tag);
        ConsensusMetrics.SnapshotBytes.Record(4096, p5Tag);
        ConsensusMetrics.SnapshotDuration.Record(0.03, p5Tag);
        ConsensusMetrics.SnapshotCapture.Record(0.002, p5Tag);
        // The WAL gauge is observable: it measures the tracked directory when /metrics is scraped.
        var walDirectory = Directory.CreateTempSubdirectory("raftburrow-metrics-wal-");
        var owner = new object();
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(walDirectory.FullName, "chunk-0"), new byte[1 << 20]);
            ConsensusMetrics.TrackWal(owner, 5, walDirectory.FullName);

            var text = await host.Client.GetStringAsync("/metrics");
            const string p5 = "partition=\"5\"";
            Assert.True(Sample(text, "raftburrow_proposals_total", p5) >= 1);
            Assert.True(Sample(text, "raftburrow_commit_latency_seconds_count", p5) >= 1);
            Assert.True(Sample(text, "raftburrow_apply_latency_seconds_count", p5) >= 1);
            Assert.True(Sample(text, "raftburrow_forwarded_requests_total", p5) >= 1);
            Assert.True(Sample(text, "raftburrow_leader_changes_total", p5) >= 1);
            Assert.Equal(4096, Sample(text, "raftburrow_snapshot_bytes", p5));
            Assert.True(Sample(text, "raftburrow_snapshot_duration_seconds_count", p5) >= 1);
            Assert.True(Sample(text, "raftburrow_snapshot_capture_seconds_count", p5) >= 1);
            Assert.Equal(1 << 20, Sample(text, "raftburrow_wal_bytes", p5));
        }
        finally
        {
            ConsensusMetrics.UntrackWal(owner);
            walDirectory.Delete(recursive: true);
        }
    }

    /// <summary>The value of one sample line <c>name{labels} value</c> (labels in prometheus-net's order).</summary>
    private static double Sample(string text, string name, string? labels)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(labels is null ? name : name + "{" + labels + "}") + " (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no sample {name}{{{labels}}} in:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
