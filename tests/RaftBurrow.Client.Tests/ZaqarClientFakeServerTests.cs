using System.Net;
using System.Text.Json;
using RaftBurrow.Client.Tests.Support;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Client.Tests;

/// <summary>The Zaqar client over real HTTP against <see cref="FakeZaqarServer"/> (a fake below the client edge).</summary>
public sealed class ZaqarClientFakeServerTests : IAsyncLifetime
{
    private FakeZaqarServer server = null!;

    public async Task InitializeAsync() => server = await FakeZaqarServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task FakeServer_post_claim_delete_round_trip_returns_bodies_and_claim_ids()
    {
        using var client = Clients.For(server.Url.ToString());
        Assert.True(await client.Zaqar.CreateQueueAsync("orders"));
        Assert.False(await client.Zaqar.CreateQueueAsync("orders"));
        var posted = await client.Zaqar.PostMessagesAsync("orders", [NewMessage.FromJson("""{"n": 1}""", 60), NewMessage.FromJson("""{"n": 2}""")]);
        Assert.Equal(2, posted.MessageIds.Count);
        Assert.False(string.IsNullOrEmpty(posted.IdempotencyKey));

        var claim = await client.Zaqar.ClaimMessagesAsync("orders", 60, 60, limit: 10);
        Assert.NotNull(claim);
        Assert.False(string.IsNullOrEmpty(claim.Id));
        Assert.Equal(posted.MessageIds, claim.Messages.Select(m => m.MessageId));
        Assert.All(claim.Messages, m => Assert.Equal(claim.Id, m.ClaimId));
        Assert.Equal(1, claim.Messages[0].Body.GetProperty("n").GetInt32());

        var info = await client.Zaqar.GetClaimAsync("orders", claim.Id);
        Assert.NotNull(info);
        Assert.Equal(claim.Id, info.Id);

        // A claimed message cannot be deleted without its claim: the error carries Zaqar's title and description.
        var refused = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Zaqar.DeleteMessageAsync("orders", posted.MessageIds[0]));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Unable to delete", refused.Title);
        Assert.Contains("claim", refused.Description, StringComparison.OrdinalIgnoreCase);

        foreach (var m in claim.Messages)
        {
            await client.Zaqar.DeleteMessageAsync("orders", m.MessageId, claim.Id);
        }

