using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RaftBurrow.Consensus;

namespace RaftBurrow.Cluster;

/// <summary>
/// Internal routes of <see cref="MembershipCoordinator"/>: <c>POST /internal/v1/members</c> (a member
/// description, JSON) and <c>DELETE /internal/v1/members/{id}</c> update this node's directory;
/// <c>POST /internal/v1/partitions/{p}/membership?op=add|remove&amp;endpoint=IP:PORT</c> makes the change
/// on this node if it leads partition p (421 otherwise, 409 when the leader refused).
/// </summary>
public static class MembershipEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapMembershipInternal(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/internal/v1/members", (ClusterMember member, ClusterRouter router) =>
        {
            if (member.Id < 1 || string.IsNullOrEmpty(member.HttpUrl))
                return Error(StatusCodes.Status400BadRequest, "Bad member", "id and httpUrl are required.");
            return Results.Ok(new { changed = router.Directory.Upsert(member) });
        }).ExcludeFromDescription();
        endpoints.MapDelete("/internal/v1/members/{id:int}", (int id, ClusterRouter router) =>
        {
            if (id == router.NodeId)
                return Error(StatusCodes.Status409Conflict, "Self", "A node keeps itself in its own directory.");
            return Results.Ok(new { changed = router.Directory.Remove(id) });
        }).ExcludeFromDescription();
        endpoints.MapPost("/internal/v1/partitions/{partition:int}/membership", async (int partition, HttpRequest request, ClusterRouter router, CancellationToken ct) =>
        {
            if (partition < 0 || partition >= router.PartitionCount)
                return Error(StatusCodes.Status404NotFound, "Unknown partition", $"Partition {partition} does not exist.");
            var op = request.Query["op"].ToString();
            if (op is not ("add" or "remove") || !RaftEndPoints.TryParse(request.Query["endpoint"].ToString(), out var endPoint))
                return Error(StatusCodes.Status400BadRequest, "Bad membership change", "op must be add or remove and endpoint ip:port or host:port.");
            try
            {
                var changed = await router.Node.Partitions[partition].ChangeMembershipAsync(endPoint, op == "add", ct).ConfigureAwait(false);
                return Results.Ok(new { changed });
            }
            catch (NotLeaderException)
            {
                return Error(StatusCodes.Status421MisdirectedRequest, "Not the leader", $"This node does not lead partition {partition}.");
            }
            catch (InvalidOperationException e)
            {
                return Error(StatusCodes.Status409Conflict, "Membership change refused", e.Message);
            }
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Error(int status, string title, string description) =>
        Results.Json(new { title, description }, statusCode: status);

}
