using System.Net;

namespace RaftBurrow.Api.Tests.Zaqar;

/// <summary>The <c>wait</c> extension on claims with the system clock (outcomes only, never timings).</summary>
public sealed class LongPollApiTests : IAsyncLifetime
{
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Claim_with_wait_parks_until_a_message_arrives()
    {
        var waiting = _host.PostAsync("/v2/queues/w/claims?wait=20", "{}");
        await _host.PostMessagesAsync("w", "\"late\"");
        var reply = await waiting;
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        Assert.Equal("late", Assert.Single(reply.Json.GetProperty("messages").EnumerateArray()).GetProperty("body").GetString());
    }

    [Fact]
    public async Task Claim_with_wait_answers_204_when_nothing_arrives()
    {
        var reply = await _host.PostAsync("/v2/queues/quiet/claims?wait=1", "{}");
        Assert.Equal(HttpStatusCode.NoContent, reply.Status);
    }

    [Fact]
    public async Task Parked_waiters_are_bounded_per_node()
    {
        await using var host = await ZaqarTestHost.StartAsync(new Dictionary<string, string?> { ["Zaqar:MaxParkedWaiters"] = "0" });
        var reply = await host.SendAsync(HttpMethod.Get, "/v2/queues/empty/messages?wait=5");
        reply.AssertError(HttpStatusCode.ServiceUnavailable, "MaxParkedWaiters");
        // Without waiting, or when there is something to return, the bound does not matter.
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(HttpMethod.Get, "/v2/queues/empty/messages")).Status);
        await host.PostMessagesAsync("full", "1");
        Assert.Equal(HttpStatusCode.Created, (await host.PostAsync("/v2/queues/full/claims?wait=5", "{}")).Status);
    }
}
