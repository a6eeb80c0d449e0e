using System.Text.Json.Nodes;
using RaftBurrow.Client.Burrow;
using RaftBurrow.Client.Tests.Support;

namespace RaftBurrow.Client.Tests;

/// <summary>The Burrow and admin clients over real HTTP against fake servers (below the client edge).</summary>
public sealed class BurrowAndAdminFakeServerTests
{
    [Fact]
    public async Task FakeServer_burrow_put_get_list_delete()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        using var client = Clients.For(server.Url.ToString());
        Assert.True(await client.Burrow.PutMessageAsync("acct", "jobs", "m1", "hello", ttlSeconds: 100));
        Assert.False(await client.Burrow.PutMessageAsync("acct", "jobs", "m1", "hello again"));
        Assert.True(await client.Burrow.PutMessageAsync("acct", "jobs", "m2", "second"));

        var m1 = await client.Burrow.GetMessageAsync("acct", "jobs", "m1");
        Assert.Equal("hello again", m1!.Body);
        Assert.Equal("m1", m1.Id);
        Assert.Equal("second", (await client.Burrow.GetMessageAsync("acct", "jobs", "m2", BurrowDetail.Body))!.Body);

        var list = await client.Burrow.ListMessagesAsync("acct", "jobs");
        Assert.Equal(["m1", "m2"], list.Select(m => m.Id));
        Assert.True(await client.Burrow.DeleteMessageAsync("acct", "jobs", "m1"));
        Assert.False(await client.Burrow.DeleteMessageAsync("acct", "jobs", "m1"));
        Assert.Null(await client.Burrow.GetMessageAsync("acct", "jobs", "m1"));
        Assert.Empty(await client.Burrow.ListMessagesAsync("acct", "nothing-here"));

        var put = server.Requests.First(r => r.Method == "PUT");
        Assert.Equal("/v1.0/acct/jobs/m1?ttl=100", put.PathAndQuery);

        // Every filter and attribute travels as a query parameter, Burrow style.
        await client.Burrow.ListMessagesAsync("acct", "jobs", new BurrowQuery
        {
            Limit = 5, Marker = "m0", MatchHidden = true, WaitSeconds = 1, Detail = BurrowDetail.All,
        });
        Assert.Equal("/v1.0/acct/jobs?limit=5&marker=m0&match_hidden=true&wait=1&detail=all", server.Requests.Last().PathAndQuery);
        Assert.Equal("/v1.0/acct/a%20b/m%2F1", await PathOf(() => client.Burrow.GetMessageAsync("acct", "a b", "m/1")));

        async Task<string> PathOf(Func<Task> call)
        {
            await call();
            return server.Requests.Last().PathAndQuery.Split('?')[0];
        }
    }

    [Fact]
    public async Task FakeServer_cluster_views_are_gathered_from_every_listed_node_once()
    {
        await using var a = await FakeZaqarServer.StartAsync();
        await using var b = await FakeZaqarServer.StartAsync();
        var down = Clients.ClosedPortUrl();
        var members = new[] { (1, a.Url.ToString()), (2, b.Url.ToString()), (3, down) };
        a.Cluster = () => FakeCluster.View(1, members, leaderOf: p => 1);
        b.Cluster = () => FakeCluster.View(2, members, leaderOf: p => 1);

        // Only node 1 is given: node 2 is found through its member list, node 3 is listed but down.
        using var client = Clients.For(a.Url.ToString());
        var views = await client.Admin.GetClusterFromEveryNodeAsync();
        Assert.Equal(3, views.Count);
        Assert.Equal([1, 2], views.Where(v => v.Status is not null).Select(v => v.Status!.NodeId));
        var dead = Assert.Single(views, v => v.Status is null);
        Assert.Equal(down, dead.Url.ToString().TrimEnd('/'));
        Assert.Single(a.Requests, r => r.PathAndQuery == "/admin/cluster");
        Assert.Single(b.Requests, r => r.PathAndQuery == "/admin/cluster");
    }

    [Fact]
    public async Task FakeServer_admin_route_missing_is_reported_as_such()
    {
        await using var server = await FakeZaqarServer.StartAsync();
        using var client = Clients.For(server.Url.ToString());
        var ex = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Admin.RebalanceAsync());
        Assert.True(ex.IsRouteMissing);
        Assert.Single(server.Requests); // membership/leadership changes are never repeated blindly

        server.AdminWritesImplemented = true;
        var answer = await client.Admin.TransferLeaderAsync(3, 2);
        Assert.Equal(2, answer!.Value.GetProperty("to").GetInt32());
        Assert.Equal("/admin/partitions/3/transfer?to=2", server.Requests.Last().PathAndQuery);
        await client.Admin.AddNodeAsync(new Admin.AddNodeRequest { Id = 4, HttpUrl = "http://127.0.0.4:8888" });
        await client.Admin.RemoveNodeAsync(4);
        await client.Admin.SnapshotAsync(partition: 1);
        Assert.Equal("/admin/snapshot?partition=1", server.Requests.Last().PathAndQuery);
    }
}

/// <summary>Builds /admin/cluster documents in the shape of docs/configuration.md.</summary>
public static class FakeCluster
{
    public static JsonObject View(int nodeId, (int Id, string Url)[] members, Func<int, int?> leaderOf, int partitions = 4,
        Func<int, long>? applied = null, Func<int, string>? hash = null)
    {
        var parts = new JsonArray();
        for (var p = 0; p < partitions; p++)
        {
            var leader = leaderOf(p);
            var index = applied?.Invoke(p) ?? 10 + p;
            parts.Add(new JsonObject
            {
                ["partition"] = p,
                ["role"] = leader == nodeId ? "leader" : "follower",
                ["leaderNodeId"] = leader,
                ["term"] = 2,
                ["commitIndex"] = 10 + p,
                ["appliedIndex"] = index,
                ["stateHash"] = hash?.Invoke(p) ?? $"00000000000000{p:x2}",
            });
        }

        return new JsonObject
        {
            ["nodeId"] = nodeId,
            ["partitionCount"] = partitions,
            ["nodes"] = new JsonArray(members.Select(m => (JsonNode)new JsonObject
            {
                ["id"] = m.Id,
                ["httpUrl"] = m.Url,
                ["raftAddress"] = "127.0.0.1",
                ["raftBasePort"] = 9100 + (m.Id * 100),
                ["zone"] = "z" + m.Id,
            }).ToArray()),
            ["partitions"] = parts,
        };
    }
}
