using System.Net;

namespace RaftBurrow.Client;

/// <summary>The server answered with an error status (after any retries), or no node could be reached.</summary>
public sealed class RaftBurrowApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RaftBurrowApiException() : this("RaftBurrow request failed.") { }

    /// <summary>Creates the exception.</summary>
    public RaftBurrowApiException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public RaftBurrowApiException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates the exception for an HTTP error answer.</summary>
    public RaftBurrowApiException(HttpStatusCode? statusCode, string method, Uri? requestUri, string? title, string? description, string? rawBody, Exception? inner = null)
        : base(Format(statusCode, method, requestUri, title, description, rawBody, inner), inner)
    {
        StatusCode = statusCode;
        Method = method;
        RequestUri = requestUri;
        Title = title;
        Description = description;
        RawBody = rawBody;
    }

    /// <summary>HTTP status, or null when no answer came (connection failure, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>HTTP method of the failed request.</summary>
    public string Method { get; } = "";

    /// <summary>URL of the last attempt.</summary>
    public Uri? RequestUri { get; }

    /// <summary>Zaqar-style error title (<c>{"title", "description"}</c> body), if any.</summary>
    public string? Title { get; }

    /// <summary>Zaqar-style error description, if any.</summary>
    public string? Description { get; }

    /// <summary>Response body as text (truncated), if any.</summary>
    public string? RawBody { get; }

    /// <summary>True when the server answered 404 with an empty body: the route itself is unknown to it
    /// (e.g. an admin endpoint this server version does not have), rather than a missing resource.</summary>
    public bool IsRouteMissing => StatusCode == HttpStatusCode.NotFound && string.IsNullOrEmpty(RawBody);

    private static string Format(HttpStatusCode? status, string method, Uri? uri, string? title, string? description, string? raw, Exception? inner)
    {
        var what = $"{method} {uri?.AbsolutePath}";
        if (status is null)
        {
            return $"{what}: no answer ({inner?.GetBaseException().Message ?? "unreachable"})";
        }

        var detail = title is not null || description is not null
            ? string.Join(": ", new[] { title, description }.Where(s => !string.IsNullOrEmpty(s)))
            : raw;
        return string.IsNullOrEmpty(detail)
            ? $"{what}: {(int)status.Value} {status.Value}"
            : $"{what}: {(int)status.Value} {status.Value}: {detail}";
    }
}
