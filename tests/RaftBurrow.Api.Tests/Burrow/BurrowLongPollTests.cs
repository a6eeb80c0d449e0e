using RaftBurrow.Api.Tests.Burrow.Support;
using static RaftBurrow.Api.Tests.Burrow.BurrowMessageTests;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>
/// Contract §7: <c>wait</c>. The safety-net re-check is set far beyond each test's span, so a
/// parked request that answers with a message was woken by the partition's change notification.
/// Each request is first seen parked, then the state changes.
/// </summary>
public sealed class BurrowLongPollTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> NoRecheck = new() { ["Burrow:LongPollRecheckMs"] = "600000" };

    private BurrowTestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await BurrowTestHost.StartAsync(settings: NoRecheck);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_waiting_get_is_woken_by_a_put()
    {
        var get = Client.Get("/v1.0/a/q?wait=60");
        await _host.WaitUntilParkedAsync(1);
        Assert.Equal(201, (await Client.Put("/v1.0/a/q/id1?ttl=60", "hello")).Status);
        var reply = await get.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, reply.Status);
        Assert.Equal(["id1"], reply.Ids);
        Assert.Equal("hello", reply.Json[0].GetProperty("body").GetString());
        Assert.Equal(0, _host.Parked);
    }

    [Fact]
    public async Task Worker_claim_waits_then_gets_the_message_hidden()
    {
        var claim = Client.Post("/v1.0/a/q?limit=1&wait=60&hide=60&detail=all");
        await _host.WaitUntilParkedAsync(1);
        await Client.Put("/v1.0/a/q/job", "work");
        var reply = await claim.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["job"], reply.Ids);
        Assert.Equal(60, reply.Json[0].GetProperty("hide").GetInt64());
        await AssertNotFound(Client.Get("/v1.0/a/q"), "Message not found");
    }

    [Fact]
    public async Task Fast_worker_pop_waits_then_takes_the_messages()
    {
        var pop = Client.Delete("/v1.0/a/q?limit=100&wait=60&detail=all");
        await _host.WaitUntilParkedAsync(1);
        await Client.Put("/v1.0/a/q/id1", "1");
        var reply = await pop.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("id1", reply.Ids);
    }

    [Fact]
    public async Task Multicast_readers_all_get_each_message_and_follow_with_a_marker()
    {
        var readers = new[] { Client.Get("/v1.0/a/q?wait=60"), Client.Get("/v1.0/a/q?wait=60") };
        await _host.WaitUntilParkedAsync(2);
        await Client.Put("/v1.0/a/q/id1?ttl=60", "e1");
        foreach (var reader in readers)
            Assert.Equal(["id1"], (await reader.WaitAsync(TimeSpan.FromSeconds(30))).Ids);

        readers = [Client.Get("/v1.0/a/q?wait=60&marker=id1"), Client.Get("/v1.0/a/q?wait=60&marker=id1")];
        await _host.WaitUntilParkedAsync(2);
        await Client.Put("/v1.0/a/q/id2?ttl=60", "e2");
        foreach (var reader in readers)
            Assert.Equal(["id2"], (await reader.WaitAsync(TimeSpan.FromSeconds(30))).Ids);
    }

    [Fact]
    public async Task Un_hiding_a_message_wakes_a_waiter()
    {
        await Client.Put("/v1.0/a/q/m?hide=600", "b");
        var get = Client.Get("/v1.0/a/q?wait=60");
        await _host.WaitUntilParkedAsync(1);
        Assert.Equal(200, (await Client.Post("/v1.0/a/q/m?hide=0")).Status);
        Assert.Equal(["m"], (await get.WaitAsync(TimeSpan.FromSeconds(30))).Ids);
    }

    [Fact]
    public async Task A_put_to_another_queue_does_not_answer_the_waiter()
    {
        var get = Client.Get("/v1.0/a/q?wait=60");
        await _host.WaitUntilParkedAsync(1);
        // Enough other queues that several share q's partition and wake it.
        for (var i = 0; i < 20; i++)
            await Client.Put($"/v1.0/a/other{i}/m", "b");
        await Client.Put("/v1.0/a/q/mine", "b");
        Assert.Equal(["mine"], (await get.WaitAsync(TimeSpan.FromSeconds(30))).Ids);
    }

    [Fact]
    public async Task A_wait_that_runs_out_answers_404()
    {
        await AssertNotFound(Client.Get("/v1.0/a/q?wait=1"), "Account not found");
        await Client.Put("/v1.0/a/q/m?hide=600", "b");
        await AssertNotFound(Client.Post("/v1.0/a/q?wait=1&hide=5"), "Message not found");
        await AssertNotFound(Client.Delete("/v1.0/a/q?wait=1"), "Message not found");
        Assert.Equal(0, _host.Parked);
    }

    [Fact]
    public async Task A_bad_detail_on_an_existing_queue_is_400_at_once_and_after_a_wait_when_the_queue_appears()
    {
        await Client.Put("/v1.0/a/q/m", "b");
        Assert.Equal(400, (await Client.Get("/v1.0/a/q?wait=600&detail=bogus")).Status);

        var pending = Client.Get("/v1.0/a/r?wait=60&detail=bogus");
        await _host.WaitUntilParkedAsync(1);
        await Client.Put("/v1.0/a/r/m", "b");
        var reply = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(400, reply.Status);
        Assert.Equal("bogus", reply.Text);
    }

    [Fact]
    public async Task A_waiter_on_one_front_end_is_woken_by_a_put_through_another()
    {
        // Two nodes' API front ends over one replicated state: the wake-up comes from the
        // partition applying the entry, not from anything local to the front end that took the PUT.
        await using var other = await BurrowTestHost.StartAsync(settings: NoRecheck, sharedService: _host.Service);
        var get = Client.Get("/v1.0/a/q?wait=60");
        await _host.WaitUntilParkedAsync(1);
        Assert.Equal(0, other.Parked);
        Assert.Equal(201, (await other.Client.Put("/v1.0/a/q/m", "from node 2")).Status);
        var reply = await get.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("from node 2", reply.Json[0].GetProperty("body").GetString());
    }

    [Fact]
    public async Task Parked_waiters_are_bounded_with_a_clear_503()
    {
        await using var host = await BurrowTestHost.StartAsync(settings: new Dictionary<string, string?>(NoRecheck) { ["Burrow:MaxParkedWaiters"] = "2" });
        using var cancel = new CancellationTokenSource();
        var parked = new[] { host.Client.Get("/v1.0/a/q?wait=60", cancel.Token), host.Client.Get("/v1.0/a/q?wait=60", cancel.Token) };
        await host.WaitUntilParkedAsync(2);
        var refused = await host.Client.Get("/v1.0/a/q?wait=60");
        Assert.Equal(503, refused.Status);
        Assert.Equal("Too many waiting requests", refused.Json.GetProperty("title").GetString());
        Assert.NotNull(refused.Raw.Headers.RetryAfter);

        // Without wait nothing is parked, so it is still served.
        await AssertNotFound(host.Client.Get("/v1.0/a/q"), "Account not found");

        // A client that goes away frees its slot.
        await cancel.CancelAsync();
        foreach (var request in parked)
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (host.Parked > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "slots not released");
            await Task.Delay(5);
        }

        var again = host.Client.Get("/v1.0/a/q?wait=60");
        await host.WaitUntilParkedAsync(1);
        await host.Client.Put("/v1.0/a/q/m", "b");
        Assert.Equal(200, (await again.WaitAsync(TimeSpan.FromSeconds(30))).Status);
    }
}

