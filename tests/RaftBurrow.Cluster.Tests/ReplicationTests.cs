using System.Text.Json;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using RaftBurrow.Cluster.Tests.Support;
using RaftBurrow.StateMachine.Commands;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Three real raftburrow processes on 127.0.0.1–3 (issue 3 item 5). Commands go through the nodes'
/// internal execute endpoint, which routes them as a client request would be (locally or forwarded
/// to the partition's leader). Marked <c>Category=Cluster</c>; a few minutes at most in all.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ReplicationTests(ITestOutputHelper output)
{
    private const int Partitions = 4;

    [Fact]
    public async Task Writes_through_every_node_are_committed_once_and_replicas_converge()
    {
        await using var cluster = new ServerCluster(3, Partitions);
        await cluster.StartAllAsync();
        var queues = Enumerable.Range(0, Partitions).Select(p => Queues.QueueOn(p, Partitions)).ToArray();
        var posted = new Dictionary<string, List<string>>();
        foreach (var queue in queues)
            posted[queue] = [];
        for (var n = 0; n < 24; n++)
        {
            var node = 1 + n % 3;
            var partition = n % Partitions;
            var body = $"m{n}-via{node}";
            var (status, result) = await cluster.ExecuteAsync(node, partition, Queues.Post(queues[partition], body), Guid.NewGuid());
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(ResultCode.Created, Assert.IsType<PostMessagesResult>(result).Code);
            posted[queues[partition]].Add(body);
        }
        // A retry with the same request id (as the router does after a leader change) is answered
        // with the first result and appends nothing.
        var retryId = Guid.NewGuid();
        var first = await cluster.ExecuteAsync(1, 0, Queues.Post(queues[0], "retried"), retryId);
        var second = await cluster.ExecuteAsync(2, 0, Queues.Post(queues[0], "retried"), retryId);
        Assert.Equal(Assert.IsType<PostMessagesResult>(first.Result).MessageIds, Assert.IsType<PostMessagesResult>(second.Result).MessageIds);
        posted[queues[0]].Add("retried");
        // Every node saw the same history.
        await cluster.WaitConvergedAsync();
        // Drain each queue through a different node: FIFO order, each message once.
        for (var p = 0; p < Partitions; p++)
            Assert.Equal(posted[queues[p]], await Queues.DrainAsync(cluster, 1 + p % 3, queues[p]));
        await cluster.WaitConvergedAsync();
    }

    [Fact]
    public async Task Killing_a_partition_leader_under_load_loses_no_acknowledged_write()
    {
        await using var cluster = new ServerCluster(3, Partitions);
        await cluster.StartAllAsync();
        const int partition = 1;
        var queue = Queues.QueueOn(partition, Partitions);
        var victim = await cluster.LeaderOfAsync(partition, askNode: 1);
        var survivors = Enumerable.Range(1, 3).Where(n => n != victim).ToArray();
        output.WriteLine($"partition {partition} leader before the kill: node {victim}");

        var acknowledged = new ConcurrentBag<string>();
        var killedAt = 0L;
        var firstAckAfterKill = 0L;
        var stopwatch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var body = $"w{w}-{n}";
                var killed = Volatile.Read(ref killedAt) != 0;
                // Writers talk to the survivors only, so an unanswered request is never counted.
                var node = survivors[(w + n) % survivors.Length];
                try
                {
                    var (status, result) = await cluster.ExecuteAsync(node, partition, Queues.Post(queue, body), Guid.NewGuid());
                    if (status == HttpStatusCode.OK && result is PostMessagesResult { Code: ResultCode.Created })
                    {
                        acknowledged.Add(body);
                        if (killed)
                            Interlocked.CompareExchange(ref firstAckAfterKill, stopwatch.ElapsedMilliseconds, 0);
                    }
                }
                catch (HttpRequestException)
                {
                }
            }
        })).ToArray();

        await Eventually.Async(() => Task.FromResult(acknowledged.Count >= 100), TimeSpan.FromSeconds(60), "100 writes acknowledged");
        cluster.Kill(victim);
        Volatile.Write(ref killedAt, stopwatch.ElapsedMilliseconds);
        var before = acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(acknowledged.Count >= before + 100), TimeSpan.FromSeconds(60), "100 more writes after the kill");
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        var newLeader = await cluster.LeaderOfAsync(partition, survivors[0]);
        output.WriteLine($"new leader: node {newLeader}; first acknowledged write {firstAckAfterKill - killedAt} ms after the kill; {acknowledged.Count} acknowledged");
        Assert.NotEqual(victim, newLeader);

        var drained = await Queues.DrainAsync(cluster, survivors[1], queue);
        var duplicates = drained.GroupBy(b => b).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
        var lost = acknowledged.Except(drained).ToList();
        Assert.Empty(lost);
        // Per writer, bodies come out in the order they were acknowledged (strict FIFO).
        foreach (var writer in drained.GroupBy(b => b.Split('-')[0]))
        {
            var sequence = writer.Select(b => int.Parse(b.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequence.Order().ToList(), sequence);
        }
    }

    [Fact]
    public async Task A_restarted_node_catches_up_through_a_snapshot_and_matches_the_state_hash()
    {
        await using var cluster = new ServerCluster(3, 2, new Dictionary<string, string> { ["RaftBurrow:SnapshotEveryEntries"] = "16" });
        await cluster.StartAllAsync();
        var queue = Queues.QueueOn(0, 2);
        await cluster.StopAsync(3);
        for (var n = 0; n < 120; n++)
        {
            var (status, _) = await cluster.ExecuteAsync(1 + n % 2, 0, Queues.Post(queue, $"b{n}"), Guid.NewGuid());
            Assert.Equal(HttpStatusCode.OK, status);
        }
        cluster.Start(3);
        await cluster.WaitForLeadersAsync(3);
        var views = await cluster.WaitConvergedAsync();
        Assert.Equal(3, views.Count);
        output.WriteLine(string.Join(" | ", views.Select(v => $"node {v.NodeId}: applied {v.Partitions[0].AppliedIndex} hash {v.Partitions[0].StateHash}")));
        // The leaders compacted their logs past what node 3 had: it must have installed a snapshot.
        Assert.Contains("restored snapshot", await File.ReadAllTextAsync(cluster.LogPath(3)));
        Assert.Equal(Enumerable.Range(0, 120).Select(n => $"b{n}"), await Queues.DrainAsync(cluster, 3, queue));
    }

    [Fact]
    public async Task A_node_without_quorum_answers_503_never_2xx()
    {
        await using var cluster = new ServerCluster(3, 2, new Dictionary<string, string> { ["RaftBurrow:RequestTimeoutMs"] = "1500" });
        await cluster.StartAllAsync();
        var queue = Queues.QueueOn(0, 2);
        Assert.Equal(HttpStatusCode.OK, (await cluster.ExecuteAsync(1, 0, Queues.Post(queue, "before"), Guid.NewGuid())).Status);
        cluster.Kill(2);
        cluster.Kill(3);
        for (var n = 0; n < 3; n++)
        {
            var (status, _) = await cluster.ExecuteAsync(1, n % 2, Queues.Post(Queues.QueueOn(n % 2, 2), $"lonely{n}"), Guid.NewGuid());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        }
    }

    [Fact]
    public async Task A_single_node_cluster_commits_on_its_own_and_keeps_data_across_restarts()
    {
        await using var cluster = new ServerCluster(1, 2);
        await cluster.StartAllAsync();
        var queue = Queues.QueueOn(1, 2);
        for (var n = 0; n < 5; n++)
            Assert.Equal(HttpStatusCode.OK, (await cluster.ExecuteAsync(1, 1, Queues.Post(queue, $"s{n}"), Guid.NewGuid())).Status);
        await cluster.StopAsync(1);
        cluster.Start(1);
        await cluster.WaitForLeadersAsync(1);
        Assert.Equal(Enumerable.Range(0, 5).Select(n => $"s{n}"), await Queues.DrainAsync(cluster, 1, queue));

        // /admin/cluster?hash=false: the same view without the (costly) state hashes; a bad value is a 400.
        using var http = new HttpClient();
        var hashed = await cluster.AdminAsync(1);
        var plain = JsonSerializer.Deserialize<AdminView>(await http.GetStringAsync(new Uri(cluster.BaseUri(1), "/admin/cluster?hash=false")), ServerCluster.Json)!;
        Assert.All(hashed!.Partitions, p => Assert.Matches("^[0-9a-f]{16}$", p.StateHash));
        Assert.All(plain.Partitions, p => Assert.Null(p.StateHash));
        Assert.Equal(hashed.Partitions.Select(p => p.CommitIndex), plain.Partitions.Select(p => p.CommitIndex));
        using var bad = await http.GetAsync(new Uri(cluster.BaseUri(1), "/admin/cluster?hash=maybe"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("hash must be true or false", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fault_injection_skews_the_clock_and_can_acknowledge_writes_that_never_committed()
    {
        const long offsetMs = 3_600_000;
        await using var cluster = new ServerCluster(3, 2, new Dictionary<string, string>
        {
            ["RaftBurrow:FaultInjection:Enabled"] = "true",
            ["RaftBurrow:FaultInjection:ClockOffsetMs"] = offsetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RaftBurrow:FaultInjection:UnsafeAckBeforeCommit"] = "true",
            ["RaftBurrow:BalancerEnabled"] = "false",
        });
        await cluster.StartAllAsync();
        var leader = await cluster.LeaderOfAsync(0, askNode: 1);
        var queue = Queues.QueueOn(0, 2);
        // The leader stamps its skewed clock: the machine's time jumps ahead by the offset.
        var (status, result) = await cluster.ExecuteAsync(leader, 0, Queues.Post(queue, "skewed"), Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(result!.NowMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + offsetMs / 2, $"applied at {result.NowMs}");
        // With its followers frozen the leader still says yes: the deliberately unsafe acknowledgement
        // (without the fault this request would end in 503, see the no-quorum test).
        foreach (var node in Enumerable.Range(1, 3).Where(n => n != leader))
            await cluster.PauseAsync(node);
        (status, result) = await cluster.ExecuteAsync(leader, 0, Queues.Post(queue, "never committed"), Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("unsafe-", Assert.IsType<PostMessagesResult>(result).MessageIds[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hung_leader_is_routed_around_and_rejoins()
    {
        await using var cluster = new ServerCluster(3, 2, new Dictionary<string, string> { ["RaftBurrow:BalancerEnabled"] = "false" });
        await cluster.StartAllAsync();
        var queue = Queues.QueueOn(0, 2);
        var hung = await cluster.LeaderOfAsync(0, askNode: 1);
        var other = hung % 3 + 1;
        Assert.Equal(HttpStatusCode.OK, (await cluster.ExecuteAsync(other, 0, Queues.Post(queue, "before"), Guid.NewGuid())).Status);
        await cluster.PauseAsync(hung);
        // The first attempt goes to the frozen leader; the router gives up on it when a new leader appears.
        var (status, _) = await cluster.ExecuteAsync(other, 0, Queues.Post(queue, "during"), Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, status);
        await cluster.ResumeAsync(hung);
        await cluster.WaitConvergedAsync();
        Assert.Equal(["before", "during"], await Queues.DrainAsync(cluster, hung, queue));
    }

    [Fact]
    public async Task A_client_posts_through_node_3_and_claims_through_node_1_over_the_Zaqar_API()
    {
        await using var cluster = new ServerCluster(3, Partitions);
        await cluster.StartAllAsync();
        using var http = new HttpClient();
        HttpRequestMessage Request(HttpMethod method, int node, string path, string? json = null)
        {
            var request = new HttpRequestMessage(method, new Uri(cluster.BaseUri(node), path));
            request.Headers.Add("Client-ID", "3e1d5a1c-9b7e-4c6a-8f00-000000000001");
            request.Headers.Add("X-Project-ID", "e2e");
            if (json is not null)
                request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            return request;
        }
        for (var n = 0; n < 3; n++)
        {
            using var post = await http.SendAsync(Request(HttpMethod.Post, 3, "/v2/queues/jobs/messages", $$$"""{"messages":[{"ttl":300,"body":{"n":{{{n}}}}}]}"""));
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }
        using var claim = await http.SendAsync(Request(HttpMethod.Post, 1, "/v2/queues/jobs/claims", """{"ttl":60,"grace":60,"limit":10}"""));
        Assert.Equal(HttpStatusCode.Created, claim.StatusCode);
        using var claimed = System.Text.Json.JsonDocument.Parse(await claim.Content.ReadAsStringAsync());
        var bodies = claimed.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetProperty("n").GetInt32()).ToList();
        Assert.Equal([0, 1, 2], bodies);
        using var stats = await http.SendAsync(Request(HttpMethod.Get, 2, "/v2/queues/jobs/stats"));
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Contains("\"claimed\":3", await stats.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_leader_proposes_the_expiry_pulse_when_a_deadline_passes()
    {
        // No balancer: a leadership move appends a no-op entry, which would look like the pulse.
        await using var cluster = new ServerCluster(3, 2, new Dictionary<string, string> { ["RaftBurrow:BalancerEnabled"] = "false" });
        await cluster.StartAllAsync();
        var queue = Queues.QueueOn(0, 2);
        // Below the API's minimum ttl on purpose: the state machine takes what the edge validated.
        var post = Queues.Post(queue, "short-lived") with { Messages = [new NewMessage { TtlSeconds = 1, BodyJson = "1"u8.ToArray() }] };
        var (status, _) = await cluster.ExecuteAsync(2, 0, post, Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, status);
        // The leader knows the commit at once; a follower learns it with the next heartbeat.
        var afterPost = (await Task.WhenAll(new[] { 1, 2, 3 }.Select(cluster.AdminAsync))).Max(v => v!.Partitions[0].CommitIndex);
        // Nobody writes any more: only the leader's Expire pulse can move the log forward.
        try
        {
            await Eventually.Async(async () => (await Task.WhenAll(new[] { 1, 2, 3 }.Select(cluster.AdminAsync))).Max(v => v?.Partitions[0].CommitIndex) > afterPost,
                TimeSpan.FromSeconds(30), "an Expire entry is committed");
        }
        catch (TimeoutException)
        {
            foreach (var node in new[] { 1, 2, 3 })
                output.WriteLine($"node {node}: {System.Text.Json.JsonSerializer.Serialize(await cluster.AdminAsync(node))}");
            output.WriteLine($"committed after the post: {afterPost}; data kept: set RAFTBURROW_KEEP_TEST_DATA to inspect logs");
            throw;
        }
        await cluster.WaitConvergedAsync();
        Assert.Empty(await Queues.DrainAsync(cluster, 3, queue));
    }
}
