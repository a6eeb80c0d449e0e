using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace RaftBurrow.Api.Tests.Zaqar;

public sealed class ClaimsApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync(time: _time);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Claim_returns_201_with_messages_in_order_then_204_when_none_left()
    {
        var ids = await _host.PostMessagesAsync("c", "1", "2", "3");
        var claim = await _host.PostAsync("/v2/queues/c/claims?limit=2", "{\"ttl\":300,\"grace\":300}");
        Assert.Equal(HttpStatusCode.Created, claim.Status);
        Assert.StartsWith("/v2/queues/c/claims/", claim.Location, StringComparison.Ordinal);
        var claimId = claim.Location!.Split('/')[^1];
        var messages = claim.Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(ids[..2], messages.Select(m => m.GetProperty("id").GetString()));
        Assert.EndsWith("?claim_id=" + claimId, messages[0].GetProperty("href").GetString(), StringComparison.Ordinal);

        var rest = await _host.SendAsync(HttpMethod.Post, "/v2/queues/c/claims");
        Assert.Equal(HttpStatusCode.Created, rest.Status);
        Assert.Equal(ids[2], Assert.Single(rest.Json.GetProperty("messages").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _host.PostAsync("/v2/queues/c/claims", "{}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.PostAsync("/v2/queues/ghost/claims", "{}")).Status);
    }

    [Fact]
    public async Task Get_patch_and_release_a_claim()
    {
        await _host.PostMessagesAsync("g", "1");
        var claim = await _host.PostAsync("/v2/queues/g/claims", "{\"ttl\":100,\"grace\":60}");
        var href = claim.Location!;
        _time.Advance(TimeSpan.FromSeconds(30));
        var got = await _host.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, got.Status);
        Assert.Equal(100, got.Json.GetProperty("ttl").GetInt32());
        Assert.Equal(30, got.Json.GetProperty("age").GetInt32());
        Assert.Equal(href, got.Json.GetProperty("href").GetString());
        Assert.Single(got.Json.GetProperty("messages").EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.SendAsync(HttpMethod.Patch, href, "{\"ttl\":500,\"grace\":60}")).Status);
        Assert.Equal(500, (await _host.GetAsync(href)).Json.GetProperty("ttl").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync(href)).Status);
        (await _host.GetAsync(href)).AssertError(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync(href)).Status);
        // Released messages are claimable again, keeping their place.
        Assert.Equal(HttpStatusCode.Created, (await _host.PostAsync("/v2/queues/g/claims", "{}")).Status);
    }

    [Fact]
    public async Task Expired_claim_is_gone_and_its_messages_are_free_again()
    {
        var ids = await _host.PostMessagesAsync("e", "1");
        var claim = await _host.PostAsync("/v2/queues/e/claims", "{\"ttl\":60,\"grace\":60}");
        var href = claim.Location!;
        var claimId = href.Split('/')[^1];
        _time.Advance(TimeSpan.FromSeconds(61));

        (await _host.GetAsync(href)).AssertError(HttpStatusCode.NotFound);
        (await _host.SendAsync(HttpMethod.Patch, href, "{\"ttl\":60}")).AssertError(HttpStatusCode.NotFound);
        (await _host.DeleteAsync($"/v2/queues/e/messages/{ids[0]}?claim_id={claimId}")).AssertError(HttpStatusCode.BadRequest);
        var again = await _host.PostAsync("/v2/queues/e/claims", "{}");
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.NotEqual(href, again.Location);
    }

    [Theory]
    [InlineData("?limit=0", "{}", "Limit must be at least 1 and may not be greater than 20.")]
    [InlineData("?limit=21", "{}", "Limit must be at least 1")]
    [InlineData("?limit=two", "{}", "\"limit\" parameter is invalid")]
    [InlineData("", "{\"ttl\":59}", "The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    [InlineData("", "{\"ttl\":43201}", "The TTL for a claim")]
    [InlineData("", "{\"grace\":59}", "The grace for a claim may not exceed 43200 seconds, and must be at least 60 seconds long.")]
    [InlineData("", "{\"ttl\":\"60\"}", "The value of the \"ttl\" field must be a int.")]
    [InlineData("", "[60]", "Document type not supported.")]
    [InlineData("", "{\"ttl\":", "Request body could not be parsed.")]
    [InlineData("?wait=99", "{}", "Wait must be at least 0")]
    public async Task Create_rejects_bad_input_and_claims_nothing(string query, string body, string text)
    {
        await _host.PostMessagesAsync("bad", "1");
        (await _host.PostAsync("/v2/queues/bad/claims" + query, body)).AssertError(HttpStatusCode.BadRequest, text);
        Assert.Equal(0, (await _host.GetAsync("/v2/queues/bad/stats")).Json.GetProperty("messages").GetProperty("claimed").GetInt32());
    }

    [Fact]
    public async Task Patch_rejects_bad_bodies()
    {
        await _host.PostMessagesAsync("pb", "1");
        var href = (await _host.PostAsync("/v2/queues/pb/claims", "{}")).Location!;
        (await _host.SendAsync(HttpMethod.Patch, href)).AssertError(HttpStatusCode.BadRequest, "Request body can not be empty");
        (await _host.SendAsync(HttpMethod.Patch, href, "{\"ttl\":10}")).AssertError(HttpStatusCode.BadRequest, "The TTL for a claim");
        (await _host.SendAsync(HttpMethod.Patch, href, "nope")).AssertError(HttpStatusCode.BadRequest, "could not be parsed");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/pb/claims/wrongid", "{\"ttl\":60}")).AssertError(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Claims_of_another_project_are_invisible()
    {
        await _host.PostMessagesAsync("own", "1");
        var href = (await _host.PostAsync("/v2/queues/own/claims", "{}")).Location!;
        (await _host.GetAsync(href, project: "other")).AssertError(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.PostAsync("/v2/queues/own/claims", "{}", project: "other")).Status);
    }
}
