using System.Collections.Concurrent;
using RaftBurrow.Api.Tests.Burrow.Support;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>
/// Contract §6: claim (POST) and pop (DELETE) are single atomic commands, so concurrent workers
/// never receive the same visible message, and none is lost.
/// </summary>
public sealed class BurrowConcurrencyTests : IAsyncLifetime
{
    private const int Workers = 16;
    private const int MessageCount = 400;

    private BurrowTestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await BurrowTestHost.StartAsync(
        settings: new Dictionary<string, string?> { ["Burrow:MaxParkedWaiters"] = "1000" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_message()
    {
        await PutAll();
        var claimed = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var reply = await Client.Post("/v1.0/a/q?limit=1&hide=600&detail=id");
                if (reply.Status == 404)
                    return;
                Assert.Equal(200, reply.Status);
                foreach (var id in reply.Strings)
                    claimed.Add(id);
            }
        })));
        AssertExactlyOnce(claimed);
    }

    [Fact]
    public async Task Concurrent_poppers_never_get_the_same_message()
    {
        await PutAll();
        var popped = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            while (true)
            {
                var reply = await Client.Delete($"/v1.0/a/q?limit={1 + (w % 3)}&detail=id");
                if (reply.Status == 404)
                    return;
                foreach (var id in reply.Strings)
                    popped.Add(id);
            }
        })));
        AssertExactlyOnce(popped);
    }

    [Fact]
    public async Task Parked_workers_and_a_concurrent_producer_deliver_each_message_once()
    {
        var got = new ConcurrentBag<string>();
        using var done = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            try
            {
                while (!done.IsCancellationRequested)
                {
                    var reply = w % 2 == 0
                        ? await Client.Post("/v1.0/a/q?limit=1&wait=60&hide=600&detail=id", done.Token)
                        : await Client.Delete("/v1.0/a/q?limit=5&wait=60&detail=id", done.Token);
                    if (reply.Status == 200)
                    {
                        foreach (var id in reply.Strings)
                            got.Add(id);
                    }

                    if (got.Count >= MessageCount)
                        await done.CancelAsync();
                }
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
            }
        })).ToArray();

        await _host.WaitUntilParkedAsync(Workers);
        await PutAll();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        AssertExactlyOnce(got);
    }

    private async Task PutAll()
    {
        // A few producers at once, each in its own id range.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = p; i < MessageCount; i += 4)
                Assert.Equal(201, (await Client.Put($"/v1.0/a/q/m{i:D4}", $"body {i}")).Status);
        })));
    }

    private static void AssertExactlyOnce(IEnumerable<string> ids)
    {
        var list = ids.ToList();
        var duplicates = list.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
        Assert.Equal(MessageCount, list.Count);
    }
}
