using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// Wires metrics (<c>GET /metrics</c>), readiness (<c>GET /readyz</c>) and the request log into a host.
/// The server calls all three: Add… with its services, Use… first in the pipeline (before any
/// middleware that maps exceptions to statuses, so the recorded status is the one sent), Map… with
/// its endpoints.
/// </summary>
public static class ObservabilityExtensions
{
    /// <summary>Path of the Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Path of the readiness endpoint.</summary>
    public const string ReadyPath = "/readyz";

    /// <summary>
    /// Registers the options (section <c>RaftBurrow:Observability</c>), the readiness probe and the
    /// depth collector, and starts the <see cref="MeterBridge"/> from the replication layer's meter. Needs an <see cref="IQueueService"/>; uses a registered <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddRaftBurrowObservability(this IServiceCollection services, Action<ObservabilityOptions>? configure = null)
    {
        var options = services.AddOptions<ObservabilityOptions>().BindConfiguration(ObservabilityOptions.SectionName);
        if (configure is not null)
            options.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ReadinessProbe>();
        services.TryAddSingleton<QueueDepthCollector>();
        MeterBridge.EnsureStarted();
        return services;
    }

    /// <summary>Adds the request id, request log and HTTP metrics middleware.</summary>
    public static IApplicationBuilder UseRaftBurrowObservability(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestObservabilityMiddleware>();

    /// <summary>Maps <c>GET /metrics</c> and <c>GET /readyz</c>.</summary>
    public static IEndpointRouteBuilder MapRaftBurrowObservability(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(MetricsPath, ScrapeAsync).WithDisplayName("Prometheus metrics").ExcludeFromDescription();
        endpoints.MapGet(ReadyPath, ReadyAsync).WithDisplayName("Readiness").ExcludeFromDescription();
        return endpoints;
    }

    private static async Task ScrapeAsync(HttpContext context, QueueDepthCollector depth)
    {
        await depth.MaybeCollectAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> ReadyAsync(HttpContext context, ReadinessProbe probe, ILoggerFactory loggers)
    {
        var report = await probe.CheckAsync(context.RequestAborted).ConfigureAwait(false);
        if (report.Ready)
            return Results.Json(new ReadyBody("ready", report.PartitionCount, null, []), ReadyJson.Options);
        var failed = string.Join(", ", report.Failures.Select(f => f.Partition));
        RequestLog.NotReady(loggers.CreateLogger("RaftBurrow.Readiness"), report.Failures.Count, report.PartitionCount, failed);
        return Results.Json(
            new ReadyBody("not ready", report.PartitionCount, $"No answer from partition(s) {failed} in time.", report.Failures),
            ReadyJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The /readyz body.</summary>
    private sealed record ReadyBody(string Status, int PartitionCount, string? Description, IReadOnlyList<PartitionFailure> Failed);

    private static class ReadyJson
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
    }
}
