using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Observability;

/// <summary>
/// The request id and the partition of a request, as the observability middleware sees them. Other
/// layers may call <see cref="SetPartition"/> when they learn the partition in another way.
/// </summary>
public static class RequestContext
{
    /// <summary>The header that carries the request id in both directions.</summary>
    public const string RequestIdHeader = "X-Request-ID";

    private const int MaxRequestIdLength = 128;
    private static readonly object PartitionKey = new();
    private static readonly object RequestIdKey = new();

    /// <summary>This request's id (the caller's X-Request-ID when it is sane, else the server's trace id).</summary>
    public static string GetRequestId(HttpContext context) =>
        context.Items.TryGetValue(RequestIdKey, out var id) && id is string s ? s : context.TraceIdentifier;

    /// <summary>Records the partition this request works on (for the request log).</summary>
    public static void SetPartition(HttpContext context, int partition) => context.Items[PartitionKey] = partition;

    /// <summary>The partition this request works on, when known.</summary>
    public static int? GetPartition(HttpContext context) => context.Items.TryGetValue(PartitionKey, out var p) && p is int i ? i : null;

    internal static string AssignRequestId(HttpContext context)
    {
        var incoming = context.Request.Headers[RequestIdHeader].ToString();
        var id = IsSane(incoming) ? incoming : context.TraceIdentifier;
        context.Items[RequestIdKey] = id;
        return id;
    }

    /// <summary>
    /// Derives the partition from the route when it names a queue: Zaqar's <c>{queue_name}</c> with
    /// X-Project-ID, or a Burrow path <c>/v1.0/{account}/queues/{queue}...</c>.
    /// </summary>
    internal static int? DerivePartition(HttpContext context, IQueueService? service)
    {
        if (GetPartition(context) is { } known)
            return known;
        if (service is null)
            return null;
        var values = context.GetRouteData().Values;
        if (values.TryGetValue("queue_name", out var queue) && queue is string queueName && queueName.Length > 0)
            return service.PartitionOf(QueueSpace.Zaqar, context.Request.Headers["X-Project-ID"].ToString(), queueName);
        if (context.Request.Path.StartsWithSegments("/v1.0", out var rest))
        {
            var segments = rest.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (segments.Length >= 3 && segments[1] == "queues")
                return service.PartitionOf(QueueSpace.Burrow, Uri.UnescapeDataString(segments[0]), Uri.UnescapeDataString(segments[2]));
        }
        return null;
    }

    internal static string Format(int? partition) => partition is { } p ? p.ToString(CultureInfo.InvariantCulture) : "-";

    // Letters, digits and . _ - only: the id goes into logs and a response header verbatim.
    private static bool IsSane(string value) =>
        value.Length is > 0 and <= MaxRequestIdLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
