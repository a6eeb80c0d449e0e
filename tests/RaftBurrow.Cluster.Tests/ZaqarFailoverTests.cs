using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RaftBurrow.Cluster.Tests.Support;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;
using Partitioner = RaftBurrow.StateMachine.Partitioner;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Zaqar v2 on 3 real raftburrow processes with the leader of the queue's partition killed (-9)
/// while messages are posted (through node 3) and claimed (through node 1): clients retry on 503
/// and network errors against the survivors, and afterwards every acknowledged message is still in
/// the queue exactly once, in FIFO order; claims handed out messages in FIFO order and never the
/// same one twice. Then bad input sent to a follower gets a 4xx JSON error and changes nothing.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ZaqarFailoverTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private const string PosterClientId = "3381af92-2b9e-11e3-b191-71861300734c";
    private const string ClaimerClientId = "6c1ea5e4-0000-4000-8000-00000000c1a1";

    private readonly string _project = "failover-" + Guid.NewGuid().ToString("N")[..8];

    private Dictionary<string, string> Headers(string clientId) => new() { ["X-Project-ID"] = _project, ["Client-ID"] = clientId };

    /// <summary>Sends until a non-503 answer arrives, moving through <paramref name="nodes"/> (the live ones) on 503 and network errors.</summary>
    private static async Task<RestAnswer> WithRetriesAsync(ServerCluster cluster, Func<int, CancellationToken, Task<RestAnswer>> send, Func<int[]> nodes, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var attempt = 0; ; attempt++)
        {
            var live = nodes().Where(cluster.IsRunning).ToArray();
            var node = live[attempt % live.Length];
            try
            {
                using var request = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                request.CancelAfter(TimeSpan.FromSeconds(10));
                var answer = await send(node, request.Token);
                if (answer.Status != HttpStatusCode.ServiceUnavailable)
                    return answer;
            }
            catch (Exception e) when ((e is HttpRequestException or OperationCanceledException) && !deadline.IsCancellationRequested)
            {
                // the node died under the request, or it did not answer in time: try again (the same idempotency key)
            }
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"{what}: no answer other than 503 within 60 s");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Killing_the_queue_leader_while_posting_and_claiming_keeps_every_acknowledged_message_once_in_order()
    {
        await using var cluster = new ServerCluster(3, Partitions);
        await cluster.StartAllAsync();
        using var rest = new Rest(cluster);
        const string queue = "orders";
        var partition = Partitioner.PartitionOf(QueueSpace.Zaqar, _project, queue, Partitions);
        var victim = await cluster.LeaderOfAsync(partition, askNode: 1);
        output.WriteLine($"queue {queue} of {_project} is on partition {partition}, led by node {victim}");
        Assert.Equal(HttpStatusCode.Created, (await rest.SendAsync(3, HttpMethod.Put, $"/v2/queues/{queue}", "{}", Headers(PosterClientId))).Status);

        var acknowledged = new ConcurrentQueue<int>();
        var claimed = new ConcurrentQueue<(int Claim, int N)>();
        var killed = 0;
        var ackedAfterKill = 0;
        var claimsAfterKill = 0;
        using var stop = new CancellationTokenSource();

        // The poster: one message at a time through node 3 (the others once it is dead), each with
        // its own Idempotency-Key so that a retry after a lost answer enqueues nothing new.
        var poster = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var body = $"{{\"messages\": [{{\"ttl\": 3600, \"body\": {{\"n\": {n}}}}}]}}";
                var answer = await WithRetriesAsync(cluster, (node, ct) =>
                    rest.SendAsync(node, HttpMethod.Post, $"/v2/queues/{queue}/messages", body,
                        new Dictionary<string, string>(Headers(PosterClientId)) { ["Idempotency-Key"] = $"post-{n}" }, cancellationToken: ct),
                    () => [3, 2, 1], $"post {n}");
                Assert.True(answer.Status == HttpStatusCode.Created, $"post {n}: {answer}");
                acknowledged.Enqueue(n);
                if (Volatile.Read(ref killed) != 0)
                    Interlocked.Increment(ref ackedAfterKill);
            }
        });

        // The claimer: claims of up to 3 messages through node 1 (the others once it is dead), with
        // a claim ttl longer than the test so nothing it claimed comes back.
        var claimer = Task.Run(async () =>
        {
            for (var c = 0; !stop.IsCancellationRequested; c++)
            {
                var answer = await WithRetriesAsync(cluster, (node, ct) =>
                    rest.SendAsync(node, HttpMethod.Post, $"/v2/queues/{queue}/claims?limit=3&wait=1", "{\"ttl\": 600, \"grace\": 60}", Headers(ClaimerClientId), cancellationToken: ct),
                    () => [1, 2, 3], $"claim {c}");
                if (answer.Status == HttpStatusCode.NoContent)
                    continue;
                Assert.True(answer.Status == HttpStatusCode.Created, $"claim {c}: {answer}");
                foreach (var message in JsonNode.Parse(answer.Body)!["messages"]!.AsArray())
                    claimed.Enqueue((c, message!["body"]!["n"]!.GetValue<int>()));
                if (Volatile.Read(ref killed) != 0)
                    Interlocked.Increment(ref claimsAfterKill);
            }
        });

        await Eventually.Async(() => Task.FromResult(acknowledged.Count >= 40 && !claimed.IsEmpty || poster.IsFaulted || claimer.IsFaulted),
            TimeSpan.FromSeconds(60), "40 posts acknowledged and a claim made");
        cluster.Kill(victim);
        Volatile.Write(ref killed, 1);
        output.WriteLine($"killed node {victim} after {acknowledged.Count} acknowledged posts and {claimed.Count} claimed messages");
        await Eventually.Async(() => Task.FromResult(Volatile.Read(ref ackedAfterKill) >= 40 && Volatile.Read(ref claimsAfterKill) >= 2 || poster.IsFaulted || claimer.IsFaulted),
            TimeSpan.FromSeconds(90), "40 posts acknowledged and 2 claims made after the kill");
        await stop.CancelAsync();
        await Task.WhenAll(poster, claimer);

        var survivors = Enumerable.Range(1, 3).Where(n => n != victim).ToArray();
        var leader = await cluster.LeaderOfAsync(partition, survivors[0]);
        Assert.NotEqual(victim, leader);
        var acked = acknowledged.ToList();
        var claims = claimed.ToList();
        output.WriteLine($"new leader node {leader}; {acked.Count} posts acknowledged ({ackedAfterKill} after the kill), {claims.Count} messages claimed in {claims.Select(c => c.Claim).Distinct().Count()} claims ({claimsAfterKill} after the kill)");

        // Every acknowledged message is there exactly once, in the order it was posted (claimed ones included).
        var listed = await ListAllAsync(rest, survivors[1], queue);
        Assert.Equal(acked, listed);
        Assert.Equal(Enumerable.Range(0, acked.Count), acked);
        // Claims hand out the oldest unclaimed messages: increasing, never one twice.
        var claimedOrder = claims.Select(c => c.N).ToList();
        Assert.Equal(claimedOrder.Distinct().Count(), claimedOrder.Count);
        Assert.Equal(claimedOrder.Order().ToList(), claimedOrder);

        await BadInputThroughAFollowerChangesNothingAsync(cluster, rest, queue, survivors.Single(n => n != leader), listed);
    }

    private async Task<List<int>> ListAllAsync(Rest rest, int node, string queue)
    {
        var bodies = new List<int>();
        var next = $"/v2/queues/{queue}/messages?include_claimed=true&echo=true&limit=20";
        while (true)
        {
            var answer = await rest.SendAsync(node, HttpMethod.Get, next, headers: Headers(PosterClientId));
            Assert.True(answer.Status == HttpStatusCode.OK, "list: " + answer);
            var page = JsonNode.Parse(answer.Body)!;
            var messages = page["messages"]!.AsArray();
            if (messages.Count == 0)
                return bodies;
            bodies.AddRange(messages.Select(m => m!["body"]!["n"]!.GetValue<int>()));
            next = page["links"]!.AsArray().Single(l => (string?)l!["rel"] == "next")!["href"]!.GetValue<string>();
        }
    }

    private async Task<(int Claimed, int Free, int Total)> CountsAsync(Rest rest, int node, string queue)
    {
        var answer = await rest.SendAsync(node, HttpMethod.Get, $"/v2/queues/{queue}/stats", headers: Headers(PosterClientId));
        Assert.True(answer.Status == HttpStatusCode.OK, "stats: " + answer);
        var messages = JsonNode.Parse(answer.Body)!["messages"]!;
        return (messages["claimed"]!.GetValue<int>(), messages["free"]!.GetValue<int>(), messages["total"]!.GetValue<int>());
    }

    private async Task BadInputThroughAFollowerChangesNothingAsync(ServerCluster cluster, Rest rest, string queue, int follower, List<int> before)
    {
        output.WriteLine($"bad input through follower node {follower}");
        Assert.NotEmpty(before);
        var statsBefore = await CountsAsync(rest, follower, queue);
        var oversize = "{\"messages\": [{\"ttl\": 300, \"body\": \"" + new string('x', 300 * 1024) + "\"}]}";
        var noClientId = new Dictionary<string, string> { ["X-Project-ID"] = _project };
        var cases = new (string What, HttpMethod Method, string Path, string? Body, Dictionary<string, string> Headers)[]
        {
            ("oversize body", HttpMethod.Post, $"/v2/queues/{queue}/messages", oversize, Headers(PosterClientId)),
            ("ttl below 60", HttpMethod.Post, $"/v2/queues/{queue}/messages", "{\"messages\": [{\"ttl\": 10, \"body\": 1}]}", Headers(PosterClientId)),
            ("ttl not a number", HttpMethod.Post, $"/v2/queues/{queue}/messages", "{\"messages\": [{\"ttl\": \"long\", \"body\": 1}]}", Headers(PosterClientId)),
            ("missing Client-ID on post", HttpMethod.Post, $"/v2/queues/{queue}/messages", "{\"messages\": [{\"ttl\": 300, \"body\": 1}]}", noClientId),
            // Claims do not require Client-ID (docs/api.md: required only on /messages routes); pop does.
            ("missing Client-ID on pop", HttpMethod.Delete, $"/v2/queues/{queue}/messages?pop=1", null, noClientId),
            ("Client-ID not a UUID", HttpMethod.Post, $"/v2/queues/{queue}/messages", "{\"messages\": [{\"ttl\": 300, \"body\": 1}]}",
                new Dictionary<string, string> { ["X-Project-ID"] = _project, ["Client-ID"] = "not-a-uuid" }),
            ("malformed JSON", HttpMethod.Post, $"/v2/queues/{queue}/messages", "{\"messages\": [", Headers(PosterClientId)),
            ("claim limit above 20", HttpMethod.Post, $"/v2/queues/{queue}/claims?limit=100", "{\"ttl\": 60}", Headers(ClaimerClientId)),
            ("claim ttl below 60", HttpMethod.Post, $"/v2/queues/{queue}/claims", "{\"ttl\": 5}", Headers(ClaimerClientId)),
            ("pop of 0", HttpMethod.Delete, $"/v2/queues/{queue}/messages?pop=0", null, Headers(ClaimerClientId)),
        };
        foreach (var (what, method, path, body, headers) in cases)
        {
            var answer = await rest.SendAsync(follower, method, path, body, headers);
            output.WriteLine($"{what}: {(int)answer.Status} {answer.Body[..Math.Min(answer.Body.Length, 160)]}");
            Assert.True((int)answer.Status is >= 400 and < 500, $"{what}: expected a 4xx, got {answer}");
            Assert.Equal("application/json", answer.ContentType);
            var error = JsonNode.Parse(answer.Body)!;
            Assert.False(string.IsNullOrWhiteSpace((string?)error["title"]), what + ": no title");
            Assert.False(string.IsNullOrWhiteSpace((string?)error["description"]), what + ": no description");
        }
        // Nothing changed: the counts and the messages are as before. (The commit index is not compared:
        // the leader balancer may move leadership meanwhile, and a new term commits a no-op entry.)
        Assert.Equal(statsBefore, await CountsAsync(rest, follower, queue));
        Assert.Equal(before, await ListAllAsync(rest, follower, queue));
        await cluster.WaitConvergedAsync();
    }
}
