using System.Globalization;
using System.Text.Json;
using RaftBurrow.Client.Http;

namespace RaftBurrow.Client.Admin;

/// <summary>
/// The admin endpoints (<c>/admin/…</c>): cluster view, leadership, membership, snapshots. Obtain it from
/// <see cref="RaftBurrowClient.Admin"/>. Endpoints a server does not have answer 404 with an empty body
/// (<see cref="RaftBurrowApiException.IsRouteMissing"/>).
/// </summary>
public sealed class AdminClient
{
    private readonly RaftBurrowTransport transport;

    internal AdminClient(RaftBurrowTransport transport) => this.transport = transport;

    /// <summary><c>GET /admin/cluster</c> of one node (any node when <paramref name="node"/> is null).</summary>
    public async Task<ClusterStatus> GetClusterAsync(Uri? node = null, CancellationToken cancellationToken = default) =>
        Responses.Read(await transport.SendAsync(new ApiRequest(HttpMethod.Get, "/admin/cluster") { Node = node }, cancellationToken).ConfigureAwait(false),
            ClientJsonContext.Default.ClusterStatus);

    /// <summary>
    /// Asks every node for its view: the configured URLs first, then every member those answers list (by
    /// <see cref="ClusterNode.HttpUrl"/>), each exactly once, in parallel. Unreachable nodes come back with
    /// <see cref="NodeClusterView.Error"/> set; the list is ordered by node id, unknown ids last.
    /// </summary>
    public async Task<IReadOnlyList<NodeClusterView>> GetClusterFromEveryNodeAsync(CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var views = new List<NodeClusterView>();
        var wave = transport.Nodes.Nodes.Where(u => seen.Add(Key(u))).ToList();
        while (wave.Count > 0)
        {
            var answers = await Task.WhenAll(wave.Select(u => AskAsync(u, cancellationToken))).ConfigureAwait(false);
            views.AddRange(answers);
            wave = answers.Where(a => a.Status is not null)
                .SelectMany(a => a.Status!.Nodes)
                .Select(n => Uri.TryCreate(n.HttpUrl, UriKind.Absolute, out var u) ? NodeSelector.Normalize(u) : null)
                .OfType<Uri>()
                .Where(u => seen.Add(Key(u)))
                .ToList();
        }

        // A node reached by a configured URL may also be listed under its own HttpUrl: keep one view per id.
        return views
            .GroupBy(v => v.Status?.NodeId is { } id ? "id:" + id.ToString(CultureInfo.InvariantCulture) : "url:" + Key(v.Url))
            .Select(g => g.First())
            .OrderBy(v => v.Status?.NodeId ?? int.MaxValue).ThenBy(v => v.Url.ToString(), StringComparer.Ordinal)
            .ToList();

        static string Key(Uri u) => NodeSelector.Normalize(u).ToString();
    }

    private async Task<NodeClusterView> AskAsync(Uri node, CancellationToken ct)
    {
        try
        {
            return new NodeClusterView(node, await GetClusterAsync(node, ct).ConfigureAwait(false), null);
        }
        catch (RaftBurrowApiException ex)
        {
            return new NodeClusterView(node, null, ex.Message);
        }
    }

    /// <summary><c>POST /admin/partitions/rebalance</c>: spread partition leaders evenly over the nodes.</summary>
    public Task<JsonElement?> RebalanceAsync(CancellationToken cancellationToken = default) =>
        PostAsync(HttpMethod.Post, "/admin/partitions/rebalance", default, cancellationToken);

    /// <summary><c>POST /admin/partitions/{p}/transfer?to=NODE</c>: move a partition's leadership to a node.</summary>
    public Task<JsonElement?> TransferLeaderAsync(int partition, int toNodeId, CancellationToken cancellationToken = default) =>
        PostAsync(HttpMethod.Post, "/admin/partitions/" + partition.ToString(CultureInfo.InvariantCulture) + "/transfer?to="
            + toNodeId.ToString(CultureInfo.InvariantCulture), default, cancellationToken);

    /// <summary><c>POST /admin/nodes</c>: add a member (the server changes membership one partition at a time).</summary>
    public Task<JsonElement?> AddNodeAsync(AddNodeRequest node, CancellationToken cancellationToken = default) =>
        PostAsync(HttpMethod.Post, "/admin/nodes", Responses.Serialize(node, ClientJsonContext.Default.AddNodeRequest), cancellationToken);

    /// <summary><c>DELETE /admin/nodes/{id}</c>: remove a member.</summary>
    public Task<JsonElement?> RemoveNodeAsync(int nodeId, CancellationToken cancellationToken = default) =>
        PostAsync(HttpMethod.Delete, "/admin/nodes/" + nodeId.ToString(CultureInfo.InvariantCulture), default, cancellationToken);

    /// <summary><c>POST /admin/snapshot</c> (optionally <c>?partition=P</c>): force a snapshot.</summary>
    public Task<JsonElement?> SnapshotAsync(int? partition = null, CancellationToken cancellationToken = default) =>
        PostAsync(HttpMethod.Post, "/admin/snapshot" + new QueryBuilder().Add("partition", partition), default, cancellationToken);

    // Membership and leadership changes are not repeated blindly: a second "add node" could race the first.
    private async Task<JsonElement?> PostAsync(HttpMethod method, string path, ReadOnlyMemory<byte> body, CancellationToken ct) =>
        Responses.ReadOptionalJson(await transport.SendAsync(new ApiRequest(method, path)
        {
            Content = body,
            Safety = RequestSafety.NotIdempotent,
        }, ct).ConfigureAwait(false));
}
