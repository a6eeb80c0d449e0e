using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
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
    private const string ClientId = "3e1d5a1c-9b7e-4c6a-8f00-0000000000aa";

    [Fact]
    public async Task A_rolling_restart_of_every_node_under_load_loses_no_acknowledged_message_and_keeps_serving()
    {
        await using var cluster = new ServerCluster(3, Partitions);
        await cluster.StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        string[] queues = ["roll-a", "roll-b"];
        var acknowledged = new ConcurrentBag<string>();
        var unavailable = 0;
        var refused = 0;
        var acknowledgedDuringRestarts = 0;
        var restarting = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            // A body is never sent twice: a request without an answer may or may not have committed.
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var body = $"w{w}-{n}";
                var node = 1 + (w + n) % 3;
                var queue = queues[w % queues.Length];
                try
                {
                    using var response = await http.SendAsync(Request(cluster, HttpMethod.Post, node, $"/v2/queues/{queue}/messages",
                        $$"""{"messages":[{"ttl":3600,"body":"{{body}}"}]}"""));
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged.Add(queue + "/" + body);
                        if (Volatile.Read(ref restarting) != 0)
                            Interlocked.Increment(ref acknowledgedDuringRestarts);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref unavailable);
                    }
                    else
                    {
                        Assert.Fail($"POST through node {node} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // The node is down (stopped for its restart): a real client moves on to another node.
                    Interlocked.Increment(ref refused);
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await Eventually.Async(() => Task.FromResult(acknowledged.Count >= 50), TimeSpan.FromSeconds(30), "50 posts acknowledged");
        Volatile.Write(ref restarting, 1);
        for (var node = 1; node <= 3; node++)
        {
            await cluster.StopAsync(node);
            var before = acknowledged.Count;
            // The two others keep serving while this one is down.
            await Eventually.Async(() => Task.FromResult(acknowledged.Count >= before + 20), TimeSpan.FromSeconds(20), $"20 posts acknowledged while node {node} is down");
            cluster.Start(node);
            await cluster.WaitForLeadersAsync(1, 2, 3);
        }
        Volatile.Write(ref restarting, 0);
        var afterRestarts = acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(acknowledged.Count >= afterRestarts + 20), TimeSpan.FromSeconds(20), "20 posts acknowledged after the restarts");
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"acknowledged {acknowledged.Count} ({acknowledgedDuringRestarts} during the restarts); 503 answers {unavailable}; refused connections {refused}");

        var views = await cluster.WaitConvergedAsync();
        output.WriteLine(string.Join(" | ", views.Select(v => $"node {v.NodeId}: " + string.Join(", ", v.Partitions.Select(p => $"p{p.Partition} {p.AppliedIndex}/{p.StateHash}")))));
        foreach (var queue in queues)
        {
            var drained = await ClaimDrainAsync(cluster, http, 1 + Array.IndexOf(queues, queue), queue);
            Assert.Empty(drained.GroupBy(b => b).Where(g => g.Count() > 1).Select(g => g.Key));
            var lost = acknowledged.Where(a => a.StartsWith(queue + "/", StringComparison.Ordinal)).Select(a => a[(queue.Length + 1)..]).Except(drained).ToList();
            Assert.Empty(lost);
            // Per writer, bodies come out in posting order (strict FIFO per queue).
            foreach (var writer in drained.GroupBy(b => b.Split('-')[0]))
            {
                var sequence = writer.Select(b => int.Parse(b.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(sequence.Order().ToList(), sequence);
            }
        }
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
            using var post = await http.SendAsync(Request(cluster, HttpMethod.Post, 1 + n % 3, "/v2/queues/moves/messages", $$"""{"messages":[{"ttl":3600,"body":"m{{n}}"}]}"""));
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
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
        Assert.Equal(Enumerable.Range(0, 10).Select(n => $"m{n}"), await ClaimDrainAsync(cluster, http, 2, "moves"));
    }

    private static HttpRequestMessage Request(ServerCluster cluster, HttpMethod method, int node, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri(cluster.BaseUri(node), path));
        request.Headers.Add("Client-ID", ClientId);
        request.Headers.Add("X-Project-ID", "ops");
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Claims a queue empty through the Zaqar API (claims until 204); returns the bodies in claim order.</summary>
    private static async Task<List<string>> ClaimDrainAsync(ServerCluster cluster, HttpClient http, int node, string queue)
    {
        var bodies = new List<string>();
        while (true)
        {
            using var claim = await http.SendAsync(Request(cluster, HttpMethod.Post, node, $"/v2/queues/{queue}/claims", """{"ttl":600,"grace":60,"limit":20}"""));
            if (claim.StatusCode == HttpStatusCode.NoContent)
                return bodies;
            Assert.Equal(HttpStatusCode.Created, claim.StatusCode);
            using var document = JsonDocument.Parse(await claim.Content.ReadAsStringAsync());
            bodies.AddRange(document.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()!));
        }
    }
}
