using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RaftBurrow.Api.Tests.Zaqar;

public sealed class SystemApiTests : IAsyncLifetime
{
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Versions_answer_300_with_v2_current()
    {
        var reply = await _host.GetAsync("/", project: null);
        Assert.Equal(HttpStatusCode.MultipleChoices, reply.Status);
        var version = Assert.Single(reply.Json.GetProperty("versions").EnumerateArray());
        Assert.Equal("2", version.GetProperty("id").GetString());
        Assert.Equal("CURRENT", version.GetProperty("status").GetString());
        Assert.Equal("/v2/", version.GetProperty("links")[0].GetProperty("href").GetString());
    }

    [Theory]
    [InlineData("/v2")]
    [InlineData("/v2/")]
    public async Task Home_document_lists_the_resources(string path)
    {
        var reply = await _host.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("/v2/queues/{queue_name}", reply.Json.GetProperty("resources").GetProperty("rel/queue").GetProperty("href-template").GetString());
    }

    [Fact]
    public async Task Ping_is_204_for_get_and_head()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _host.GetAsync("/v2/ping")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.SendAsync(HttpMethod.Head, "/v2/ping")).Status);
    }

    [Fact]
    public async Task Health_reports_every_partition()
    {
        var reply = await _host.GetAsync("/v2/health");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Json.GetProperty("storage_reachable").GetBoolean());
        Assert.Equal(4, reply.Json.GetProperty("partitions").GetArrayLength());
        Assert.True(reply.Json.GetProperty("partitions")[0].GetProperty("local_leader").GetBoolean());
    }

    [Fact]
    public async Task Openapi_document_describes_every_mapped_route()
    {
        var reply = await _host.GetAsync("/v2/openapi.json");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("3.0.3", reply.Json.GetProperty("openapi").GetString());
        var paths = reply.Json.GetProperty("paths");

        var routes = _host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !e.RoutePattern.RawText!.Contains("**", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Path: "/" + e.RoutePattern.RawText!.TrimStart('/'), Method: m.ToLowerInvariant())))
            .ToList();
        Assert.True(routes.Count >= 25, "routes found: " + routes.Count);
        foreach (var (path, method) in routes)
        {
            var normalized = path == "/v2" ? "/v2/" : path;
            Assert.True(paths.TryGetProperty(normalized, out var item) && item.TryGetProperty(method, out _), $"{method} {normalized} is not described");
        }
    }

    [Fact]
    public async Task Unknown_v2_paths_are_404_with_a_body()
    {
        (await _host.GetAsync("/v2/topics")).AssertError(HttpStatusCode.NotFound, "No such resource");
        var wrongMethod = await _host.SendAsync(HttpMethod.Post, "/v2/queues/q/stats", "{}");
        wrongMethod.AssertError(HttpStatusCode.MethodNotAllowed);
        using var raw = await _host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/v2/queues/q/stats"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, raw.StatusCode);
        Assert.Equal(["GET"], raw.Content.Headers.Allow);
    }
}
