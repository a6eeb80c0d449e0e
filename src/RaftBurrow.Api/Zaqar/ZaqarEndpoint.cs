using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// Turns a static handler into a <see cref="RequestDelegate"/> that first runs the checks every
/// Zaqar route shares (Zaqar's "before hooks") and maps cluster failures to 503. Plain request
/// delegates keep the hot path free of parameter binding.
/// </summary>
internal static class ZaqarEndpoint
{
    private const int ProjectIdMaxLength = 256;
    private const int QueueNameMaxLength = 64;

    /// <summary>Wraps <paramref name="handler"/>.</summary>
    public static RequestDelegate Handle<TResult>(Func<ZaqarCall, Task<TResult>> handler) where TResult : IResult
    {
        // Resolved once per route (each application maps its own delegates).
        ZaqarRuntime? cached = null;
        return async http =>
        {
            var runtime = cached ??= http.RequestServices.GetRequiredService<ZaqarRuntime>();
            IResult result;
            try
            {
                var error = Prepare(http, runtime, out var call);
                result = error is not null ? error : await handler(call!).ConfigureAwait(false);
            }
            catch (ServiceUnavailableException ex)
            {
                result = ZaqarError.Unavailable(ex.Message);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (BadHttpRequestException ex)
            {
                result = ZaqarError.BadBody("Request body could not be read: " + ex.Message);
            }
            catch (Exception ex)
            {
                runtime.Logger.LogError(ex, "Unhandled error in {Method} {Path}", http.Request.Method, http.Request.Path);
                result = new ZaqarError(500, "Internal server error", ex.Message);
            }
            await result.ExecuteAsync(http).ConfigureAwait(false);
        };
    }

    private static ZaqarError? Prepare(HttpContext http, ZaqarRuntime runtime, out ZaqarCall? call)
    {
        call = null;
        var request = http.Request;
        var headers = request.Headers;

        var project = "";
        var projectHeader = headers["X-Project-ID"];
        if (projectHeader.Count > 0)
        {
            project = projectHeader[0] ?? "";
            if (string.IsNullOrWhiteSpace(project))
                return new ZaqarError(400, "Empty project header not allowed",
                    "X-PROJECT-ID cannot be an empty string. Specify the right header X-PROJECT-ID and retry.");
        }

        var signature = headers["URL-Signature"];
        if (signature.Count > 0 && !string.IsNullOrEmpty(signature[0]))
        {
            var path = request.PathBase.Value + request.Path.Value;
            if (!SignedUrls.Verify(runtime.Options.SignedUrlSecretKey, request.Method, path, project,
                    headers["URL-Expires"].FirstOrDefault(), headers["URL-Methods"].FirstOrDefault(), headers["URL-Paths"].FirstOrDefault(),
                    signature[0]!, runtime.Time.GetUtcNow()))
                return ZaqarError.NotFound("The pre-signed URL is invalid, expired, or does not cover this request.");
        }

        if (request.ContentLength is > 0 && request.ContentType is { } contentType
            && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return new ZaqarError(400, "Invalid Content-Type",
                "Endpoint does not accept `application/x-www-form-urlencoded` content; currently supported media type is `application/json`; "
                + "specify proper client-side media type with the \"Content-Type\" header.");

        if (!AcceptsJson(headers.Accept))
            return new ZaqarError(406, "Media type not acceptable",
                "Endpoint only serves `application/json`; specify client-side media type support with the \"Accept\" header.");

        var queue = request.RouteValues["queue_name"] as string ?? "";
        if (project.Length > ProjectIdMaxLength || (request.RouteValues.ContainsKey("queue_name") && !IsValidQueueName(queue)))
            return new ZaqarError(400, "Invalid queue identification", "The format of the submitted queue name or project id is not valid.");

        call = new ZaqarCall(http, runtime, project, queue);
        return null;
    }

    /// <summary>Zaqar's queue name rule: 1–64 of ASCII letters, digits, '_', '-', '.'.</summary>
    public static bool IsValidQueueName(string name)
    {
        if (name.Length is 0 or > QueueNameMaxLength)
            return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                return false;
        return true;
    }

    private static bool AcceptsJson(Microsoft.Extensions.Primitives.StringValues accept)
    {
        if (accept.Count == 0)
            return true;
        foreach (var value in accept)
        {
            // Cheap containment tests: this runs on every request.
            if (string.IsNullOrWhiteSpace(value) || value.Contains("json", StringComparison.OrdinalIgnoreCase)
                || value.Contains("*/*", StringComparison.Ordinal) || value.Contains("application/*", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
