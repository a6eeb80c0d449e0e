using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RaftBurrow.Api;
using RaftBurrow.Api.Burrow;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.Client.Burrow;
using RaftBurrow.Client.Tests.Support;

namespace RaftBurrow.Client.Tests;

/// <summary>The Burrow client against the REAL Burrow v1.0 API over LocalQueueService, via real HTTP (Kestrel).</summary>
public sealed class RealBurrowApiTests
{
    [Fact]
    public async Task RealBurrowApi_round_trip()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Remaining ttl/hide are compared exactly, so the clock must not tick between the PUT and the GET.
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IQueueService>(new LocalQueueService(4, time));
        builder.Services.AddBurrowApi(builder.Configuration);
        await using var app = builder.Build();
        app.MapBurrowApi();
        await app.StartAsync();
        using var client = Clients.For(app.Urls.First());
        var b = client.Burrow;
        Assert.True(await b.PutMessageAsync("acct", "jobs", "m1", "hello", ttlSeconds: 100, hideSeconds: 0));
        Assert.False(await b.PutMessageAsync("acct", "jobs", "m1", "hello2", ttlSeconds: 100));
        Assert.True(await b.PutMessageAsync("acct", "jobs", "m2", "two", ttlSeconds: 100, hideSeconds: 200));
        Assert.Equal(["acct"], await b.ListAccountsAsync());
        Assert.Equal(["jobs"], await b.ListQueuesAsync("acct"));
        var visible = await b.ListMessagesAsync("acct", "jobs");
        Assert.Equal(["m1"], visible.Select(m => m.Id));
        Assert.Equal("hello2", visible[0].Body);
        Assert.Equal(100, visible[0].Ttl);
        var all = await b.ListMessagesAsync("acct", "jobs", new BurrowQuery { MatchHidden = true });
        Assert.Equal(["m1", "m2"], all.Select(m => m.Id));
        Assert.Equal(200, all[1].Hide);
        var m2 = await b.GetMessageAsync("acct", "jobs", "m2", BurrowDetail.Body);
        Assert.Equal("two", m2!.Body);
        var claimed = await b.UpdateMessagesAsync("acct", "jobs", new BurrowQuery { Limit = 1, HideSeconds = 60, Detail = BurrowDetail.All });
        Assert.Equal("m1", Assert.Single(claimed).Id);
        Assert.Equal(60, claimed[0].Hide);
        Assert.Empty(await b.ListMessagesAsync("acct", "jobs"));
        var updated = await b.UpdateMessageAsync("acct", "jobs", "m1", new BurrowQuery { HideSeconds = 0, Detail = BurrowDetail.Attributes });
        Assert.Equal(0, updated!.Hide);
        var popped = await b.DeleteMessagesAsync("acct", "jobs", new BurrowQuery { Limit = 10, Detail = BurrowDetail.Id });
        Assert.Equal(["m1"], popped.Select(m => m.Id));
        Assert.True(await b.DeleteMessageAsync("acct", "jobs", "m2"));
        Assert.Empty(await b.ListAccountsAsync()); // the queue and the account vanish with their last message
        Assert.Null(await b.GetMessageAsync("acct", "jobs", "m2"));
        await app.StopAsync();
    }
}
