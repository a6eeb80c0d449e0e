using System.Net;
using System.Text.Json;
using RaftBurrow.Client;
using RaftBurrow.Client.Admin;
using RaftBurrow.Cluster.Tests.Support;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Run-time membership changes on real processes (docs/operations.md): a node added to and a node
/// removed from a 3-node cluster, a 3-node cluster grown to 5 and a 1-node one to 3, under a light
/// write load, nothing acknowledged lost, replicas equal afterwards, and the new membership kept
/// across restarts.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class MembershipTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly ZaqarTenant Tenant = new("members", "3e1d5a1c-9b7e-4c6a-8f00-0000000000bb");

    [Fact]
    public async Task Growing_a_3_node_cluster_to_4_under_load_loses_nothing_a_node_down_meanwhile_learns_it_and_the_new_node_survives_a_restart()
    {
        await using var cluster = new ServerCluster(4, Partitions, members: 3);
        await cluster.StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var load = Load(cluster, http, "grow", [1, 2, 3]);
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= 30), TimeSpan.FromSeconds(30), "30 posts acknowledged");

        // Node 3 is down during the add: it must learn node 4 (its Raft configurations and its URL) when it comes back.
        load.Nodes = [1, 2];
        await cluster.StopAsync(3);
        cluster.Start(4);
        using var client = Admin(cluster, 1);
        var request = new AddNodeRequest { Id = 4, HttpUrl = cluster.BaseUri(4).ToString().TrimEnd('/'), RaftAddress = ServerCluster.Address(4).ToString(), RaftBasePort = cluster.RaftBasePort(4) };
        await Eventually.Async(async () => (await cluster.AdminAsync(4)) is not null, TimeSpan.FromSeconds(30), "node 4 answers");
        var added = await client.Admin.AddNodeAsync(request);
        output.WriteLine($"add: {added}");
        Assert.Equal("added", added!.Value.GetProperty("outcome").GetString());
        // Every partition reports done ("changed": false only when an earlier attempt had committed it).
        Assert.Equal(Partitions, added.Value.GetProperty("partitions").GetArrayLength());
        Assert.Equal([3], added.Value.GetProperty("uninformed").EnumerateArray().Select(e => e.GetInt32()));
        // Idempotent: the same request again changes nothing.
        var again = await client.Admin.AddNodeAsync(request);
        Assert.All(again!.Value.GetProperty("partitions").EnumerateArray(), p => Assert.False(p.GetProperty("changed").GetBoolean()));

        cluster.Start(3);
        await cluster.WaitForLeadersAsync(1, 2, 3, 4);
        await Eventually.Async(async () => (await cluster.AdminAsync(3))?.Nodes.Count == 4, TimeSpan.FromSeconds(30), "node 3 learns node 4");
        load.Nodes = [1, 2, 3, 4];
        var before = load.Acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= before + 30), TimeSpan.FromSeconds(30), "30 more posts, some through node 4");
        foreach (var node in new List<int> { 1, 3, 4 })
            Assert.Equal(new[] { 1, 2, 3, 4 }, (await cluster.AdminAsync(node))!.Nodes.Select(n => n.Id).Order().ToArray());
        // Every partition's Raft configuration has node 4 (as the leaders see it).
        foreach (var node in new List<int> { 1, 2, 3 })
            Assert.All((await cluster.AdminAsync(node))!.Partitions.Where(p => p.Role == "leader"), p => Assert.Contains((int?)4, p.Members ?? []));

        // The new membership is on disk: node 4 restarts as a member (not a joiner) and catches up.
        await cluster.StopAsync(4);
        cluster.Start(4);
        await cluster.WaitForLeadersAsync(1, 2, 3, 4);
        await load.StopAsync();
        output.WriteLine(load.Summary);
        var views = await cluster.WaitConvergedAsync();
        Assert.Equal(4, views.Count);
        output.WriteLine(string.Join(" | ", views.Select(v => $"node {v.NodeId}: " + string.Join(", ", v.Partitions.Select(p => $"p{p.Partition} {p.AppliedIndex}/{p.StateHash}")))));
        await load.VerifyAsync(drainThrough: 4);
    }

    [Fact]
    public async Task Growing_a_3_node_cluster_to_5_keeps_earlier_messages_readable_on_the_new_nodes_and_keeps_serving_without_two_original_nodes()
    {
        // Operators run 3- and 5-node clusters: 3 → 5 is two adds (docs/operations.md). The 4-member step
        // in between needs 3 live nodes for a majority; at 5 members any two may fail.
        await using var cluster = new ServerCluster(5, Partitions, members: 3);
        await cluster.StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var client = Admin(cluster, 1);
        // One queue on every partition, so every Raft group carries messages through the growth.
        var queues = Enumerable.Range(0, Partitions).Select(QueueOn).ToArray();
        await PostEachAsync(cluster, http, queues, "before", 10, [1, 2, 3]);
        var load = Load(cluster, http, "grow5", [1, 2, 3]);
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= 20), TimeSpan.FromSeconds(30), "20 posts acknowledged");

        foreach (var node in new[] { 4, 5 })
        {
            // Node 5's peer list is the first three plus itself: it learns node 4 from its peers (MemberDirectorySync).
            cluster.Start(node);
            await Eventually.Async(async () => (await cluster.AdminAsync(node)) is not null, TimeSpan.FromSeconds(30), $"node {node} answers");
            var added = await client.Admin.AddNodeAsync(new AddNodeRequest { Id = node, HttpUrl = cluster.BaseUri(node).ToString().TrimEnd('/'), RaftAddress = cluster.RaftAddress(node), RaftBasePort = cluster.RaftBasePort(node) });
            output.WriteLine($"add {node}: {added}");
            Assert.Equal("added", added!.Value.GetProperty("outcome").GetString());
            Assert.Equal(Partitions, added.Value.GetProperty("partitions").GetArrayLength());
            Assert.Empty(added.Value.GetProperty("uninformed").EnumerateArray());
            var before = load.Acknowledged.Count;
            await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= before + 20), TimeSpan.FromSeconds(30), $"20 more posts after adding node {node}");
        }
        var all = new[] { 1, 2, 3, 4, 5 };
        await cluster.WaitForLeadersAsync(all);
        load.Nodes = all;
        // Every replica of every partition (not only the leaders) has the 5-member configuration, and every node knows all five.
        await Eventually.Async(async () =>
        {
            var views = await Task.WhenAll(all.Select(cluster.AdminAsync));
            return views.All(v => v is not null && v.Nodes.Select(n => n.Id).Order().SequenceEqual(all)
                && v.Partitions.All(p => (p.Members ?? []).Select(m => m ?? 0).Order().SequenceEqual(all)));
        }, TimeSpan.FromSeconds(30), "every node knows 5 members and every replica has a 5-member configuration");
        // The new nodes hold what was written before they existed (equal applied index and state hash) and serve it in order.
        await cluster.WaitConvergedAsync();
        foreach (var node in new[] { 4, 5 })
        {
            foreach (var queue in queues)
                Assert.Equal(Bodies("before", 10), await ListAsync(cluster, http, node, queue));
        }

        // Two of the original three die (kill -9): the other three are a majority of five and keep serving writes on every partition.
        load.Nodes = [3, 4, 5];
        cluster.Kill(1);
        cluster.Kill(2);
        // Until they notice, the survivors may still name a dead node as leader: wait for new leaders among them.
        await Eventually.Async(async () => (await Task.WhenAll(new[] { 3, 4, 5 }.Select(cluster.AdminAsync)))
            .All(v => v is not null && v.Partitions.All(p => p.LeaderNodeId is 3 or 4 or 5)), TimeSpan.FromSeconds(30), "leaders among nodes 3, 4 and 5");
        await PostEachAsync(cluster, http, queues, "after", 10, [3, 4, 5]);
        var afterKill = load.Acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= afterKill + 20), TimeSpan.FromSeconds(30), "20 posts without nodes 1 and 2");

        // Back, they catch up with what was written without them.
        cluster.Start(1);
        cluster.Start(2);
        await cluster.WaitForLeadersAsync(all);
        await load.StopAsync();
        output.WriteLine(load.Summary);
        var converged = await cluster.WaitConvergedAsync();
        Assert.Equal(5, converged.Count);
        output.WriteLine(string.Join(" | ", converged.Select(v => $"node {v.NodeId}: " + string.Join(", ", v.Partitions.Select(p => $"p{p.Partition} {p.AppliedIndex}/{p.StateHash}")))));
        foreach (var node in new[] { 1, 2 })
        {
            foreach (var queue in queues)
                Assert.Equal([.. Bodies("before", 10), .. Bodies("after", 10)], await ListAsync(cluster, http, node, queue));
        }
        await load.VerifyAsync(drainThrough: 2);
    }

    [Fact]
    public async Task Removing_a_node_under_load_loses_nothing_and_a_removal_that_would_break_quorum_is_refused()
    {
        await using var cluster = new ServerCluster(3, Partitions);
        await cluster.StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var client = Admin(cluster, 1);

        // With node 2 down, removing node 3 would leave {1, 2} with one live member: refused, nothing changed.
        await cluster.StopAsync(2);
        var refused = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Admin.RemoveNodeAsync(3));
        output.WriteLine($"refused: {refused.Description}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        cluster.Start(2);
        await cluster.WaitForLeadersAsync(1, 2, 3);

        var load = Load(cluster, http, "shrink", [1, 2]);
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= 30), TimeSpan.FromSeconds(30), "30 posts acknowledged");
        var removed = await client.Admin.RemoveNodeAsync(3);
        output.WriteLine($"remove: {removed}");
        Assert.Equal("removed", removed!.Value.GetProperty("outcome").GetString());
        var again = await client.Admin.RemoveNodeAsync(3);
        Assert.Equal("not a member", again!.Value.GetProperty("outcome").GetString());
        await cluster.StopAsync(3);
        var before = load.Acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= before + 30), TimeSpan.FromSeconds(30), "30 more posts on the 2-node cluster");
        foreach (var node in new List<int> { 1, 2 })
        {
            var view = (await cluster.AdminAsync(node))!;
            Assert.Equal(new[] { 1, 2 }, view.Nodes.Select(n => n.Id).Order().ToArray());
            Assert.All(view.Partitions, p => Assert.Equal(new int?[] { 1, 2 }, p.Members));
        }
        await load.StopAsync();
        output.WriteLine(load.Summary);
        var views = await cluster.WaitConvergedAsync();
        Assert.Equal(2, views.Count);
        await load.VerifyAsync(drainThrough: 2);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("localhost")] // Raft addresses as a host name (docs/operations.md, "Host names"), added by name too
    public async Task A_one_node_cluster_grown_to_3_under_load_keeps_serving_and_survives_the_loss_of_its_first_node(string? raftHostName)
    {
        // Node 1 starts alone (DotNext makes it leader without an election); nodes 2 and 3 join. Its WAL
        // must switch to checking proposal terms as soon as the configuration has other members
        // (DurableWriteAheadLog.IsLoneMember, unit-tested in WalDurabilityTests), and still accept its
        // own proposals: the load keeps being acknowledged through every node.
        await using var cluster = new ServerCluster(3, Partitions, members: 1, raftHostName: raftHostName);
        await cluster.StartAllAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var client = Admin(cluster, 1);
        var load = Load(cluster, http, "grow-lone", [1]);
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= 20), TimeSpan.FromSeconds(30), "20 posts on the lone node");

        foreach (var node in new[] { 2, 3 })
        {
            cluster.Start(node);
            await Eventually.Async(async () => (await cluster.AdminAsync(node)) is not null, TimeSpan.FromSeconds(30), $"node {node} answers");
            var added = await client.Admin.AddNodeAsync(new AddNodeRequest { Id = node, HttpUrl = cluster.BaseUri(node).ToString().TrimEnd('/'), RaftAddress = cluster.RaftAddress(node), RaftBasePort = cluster.RaftBasePort(node) });
            output.WriteLine($"add {node}: {added}");
            Assert.Equal("added", added!.Value.GetProperty("outcome").GetString());
            var before = load.Acknowledged.Count;
            await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= before + 20), TimeSpan.FromSeconds(30), $"20 more posts after adding node {node}");
        }
        await cluster.WaitForLeadersAsync(1, 2, 3);
        load.Nodes = [1, 2, 3];
        var grown = load.Acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= grown + 30), TimeSpan.FromSeconds(30), "30 posts through all three nodes");
        foreach (var node in new List<int> { 1, 2, 3 })
            Assert.All((await cluster.AdminAsync(node))!.Partitions.Where(p => p.Role == "leader"), p => Assert.Equal(new int?[] { 1, 2, 3 }, p.Members));

        // The first node goes: the two it added elect leaders of newer terms and carry on.
        load.Nodes = [2, 3];
        cluster.Kill(1);
        await cluster.WaitForLeadersAsync(2, 3);
        var afterKill = load.Acknowledged.Count;
        await Eventually.Async(() => Task.FromResult(load.Acknowledged.Count >= afterKill + 20), TimeSpan.FromSeconds(30), "20 posts without node 1");
        cluster.Start(1);
        await cluster.WaitForLeadersAsync(1, 2, 3);
        await load.StopAsync();
        output.WriteLine(load.Summary);
        var views = await cluster.WaitConvergedAsync();
        Assert.Equal(3, views.Count);
        await load.VerifyAsync(drainThrough: 1);
    }

    /// <summary>The first queue name (<c>grow5-q{i}</c>) of <see cref="Tenant"/> that hashes onto <paramref name="partition"/>.</summary>
    private static string QueueOn(int partition) =>
        Enumerable.Range(0, int.MaxValue).Select(i => $"grow5-q{i}")
            .First(name => Partitioner.PartitionOf(QueueSpace.Zaqar, Tenant.Project, name, Partitions) == partition);

    private static List<string> Bodies(string prefix, int count) => [.. Enumerable.Range(0, count).Select(n => $"{prefix}-{n}")];

    /// <summary>
    /// Posts <c>{prefix}-0…{count-1}</c> to every queue, one message a request, through the nodes in turn; each
    /// must be acknowledged at once (no retries: a retried post whose first attempt committed would be a duplicate).
    /// </summary>
    private static async Task PostEachAsync(ServerCluster cluster, HttpClient http, string[] queues, string prefix, int count, int[] nodes)
    {
        var sent = 0;
        foreach (var body in Bodies(prefix, count))
        {
            foreach (var queue in queues)
            {
                var node = nodes[sent++ % nodes.Length];
                using var response = await http.SendAsync(Tenant.Request(cluster, HttpMethod.Post, node, $"/v2/queues/{queue}/messages", $$"""{"messages":[{"ttl":3600,"body":"{{body}}"}]}"""));
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {queue} {body} through node {node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    /// <summary>Every body of a queue through <paramref name="node"/>'s Zaqar listing (echo=true, all pages), in queue order.</summary>
    private static async Task<List<string>> ListAsync(ServerCluster cluster, HttpClient http, int node, string queue)
    {
        var bodies = new List<string>();
        var path = $"/v2/queues/{queue}/messages?echo=true&limit=20";
        while (true)
        {
            using var response = await http.SendAsync(Tenant.Request(cluster, HttpMethod.Get, node, path));
            if (response.StatusCode == HttpStatusCode.NoContent)
                return bodies;
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} through node {node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var page = document.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()!).ToList();
            if (page.Count == 0)
                return bodies;
            bodies.AddRange(page);
            var next = document.RootElement.GetProperty("links").EnumerateArray()
                .Where(l => l.GetProperty("rel").GetString() == "next").Select(l => l.GetProperty("href").GetString()).FirstOrDefault();
            if (next is null)
                return bodies;
            path = next;
        }
    }

    private static RaftBurrowClient Admin(ServerCluster cluster, int node) =>
        new(new RaftBurrowClientOptions { RequestTimeout = TimeSpan.FromSeconds(120), ProjectId = "members" }.AddUrls(cluster.BaseUri(node).ToString()));

    /// <summary>A light load: two writers, about 20 posts a second each, on one queue.</summary>
    private static ZaqarLoad Load(ServerCluster cluster, HttpClient http, string queue, int[] nodes) =>
        new(cluster, http, Tenant, [queue], nodes, writers: 2, pause: TimeSpan.FromMilliseconds(50));
}
