using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;

namespace RaftBurrow.Api.Zaqar;

/// <summary>Answers requests no /v2 route took: 405 with Allow when the path exists under other methods, else 404.</summary>
internal static class MethodNotAllowed
{
    /// <summary>The error for an unmatched request.</summary>
    public static ZaqarError Check(ZaqarCall call)
    {
        var path = call.Http.Request.Path;
        var allowed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in call.Http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var raw = endpoint.RoutePattern.RawText;
            if (raw is null || raw.Contains("**", StringComparison.Ordinal) || endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is not { } methods)
                continue;
            var matcher = new TemplateMatcher(TemplateParser.Parse(raw.TrimStart('/')), new RouteValueDictionary());
            if (matcher.TryMatch(path, new RouteValueDictionary()))
                allowed.UnionWith(methods.HttpMethods);
        }
        if (allowed.Count == 0)
            return ZaqarError.NotFound("No such resource: " + call.Path);
        return new ZaqarError(405, "Method not allowed", $"{call.Http.Request.Method} is not allowed on {call.Path}.")
        {
            Headers = [new("Allow", string.Join(", ", allowed))],
        };
    }
}
