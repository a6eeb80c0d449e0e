using System.Net;
using System.Text.Json.Nodes;
using RaftBurrow.Client;
using RaftBurrow.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Operator procedures on real processes (docs/operations.md): rolling restart under load, leader
/// transfer, rebalance and forced snapshots through the admin API (the calls raftburrow-cli makes).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class OperationsTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly ZaqarTenant Tenant = new("ops", "3e1d5a1c-9b7e-4c6a-8f00-0000000000aa");

    [Fact]
    public async Task A_rolling_restart_of_every_node_under_load_loses_no_acknowledged_message_and_keeps_serving()
    {
        await using var cluster = new ServerCluster(3, Partitions);
        await cluster.StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        // Four writers on two queues, as fast as answers come.
        var load = new ZaqarLoad(cluster, http, Tenant, ["roll-a", "roll-b"], [1, 2, 3], writers: 4, pause: TimeSpan.Zero);
        var acknowledged = load.Acknowledged;
        await Eventually.Async(() => Task.FromResult(acknowledged.Count >= 50), TimeSpan.FromSeconds(30), "50 posts acknowledged");
        var beforeRestarts = acknowledged.Count;
        for (var node = 1; node <= 3; node++)
        {
            await cluster.StopAsync(node);
            var before = acknowledged.Count;
            // The two others keep serving while this one is down.
            await Eventually.Async(() => Task.FromResult(acknowledged.Count >= before + 20), TimeSpan.FromSeconds(20), $"20 posts acknowledged while node {node} is down");
            cluster.Start(node);
            await cluster.WaitForLeadersAsync(1, 2, 3);
        }
        var afterRestarts = acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(acknowledged.Count >= afterRestarts + 20), TimeSpan.FromSeconds(20), "20 posts acknowledged after the restarts");
        await load.StopAsync();
        output.WriteLine($"{load.Summary} ({afterRestarts - beforeRestarts} during the restarts)");

        var views = await cluster.WaitConvergedAsync();
        output.WriteLine(string.Join(" | ", views.Select(v => $"node {v.NodeId}: " + string.Join(", ", v.Partitions.Select(p => $"p{p.Partition} {p.AppliedIndex}/{p.StateHash}")))));
        await load.VerifyAsync(drainThrough: 1);
    }

    [Fact]
    public async Task Leader_transfer_rebalance_and_forced_snapshots_work_through_the_admin_api()
    {
        // The background balancer is off so that every move seen here is the operator's.
        await using var cluster = new ServerCluster(3, Partitions, new Dictionary<string, string> { ["RaftBurrow:BalancerEnabled"] = "false" });
        await cluster.StartAllAsync();
        using var client = new RaftBurrowClient(new RaftBurrowClientOptions { RequestTimeout = TimeSpan.FromSeconds(60), ProjectId = "ops" }
            .AddUrls(cluster.BaseUri(2).ToString()));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        for (var n = 0; n < 10; n++)
        {
            using var post = await http.SendAsync(Tenant.Request(cluster, HttpMethod.Post, 1 + n % 3, "/v2/queues/moves/messages", $$"""{"messages":[{"ttl":3600,"body":"m{{n}}"}]}"""));
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        // The first step of a transfer: only the leader holds new entries back (421 elsewhere), it
        // answers its last index, and the pause ends by itself. Bad input is a 400 with a JSON body.
        var leaderOf0 = await cluster.LeaderOfAsync(0, askNode: 2);
        using (var pause = await http.PostAsync(new Uri(cluster.BaseUri(leaderOf0), "/internal/v1/partitions/0/pause?ms=300"), null))
        {
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
            Assert.True(JsonNode.Parse(await pause.Content.ReadAsStringAsync())!["lastIndex"]!.GetValue<long>() > 0);
        }
        var (afterPause, _) = await cluster.ExecuteAsync(leaderOf0 % 3 + 1, 0, Queues.Post(Queues.QueueOn(0, Partitions, "paused"), "p"), Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, afterPause);
        using (var notLeader = await http.PostAsync(new Uri(cluster.BaseUri(leaderOf0 % 3 + 1), "/internal/v1/partitions/0/pause?ms=300"), null))
            Assert.Equal(HttpStatusCode.MisdirectedRequest, notLeader.StatusCode);
        foreach (var (query, status) in new[] { ("0/pause?ms=0", HttpStatusCode.BadRequest), ("0/pause?ms=x", HttpStatusCode.BadRequest), ("0/pause", HttpStatusCode.BadRequest),
                     ("0/pause?ms=99999", HttpStatusCode.BadRequest), ("99/pause?ms=10", HttpStatusCode.NotFound) })
        {
            using var bad = await http.PostAsync(new Uri(cluster.BaseUri(leaderOf0), "/internal/v1/partitions/" + query), null);
            Assert.Equal(status, bad.StatusCode);
            Assert.NotNull(JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["title"]);
        }

        // Every partition to a node that does not lead partition 0, one transfer at a time; every node must agree afterwards.
        var target = 1 + (await cluster.LeaderOfAsync(0, askNode: 2)) % 3;
        var moved = 0;
        for (var p = 0; p < Partitions; p++)
        {
            var answer = await client.Admin.TransferLeaderAsync(p, target);
            output.WriteLine($"transfer p{p} -> {target}: {answer}");
            Assert.True(answer!.Value.GetProperty("transferred").GetBoolean());
            moved += answer.Value.GetProperty("attempts").GetInt32() > 0 ? 1 : 0;
        }
        Assert.True(moved >= 1);
        await Eventually.Async(async () =>
        {
            var views = await Task.WhenAll(Enumerable.Range(1, 3).Select(cluster.AdminAsync));
            return views.All(v => v is not null && v.Partitions.All(p => p.LeaderNodeId == target));
        }, TimeSpan.FromSeconds(10), $"every node sees node {target} lead every partition");

        var rebalance = await client.Admin.RebalanceAsync();
        output.WriteLine($"rebalance: {rebalance}");
        Assert.True(rebalance!.Value.GetProperty("balanced").GetBoolean());
        var counts = (await cluster.AdminAsync(2))!.Partitions.GroupBy(p => p.LeaderNodeId).ToDictionary(g => g.Key ?? 0, g => g.Count());
        output.WriteLine("leaders after rebalance: " + string.Join(", ", counts.Select(kv => $"node {kv.Key}: {kv.Value}")));
        Assert.DoesNotContain(0, counts.Keys);
        Assert.Equal(3, counts.Count);
        Assert.True(counts.Values.Max() - counts.Values.Min() <= 1);

        // A transfer to a node that is down is refused with an honest 409, not a pretend success.
        await cluster.StopAsync(1);
        await cluster.WaitForLeadersAsync(2, 3);
        var partitionLedElsewhere = (await cluster.AdminAsync(2))!.Partitions.First(p => p.LeaderNodeId is not null and not 1).Partition;
        var refused = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Admin.TransferLeaderAsync(partitionLedElsewhere, 1));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        cluster.Start(1);
        await cluster.WaitForLeadersAsync(1, 2, 3);

        // Forced snapshot on node 2: every partition writes one, and a restart restores from it.
        var snapshot = await client.Admin.SnapshotAsync();
        output.WriteLine($"snapshot: {snapshot}");
        var indexes = snapshot!.Value.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("snapshotIndex").GetInt64()).ToList();
        Assert.Equal(Partitions, indexes.Count);
        Assert.All(indexes, i => Assert.True(i > 0));
        await cluster.StopAsync(2);
        cluster.Start(2);
        await cluster.WaitForLeadersAsync(1, 2, 3);
        Assert.Contains("restored snapshot", await File.ReadAllTextAsync(cluster.LogPath(2)), StringComparison.Ordinal);
        await cluster.WaitConvergedAsync();
        Assert.Equal(Enumerable.Range(0, 10).Select(n => $"m{n}"), await Tenant.ClaimDrainAsync(cluster, http, 2, "moves"));
    }
}
