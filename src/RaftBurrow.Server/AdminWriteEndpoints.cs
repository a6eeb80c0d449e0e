using System.Globalization;
using RaftBurrow.Cluster;
using RaftBurrow.Consensus;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Server;

/// <summary>
/// The admin write endpoints that <c>raftburrow-cli</c> calls (docs/cli.md, docs/operations.md):
/// <c>POST /admin/partitions/rebalance</c>, <c>POST /admin/partitions/{p}/transfer?to=NODE</c>,
/// <c>POST /admin/snapshot[?partition=P]</c>, and <c>POST /admin/nodes</c> / <c>DELETE /admin/nodes/{id}</c>
/// (membership changes, <see cref="MembershipCoordinator"/>).
/// Failures are 4xx/5xx with a JSON body; an operation that did not reach its goal says so (409).
/// </summary>
internal static class AdminWriteEndpoints
{
    private static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SnapshotTimeout = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapAdminWrites(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/admin/partitions/rebalance", async (LeadershipMover mover, CancellationToken ct) =>
        {
            var result = await mover.RebalanceAsync(RebalanceTimeout, ct).ConfigureAwait(false);
            return result.Balanced
                ? Results.Ok(result)
                : Results.Json(new { title = "Not balanced", description = "Leadership is still uneven after the rebalance deadline (see moves).", result },
                    statusCode: StatusCodes.Status409Conflict);
        });
        endpoints.MapPost("/admin/partitions/{partition}/transfer", async (string partition, HttpRequest request, ClusterRouter router, LeadershipMover mover, CancellationToken ct) =>
        {
            if (!int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p >= router.PartitionCount)
                return Error(StatusCodes.Status404NotFound, "Unknown partition", $"Partition '{partition}' does not exist (0..{router.PartitionCount - 1}).");
            if (!int.TryParse(request.Query["to"], NumberStyles.None, CultureInfo.InvariantCulture, out var to))
                return Error(StatusCodes.Status400BadRequest, "Bad target", "The query parameter 'to' must be a node id.");
            if (!router.Members.ContainsKey(to))
                return Error(StatusCodes.Status400BadRequest, "Unknown node", $"Node {to} is not a member.");
            var result = await mover.TransferAsync(p, to, TransferTimeout, ct).ConfigureAwait(false);
            return result.Transferred
                ? Results.Ok(result)
                : Results.Json(new { title = "Not transferred", description = $"Node {to} did not become leader of partition {p} within {TransferTimeout.TotalSeconds:0} s (is it up and caught up?).", result },
                    statusCode: StatusCodes.Status409Conflict);
        });
        endpoints.MapPost("/admin/snapshot", async (HttpRequest request, ClusterRouter router, CancellationToken ct) =>
        {
            IEnumerable<int> partitions = Enumerable.Range(0, router.PartitionCount);
            if (request.Query.ContainsKey("partition"))
            {
                if (!int.TryParse(request.Query["partition"], NumberStyles.None, CultureInfo.InvariantCulture, out var only) || only >= router.PartitionCount)
                    return Error(StatusCodes.Status404NotFound, "Unknown partition", $"Partition '{request.Query["partition"]}' does not exist (0..{router.PartitionCount - 1}).");
                partitions = [only];
            }
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(SnapshotTimeout);
            var snapshots = await Task.WhenAll(partitions.Select(async p =>
            {
                try
                {
                    // An expiry pulse gives every replica a next entry to apply, which writes the snapshot.
                    var index = await router.Node.Partitions[p].ForceSnapshotAsync(
                        token => router.ExecuteAsync(p, new Expire(), Guid.NewGuid(), token), deadline.Token).ConfigureAwait(false);
                    return new SnapshotView(p, index, null);
                }
                catch (Exception e) when (e is OperationCanceledException or ClusterUnavailableException && !ct.IsCancellationRequested)
                {
                    return new SnapshotView(p, router.Node.Partitions[p].LastSnapshotIndex, "no snapshot before the deadline: " + e.Message);
                }
            })).ConfigureAwait(false);
            var body = new { nodeId = router.NodeId, snapshots };
            return snapshots.All(s => s.Error is null)
                ? Results.Ok(body)
                : Results.Json(new { title = "Snapshot incomplete", description = "Some partitions did not snapshot in time (no quorum?).", body.nodeId, snapshots },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        endpoints.MapPost("/admin/nodes", async (HttpRequest request, MembershipCoordinator membership, CancellationToken ct) =>
        {
            NodeRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<NodeRequest>(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or BadHttpRequestException or InvalidOperationException)
            {
                return Error(StatusCodes.Status400BadRequest, "Bad node", "The body must be JSON: {\"id\", \"httpUrl\", \"raftAddress\", \"raftBasePort\", \"zone\"}. " + e.Message);
            }
            if (body is null || body.Id is null || body.HttpUrl is null || body.RaftAddress is null || body.RaftBasePort is null)
                return Error(StatusCodes.Status400BadRequest, "Bad node", "id, httpUrl, raftAddress and raftBasePort are required.");
            var member = new ClusterMember { Id = body.Id.Value, HttpUrl = body.HttpUrl, RaftAddress = body.RaftAddress, RaftBasePort = body.RaftBasePort.Value, Zone = body.Zone };
            return await RunAsync(() => membership.AddNodeAsync(member, ct)).ConfigureAwait(false);
        });
        endpoints.MapDelete("/admin/nodes/{id}", async (string id, MembershipCoordinator membership, CancellationToken ct) =>
            int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var nodeId)
                ? await RunAsync(() => membership.RemoveNodeAsync(nodeId, ct)).ConfigureAwait(false)
                : Error(StatusCodes.Status400BadRequest, "Bad node id", $"'{id}' is not a node id."));
        return endpoints;
    }

    private static async Task<IResult> RunAsync(Func<Task<MembershipResult>> change)
    {
        try
        {
            return Results.Ok(await change().ConfigureAwait(false));
        }
        catch (ArgumentException e)
        {
            return Error(StatusCodes.Status400BadRequest, "Bad membership change", e.Message);
        }
        catch (MembershipRefusedException e)
        {
            return Error(StatusCodes.Status409Conflict, "Membership change refused", e.Message);
        }
    }

    private static IResult Error(int status, string title, string description) =>
        Results.Json(new { title, description }, statusCode: status);
}

/// <summary>One partition's forced snapshot on the answering node.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="SnapshotIndex">Index of its latest snapshot.</param>
/// <param name="Error">Why no new snapshot was written, or null.</param>
internal sealed record SnapshotView(int Partition, long SnapshotIndex, string? Error);

/// <summary>Body of <c>POST /admin/nodes</c> (the client's AddNodeRequest).</summary>
internal sealed record NodeRequest(int? Id, string? HttpUrl, string? RaftAddress, int? RaftBasePort, string? Zone);