        Assert.Null(await client.Zaqar.ClaimMessagesAsync("orders", 60, 60));
        Assert.Equal(0, (await client.Zaqar.GetQueueStatsAsync("orders")).Messages.Total);
    }

    [Fact]
    public async Task FakeServer_every_request_carries_project_and_client_id_and_posts_carry_an_idempotency_key()
    {
        var options = Clients.Options([server.Url.ToString()]);
        options.ClientId = Guid.Parse("5bc6a1f0-0000-4000-8000-000000000001");
        using var client = new RaftBurrowClient(options);
        await client.Zaqar.PostMessageAsync("q", NewMessage.FromJson("1"), idempotencyKey: "my-key");
        await client.Zaqar.GetQueueStatsAsync("q");

        var requests = server.Requests.ToList();
        Assert.All(requests, r => Assert.Equal("tests", r.ProjectId));
        Assert.All(requests, r => Assert.Equal("5bc6a1f0-0000-4000-8000-000000000001", r.ClientId));
        Assert.Equal("my-key", requests.Single(r => r.Method == "POST").IdempotencyKey);
        Assert.Equal("", requests.Single(r => r.Method == "GET").IdempotencyKey);
    }

    [Fact]
    public async Task FakeServer_post_whose_answer_is_lost_is_retried_with_the_same_key_and_enqueued_once()
    {
        using var client = Clients.For(server.Url.ToString());
        server.DropAfterProcessing(1);
        var result = await client.Zaqar.PostMessagesAsync("q", [NewMessage.FromJson("""{"once": true}""")]);

        var posts = server.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, posts.Count); // the lost attempt and its retry
        Assert.Equal(posts[0].IdempotencyKey, posts[1].IdempotencyKey);
        Assert.Equal(result.IdempotencyKey, posts[0].IdempotencyKey);
        Assert.Equal(1, server.MessageCount("q"));
    }

    [Fact]
    public async Task FakeServer_503_with_retry_after_is_retried_until_it_succeeds()
    {
        using var client = Clients.For(server.Url.ToString());
        server.Fail503(3);
        await client.Zaqar.PostMessageAsync("q", NewMessage.FromJson("2"));
        Assert.Equal(1, server.MessageCount("q"));
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task FakeServer_503_beyond_the_retry_budget_surfaces_as_an_exception_with_the_status()
    {
        using var client = new RaftBurrowClient(Clients.Options([server.Url.ToString()], retries: 1));
        server.Fail503(5);
        var ex = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Zaqar.GetQueueStatsAsync("q"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task FakeServer_a_read_that_times_out_is_retried_and_a_claim_that_times_out_is_not()
    {
        var options = Clients.Options([server.Url.ToString()]);
        options.RequestTimeout = TimeSpan.FromMilliseconds(300); // the held request never answers, so any deadline works
        using var client = new RaftBurrowClient(options);
        await client.Zaqar.PostMessageAsync("q", NewMessage.FromJson("1"));

        server.HoldNext(1);
        Assert.Equal(1, (await client.Zaqar.GetQueueStatsAsync("q")).Messages.Total);
        Assert.Equal(2, server.Requests.Count(r => r.PathAndQuery.EndsWith("/stats", StringComparison.Ordinal)));

        server.HoldNext(1);
        var ex = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Zaqar.ClaimMessagesAsync("q", 60, 60));
        Assert.Equal("timeout", ex.Title);
        Assert.Null(ex.StatusCode);
        Assert.Single(server.Requests, r => r.PathAndQuery.Contains("/claims", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FakeServer_claim_is_not_repeated_after_a_lost_answer()
    {
        using var client = Clients.For(server.Url.ToString());
        await client.Zaqar.PostMessageAsync("q", NewMessage.FromJson("3"));
        server.DropAfterProcessing(1);
        var ex = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Zaqar.ClaimMessagesAsync("q", 60, 60, 5));
        Assert.Null(ex.StatusCode);
        Assert.Single(server.Requests, r => r.PathAndQuery.Contains("/claims", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FakeServer_claim_is_repeated_on_503_with_retry_after_but_not_without()
    {
        using var client = Clients.For(server.Url.ToString());
        await client.Zaqar.PostMessageAsync("q", NewMessage.FromJson("4"));
        server.Fail503(1, withRetryAfter: true);
        Assert.NotNull(await client.Zaqar.ClaimMessagesAsync("q", 60, 60, 5));

        server.Fail503(1, withRetryAfter: false);
        var ex = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Zaqar.ClaimMessagesAsync("q", 60, 60, 5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
    }

    [Fact]
    public async Task FakeServer_a_refused_node_fails_over_to_the_next_url()
    {
        using var client = Clients.For(Clients.ClosedPortUrl(), server.Url.ToString());
        for (var i = 0; i < 4; i++)
        {
            await client.Zaqar.PostMessageAsync("q", NewMessage.FromJson(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(4, server.MessageCount("q"));
        Assert.True(await client.Zaqar.PingAsync());
    }

    [Fact]
    public async Task FakeServer_no_reachable_node_gives_an_exception_without_status()
    {
        using var client = new RaftBurrowClient(Clients.Options([Clients.ClosedPortUrl()], retries: 1));
        var ex = await Assert.ThrowsAsync<RaftBurrowApiException>(() => client.Zaqar.GetQueueStatsAsync("q"));
        Assert.Null(ex.StatusCode);
        Assert.Contains("no answer", ex.Message, StringComparison.Ordinal);
        Assert.False(await client.Zaqar.PingAsync());
    }

    [Fact]
    public async Task FakeServer_queue_listing_pages_by_marker_and_stats_parse_oldest_and_newest()
    {
        using var client = Clients.For(server.Url.ToString());
        foreach (var name in new[] { "c", "a", "b" })
        {
            await client.Zaqar.CreateQueueAsync(name, JsonDocument.Parse("""{"_default_message_ttl": 600}""").RootElement);
        }

        var page = await client.Zaqar.ListQueuesAsync(new QueueListOptions { Limit = 2, Detailed = true });
        Assert.Equal(["a", "b"], page.Queues.Select(q => q.Name));
        Assert.Equal("b", page.NextMarker);
        Assert.Equal(600, page.Queues[0].Metadata!.Value.GetProperty("_default_message_ttl").GetInt32());
        var all = new List<string>();
        await foreach (var q in client.Zaqar.ListAllQueuesAsync())
        {
            all.Add(q.Name);
        }

        Assert.Equal(["a", "b", "c"], all);

        await client.Zaqar.PostMessagesAsync("a", [NewMessage.FromJson("1"), NewMessage.FromJson("2")]);
        var stats = await client.Zaqar.GetQueueStatsAsync("a");
        Assert.Equal(2, stats.Messages.Total);
        Assert.Equal(2, stats.Messages.Free);
        Assert.NotNull(stats.Messages.Oldest);
        Assert.StartsWith("/v2/queues/a/messages/", stats.Messages.Newest!.Href, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeServer_get_list_pop_and_bulk_delete_of_messages()
    {
        using var client = Clients.For(server.Url.ToString());
        var ids = (await client.Zaqar.PostMessagesAsync("q", [NewMessage.FromJson("1"), NewMessage.FromJson("2"), NewMessage.FromJson("3")])).MessageIds;
        Assert.Equal("2", (await client.Zaqar.GetMessageAsync("q", ids[1]))!.Body.GetRawText());
        Assert.Null(await client.Zaqar.GetMessageAsync("q", "000000000000000000000fff"));
        Assert.Equal(2, (await client.Zaqar.GetMessagesAsync("q", [ids[0], ids[2]])).Count);
        Assert.Equal(ids, (await client.Zaqar.ListMessagesAsync("q")).Messages.Select(m => m.MessageId));

        var popped = await client.Zaqar.PopMessagesAsync("q", 1);
        Assert.Equal(ids[0], Assert.Single(popped).MessageId);
        await client.Zaqar.DeleteMessagesAsync("q", [ids[1]]);
        Assert.Equal([ids[2]], (await client.Zaqar.ListMessagesAsync("q")).Messages.Select(m => m.MessageId));

        await client.Zaqar.PurgeQueueAsync("q", ["messages"]);
        Assert.Empty((await client.Zaqar.ListMessagesAsync("q")).Messages);
        await client.Zaqar.DeleteQueueAsync("q");
        Assert.Empty((await client.Zaqar.ListQueuesAsync()).Queues);
    }

    [Fact]
    public async Task FakeServer_claim_renew_and_release()
    {
        using var client = Clients.For(server.Url.ToString());
        await client.Zaqar.PostMessageAsync("q", NewMessage.FromJson("1"));
        var claim = await client.Zaqar.ClaimMessagesAsync("q", 60, 60);
        await client.Zaqar.RenewClaimAsync("q", claim!.Id, 120, 60);
        await client.Zaqar.ReleaseClaimAsync("q", claim.Id);
        Assert.Null(await client.Zaqar.GetClaimAsync("q", claim.Id));
        Assert.NotNull(await client.Zaqar.ClaimMessagesAsync("q", 60, 60)); // released messages are claimable again
    }
}
