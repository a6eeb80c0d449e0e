using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RaftBurrow.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Issue 5's "Done when" on a 3-node cluster of real raftburrow processes: Burrow's worker, fast
/// worker and multicast idioms, with the long polls parked on node 1 (and 2) and woken by PUTs sent
/// to node 3; many concurrent claimers and poppers spread over the nodes never get the same
/// message; parked long polls are bounded per node (503 past Burrow:MaxParkedWaiters); and Burrow's
/// client semantics (tests/compat/burrow_client_test.py) through node 2.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class BurrowClusterTests(ITestOutputHelper output)
{
    private sealed record Item(string Id, long Ttl, long Hide, string Body);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static List<Item> Items(RestAnswer answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, "expected 200 with items, got " + answer);
        Assert.Equal("application/json", answer.ContentType);
        return JsonSerializer.Deserialize<List<Item>>(answer.Body, Json)!;
    }

    // The long polls are started before the PUTs; this pause gives them time to park on their node
    // so that the wake-up really crosses nodes. The assertions hold either way (no timing is asserted).
    private static Task LetWaitersParkAsync() => Task.Delay(TimeSpan.FromMilliseconds(500));

    [Fact]
    public async Task Burrow_idioms_work_on_3_nodes_with_waiters_woken_by_puts_to_another_node()
    {
        await using var cluster = new ServerCluster(3, 4);
        await cluster.StartAllAsync();
        using var rest = new Rest(cluster);
        var account = "acct-" + Guid.NewGuid().ToString("N")[..8];

        // Worker: two workers long-poll with an atomic claim on node 1; a client PUTs two jobs to node 3.
        var workers = Enumerable.Range(0, 2).Select(_ =>
            rest.SendAsync(1, HttpMethod.Post, $"/v1.0/{account}/jobs?limit=1&wait=60&hide=60&detail=all")).ToArray();
        await LetWaitersParkAsync();
        Assert.Equal(HttpStatusCode.Created, (await rest.SendAsync(3, HttpMethod.Put, $"/v1.0/{account}/jobs/id1", "resize image 1", contentType: "text/plain")).Status);
        Assert.Equal(HttpStatusCode.Created, (await rest.SendAsync(3, HttpMethod.Put, $"/v1.0/{account}/jobs/id2", "resize image 2", contentType: "text/plain")).Status);
        var claimed = (await Task.WhenAll(workers)).Select(a => Assert.Single(Items(a))).ToList();
        output.WriteLine("workers got: " + string.Join(" | ", claimed));
        Assert.Equal(["id1", "id2"], claimed.Select(i => i.Id).Order());
        Assert.All(claimed, i => Assert.InRange(i.Hide, 1, 60));
        Assert.All(claimed, i => Assert.Equal(i.Id == "id1" ? "resize image 1" : "resize image 2", i.Body));
        // Both are hidden now (through node 2): nothing visible, both there with match_hidden.
        Assert.Equal(HttpStatusCode.NotFound, (await rest.SendAsync(2, HttpMethod.Get, $"/v1.0/{account}/jobs")).Status);
        Assert.Equal(2, Items(await rest.SendAsync(2, HttpMethod.Get, $"/v1.0/{account}/jobs?match_hidden=true&detail=all")).Count);
        foreach (var item in claimed)
            Assert.Equal(HttpStatusCode.OK, (await rest.SendAsync(1, HttpMethod.Delete, $"/v1.0/{account}/jobs/{item.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await rest.SendAsync(3, HttpMethod.Get, $"/v1.0/{account}/jobs?match_hidden=true")).Status);

        // Fast worker: an atomic take-and-delete of up to 100 messages, parked on node 1, woken by node 3.
        var fast = rest.SendAsync(1, HttpMethod.Delete, $"/v1.0/{account}/fast?limit=100&wait=60&detail=all");
        await LetWaitersParkAsync();
        for (var i = 1; i <= 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await rest.SendAsync(3, HttpMethod.Put, $"/v1.0/{account}/fast/id{i}", $"event {i}", contentType: "text/plain")).Status);
        var first = Items(await fast);
        Assert.NotEmpty(first);
        Assert.All(first, i => Assert.Equal("event " + i.Id[2..], i.Body));
        var rest2 = await rest.SendAsync(2, HttpMethod.Delete, $"/v1.0/{account}/fast?limit=100&detail=all");
        var second = rest2.Status == HttpStatusCode.NotFound ? [] : Items(rest2);
        output.WriteLine($"fast worker took {first.Count}, the second call {second.Count}");
        Assert.Equal(["id1", "id2", "id3"], first.Concat(second).Select(i => i.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await rest.SendAsync(3, HttpMethod.Get, $"/v1.0/{account}/fast?match_hidden=true")).Status);

        // Multicast: readers on nodes 1 and 2 see every message without taking it; each follows with a marker.
        var readers = new[] { 1, 2 }.Select(n => rest.SendAsync(n, HttpMethod.Get, $"/v1.0/{account}/events?wait=60")).ToArray();
        await LetWaitersParkAsync();
        Assert.Equal(HttpStatusCode.Created, (await rest.SendAsync(3, HttpMethod.Put, $"/v1.0/{account}/events/id1?ttl=60", "deployed v2", contentType: "text/plain")).Status);
        foreach (var answer in await Task.WhenAll(readers))
        {
            var item = Assert.Single(Items(answer));
            Assert.Equal(("id1", "deployed v2", 0L), (item.Id, item.Body, item.Hide));
            Assert.InRange(item.Ttl, 1, 60);
        }
        readers = [.. new[] { 1, 2 }.Select(n => rest.SendAsync(n, HttpMethod.Get, $"/v1.0/{account}/events?wait=60&marker=id1"))];
        await LetWaitersParkAsync();
        Assert.Equal(HttpStatusCode.Created, (await rest.SendAsync(3, HttpMethod.Put, $"/v1.0/{account}/events/id2?ttl=60", "deployed v3", contentType: "text/plain")).Status);
        foreach (var answer in await Task.WhenAll(readers))
            Assert.Equal(("id2", "deployed v3"), Assert.Single(Items(answer)) is var i ? (i.Id, i.Body) : default);
        // Readers took nothing: both messages are still there for everyone.
        Assert.Equal(["id1", "id2"], Items(await rest.SendAsync(3, HttpMethod.Get, $"/v1.0/{account}/events")).Select(i => i.Id));
        await cluster.WaitConvergedAsync();
    }

    [Fact]
    public async Task Concurrent_workers_across_nodes_never_receive_the_same_message()
    {
        await using var cluster = new ServerCluster(3, 4);
        await cluster.StartAllAsync();
        using var rest = new Rest(cluster);
        var account = "acct-" + Guid.NewGuid().ToString("N")[..8];
        const int total = 300;
        const int workerCount = 12;
        var handedOut = new ConcurrentBag<(string Id, int Worker, string How)>();
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        // Even workers claim one message at a time (POST hide), odd workers pop up to 5 (DELETE);
        // worker w talks to node 1 + w % 3. They long-poll, so they start before the first PUT.
        var workers = Enumerable.Range(0, workerCount).Select(w => Task.Run(async () =>
        {
            var node = 1 + w % 3;
            var claim = w % 2 == 0;
            var path = claim
                ? $"/v1.0/{account}/work?limit=1&wait=5&hide=600&detail=all"
                : $"/v1.0/{account}/work?limit=5&wait=5&detail=all";
            while (handedOut.Count < total && !done.IsCancellationRequested)
            {
                var answer = await rest.SendAsync(node, claim ? HttpMethod.Post : HttpMethod.Delete, path);
                if (answer.Status == HttpStatusCode.NotFound)
                    continue;
                foreach (var item in Items(answer))
                    handedOut.Add((item.Id, w, claim ? "claim" : "pop"));
            }
        })).ToArray();

        // Three producers, one per node, PUT their share of the messages.
        var producers = Enumerable.Range(1, 3).Select(node => Task.Run(async () =>
        {
            for (var n = node - 1; n < total; n += 3)
            {
                var answer = await rest.SendAsync(node, HttpMethod.Put, $"/v1.0/{account}/work/m{n:D4}", $"job {n}", contentType: "text/plain");
                Assert.True(answer.Status == HttpStatusCode.Created, "PUT: " + answer);
            }
        })).ToArray();
        await Task.WhenAll(producers);
        await Task.WhenAll(workers);
        Assert.False(done.IsCancellationRequested, $"only {handedOut.Count} of {total} messages handed out before the deadline");

        var ids = handedOut.Select(h => h.Id).ToList();
        var duplicates = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key + ": " + string.Join(", ", handedOut.Where(h => h.Id == g.Key))).ToList();
        Assert.Empty(duplicates);
        Assert.Equal(Enumerable.Range(0, total).Select(n => $"m{n:D4}"), ids.Order());
        var claims = handedOut.Count(h => h.How == "claim");
        output.WriteLine($"{total} handed out to {workerCount} workers: {claims} by claim, {total - claims} by pop; per worker: "
            + string.Join(" ", handedOut.GroupBy(h => h.Worker).OrderBy(g => g.Key).Select(g => $"w{g.Key}={g.Count()}")));
        // What was claimed is still there, hidden; what was popped is gone.
        Assert.Equal(HttpStatusCode.NotFound, (await rest.SendAsync(2, HttpMethod.Get, $"/v1.0/{account}/work")).Status);
        if (claims > 0)
            Assert.Equal(claims, Items(await rest.SendAsync(3, HttpMethod.Get, $"/v1.0/{account}/work?match_hidden=true&detail=attributes")).Count);
        await cluster.WaitConvergedAsync();
    }

    [Fact]
    public async Task Burrow_parked_waiters_are_bounded_per_node_with_a_clear_503()
    {
        await using var cluster = new ServerCluster(3, 4, new Dictionary<string, string> { ["Burrow:MaxParkedWaiters"] = "2" });
        await cluster.StartAllAsync();
        using var rest = new Rest(cluster);
        var account = "bound-" + Guid.NewGuid().ToString("N")[..8];

        // Three long polls on node 1, which parks at most 2: one of them is refused at once.
        var onNode1 = Enumerable.Range(0, 3).Select(_ => rest.SendAsync(1, HttpMethod.Get, $"/v1.0/{account}/events?wait=60")).ToList();
        var refused = await await Task.WhenAny(onNode1);
        output.WriteLine("refused: " + refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("application/json", refused.ContentType);
        Assert.Equal("Too many waiting requests", (string?)JsonNode.Parse(refused.Body)!["title"]);
        // The limit is per node: node 2 still parks a waiter.
        var onNode2 = rest.SendAsync(2, HttpMethod.Get, $"/v1.0/{account}/events?wait=60");
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(HttpStatusCode.Created, (await rest.SendAsync(3, HttpMethod.Put, $"/v1.0/{account}/events/e1", "deployed", contentType: "text/plain")).Status);
        var answers = await Task.WhenAll(onNode1.Append(onNode2));
        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(3, answers.Count(a => a.Status == HttpStatusCode.OK && a.Body.Contains("\"deployed\"", StringComparison.Ordinal)));
    }

    [RequiresPythonFact]
    public async Task Burrow_client_semantics_pass_through_node_2()
    {
        await using var cluster = new ServerCluster(3, 4);
        await cluster.StartAllAsync();
        var environment = new Dictionary<string, string>
        {
            ["BURROW_URL"] = cluster.BaseUri(2).ToString().TrimEnd('/'),
            ["BURROW_DEFAULT_TTL"] = "600",
        };
        var (exitCode, log) = await PythonScript.RunAsync(PythonScript.Plain!, [PythonScript.CompatScript("burrow_client_test.py")], environment, TimeSpan.FromMinutes(2));
        output.WriteLine(log);
        Assert.True(exitCode == 0, "burrow_client_test.py failed through node 2:\n" + log);
        Assert.Contains("OK", log, StringComparison.Ordinal);
    }
}
