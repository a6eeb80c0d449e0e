using System.Net;
using System.Text.Json.Nodes;
using RaftBurrow.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Zaqar v2 features that span nodes, on 3 real raftburrow processes: long polls (<c>wait</c>) on
/// claims and listings parked on one node and woken by a post sent to another, and an
/// <c>Idempotency-Key</c> retry sent to a different node than the first attempt.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ZaqarCrossNodeTests(ITestOutputHelper output)
{
    private const string Poster = "3381af92-2b9e-11e3-b191-71861300734c";
    private const string Worker = "6c1ea5e4-0000-4000-8000-0000000000b2";
    private readonly string _project = "cross-" + Guid.NewGuid().ToString("N")[..8];

    private Dictionary<string, string> Headers(string clientId, string? idempotencyKey = null)
    {
        var headers = new Dictionary<string, string> { ["X-Project-ID"] = _project, ["Client-ID"] = clientId };
        if (idempotencyKey is not null)
            headers["Idempotency-Key"] = idempotencyKey;
        return headers;
    }

    [Fact]
    public async Task Long_polls_wake_across_nodes_and_an_idempotent_retry_on_another_node_posts_nothing_new()
    {
        await using var cluster = new ServerCluster(3, 4);
        await cluster.StartAllAsync();
        using var rest = new Rest(cluster);

        // A claim parked on node 1 and a listing parked on node 2, both woken by a post to node 3.
        var claim = rest.SendAsync(1, HttpMethod.Post, "/v2/queues/work/claims?limit=5&wait=20", "{\"ttl\": 60, \"grace\": 60}", Headers(Worker));
        var listing = rest.SendAsync(2, HttpMethod.Get, "/v2/queues/work/messages?wait=20", headers: Headers(Worker));
        // Time for both to park, so the wake-up crosses nodes; the assertions hold either way.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var posted = await rest.SendAsync(3, HttpMethod.Post, "/v2/queues/work/messages", "{\"messages\": [{\"ttl\": 300, \"body\": \"wake up\"}]}", Headers(Poster));
        Assert.True(posted.Status == HttpStatusCode.Created, "post: " + posted);
        var claimed = await claim;
        var listed = await listing;
        output.WriteLine("claim: " + claimed);
        output.WriteLine("listing: " + listed);
        Assert.True(claimed.Status == HttpStatusCode.Created, "claim: " + claimed);
        Assert.Equal("wake up", (string?)Assert.Single(JsonNode.Parse(claimed.Body)!["messages"]!.AsArray())!["body"]);
        Assert.True(listed.Status == HttpStatusCode.OK, "listing: " + listed);
        var listedMessages = JsonNode.Parse(listed.Body)!["messages"]!.AsArray();
        // The listing may have run just before or just after the claim committed (include_claimed is off).
        Assert.True(listedMessages.Count <= 1);
        Assert.All(listedMessages, m => Assert.Equal("wake up", (string?)m!["body"]));

        // The same Idempotency-Key through node 1, then node 2: one message, the first answer twice.
        const string body = "{\"messages\": [{\"ttl\": 300, \"body\": \"once\"}, {\"ttl\": 300, \"body\": \"twice?\"}]}";
        var first = await rest.SendAsync(1, HttpMethod.Post, "/v2/queues/orders/messages", body, Headers(Poster, "order-42"));
        var retry = await rest.SendAsync(2, HttpMethod.Post, "/v2/queues/orders/messages", body, Headers(Poster, "order-42"));
        Assert.True(first.Status == HttpStatusCode.Created, "first: " + first);
        Assert.True(retry.Status == HttpStatusCode.Created, "retry: " + retry);
        Assert.Equal(JsonNode.Parse(first.Body)!["resources"]!.ToJsonString(), JsonNode.Parse(retry.Body)!["resources"]!.ToJsonString());
        var stats = await rest.SendAsync(3, HttpMethod.Get, "/v2/queues/orders/stats", headers: Headers(Poster));
        Assert.Equal(2, JsonNode.Parse(stats.Body)!["messages"]!["total"]!.GetValue<int>());
        await cluster.WaitConvergedAsync();
    }
}
