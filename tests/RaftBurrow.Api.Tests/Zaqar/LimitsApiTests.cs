using System.Net;

namespace RaftBurrow.Api.Tests.Zaqar;

/// <summary>Limits come from the <c>Zaqar:</c> configuration section, and per-queue limits from reserved metadata.</summary>
public sealed class LimitsApiTests : IAsyncLifetime
{
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Zaqar:MaxMessagesPerPage"] = "5",
        ["Zaqar:MaxMessagesPerClaimOrPop"] = "3",
        ["Zaqar:MaxMessageTtlSeconds"] = "1000",
        ["Zaqar:MaxQueuesPerProject"] = "2",
        ["Zaqar:MaxMessagesPostBytes"] = "1024",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Configured_limits_are_enforced_with_their_values_in_the_text()
    {
        (await _host.GetAsync("/v2/queues/l/messages?limit=6")).AssertError(HttpStatusCode.BadRequest, "may not be greater than 5.");
        (await _host.PostAsync("/v2/queues/l/claims?limit=4", "{}")).AssertError(HttpStatusCode.BadRequest, "may not be greater than 3.");
        (await _host.DeleteAsync("/v2/queues/l/messages?pop=4")).AssertError(HttpStatusCode.BadRequest, "may not be greater than 3.");
        (await _host.PostAsync("/v2/queues/l/messages", "{\"messages\":[{\"ttl\":1001,\"body\":1}]}")).AssertError(HttpStatusCode.BadRequest, "may not exceed 1000 seconds");
        (await _host.PostAsync("/v2/queues/l/messages", "{\"messages\":[{\"body\":\"" + new string('x', 1100) + "\"}]}"))
            .AssertError(HttpStatusCode.BadRequest, "Max size 1024");
    }

    [Fact]
    public async Task Queue_quota_refuses_a_third_queue_but_allows_updates()
    {
        Assert.Equal(HttpStatusCode.Created, (await _host.PutAsync("/v2/queues/a")).Status);
        Assert.Equal(HttpStatusCode.Created, (await _host.PutAsync("/v2/queues/b")).Status);
        (await _host.PutAsync("/v2/queues/c")).AssertError(HttpStatusCode.BadRequest, "quota");
        Assert.Equal(HttpStatusCode.NoContent, (await _host.PutAsync("/v2/queues/a", "{\"x\":1}")).Status);
    }

    [Fact]
    public async Task Queue_max_post_size_applies_to_its_posts()
    {
        Assert.Equal(HttpStatusCode.Created, (await _host.PutAsync("/v2/queues/small", "{\"_max_messages_post_size\":100}")).Status);
        (await _host.PostAsync("/v2/queues/small/messages", "{\"messages\":[{\"body\":\"" + new string('y', 200) + "\"}]}"))
            .AssertError(HttpStatusCode.BadRequest, "too large");
        Assert.Equal(0, (await _host.GetAsync("/v2/queues/small/stats")).Json.GetProperty("messages").GetProperty("total").GetInt32());
    }
}
