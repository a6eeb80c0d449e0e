using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RaftBurrow.Api.Dashboard;

/// <summary>
/// The operator dashboard at <c>/ui</c>: one static page (embedded in this assembly, no external
/// assets) that polls <c>/admin/cluster</c> of every node and the Zaqar API of this node.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Maps <c>/ui</c> (and <c>/ui/</c>), its static files, and the same-origin proxy <c>/ui/api/nodes/{id}/cluster</c>.</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        // One route for /ui, /ui/ and /ui/app.js (routing treats /ui and /ui/ alike); the page links assets absolutely.
        endpoints.MapGet("/ui/{file?}", (string? file, HttpContext context) => Serve(context, file ?? "index.html")).ExcludeFromDescription();
        endpoints.MapGet("/ui/api/nodes/{id:int}/cluster", DashboardProxy.NodeClusterAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Serve(HttpContext context, string file)
    {
        if (!DashboardAssets.Files.TryGetValue(file, out var asset))
            return Results.Json(new { title = "Not found", description = $"No dashboard file '{file}'." }, statusCode: StatusCodes.Status404NotFound);
        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        // Revalidate every time: the files change with the binary, and the check is one 304.
        headers.CacheControl = "no-cache";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }
}
