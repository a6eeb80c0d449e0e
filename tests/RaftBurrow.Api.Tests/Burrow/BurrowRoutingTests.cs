using RaftBurrow.Api.Tests.Burrow.Support;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>Contract §2: exact paths, 404/405 with empty bodies, percent-decoded ids.</summary>
public sealed class BurrowRoutingTests : IAsyncLifetime
{
    private BurrowTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await BurrowTestHost.StartAsync();
        Assert.Equal(201, (await _host.Client.Put("/v1.0/a/q/m", "b")).Status);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("/v1.0/")]
    [InlineData("/v1.0/a/")]
    [InlineData("/v1.0/a/q/")]
    [InlineData("/v1.0/a/q/m/")]
    [InlineData("/v1.0/a/q/m/x")]
    [InlineData("/v1.0//q")]
    [InlineData("/v1.0/a//m")]
    [InlineData("/v1.0/a/q/m%2Fe")]
    [InlineData("/v1.0/a%2Fq")]
    [InlineData("/v1.0/a/q%2fm")]
    public async Task Paths_that_match_no_route_are_404_with_an_empty_body(string path)
    {
        foreach (var method in new[] { "GET", "PUT", "POST", "DELETE", "HEAD" })
        {
            var reply = await _host.Client.Send(method, path);
            Assert.Equal(404, reply.Status);
            Assert.Empty(reply.Bytes);
        }
    }

    [Theory]
    [InlineData("/v1.0", "PUT")]
    [InlineData("/v1.0", "POST")]
    [InlineData("/v1.0", "HEAD")]
    [InlineData("/v1.0", "OPTIONS")]
    [InlineData("/v1.0/a", "PUT")]
    [InlineData("/v1.0/a", "POST")]
    [InlineData("/v1.0/a", "PATCH")]
    [InlineData("/v1.0/a/q", "PUT")]
    [InlineData("/v1.0/a/q", "HEAD")]
    [InlineData("/v1.0/a/q/m", "HEAD")]
    [InlineData("/v1.0/a/q/m", "PATCH")]
    [InlineData("/v1.0/a/q/m", "OPTIONS")]
    public async Task Other_methods_on_a_matching_path_are_405_with_an_empty_body(string path, string method)
    {
        var reply = await _host.Client.Send(method, path);
        Assert.Equal(405, reply.Status);
        Assert.Empty(reply.Bytes);
        Assert.True(reply.Raw.Content.Headers.Allow.Count > 0);
    }

    [Fact]
    public async Task Method_check_comes_before_query_parsing()
    {
        Assert.Equal(405, (await _host.Client.Send("PUT", "/v1.0?limit=x")).Status);
    }

    [Fact]
    public async Task Ids_are_percent_decoded_per_segment()
    {
        Assert.Equal(201, (await _host.Client.Put("/v1.0/a%20b/q%3Fx/m%20e", "hi")).Status);
        Assert.Equal(["q?x"], (await _host.Client.Get("/v1.0/a%20b")).Strings);
        Assert.Equal(["m e"], (await _host.Client.Get("/v1.0/a%20b/q%3Fx?detail=id")).Strings);
        Assert.Equal("hi", (await _host.Client.Get("/v1.0/a%20b/q%3Fx/m%20e?detail=body")).Text);
    }

    [Fact]
    public async Task Non_ascii_ids_round_trip_and_json_escapes_them()
    {
        Assert.Equal(201, (await _host.Client.Put("/v1.0/a/q/%C3%A9t%C3%A9", "x")).Status);
        var reply = await _host.Client.Get("/v1.0/a/q?detail=id");
        Assert.Contains("\\u00E9t\\u00E9", reply.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["m", "été"], reply.Strings);
        Assert.Equal("été", (await _host.Client.Get("/v1.0/a/q/%C3%A9t%C3%A9?detail=id")).Text);
    }

    [Fact]
    public async Task An_id_that_is_not_utf8_after_decoding_is_400_json()
    {
        var reply = await _host.Client.Put("/v1.0/a/q/%FF", "x");
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("application/json", reply.ContentType);
        Assert.Equal("Invalid id", reply.Json.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_lone_percent_sign_is_a_literal_character()
    {
        Assert.Equal(201, (await _host.Client.Put("/v1.0/a/q/50%25", "x")).Status);
        Assert.Equal("50%", (await _host.Client.Get("/v1.0/a/q/50%25?detail=id")).Text);
    }

    [Fact]
    public async Task Paths_outside_v1_0_are_not_burrow()
    {
        Assert.Equal(404, (await _host.Client.Get("/v1.0a")).Status);
        Assert.Equal(404, (await _host.Client.Get("/v1.1")).Status);
    }
}
