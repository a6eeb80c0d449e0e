using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RaftBurrow.Cluster.Tests.Support;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;
using Xunit.Abstractions;

namespace RaftBurrow.Cluster.Tests;

/// <summary>
/// Batched forwarding (ForwardBatcher, <c>/internal/v2/partitions/{p}/execute</c>) on 3 real
/// raftburrow processes: many concurrent producers posting through a node that does not lead the
/// queue's partition, with the leadership moved to another node half-way; and the batch endpoint's
/// per-command outcomes and errors.
/// </summary>
[Trait("Category", "Cluster")]
public sealed partial class ForwardBatchingTests(ITestOutputHelper output)
{
    private const int Partitions = 2;
    private static readonly Dictionary<string, string> NoBalancer = new() { ["RaftBurrow:BalancerEnabled"] = "false" };

    [Fact]
    public async Task Concurrent_posts_through_a_non_leader_are_all_committed_once_in_order_per_producer_across_a_leader_change()
    {
        await using var cluster = new ServerCluster(3, Partitions, NoBalancer);
        await cluster.StartAllAsync();
        const int partition = 0;
        const int producers = 16;
        const int perProducer = 30;
        var queue = Queues.QueueOn(partition, Partitions, "fwd");
        var leader = await cluster.LeaderOfAsync(partition, askNode: 1);
        var entry = leader == 1 ? 2 : 1;
        var third = 6 - leader - entry;
        output.WriteLine($"partition {partition}: leader {leader}, posts through node {entry}, leadership moves to node {third}");

        var acknowledged = 0;
        var moved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ids = new ConcurrentDictionary<int, List<string>>();
        var posting = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var mine = ids.GetOrAdd(p, _ => []);
            for (var n = 0; n < perProducer; n++)
            {
                // Each post is acknowledged before the producer sends its next one: its order is the
                // order it expects to find them in the queue.
                var (status, result) = await cluster.ExecuteAsync(entry, partition, Queues.Post(queue, $"p{p}-{n}"), Guid.NewGuid());
                Assert.True(status == HttpStatusCode.OK, $"producer {p} post {n}: {status}");
                var posted = Assert.IsType<PostMessagesResult>(result);
                Assert.Equal(ResultCode.Created, posted.Code);
                mine.Add(Assert.Single(posted.MessageIds));
                if (Interlocked.Increment(ref acknowledged) == producers * perProducer / 2)
                    moved.TrySetResult();
            }
        })).ToList();

        // Half-way, while the producers keep posting, the leadership moves to the third node: queued
        // and in-flight forwards to the old leader must re-route to the new one.
        await Task.WhenAny(moved.Task, Task.WhenAll(posting));
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            using var transfer = await http.PostAsync(new Uri(cluster.BaseUri(entry), $"/admin/partitions/{partition}/transfer?to={third}"), null);
            output.WriteLine($"transfer: {(int)transfer.StatusCode} {await transfer.Content.ReadAsStringAsync()}");
            Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
        }
        await Task.WhenAll(posting);
        // (On a loaded machine another election may follow the transfer: any further change only adds re-routes.)
        output.WriteLine($"leader after the run: node {await cluster.LeaderOfAsync(partition, askNode: entry)}");

        // Nothing lost, nothing twice, and each producer's messages in the order it posted them.
        var bodies = await Queues.DrainAsync(cluster, entry, queue);
        Assert.Equal(producers * perProducer, bodies.Count);
        Assert.Equal(bodies.Count, bodies.Distinct().Count());
        for (var p = 0; p < producers; p++)
        {
            var prefix = $"p{p}-";
            Assert.Equal(Enumerable.Range(0, perProducer).Select(n => prefix + n), bodies.Where(b => b.StartsWith(prefix, StringComparison.Ordinal)));
            Assert.Equal(perProducer, ids[p].Distinct().Count());
        }

        // The posts went through the batched forwarding path (how many per request depends on timing).
        var metrics = await new Rest(cluster).SendAsync(entry, HttpMethod.Get, "/metrics");
        var forwarded = Sum(metrics.Body, "raftburrow_forwarded_requests_total");
        var batches = Sum(metrics.Body, "raftburrow_forward_batches_total");
        output.WriteLine($"node {entry}: {forwarded} forwarded commands in {batches} internal requests");
        Assert.True(batches > 0 && forwarded >= producers * perProducer, $"forwarded {forwarded}, batches {batches}");
        await cluster.WaitConvergedAsync();
    }

    [Fact]
    public async Task The_batch_endpoint_answers_each_command_and_refuses_what_it_cannot_run()
    {
        await using var cluster = new ServerCluster(3, Partitions, NoBalancer);
        await cluster.StartAllAsync();
        const int partition = 1;
        var queue = Queues.QueueOn(partition, Partitions, "batch");
        var leader = await cluster.LeaderOfAsync(partition, askNode: 1);
        var follower = leader == 1 ? 2 : 1;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var first = Guid.NewGuid();
        var items = new List<ForwardBatchCodec.Item>
        {
            new(first, 5000, CommandCodec.Encode(Queues.Post(queue, "a"))),
            new(Guid.NewGuid(), 5000, new byte[] { 0xFF, 0xFF, 0xFF }), // not a command
            new(Guid.NewGuid(), 5000, CommandCodec.Encode(Queues.Post(queue, "b"))),
            new(first, 5000, CommandCodec.Encode(Queues.Post(queue, "a"))), // a retry: the first answer again
        };

        // The leader runs every command and answers each in order.
        var (status, body, _) = await PostBatchAsync(http, cluster.BaseUri(leader), partition, ForwardBatchCodec.EncodeRequest(items));
        Assert.Equal(HttpStatusCode.OK, status);
        var answers = ForwardBatchCodec.TryDecodeAnswer(body, items.Count);
        Assert.NotNull(answers);
        Assert.All(answers, a => Assert.Equal(ForwardOutcome.Ok, a.Outcome));
        var results = answers.Select(a => CommandCodec.TryDecodeResult(a.Result)).ToList();
        var a = Assert.IsType<PostMessagesResult>(results[0]);
        Assert.Equal(ResultCode.BadCommand, Assert.IsType<CodeResult>(results[1]).Code);
        var b = Assert.IsType<PostMessagesResult>(results[2]);
        Assert.Equal(a.MessageIds, Assert.IsType<PostMessagesResult>(results[3]).MessageIds);
        Assert.NotEqual(a.MessageIds, b.MessageIds);
        Assert.Equal(["a", "b"], await Queues.DrainAsync(cluster, follower, queue));

        // A follower refuses the whole batch (421) and names the leader; the origin re-routes.
        var (refused, refusal, headers) = await PostBatchAsync(http, cluster.BaseUri(follower), partition, ForwardBatchCodec.EncodeRequest(items));
        Assert.Equal(HttpStatusCode.MisdirectedRequest, refused);
        Assert.Equal(leader.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(headers.GetValues(ClusterRouter.LeaderHeader)));
        Assert.NotNull(JsonNode.Parse(refusal)!["title"]);

        // Bad input: a 4xx with a JSON body, never a 500.
        var (bad, badBody, _) = await PostBatchAsync(http, cluster.BaseUri(leader), partition, [9, 1, 0, 0, 0]);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.NotNull(JsonNode.Parse(badBody)!["title"]);
        var (unknown, unknownBody, _) = await PostBatchAsync(http, cluster.BaseUri(leader), 99, ForwardBatchCodec.EncodeRequest(items));
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.NotNull(JsonNode.Parse(unknownBody)!["title"]);
        await cluster.WaitConvergedAsync();
    }

    private static async Task<(HttpStatusCode Status, byte[] Body, HttpResponseHeaders Headers)> PostBatchAsync(HttpClient http, Uri node, int partition, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node, $"/internal/v2/partitions/{partition}/execute")) { Content = content };
        request.Headers.Add(ClusterRouter.HopsHeader, "1");
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Headers);
    }

    private static double Sum(string metrics, string name) =>
        SampleLine().Matches(metrics).Where(m => m.Groups["name"].Value == name).Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{[^}]*\})? (?<value>[0-9.e+-]+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
