using RaftBurrow.Api.Tests.Burrow.Support;
using static RaftBurrow.Api.Tests.Burrow.BurrowMessageTests;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>Contract §6: accounts and queues, listed in creation order across partitions, deleted across partitions.</summary>
public sealed class BurrowNamesTests : IAsyncLifetime
{
    private BurrowTestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await BurrowTestHost.StartAsync(fakeTime: true, partitions: 8);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Creates the items one fake millisecond apart, so creation order is unambiguous across partitions.</summary>
    private async Task PutInOrder(params string[] paths)
    {
        foreach (var path in paths)
        {
            Assert.Equal(201, (await Client.Put(path, "b")).Status);
            _host.Time!.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task Accounts_are_listed_in_creation_order_not_name_order()
    {
        var names = Enumerable.Range(0, 20).Select(i => $"acct{(i * 7) % 20:D2}").ToArray();
        await PutInOrder(names.Select(n => $"/v1.0/{n}/q/m").ToArray());
        var reply = await Client.Get("/v1.0");
        Assert.Equal(200, reply.Status);
        Assert.StartsWith("application/json", reply.ContentType);
        Assert.Equal(names, reply.Strings);
        Assert.Equal(names, (await Client.Get("/v1.0?detail=all")).Ids);
    }

    [Fact]
    public async Task Accounts_marker_limit_and_detail()
    {
        await PutInOrder("/v1.0/c/q/m", "/v1.0/a/q/m", "/v1.0/b/q/m");
        Assert.Equal(["a", "b"], (await Client.Get("/v1.0?marker=c")).Strings);
        Assert.Equal(["a"], (await Client.Get("/v1.0?marker=c&limit=1")).Strings);
        Assert.Equal(["c", "a", "b"], (await Client.Get("/v1.0?marker=zz")).Strings);
        Assert.Equal(["c"], (await Client.Get("/v1.0?limit=1&limit=x&limit=1")).Strings);
        await AssertNotFound(Client.Get("/v1.0?marker=b"), "Account not found");
        Assert.Equal(400, (await Client.Get("/v1.0?detail=attributes")).Status);
        Assert.Equal("body", (await Client.Get("/v1.0?detail=body")).Text);
        var none = await Client.Get("/v1.0?detail=none");
        Assert.Equal(200, none.Status);
        Assert.Empty(none.Bytes);
    }

    [Fact]
    public async Task Detail_is_checked_before_anything_else_on_accounts_even_when_empty()
    {
        var reply = await Client.Get("/v1.0?detail=x");
        Assert.Equal(400, reply.Status);
        Assert.Equal("x", reply.Text);
        await AssertNotFound(Client.Get("/v1.0"), "Account not found");
        await AssertNotFound(Client.Delete("/v1.0"), "Account not found");
    }

    [Fact]
    public async Task Queues_are_listed_in_creation_order_across_partitions()
    {
        var names = Enumerable.Range(0, 20).Select(i => $"q{(i * 13) % 20:D2}").ToArray();
        await PutInOrder(names.Select(n => $"/v1.0/a/{n}/m").ToArray());
        await PutInOrder("/v1.0/other/q00/m");
        Assert.Equal(names, (await Client.Get("/v1.0/a")).Strings);
        Assert.Equal(names.Skip(5).Take(3).ToArray(), (await Client.Get($"/v1.0/a?marker={names[4]}&limit=3")).Strings);
        Assert.Equal(["a", "other"], (await Client.Get("/v1.0")).Strings);
    }

    [Fact]
    public async Task Queue_listing_error_precedence()
    {
        await PutInOrder("/v1.0/a/q/m");
        await AssertNotFound(Client.Get("/v1.0/x?detail=bogus"), "Account not found");
        Assert.Equal("bogus", (await Client.Get("/v1.0/a?detail=bogus")).Text);
        Assert.Equal(400, (await Client.Get("/v1.0/a?detail=attributes")).Status);
        await AssertNotFound(Client.Get("/v1.0/a?marker=q"), "Queue not found");
    }

    [Fact]
    public async Task A_queue_that_vanishes_and_comes_back_goes_to_the_end()
    {
        await PutInOrder("/v1.0/a/q1/m", "/v1.0/a/q2/m");
        Assert.Equal(200, (await Client.Delete("/v1.0/a/q1/m")).Status);
        await PutInOrder("/v1.0/a/q1/m");
        Assert.Equal(["q2", "q1"], (await Client.Get("/v1.0/a")).Strings);
    }

    [Fact]
    public async Task Delete_accounts_removes_the_selected_ones_on_every_partition()
    {
        var queues = Enumerable.Range(0, 16).Select(i => $"/v1.0/a/q{i}/m").ToArray();
        await PutInOrder(queues);
        await PutInOrder("/v1.0/b/q/m", "/v1.0/c/q/m");
        var deleted = await Client.Delete("/v1.0?limit=2&detail=id");
        Assert.Equal(["a", "b"], deleted.Strings);
        Assert.Equal(["c"], (await Client.Get("/v1.0")).Strings);
        await AssertNotFound(Client.Get("/v1.0/a"), "Account not found");
        await AssertNotFound(Client.Get("/v1.0/a/q3/m"), "Account not found");
        var all = await Client.Delete("/v1.0");
        Assert.Equal(200, all.Status);
        Assert.Empty(all.Bytes);
        await AssertNotFound(Client.Get("/v1.0"), "Account not found");
    }

    [Fact]
    public async Task Delete_queues_removes_the_selected_ones_and_the_account_when_empty()
    {
        await PutInOrder("/v1.0/a/q1/m", "/v1.0/a/q2/m", "/v1.0/a/q3/m", "/v1.0/a/q3/n");
        Assert.Equal(["q2", "q3"], (await Client.Delete("/v1.0/a?marker=q1&detail=id")).Strings);
        Assert.Equal([("q1")], (await Client.Get("/v1.0/a")).Strings);
        Assert.Equal(["q1"], (await Client.Delete("/v1.0/a?detail=all")).Ids);
        await AssertNotFound(Client.Get("/v1.0"), "Account not found");
        await AssertNotFound(Client.Delete("/v1.0/a"), "Account not found");
    }
}
