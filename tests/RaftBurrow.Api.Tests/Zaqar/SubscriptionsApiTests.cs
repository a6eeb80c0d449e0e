using System.Net;

namespace RaftBurrow.Api.Tests.Zaqar;

public sealed class SubscriptionsApiTests : IAsyncLifetime
{
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Create_get_list_update_confirm_delete()
    {
        var created = await _host.PostAsync("/v2/queues/sq/subscriptions", "{\"subscriber\":\"http://127.0.0.1:5679\",\"ttl\":3600,\"options\":{\"name\":\"t\"}}");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Json.GetProperty("subscription_id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await _host.GetAsync("/v2/queues/sq")).Status); // the queue was created

        var got = await _host.GetAsync($"/v2/queues/sq/subscriptions/{id}");
        Assert.Equal(HttpStatusCode.OK, got.Status);
        Assert.Equal("http://127.0.0.1:5679", got.Json.GetProperty("subscriber").GetString());
        Assert.Equal("sq", got.Json.GetProperty("source").GetString());
        Assert.Equal(3600, got.Json.GetProperty("ttl").GetInt32());
        Assert.Equal("t", got.Json.GetProperty("options").GetProperty("name").GetString());

        var second = await _host.PostAsync("/v2/queues/sq/subscriptions", "{\"subscriber\":\"mailto:ops@example.com\"}");
        Assert.Equal(HttpStatusCode.Created, second.Status);
        var page = await _host.GetAsync("/v2/queues/sq/subscriptions?limit=1");
        Assert.Single(page.Json.GetProperty("subscriptions").EnumerateArray());
        var next = await _host.GetAsync(page.Json.GetProperty("links")[0].GetProperty("href").GetString()!);
        Assert.Equal(second.Json.GetProperty("subscription_id").GetString(),
            Assert.Single(next.Json.GetProperty("subscriptions").EnumerateArray()).GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.SendAsync(HttpMethod.Patch, $"/v2/queues/sq/subscriptions/{id}", "{\"ttl\":360,\"subscriber\":\"http://127.0.0.1:1234\"}")).Status);
        var updated = await _host.GetAsync($"/v2/queues/sq/subscriptions/{id}");
        Assert.Equal(360, updated.Json.GetProperty("ttl").GetInt32());
        Assert.Equal("http://127.0.0.1:1234", updated.Json.GetProperty("subscriber").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.PutAsync($"/v2/queues/sq/subscriptions/{id}/confirm", "{\"confirmed\":true}")).Status);
        Assert.True((await _host.GetAsync($"/v2/queues/sq/subscriptions/{id}")).Json.GetProperty("confirmed").GetBoolean());

        // A confirmed subscriber cannot subscribe twice.
        (await _host.PostAsync("/v2/queues/sq/subscriptions", "{\"subscriber\":\"http://127.0.0.1:1234\"}")).AssertError(HttpStatusCode.Conflict);
        // An unconfirmed one gets its existing id back.
        var again = await _host.PostAsync("/v2/queues/sq/subscriptions", "{\"subscriber\":\"mailto:ops@example.com\"}");
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.Equal(second.Json.GetProperty("subscription_id").GetString(), again.Json.GetProperty("subscription_id").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync($"/v2/queues/sq/subscriptions/{id}")).Status);
        (await _host.GetAsync($"/v2/queues/sq/subscriptions/{id}")).AssertError(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync($"/v2/queues/sq/subscriptions/{id}")).Status);
    }

    [Theory]
    [InlineData("", "Missing parameter subscriber in body.")]
    [InlineData("{}", "Missing parameter subscriber in body.")]
    [InlineData("[]", "Subscriptions must be a dict.")]
    [InlineData("{\"subscriber\":\"ftp://x\"}", "The subscriber type of subscription must be supported in the list")]
    [InlineData("{\"subscriber\":\"http://x\",\"options\":[1]}", "Options must be a dict.")]
    [InlineData("{\"subscriber\":\"http://x\",\"ttl\":\"long\"}", "TTL must be an integer.")]
    [InlineData("{\"subscriber\":\"http://x\",\"ttl\":59}", "The TTL for a subscription must be at least 60 seconds long.")]
    [InlineData("{\"subscriber\":\"http://x\",\"options\":{\"_retry_policy\":{\"minimum_delay\":100,\"maximum_delay\":10}}}", "minimum_delay must less than maximum_delay.")]
    [InlineData("{\"subscriber\":", "Request body could not be parsed.")]
    public async Task Create_rejects_bad_bodies(string body, string text)
    {
        (await _host.SendAsync(HttpMethod.Post, "/v2/queues/bad/subscriptions", body)).AssertError(HttpStatusCode.BadRequest, text);
        Assert.Empty((await _host.GetAsync("/v2/queues/bad/subscriptions")).Json.GetProperty("subscriptions").EnumerateArray());
    }

    [Fact]
    public async Task Update_and_confirm_reject_bad_input_and_unknown_ids()
    {
        var id = (await _host.PostAsync("/v2/queues/u/subscriptions", "{\"subscriber\":\"http://127.0.0.1:9\"}")).Json.GetProperty("subscription_id").GetString();
        (await _host.SendAsync(HttpMethod.Patch, $"/v2/queues/u/subscriptions/{id}", "{}")).AssertError(HttpStatusCode.BadRequest, "No subscription to create.");
        (await _host.SendAsync(HttpMethod.Patch, $"/v2/queues/u/subscriptions/{id}", "{\"ttl\":5}")).AssertError(HttpStatusCode.BadRequest);
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/u/subscriptions/nosuch", "{\"ttl\":600}")).AssertError(HttpStatusCode.NotFound);
        (await _host.PutAsync($"/v2/queues/u/subscriptions/{id}/confirm", "{\"confirmed\":\"yes\"}")).AssertError(HttpStatusCode.BadRequest, "The 'confirmed' should be boolean.");
        (await _host.PutAsync("/v2/queues/u/subscriptions/nosuch/confirm", "{\"confirmed\":true}")).AssertError(HttpStatusCode.NotFound);
        (await _host.GetAsync("/v2/queues/u/subscriptions?limit=50")).AssertError(HttpStatusCode.BadRequest, "Limit must be at least 1");
        (await _host.GetAsync($"/v2/queues/u/subscriptions/{id}", project: "someone-else")).AssertError(HttpStatusCode.NotFound);
    }
}
