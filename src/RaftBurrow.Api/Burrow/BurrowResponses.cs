using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RaftBurrow.Api.Burrow;

/// <summary>
/// Writes Burrow responses. Every response carries a Content-Length (Burrow's client reads it as an
/// int on every 2xx), and empty successes are 200 + Content-Length: 0 because Kestrel strips the
/// header from a 204 (contract §4).
/// </summary>
internal static class BurrowResponses
{
    private const string OctetStream = "application/octet-stream";
    private const string Json = "application/json";

    /// <summary>An empty response: 200 (the reference's 204), 201 (created), 404 (no route), 405.</summary>
    public static Task Empty(HttpContext context, int statusCode = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>405 with an Allow header and an empty body.</summary>
    public static Task MethodNotAllowed(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return Empty(context, StatusCodes.Status405MethodNotAllowed);
    }

    /// <summary>A JSON 200.</summary>
    public static Task JsonBody(HttpContext context, byte[] json) => Body(context, StatusCodes.Status200OK, Json, json);

    /// <summary>A raw 200 (single-message <c>detail=id|body</c>); an empty body is an empty success.</summary>
    public static Task RawBody(HttpContext context, byte[] body) =>
        body.Length == 0 ? Empty(context) : Body(context, StatusCodes.Status200OK, OctetStream, body);

    /// <summary>404 naming the first missing level (<c>Account not found</c>, …) as text.</summary>
    public static Task NotFound(HttpContext context, string text) =>
        Body(context, StatusCodes.Status404NotFound, OctetStream, Encoding.UTF8.GetBytes(text));

    /// <summary>400 for an invalid <c>detail</c>: the body is the rejected value, as the reference answers.</summary>
    public static Task InvalidDetail(HttpContext context, string value) =>
        Body(context, StatusCodes.Status400BadRequest, OctetStream, Encoding.UTF8.GetBytes(value));

    /// <summary>An error the reference did not have (bad number, body too large, overload): JSON <c>{"title","description"}</c>.</summary>
    public static Task Error(HttpContext context, int statusCode, string title, string description)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new Dictionary<string, string> { ["title"] = title, ["description"] = description });
        return Body(context, statusCode, Json, json);
    }

    private static Task Body(HttpContext context, int statusCode, string contentType, byte[] body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
