using System.Net;
using System.Text.Json;
using RaftBurrow.Cli.Bench;
using RaftBurrow.Client.Tests.Support;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Client.Tests;

/// <summary>The client and bench against the REAL Zaqar API (branch zaqar) over LocalQueueService, via real HTTP.</summary>
public sealed class RealZaqarApiTests : IAsyncLifetime
{
    private RealZaqarHost host = null!;

    public async Task InitializeAsync() => host = await RealZaqarHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task RealApi_queue_message_claim_lifecycle_through_the_client()
    {
        using var client = Clients.For(host.Url);
        Assert.True(await client.Zaqar.PingAsync());
        Assert.True(await client.Zaqar.CreateQueueAsync("orders", JsonDocument.Parse("""{"_default_message_ttl": 600, "note": "x"}""").RootElement));
        Assert.Equal("x", (await client.Zaqar.GetQueueAsync("orders")).GetProperty("note").GetString());
        Assert.Contains((await client.Zaqar.ListQueuesAsync()).Queues, q => q.Name == "orders");

        var posted = await client.Zaqar.PostMessagesAsync("orders", [NewMessage.FromJson("""{"n": 1}""", 60), NewMessage.FromJson("""{"n": 2}""", 60), NewMessage.FromJson("3", 60)]);
        Assert.Equal(3, posted.MessageIds.Count);
        Assert.Equal(3, (await client.Zaqar.GetQueueStatsAsync("orders")).Messages.Total);
        Assert.Equal(posted.MessageIds, (await client.Zaqar.ListMessagesAsync("orders")).Messages.Select(m => m.MessageId));
        Assert.Equal(2, (await client.Zaqar.GetMessageAsync("orders", posted.MessageIds[1]))!.Body.GetProperty("n").GetInt32());

        var claim = await client.Zaqar.ClaimMessagesAsync("orders", 60, 60, limit: 2);
        Assert.NotNull(claim);
        Assert.False(string.IsNullOrEmpty(claim.Id));
        Assert.Equal(posted.MessageIds.Take(2), claim.Messages.Select(m => m.MessageId)); // FIFO
        Assert.Equal(2, (await client.Zaqar.GetQueueStatsAsync("orders")).Messages.Claimed);
        Assert.NotNull(await client.Zaqar.GetClaimAsync("orders", claim.Id));
        await client.Zaqar.RenewClaimAsync("orders", claim.Id, 120, 60);

        var refused = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Zaqar.DeleteMessageAsync("orders", claim.Messages[0].MessageId));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.NotNull(refused.Title);

        await client.Zaqar.DeleteMessageAsync("orders", claim.Messages[0].MessageId, claim.Id);
        await client.Zaqar.ReleaseClaimAsync("orders", claim.Id);
        var popped = await client.Zaqar.PopMessagesAsync("orders", 5);
        Assert.Equal([posted.MessageIds[1], posted.MessageIds[2]], popped.Select(m => m.MessageId)); // released message kept its place
        Assert.Null(await client.Zaqar.ClaimMessagesAsync("orders", 60, 60));

        await client.Zaqar.PurgeQueueAsync("orders");
        await client.Zaqar.DeleteQueueAsync("orders");
    }

    [Fact]
    public async Task RealApi_same_idempotency_key_enqueues_once()
    {
        using var client = Clients.For(host.Url);
        var first = await client.Zaqar.PostMessagesAsync("dedup", [NewMessage.FromJson("1", 60)], idempotencyKey: "k-1");
        var again = await client.Zaqar.PostMessagesAsync("dedup", [NewMessage.FromJson("1", 60)], idempotencyKey: "k-1");
        Assert.Equal(first.MessageIds, again.MessageIds);
        Assert.Equal(1, (await client.Zaqar.GetQueueStatsAsync("dedup")).Messages.Total);
    }

    [Fact]
    public async Task RealApi_claim_with_wait_returns_a_message_posted_while_it_waits()
    {
        using var client = Clients.For(host.Url);
        await client.Zaqar.CreateQueueAsync("later");
        var waiting = client.Zaqar.ClaimMessagesAsync("later", 60, 60, limit: 1, waitSeconds: 20);
        // Without the wait the claim would answer 204 (null) unless it happened to run after the post.
        await client.Zaqar.PostMessageAsync("later", NewMessage.FromJson("\"hi\"", 60));
        var claim = await waiting;
        Assert.NotNull(claim);
        Assert.Equal("hi", Assert.Single(claim.Messages).Body.GetString());
    }

    [Fact]
    public async Task RealApi_subscriptions_through_the_client()
    {
        using var client = Clients.For(host.Url);
        await client.Zaqar.CreateQueueAsync("events");
        var id = await client.Zaqar.CreateSubscriptionAsync("events", new SubscriptionRequest { Subscriber = "http://127.0.0.1:9/hook", TtlSeconds = 3600, Options = JsonDocument.Parse("{}").RootElement });
        Assert.False(string.IsNullOrEmpty(id));
        var sub = await client.Zaqar.GetSubscriptionAsync("events", id);
        Assert.Equal("http://127.0.0.1:9/hook", sub!.Subscriber);
        await client.Zaqar.UpdateSubscriptionAsync("events", id, new SubscriptionRequest { TtlSeconds = 7200 });
        Assert.Single((await client.Zaqar.ListSubscriptionsAsync("events")).Subscriptions);
        await client.Zaqar.DeleteSubscriptionAsync("events", id);
        Assert.Null(await client.Zaqar.GetSubscriptionAsync("events", id));
    }

    [Theory]
    [InlineData(ConsumeMode.Claim)]
    [InlineData(ConsumeMode.Pop)]
    public async Task RealApi_bench_count_run_verifies_every_message(ConsumeMode mode)
    {
        var summary = await new BenchRunner(new BenchOptions
        {
            Urls = [host.Url],
            Producers = 2,
            Consumers = 2,
            MessagesPerPost = 10,
            Count = 300,
            Warmup = TimeSpan.Zero,
            Consume = mode,
            ProgressInterval = TimeSpan.Zero,
            DrainTimeout = TimeSpan.FromSeconds(30),
        }, progress: null).RunAsync(CancellationToken.None);

        Assert.True(summary.Verification.Ok, summary.ToText());
        Assert.Equal(300, summary.Verification.Acknowledged);
        Assert.Equal(300, summary.Verification.ConsumedUnique);
        Assert.All(summary.Operations, o => Assert.Equal(0, o.Errors));
        Assert.Equal(0, summary.LeftInQueues);
    }
}
