using System.Net;

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
}
