using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RaftBurrow.Api.Dashboard;

/// <summary>
/// <c>GET /ui/api/nodes/{id}/cluster</c>: fetches a peer's <c>/admin/cluster</c> server-side so the
/// page needs no cross-origin calls. Only nodes listed in this node's own <c>/admin/cluster</c> can be
/// reached (no open proxy), with a short deadline.
/// </summary>
internal static class DashboardProxy
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    // One client for the process: peers are few and fixed; connections are recycled now and then so DNS changes are seen.
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    })
    { Timeout = Deadline };

    public static async Task<IResult> NodeClusterAsync(int id, HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        string? peerUrl;
        try
        {
            // This node's own view, through the socket the request came in on (the same listener).
            var self = SelfUrl(context) + "/admin/cluster";
            using var local = await GetAsync(self, cancellationToken).ConfigureAwait(false);
            if (!local.IsSuccessStatusCode)
                return Error(StatusCodes.Status502BadGateway, $"This node's /admin/cluster answered {(int)local.StatusCode}.");
            using var view = JsonDocument.Parse(await local.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            peerUrl = FindNode(view.RootElement, id);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or SocketException)
        {
            return Error(StatusCodes.Status502BadGateway, "This node's /admin/cluster could not be read: " + e.Message);
        }
        if (peerUrl is null)
            return Error(StatusCodes.Status404NotFound, $"Node {id} is not a member of this cluster.");
        try
        {
            using var peer = await GetAsync(peerUrl.TrimEnd('/') + "/admin/cluster", cancellationToken).ConfigureAwait(false);
            var body = await peer.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return Results.Text(body, "application/json", System.Text.Encoding.UTF8, (int)peer.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
        {
            return Error(StatusCodes.Status502BadGateway, $"Node {id} ({peerUrl}) did not answer: {e.Message}");
        }
    }

    private static async Task<HttpResponseMessage> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        return await Client.GetAsync(new Uri(url), deadline.Token).ConfigureAwait(false);
    }

    private static string SelfUrl(HttpContext context)
    {
        var address = context.Connection.LocalIpAddress ?? System.Net.IPAddress.Loopback;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return $"{context.Request.Scheme}://{host}:{context.Connection.LocalPort}";
    }

    private static string? FindNode(JsonElement view, int id)
    {
        if (!view.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
            return null;
        foreach (var node in nodes.EnumerateArray())
            if (node.TryGetProperty("id", out var nodeId) && nodeId.TryGetInt32(out var n) && n == id
                && node.TryGetProperty("httpUrl", out var url) && url.ValueKind == JsonValueKind.String
                && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                return uri.GetLeftPart(UriPartial.Authority);
        return null;
    }

    private static IResult Error(int status, string description) =>
        Results.Json(new { title = status == 404 ? "Not found" : "Bad gateway", description }, statusCode: status);
}