/// <summary>Long polls and expiry on a fake clock: hide and ttl deadlines, wait deadlines.</summary>
public sealed class BurrowExpiryTests : IAsyncLifetime
{
    private BurrowTestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await BurrowTestHost.StartAsync(
        fakeTime: true, settings: new Dictionary<string, string?> { ["Burrow:LongPollRecheckMs"] = "600000" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Ttl_expiry_removes_message_queue_and_account()
    {
        for (var i = 0; i < 1000; i++)
            await Client.Put($"/v1.0/a{i % 10}/q{i % 7}/m{i}?ttl=1", "b");
        await Client.Put("/v1.0/keep/q/m?ttl=0", "b");
        Assert.Equal(11, (await Client.Get("/v1.0")).Strings.Length);
        _host.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["keep"], (await Client.Get("/v1.0")).Strings);
        await AssertNotFound(Client.Get("/v1.0/a1/q1/m1"), "Account not found");
    }

    [Fact]
    public async Task Hidden_messages_become_visible_when_hide_runs_out()
    {
        for (var i = 0; i < 1000; i++)
            await Client.Put($"/v1.0/a/q/m{i}?hide=1", "b");
        await AssertNotFound(Client.Get("/v1.0/a/q"), "Message not found");
        _host.Advance(TimeSpan.FromSeconds(2));
        var all = await Client.Get("/v1.0/a/q?detail=attributes");
        Assert.Equal(1000, all.Json.GetArrayLength());
        Assert.All(all.Json.EnumerateArray(), m => Assert.Equal(0, m.GetProperty("hide").GetInt64()));
        Assert.Equal(0, (await Client.Get("/v1.0/a/q/m7")).Json.GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task A_claimed_message_reappears_for_the_next_worker_after_its_hide()
    {
        await Client.Put("/v1.0/a/q/job", "work");
        Assert.Equal(["job"], (await Client.Post("/v1.0/a/q?limit=1&hide=60&detail=all")).Ids);
        var next = Client.Post("/v1.0/a/q?limit=1&wait=600&hide=60&detail=all");
        await _host.WaitUntilParkedAsync(1);
        _host.Advance(TimeSpan.FromSeconds(61));
        var reply = await next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["job"], reply.Ids);
        Assert.Equal(60, reply.Json[0].GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task A_wait_ends_at_its_deadline_on_the_clock()
    {
        var get = Client.Get("/v1.0/a/q?wait=30");
        await _host.WaitUntilParkedAsync(1);
        _host.Time!.Advance(TimeSpan.FromSeconds(31));
        await AssertNotFound(get.WaitAsync(TimeSpan.FromSeconds(30)), "Account not found");
    }

    [Fact]
    public async Task Wait_is_clamped_to_the_configured_maximum()
    {
        await using var host = await BurrowTestHost.StartAsync(fakeTime: true, settings: new Dictionary<string, string?>
        {
            ["Burrow:MaxWaitSeconds"] = "5", ["Burrow:LongPollRecheckMs"] = "600000",
        });
        var get = host.Client.Get("/v1.0/a/q?wait=999999999999999999999");
        await host.WaitUntilParkedAsync(1);
        host.Time!.Advance(TimeSpan.FromSeconds(6));
        await AssertNotFound(get.WaitAsync(TimeSpan.FromSeconds(30)), "Account not found");
    }
}
