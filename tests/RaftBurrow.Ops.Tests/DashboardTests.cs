using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using RaftBurrow.Ops.Tests.Support;

namespace RaftBurrow.Ops.Tests;

/// <summary>/ui over real HTTP (no browser): the embedded files and the same-origin /admin/cluster proxy.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task The_page_and_its_assets_come_from_the_assembly_with_a_strict_policy()
    {
        await using var host = await OpsHost.StartAsync();
        using var bare = await host.Client.GetAsync("/ui?project=x");
        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);

        using var page = await host.Client.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/ui/app.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);

        using var script = await host.Client.GetAsync("/ui/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", script.Headers.ETag!.Tag);
        using var notModified = await host.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await host.Client.GetAsync("/ui/secrets.txt");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/json", missing.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_proxy_fetches_listed_peers_only_and_reports_dead_ones_as_502()
    {
        var cluster = new StubCluster();
        await using var peer = await OpsHost.StartPeerAsync(() => cluster.ViewOf(2));
        await using var host = await OpsHost.StartAsync(() => cluster.ViewOf(1));
        cluster.Node1Url = host.BaseUrl;
        cluster.Node2Url = peer.Urls.First();
        cluster.Node3Url = OpsHost.DeadUrl();

        using var ok = await host.Client.GetAsync("/ui/api/nodes/2/cluster");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var view = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()))
            Assert.Equal(2, view.RootElement.GetProperty("nodeId").GetInt32());

        using var dead = await host.Client.GetAsync("/ui/api/nodes/3/cluster");
        Assert.Equal(HttpStatusCode.BadGateway, dead.StatusCode);
        using (var error = JsonDocument.Parse(await dead.Content.ReadAsStringAsync()))
            Assert.Contains("Node 3", error.RootElement.GetProperty("description").GetString(), StringComparison.Ordinal);

        using var unknown = await host.Client.GetAsync("/ui/api/nodes/9/cluster");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var notANumber = await host.Client.GetAsync("/ui/api/nodes/abc/cluster");
        Assert.Equal(HttpStatusCode.NotFound, notANumber.StatusCode);
    }
}
