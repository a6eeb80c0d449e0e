using System.Globalization;
using RaftBurrow.Cluster;

namespace RaftBurrow.Server;

/// <summary><c>GET /admin/cluster</c> (this node's view, shape in docs/configuration.md) and <c>GET /healthz</c>;
/// the write endpoints are in <see cref="AdminWriteEndpoints"/>.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", (ClusterRouter router) =>
        {
            try
            {
                _ = router.Node;
                return Results.Ok(new { status = "ok" });
            }
            catch (ClusterUnavailableException e)
            {
                return Results.Json(new { title = "Service unavailable", description = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        endpoints.MapGet("/admin/cluster", (ClusterRouter router, string? hash) =>
        {
            // ?hash=false leaves the state hashes out (null): cheap enough to poll under load.
            bool withHash;
            switch (hash?.Trim().ToLowerInvariant())
            {
                case null or "true" or "1":
                    withHash = true;
                    break;
                case "false" or "0":
                    withHash = false;
                    break;
                default:
                    return Results.Json(new { title = "Invalid parameter", description = $"hash must be true or false (is '{hash}')." },
                        statusCode: StatusCodes.Status400BadRequest);
            }
            try
            {
                return Results.Ok(new AdminClusterView(
                    router.NodeId,
                    router.PartitionCount,
                    router.Members.Values.OrderBy(m => m.Id)
                        .Select(m => new AdminNodeView(m.Id, m.HttpUrl, m.RaftAddress, m.RaftBasePort, m.Zone)).ToList(),
                    router.Status(withHash).Select(s => new AdminPartitionView(s.Partition, s.Role, s.LeaderNodeId, s.Term, s.CommitIndex,
                        s.AppliedIndex, s.StateHash?.ToString("x16", CultureInfo.InvariantCulture),
                        router.Node.Partitions[s.Partition].ConfigurationMemberIds.Order().ToList())).ToList()));
            }
            catch (ClusterUnavailableException e)
            {
                return Results.Json(new { title = "Service unavailable", description = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        endpoints.MapAdminWrites();
        return endpoints;
    }
}

/// <summary>GET /admin/cluster.</summary>
internal sealed record AdminClusterView(int NodeId, int PartitionCount, IReadOnlyList<AdminNodeView> Nodes, IReadOnlyList<AdminPartitionView> Partitions);

/// <summary>A member as configured.</summary>
internal sealed record AdminNodeView(int Id, string HttpUrl, string RaftAddress, int RaftBasePort, string? Zone);

/// <summary>One partition as this node sees it.</summary>
/// <param name="Members">The node ids in this replica's Raft configuration (null: an endpoint of no known node).</param>
internal sealed record AdminPartitionView(int Partition, string Role, int? LeaderNodeId, long Term, long CommitIndex, long AppliedIndex, string? StateHash,
    IReadOnlyList<int?> Members);
