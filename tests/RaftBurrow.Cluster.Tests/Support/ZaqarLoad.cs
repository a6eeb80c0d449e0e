using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>Zaqar calls on one node of a <see cref="ServerCluster"/> under a fixed project and Client-ID.</summary>
public sealed record ZaqarTenant(string Project, string ClientId)
{
    /// <summary>A request to <paramref name="node"/> with this tenant's headers and an optional JSON body.</summary>
    public HttpRequestMessage Request(ServerCluster cluster, HttpMethod method, int node, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri(cluster.BaseUri(node), path));
        request.Headers.Add("Client-ID", ClientId);
        request.Headers.Add("X-Project-ID", Project);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Claims a queue empty through the Zaqar API (claims until 204); returns the bodies in claim order.</summary>
    public async Task<List<string>> ClaimDrainAsync(ServerCluster cluster, HttpClient http, int node, string queue)
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

/// <summary>
/// Writers posting numbered bodies (<c>w{writer}-{n}</c>) through the Zaqar API of a running cluster
/// while a test changes it (membership, restarts); writer w posts to queue w mod the queue count,
/// through the nodes of <see cref="Nodes"/> in turn. A body is never sent twice: a request without
/// an answer may or may not have committed. <see cref="VerifyAsync"/> then checks nothing
/// acknowledged was lost, nothing duplicated and every writer's bodies came out in order.
/// </summary>
public sealed class ZaqarLoad
{
    private readonly ServerCluster _cluster;
    private readonly HttpClient _http;
    private readonly ZaqarTenant _tenant;
    private readonly string[] _queues;
    private readonly TimeSpan _pause;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _writers;
    private int _unavailable;
    private int _failed;

    /// <param name="pause">Wait between two posts of a writer (zero: as fast as answers come).</param>
    public ZaqarLoad(ServerCluster cluster, HttpClient http, ZaqarTenant tenant, string[] queues, int[] nodes, int writers, TimeSpan pause)
    {
        _cluster = cluster;
        _http = http;
        _tenant = tenant;
        _queues = queues;
        _pause = pause;
        Nodes = nodes;
        _writers = Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w))).ToArray();
    }

    /// <summary>The nodes posts go through (a test may change them, e.g. before stopping one).</summary>
    public volatile int[] Nodes;

    /// <summary>Acknowledged posts, as <c>queue/body</c>.</summary>
    public ConcurrentBag<string> Acknowledged { get; } = [];

    public string Summary => $"acknowledged {Acknowledged.Count}; 503 answers {_unavailable}; failed requests {_failed}";

    private async Task WriteAsync(int writer)
    {
        var queue = _queues[writer % _queues.Length];
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var body = $"w{writer}-{n}";
            var nodes = Nodes;
            var node = nodes[(writer + n) % nodes.Length];
            try
            {
                using var response = await _http.SendAsync(_tenant.Request(_cluster, HttpMethod.Post, node, $"/v2/queues/{queue}/messages", $$"""{"messages":[{"ttl":3600,"body":"{{body}}"}]}"""));
                if (response.StatusCode == HttpStatusCode.Created)
                    Acknowledged.Add(queue + "/" + body);
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    Interlocked.Increment(ref _unavailable);
                else
                    throw new InvalidOperationException($"POST through node {node} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The node is down (stopped or restarting): a real client moves on to another node.
                Interlocked.Increment(ref _failed);
                await Task.Delay(20);
            }
            if (_pause > TimeSpan.Zero)
                await Task.Delay(_pause);
        }
    }

    /// <summary>Stops the writers; an unexpected answer one of them got fails here.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    /// <summary>Claims every queue empty through <paramref name="drainThrough"/> and checks: nothing lost, nothing twice, FIFO per writer.</summary>
    public async Task VerifyAsync(int drainThrough)
    {
        foreach (var queue in _queues)
        {
            var drained = await _tenant.ClaimDrainAsync(_cluster, _http, drainThrough, queue);
            Assert.Empty(drained.GroupBy(b => b).Where(g => g.Count() > 1).Select(g => g.Key));
            var lost = Acknowledged.Where(a => a.StartsWith(queue + "/", StringComparison.Ordinal)).Select(a => a[(queue.Length + 1)..]).Except(drained).ToList();
            Assert.Empty(lost);
            // Per writer, bodies come out in posting order (strict FIFO per queue).
            foreach (var writer in drained.GroupBy(b => b.Split('-')[0]))
            {
                var sequence = writer.Select(b => int.Parse(b.Split('-')[1], CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(sequence.Order().ToList(), sequence);
            }
        }
    }
}
