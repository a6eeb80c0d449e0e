using System.Net;
using System.Text.Json;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.Ops.Tests.Support;

namespace RaftBurrow.Ops.Tests;

/// <summary>/readyz: 200 when every partition answers a read, else 503 naming the partitions.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Readyz_is_200_when_every_partition_answers_a_read()
    {
        await using var host = await OpsHost.StartAsync();
        using var response = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(4, body.RootElement.GetProperty("partitionCount").GetInt32());
    }

    [Fact]
    public async Task Readyz_is_503_naming_the_partitions_that_stall_or_fail()
    {
        var service = new StallingQueueService(new LocalQueueService(4), stalled: new HashSet<int> { 2 }, failing: new HashSet<int> { 3 });
        await using var host = await OpsHost.StartAsync(service: service, observability: o => o.ReadyTimeoutMs = 300);
        using var response = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var failed = body.RootElement.GetProperty("failed").EnumerateArray()
            .Select(f => (f.GetProperty("partition").GetInt32(), f.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal([2, 3], failed.Select(f => f.Item1));
        Assert.Contains("within 300 ms", failed[0].Item2, StringComparison.Ordinal);
        Assert.Contains("No leader for partition 3", failed[1].Item2, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 7003);
    }

    [Fact]
    public async Task Depth_collection_failure_still_answers_the_scrape()
    {
        var service = new StallingQueueService(new LocalQueueService(4), stalled: new HashSet<int> { 1 }, failing: new HashSet<int>());
        await using var host = await OpsHost.StartAsync(service: service, observability: o =>
        {
            o.DepthTimeoutMs = 200;
            o.Projects.Add("tracked");
        });
        using var response = await host.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("raftburrow_depth_collection_failures_total", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
