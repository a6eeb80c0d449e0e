using System.Net;
using Microsoft.Extensions.Time.Testing;
using RaftBurrow.Api.Zaqar;

namespace RaftBurrow.Api.Tests.Zaqar;

public sealed class ShareApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync(time: _time);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static Dictionary<string, string> Headers(System.Text.Json.JsonElement grant) => new()
    {
        ["URL-Signature"] = grant.GetProperty("signature").GetString()!,
        ["URL-Expires"] = grant.GetProperty("expires").GetString()!,
        ["URL-Methods"] = string.Join(",", grant.GetProperty("methods").EnumerateArray().Select(m => m.GetString())),
        ["URL-Paths"] = string.Join(",", grant.GetProperty("paths").EnumerateArray().Select(m => m.GetString())),
    };

    [Fact]
    public async Task A_signed_grant_opens_exactly_what_it_covers_until_it_expires()
    {
        await _host.PostMessagesAsync("shared", "1");
        var share = await _host.PostAsync("/v2/queues/shared/share", "{\"paths\":[\"messages\"],\"methods\":[\"GET\",\"POST\"],\"expires\":\"2026-01-02T00:00:00\"}");
        Assert.Equal(HttpStatusCode.OK, share.Status);
        var grant = share.Json;
        Assert.Equal("/v2/queues/shared/messages", grant.GetProperty("paths")[0].GetString());
        Assert.Equal(new[] { "GET", "POST" }, grant.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("2026-01-02T00:00:00", grant.GetProperty("expires").GetString());
        Assert.Equal(64, grant.GetProperty("signature").GetString()!.Length);

        var headers = Headers(grant);
        Assert.Equal(HttpStatusCode.OK, (await _host.SendAsync(HttpMethod.Get, "/v2/queues/shared/messages?echo=true", headers: headers)).Status);
        (await _host.SendAsync(HttpMethod.Delete, "/v2/queues/shared/messages?pop=1", headers: headers)).AssertError(HttpStatusCode.NotFound);
        (await _host.SendAsync(HttpMethod.Get, "/v2/queues/shared/claims/x", headers: headers)).AssertError(HttpStatusCode.NotFound);
        var forged = new Dictionary<string, string>(headers) { ["URL-Signature"] = new string('0', 64) };
        (await _host.SendAsync(HttpMethod.Get, "/v2/queues/shared/messages", headers: forged)).AssertError(HttpStatusCode.NotFound);
        (await _host.SendAsync(HttpMethod.Get, "/v2/queues/shared/messages", project: "other", headers: headers)).AssertError(HttpStatusCode.NotFound);

        _time.Advance(TimeSpan.FromDays(2));
        (await _host.SendAsync(HttpMethod.Get, "/v2/queues/shared/messages", headers: headers)).AssertError(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"foo\":1}", "Unknown keys")]
    [InlineData("{\"paths\":[\"queues\"]}", "Invalid paths")]
    [InlineData("{\"methods\":\"GET\"}", "`methods` should be a list")]
    [InlineData("{\"expires\":\"1234\"}", "not integer value")]
    [InlineData("{\"expires\":\"2020-01-01T00:00:00\"}", "`expires` is lower than the current time")]
    [InlineData("{\"expires\":\"soon\"}", "Unable to parse")]
    public async Task Share_rejects_bad_requests(string body, string text)
    {
        (await _host.PostAsync("/v2/queues/s/share", body)).AssertError(HttpStatusCode.BadRequest, text);
    }

    [Fact]
    public void Signature_is_hmac_sha256_over_zaqars_message_layout()
    {
        // Zaqar signs "paths\nmethods\nproject\nexpires" with a literal backslash-n (a raw string in its source).
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("k"u8,
            System.Text.Encoding.UTF8.GetBytes("/v2/queues/q/messages\\nGET\\np\\n2030-01-01T00:00:00")));
        Assert.Equal(expected, SignedUrls.Sign("k", ["/v2/queues/q/messages"], ["GET"], "p", "2030-01-01T00:00:00"));
    }
}
