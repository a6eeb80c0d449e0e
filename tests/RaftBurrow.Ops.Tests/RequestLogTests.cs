using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RaftBurrow.Api.Observability;
using RaftBurrow.Ops.Tests.Support;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Ops.Tests;

/// <summary>Request ids (echoed as X-Request-ID) and the structured per-request log line.</summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task A_sane_caller_request_id_is_kept_echoed_and_logged_with_the_queue_partition()
    {
        await using var host = await OpsHost.StartAsync();
        using var request = ZaqarCalls.Request(HttpMethod.Put, "/v2/queues/audit", "logs-a", "{}");
        request.Headers.Add(RequestContext.RequestIdHeader, "req-42.abc_DEF");
        using var response = await host.Client.SendAsync(request);
        Assert.Equal("req-42.abc_DEF", response.Headers.GetValues(RequestContext.RequestIdHeader).Single());

        var expectedPartition = host.Service.PartitionOf(QueueSpace.Zaqar, "logs-a", "audit");
        var line = await Eventually.WaitAsync(
            () => Task.FromResult(host.Logs.Entries.FirstOrDefault(e => e.EventId.Id == 7001 && Equals(e.Properties["RequestId"], "req-42.abc_DEF"))),
            e => e is not null, "the request log line");
        Assert.Equal(201, line!.Properties["StatusCode"]);
        Assert.Equal("/v2/queues/{queue_name}", line.Properties["Route"]);
        Assert.Equal(expectedPartition.ToString(System.Globalization.CultureInfo.InvariantCulture), line.Properties["Partition"]);
        Assert.Equal(LogLevel.Debug, line.Level);
    }

    [Fact]
    public async Task A_missing_or_unsafe_request_id_is_replaced_by_the_servers_own()
    {
        await using var host = await OpsHost.StartAsync();
        using var plain = await host.Client.GetAsync("/readyz");
        var generated = plain.Headers.GetValues(RequestContext.RequestIdHeader).Single();
        Assert.False(string.IsNullOrWhiteSpace(generated));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
        request.Headers.TryAddWithoutValidation(RequestContext.RequestIdHeader, "evil id\twith spaces {}");
        using var response = await host.Client.SendAsync(request);
        var echoed = response.Headers.GetValues(RequestContext.RequestIdHeader).Single();
        Assert.NotEqual("evil id\twith spaces {}", echoed);
        Assert.Matches("^[A-Za-z0-9._:-]+$", echoed);
    }

    [Fact]
    public async Task Client_errors_log_at_information_with_the_request_scope()
    {
        await using var host = await OpsHost.StartAsync();
        using var response = await host.Client.SendAsync(ZaqarCalls.Request(HttpMethod.Get, "/v2/queues?limit=0", "logs-b"));
        Assert.Equal(400, (int)response.StatusCode);
        var id = response.Headers.GetValues(RequestContext.RequestIdHeader).Single();
        var line = await Eventually.WaitAsync(
            () => Task.FromResult(host.Logs.Entries.FirstOrDefault(e => e.EventId.Id == 7001 && Equals(e.Properties["RequestId"], id))),
            e => e is not null, "the request log line");
        Assert.Equal(LogLevel.Information, line!.Level);
        Assert.Equal(id, line.Properties["scope.RequestId"]);
        Assert.Equal("-", line.Properties["Partition"]);
    }
}

/// <summary>The server's own 503 mapping runs inside the observability middleware: the id and status survive it.</summary>
public sealed class RequestLogUnavailableTests
{
    [Fact]
    public async Task A_503_mapped_by_an_inner_middleware_keeps_the_request_id_and_is_counted_as_503()
    {
        await using var host = await OpsHost.StartAsync(afterObservability: app =>
        {
            // What the server does: clear whatever was started and answer 503 when no leader is reachable.
            app.Use(async (HttpContext context, RequestDelegate next) =>
            {
                try
                {
                    await next(context);
                }
                catch (RaftBurrow.Api.ServiceUnavailableException e) when (!context.Response.HasStarted)
                {
                    context.Response.Clear();
                    context.Response.StatusCode = 503;
                    await context.Response.WriteAsJsonAsync(new { title = "Service unavailable", description = e.Message });
                }
            });
            app.MapGet("/test/unavailable", (HttpContext context) =>
            {
                context.Response.Headers["X-Will-Be-Cleared"] = "1";
                throw new RaftBurrow.Api.ServiceUnavailableException();
            });
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/test/unavailable");
        request.Headers.Add(RequestContext.RequestIdHeader, "retry-7");
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("retry-7", response.Headers.GetValues(RequestContext.RequestIdHeader).Single());
        Assert.False(response.Headers.Contains("X-Will-Be-Cleared"));

        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("raftburrow_http_requests_total{method=\"GET\",route=\"/test/unavailable\",status=\"503\"} ", metrics, StringComparison.Ordinal);
        var line = await Eventually.WaitAsync(
            () => Task.FromResult(host.Logs.Entries.FirstOrDefault(e => e.EventId.Id == 7001 && Equals(e.Properties["RequestId"], "retry-7"))),
            e => e is not null, "the request log line");
        Assert.Equal(LogLevel.Warning, line!.Level);
    }
}
