using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using RaftBurrow.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// The replication series of <c>GET /metrics</c> are fed by the real consensus and cluster layers
/// (docs/operations-observability.md): a 3-node cluster with one partition, posts through a follower.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ReplicationMetricsTests(ITestOutputHelper output)
{
    private const string P0 = "partition=\"0\"";

    [Fact]
    public async Task Proposals_commits_applies_forwards_leader_changes_snapshots_and_wal_are_measured()
    {
        await using var cluster = new ServerCluster(3, 1);
        await cluster.StartAllAsync();
        await cluster.WaitForLeadersAsync(1, 2, 3);
        var leader = await cluster.LeaderOfAsync(0, 1);
        var follower = leader == 1 ? 2 : 1;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster.BaseUri(follower), "/v2/queues/metered/messages"))
            {
                Content = new StringContent($$"""{"messages":[{"ttl":300,"body":"m{{i}}"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Client-ID", "3e1d5a1c-9b7e-4c6a-8f00-0000000000bb");
            request.Headers.Add("X-Project-ID", "metrics");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var onLeader = await http.GetStringAsync(new Uri(cluster.BaseUri(leader), "/metrics"));
        Assert.True(Sample(onLeader, "raftburrow_proposals_total") >= 5, onLeader);
        Assert.True(Sample(onLeader, "raftburrow_commit_latency_seconds_count") >= 5, onLeader);
        Assert.True(Sample(onLeader, "raftburrow_apply_latency_seconds_count") >= 5, onLeader);
        Assert.True(Sample(onLeader, "raftburrow_leader_changes_total") >= 1, onLeader);
        Assert.True(Sample(onLeader, "raftburrow_wal_bytes") > 0, onLeader);

        var onFollower = await http.GetStringAsync(new Uri(cluster.BaseUri(follower), "/metrics"));
        Assert.True(Sample(onFollower, "raftburrow_forwarded_requests_total") >= 5, onFollower);
        Assert.True(Sample(onFollower, "raftburrow_apply_latency_seconds_count") >= 5, onFollower);
        Assert.True(Sample(onFollower, "raftburrow_leader_changes_total") >= 1, onFollower);

        using var snapshot = await http.PostAsync(new Uri(cluster.BaseUri(leader), "/admin/snapshot"), null);
        Assert.Equal(HttpStatusCode.OK, snapshot.StatusCode);
        // The admin call returns once the snapshot index moved; the size is recorded right after the write.
        await Eventually.Async(async () =>
        {
            var text = await http.GetStringAsync(new Uri(cluster.BaseUri(leader), "/metrics"));
            return TrySample(text, "raftburrow_snapshot_bytes") > 0 && TrySample(text, "raftburrow_snapshot_duration_seconds_count") >= 1;
        }, TimeSpan.FromSeconds(15), "snapshot_bytes > 0 after a forced snapshot");
        var final = await http.GetStringAsync(new Uri(cluster.BaseUri(leader), "/metrics"));
        output.WriteLine($"leader {leader}, follower {follower}:");
        foreach (var line in final.Split('\n').Where(l => l.StartsWith("raftburrow_", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal) && !l.Contains("http", StringComparison.Ordinal)))
            output.WriteLine("  leader   " + line);
        foreach (var line in onFollower.Split('\n').Where(l => l.StartsWith("raftburrow_forwarded", StringComparison.Ordinal)))
            output.WriteLine("  follower " + line);
    }

    private static double Sample(string text, string name) =>
        TrySample(text, name) ?? throw new Xunit.Sdk.XunitException($"no sample {name}{{{P0}}} in:\n{text}");

    private static double? TrySample(string text, string name)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(name + "{" + P0 + "}") + " (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}
