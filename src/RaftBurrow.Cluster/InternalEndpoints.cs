using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Cluster;

/// <summary>
/// <c>POST /internal/v1/partitions/{partition}/execute</c>, body = 16-byte request id + CommandCodec
/// bytes, answer = CommandCodec.EncodeResult bytes. A request forwarded by a peer
/// (<c>X-RaftBurrow-Hops: 1</c>) is executed only if this node leads the partition (421 otherwise);
/// a request without the header (operators, tests, the harness) takes the normal path: executed
/// here or forwarded to the leader, with retries until the deadline (503 + Retry-After).
/// <c>POST /internal/v2/partitions/{partition}/execute</c> is the batched form peers use
/// (<see cref="ForwardBatchCodec"/>); the v1 route stays for older peers and for operators.
/// </summary>
public static class InternalEndpoints
{
    /// <summary>Largest forwarded body (a 256 KiB Zaqar POST plus headroom), bytes.</summary>
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    /// <summary>Maps <c>POST /internal/v1/partitions/{partition}/execute</c>.</summary>
    public static IEndpointRouteBuilder MapClusterInternal(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ClusterRouter.ExecuteRoute, ExecuteAsync).ExcludeFromDescription();
        endpoints.MapPost(ClusterRouter.ExecuteBatchRoute, ExecuteBatchAsync).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>Largest batched forwarding body, bytes (the sender keeps batches to about 1 MiB, plus one large command).</summary>
    public const int MaxBatchBodyBytes = 8 * 1024 * 1024;

    // POST /internal/v2/partitions/{p}/execute: a batch of forwarded commands (ForwardBatchCodec). Only
    // ever executed here, never forwarded again (the batch endpoint is for peers, which send
    // X-RaftBurrow-Hops: 1): 421 when this node does not lead the partition, else 200 with one outcome
    // per command (a command this node stopped leading for, or could not commit in time, is marked so
    // and the origin re-routes or retries it).
    private static async Task ExecuteBatchAsync(HttpContext context, int partition)
    {
        var router = context.RequestServices.GetRequiredService<ClusterRouter>();
        if (partition < 0 || partition >= router.PartitionCount)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "Unknown partition", $"Partition {partition} does not exist.").ConfigureAwait(false);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBatchBodyBytes;
        byte[] body;
        using (var buffer = new MemoryStream(context.Request.ContentLength is > 0 and <= MaxBatchBodyBytes and var n ? (int)n : 4096))
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        var items = ForwardBatchCodec.TryDecodeRequest(body);
        if (items is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "Bad forwarded batch", "The body is not a forwarded batch of a known version.").ConfigureAwait(false);
            return;
        }
        if (!router.IsLocalLeader(partition))
        {
            await WriteNotLeaderAsync(context, router, partition).ConfigureAwait(false);
            return;
        }
        try
        {
            var answers = await router.ExecuteForwardedBatchAsync(partition, items, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(ForwardBatchCodec.EncodeAnswer(answers), context.RequestAborted).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            context.Response.Headers.RetryAfter = router.Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", e.Message).ConfigureAwait(false);
        }
    }

    private static Task WriteNotLeaderAsync(HttpContext context, ClusterRouter router, int partition)
    {
        if (router.Node.Partitions[partition].LeaderNodeId is { } leader)
            context.Response.Headers[ClusterRouter.LeaderHeader] = leader.ToString(CultureInfo.InvariantCulture);
        return WriteErrorAsync(context, StatusCodes.Status421MisdirectedRequest, "Not the leader", $"This node does not lead partition {partition}.");
    }

    private static async Task ExecuteAsync(HttpContext context, int partition)
    {
        var router = context.RequestServices.GetRequiredService<ClusterRouter>();
        if (partition < 0 || partition >= router.PartitionCount)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "Unknown partition", $"Partition {partition} does not exist.").ConfigureAwait(false);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        if (body.Length < 18)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "Bad forwarded command", "The body must be a 16-byte request id followed by a command.").ConfigureAwait(false);
            return;
        }
        var requestId = new Guid(body.AsSpan(0, 16));
        var timeoutMs = int.TryParse(context.Request.Headers[ClusterRouter.TimeoutHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : router.Options.RequestTimeoutMs;
        var forwarded = int.TryParse(context.Request.Headers[ClusterRouter.HopsHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var hops) && hops > 0;
        if (!forwarded)
        {
            await ExecuteRoutedAsync(context, router, partition, requestId, body[16..]).ConfigureAwait(false);
            return;
        }
        try
        {
            var result = await router.ExecuteForwardedAsync(partition, body[16..], requestId, timeoutMs, context.RequestAborted).ConfigureAwait(false);
            if (result is null)
            {
                if (router.Node.Partitions[partition].LeaderNodeId is { } leader)
                    context.Response.Headers[ClusterRouter.LeaderHeader] = leader.ToString(CultureInfo.InvariantCulture);
                await WriteErrorAsync(context, StatusCodes.Status421MisdirectedRequest, "Not the leader", $"This node does not lead partition {partition}.").ConfigureAwait(false);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(CommandCodec.EncodeResult(result), context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = router.Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"Partition {partition} could not commit in time.").ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            context.Response.Headers.RetryAfter = router.Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", e.Message).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteRoutedAsync(HttpContext context, ClusterRouter router, int partition, Guid requestId, byte[] commandBytes)
    {
        var command = CommandCodec.TryDecode(commandBytes);
        if (command is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "Bad command", "The command bytes are not a CommandCodec payload of a known version.").ConfigureAwait(false);
            return;
        }
        try
        {
            var result = await router.ExecuteAsync(partition, command, requestId, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(CommandCodec.EncodeResult(result), context.RequestAborted).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            context.Response.Headers.RetryAfter = router.Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", e.Message).ConfigureAwait(false);
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string title, string description)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { title, description });
    }
}
