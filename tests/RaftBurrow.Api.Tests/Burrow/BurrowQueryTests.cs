using RaftBurrow.Api.Burrow;
using RaftBurrow.Api.Tests.Burrow.Support;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>Contract §3: Python-int parsing, 400 (never 500) on bad numbers, repeated parameters.</summary>
public sealed class BurrowQueryTests : IAsyncLifetime
{
    private BurrowTestHost _host = null!;

    public async Task InitializeAsync()
    {
        // Fake time: remaining ttl/hide are compared exactly, which a real second boundary could break.
        _host = await BurrowTestHost.StartAsync(fakeTime: true);
        await _host.Client.Put("/v1.0/a/q/m", "b");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("42", 42L)]
    [InlineData("+42", 42L)]
    [InlineData("-42", -42L)]
    [InlineData("  7\t", 7L)]
    [InlineData("007", 7L)]
    [InlineData("1_000", 1000L)]
    [InlineData("-1_0_0", -100L)]
    [InlineData("99999999999999999999999", long.MaxValue)]
    [InlineData("-99999999999999999999999", long.MinValue)]
    public void Python_int_accepts(string text, long expected)
    {
        Assert.True(PythonInt.TryParse(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("x")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("1__0")]
    [InlineData("+")]
    [InlineData("--1")]
    [InlineData("1 2")]
    [InlineData("\u0661")]
    public void Python_int_rejects(string text) => Assert.False(PythonInt.TryParse(text, out _));

    [Theory]
    [InlineData("GET", "/v1.0?limit=x")]
    [InlineData("DELETE", "/v1.0/a?limit=1.5")]
    [InlineData("GET", "/v1.0/a/q?wait=soon")]
    [InlineData("POST", "/v1.0/a/q?hide=x")]
    [InlineData("POST", "/v1.0/a/q/m?ttl=")]
    [InlineData("PUT", "/v1.0/a/q/m?ttl=1e3")]
    [InlineData("PUT", "/v1.0/a/q/m?hide=-1")]
    [InlineData("PUT", "/v1.0/a/q/m?ttl=-5")]
    [InlineData("POST", "/v1.0/a/q/m?ttl=99999999999")]
    [InlineData("GET", "/v1.0/a/q/m?limit=x")]
    public async Task Bad_numbers_are_400_with_a_json_error_and_change_nothing(string method, string url)
    {
        var reply = await _host.Client.Send(method, url, method == "PUT" ? "changed" : null);
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("application/json", reply.ContentType);
        Assert.False(string.IsNullOrEmpty(reply.Json.GetProperty("description").GetString()));
        var message = (await _host.Client.Get("/v1.0/a/q/m")).Json;
        Assert.Equal("b", message.GetProperty("body").GetString());
        Assert.Equal(0, message.GetProperty("hide").GetInt64());
    }

    [Theory]
    [InlineData("PUT", "/v1.0/a/q/n?limit=x&wait=y&detail=z", 201)]
    [InlineData("GET", "/v1.0/a/q?ttl=x&hide=-1", 200)]
    [InlineData("DELETE", "/v1.0/a/q/m?ttl=x", 200)]
    [InlineData("GET", "/v1.0?hide=soon", 200)]
    public async Task Parameters_a_method_does_not_read_are_not_parsed(string method, string url, int status)
    {
        // The reference parses attributes (ttl, hide) only for PUT and POST, and filters for
        // everything but PUT: what it does not read cannot be malformed.
        Assert.Equal(status, (await _host.Client.Send(method, url, method == "PUT" ? "x" : null)).Status);
    }

    [Fact]
    public async Task Numbers_in_python_syntax_are_accepted()
    {
        Assert.Equal(200, (await _host.Client.Post("/v1.0/a/q/m?ttl=%201_000%20")).Status);
        Assert.Equal(1000, (await _host.Client.Get("/v1.0/a/q/m")).Json.GetProperty("ttl").GetInt64());
    }

    [Fact]
    public async Task The_last_of_repeated_parameters_wins_and_unknown_ones_are_ignored()
    {
        Assert.Equal(200, (await _host.Client.Post("/v1.0/a/q/m?hide=5&hide=7&frobnicate=1")).Status);
        Assert.Equal(7, (await _host.Client.Get("/v1.0/a/q/m")).Json.GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task Negative_wait_means_no_wait()
    {
        await BurrowMessageTests.AssertNotFound(_host.Client.Get("/v1.0/a/q?wait=-5&marker=m"), "Message not found");
    }

    [Fact]
    public async Task Filters_on_routes_that_do_not_honour_them_are_ignored()
    {
        Assert.Equal("m", (await _host.Client.Get("/v1.0/a/q/m?limit=0&wait=5&marker=m&match_hidden=true")).Json.GetProperty("id").GetString());
    }
}
