using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster;

/// <summary>
/// <c>POST /internal/v1/partitions/{partition}/standby?holdMs=H</c> puts this node's replica in
/// standby for H ms (1..10,000; it resigns if it leads); <c>DELETE</c> on the same route ends the
/// hold. <c>POST /internal/v1/partitions/{partition}/pause?ms=M</c> on the leader holds new log entries
/// back for at most M ms (1..5,000) and answers the index of its last entry once the batch in flight has
/// committed (421 when this node does not lead). Used by <see cref="LeadershipMover"/> on the coordinating node.
/// </summary>
public static class LeadershipEndpoints
{
    /// <summary>Longest hold, ms (a bound, so that a forgotten hold cannot keep a replica out of elections for long).</summary>
    public const int MaxHoldMs = 10_000;

    /// <summary>Longest pause of new log entries on a leader, ms (a transfer needs far less).</summary>
    public const int MaxPauseMs = 5_000;

    private const string Route = "/internal/v1/partitions/{partition:int}/standby";
    private const string PauseRoute = "/internal/v1/partitions/{partition:int}/pause";

    /// <summary>Maps the standby hold routes.</summary>
    public static IEndpointRouteBuilder MapLeadershipInternal(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, async (HttpContext context, int partition) =>
        {
            if (Replica(context, partition) is not { } replica)
                return UnknownPartition(partition);
            if (Milliseconds(context, "holdMs", MaxHoldMs) is not { } holdMs)
                return BadMilliseconds("holdMs", MaxHoldMs);
            await replica.HoldStandbyAsync(TimeSpan.FromMilliseconds(holdMs), context.RequestAborted).ConfigureAwait(false);
            return Results.Ok(new { partition, holdMs });
        }).ExcludeFromDescription();
        endpoints.MapDelete(Route, async (HttpContext context, int partition) =>
        {
            if (Replica(context, partition) is not { } replica)
                return UnknownPartition(partition);
            await replica.ReleaseStandbyAsync(context.RequestAborted).ConfigureAwait(false);
            return Results.Ok(new { partition });
        }).ExcludeFromDescription();
        endpoints.MapPost(PauseRoute, async (HttpContext context, int partition) =>
        {
            if (Replica(context, partition) is not { } replica)
                return UnknownPartition(partition);
            if (Milliseconds(context, "ms", MaxPauseMs) is not { } ms)
                return BadMilliseconds("ms", MaxPauseMs);
            try
            {
                var lastIndex = await replica.PauseProposalsAsync(TimeSpan.FromMilliseconds(ms), context.RequestAborted).ConfigureAwait(false);
                return Results.Ok(new { partition, lastIndex });
            }
            catch (NotLeaderException)
            {
                return Error(StatusCodes.Status421MisdirectedRequest, "Not the leader", $"This node does not lead partition {partition}.");
            }
        }).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>This node's replica of <paramref name="partition"/>, or null when there is no such partition.</summary>
    private static RaftPartition? Replica(HttpContext context, int partition)
    {
        var router = context.RequestServices.GetRequiredService<ClusterRouter>();
        return partition >= 0 && partition < router.PartitionCount ? router.Node.Partitions[partition] : null;
    }

    /// <summary>The query parameter <paramref name="name"/> as a whole number of ms in 1..<paramref name="max"/>, or null.</summary>
    private static int? Milliseconds(HttpContext context, string name, int max) =>
        int.TryParse(context.Request.Query[name], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is >= 1 && ms <= max ? ms : null;

    private static IResult UnknownPartition(int partition) =>
        Error(StatusCodes.Status404NotFound, "Unknown partition", $"Partition {partition} does not exist.");

    private static IResult BadMilliseconds(string name, int max) =>
        Error(StatusCodes.Status400BadRequest, $"Bad {name}", $"{name} must be an integer 1..{max}.");

    private static IResult Error(int status, string title, string description) =>
        Results.Json(new { title, description }, statusCode: status);
}
