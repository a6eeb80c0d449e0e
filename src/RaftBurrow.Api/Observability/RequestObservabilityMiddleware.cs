using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// Per request: assigns the request id (echoed as X-Request-ID), opens a log scope with it and the
/// partition, counts the request by method, route template and status, observes its latency, and
/// writes one structured log line at the end.
/// </summary>
internal sealed class RequestObservabilityMiddleware
{
    private const string UnmatchedRoute = "(unmatched)";

    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly IQueueService? _service;
    private readonly QueueDepthCollector? _depth;

    public RequestObservabilityMiddleware(RequestDelegate next, ILoggerFactory loggerFactory, IServiceProvider services)
    {
        _next = next;
        _logger = loggerFactory.CreateLogger("RaftBurrow.Requests");
        _service = services.GetService<IQueueService>();
        _depth = services.GetService<QueueDepthCollector>();
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = RequestContext.AssignRequestId(context);
        // OnStarting, not now: a later middleware may Clear() the response (the 503 mapper does).
        context.Response.OnStarting(static state =>
        {
            var (ctx, id) = ((HttpContext, string))state;
            ctx.Response.Headers[RequestContext.RequestIdHeader] = id;
            return Task.CompletedTask;
        }, (context, requestId));
        if (context.Request.Headers.TryGetValue("X-Project-ID", out var project))
            _depth?.NoteProject(project.ToString());

        var partition = SafeDerivePartition(context);
        using var scope = _logger.BeginScope(new RequestScope(requestId, partition));
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var route = RouteOf(context);
            Record(context.Request.Method, route, StatusCodes.Status500InternalServerError, elapsedMs);
            RequestLog.RequestFailed(_logger, e, context.Request.Method, route, elapsedMs, requestId, RequestContext.Format(partition));
            throw;
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var template = RouteOf(context);
        var status = context.Response.StatusCode;
        Record(context.Request.Method, template, status, elapsed);
        var level = RequestLog.LevelFor(status);
        if (_logger.IsEnabled(level))
            RequestLog.RequestCompleted(_logger, level, context.Request.Method, template, status, elapsed, requestId,
                RequestContext.Format(RequestContext.GetPartition(context) ?? partition));
    }

    private int? SafeDerivePartition(HttpContext context)
    {
        try
        {
            return RequestContext.DerivePartition(context, _service);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            // A malformed name is the endpoint's to reject with a 4xx; the log just has no partition.
            return null;
        }
    }

    private static void Record(string method, string route, int status, double elapsedMs)
    {
        RaftBurrowMetrics.HttpRequests.WithLabels(method, route, StatusLabel(status)).Inc();
        RaftBurrowMetrics.HttpRequestDuration.WithLabels(method, route).Observe(elapsedMs / 1000.0);
    }

    // The template, never the raw path: label cardinality must not grow with queue names.
    private static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } text } ? text : UnmatchedRoute;

    private static readonly string[] StatusLabels = Enumerable.Range(0, 600).Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusLabel(int status) =>
        (uint)status < (uint)StatusLabels.Length ? StatusLabels[status] : status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The log scope: structured properties (RequestId, Partition) for JSON and scope-aware loggers.</summary>
    private sealed class RequestScope(string requestId, int? partition) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("RequestId", requestId),
            1 => new("Partition", partition),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{requestId} Partition:{RequestContext.Format(partition)}";
    }
}
