using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// A Zaqar error response: a status code and the body <c>{"title": …, "description": …}</c>
/// (Zaqar's titles and texts, so clients that show them read the same).
/// </summary>
public sealed class ZaqarError : IResult
{
    /// <summary>Creates an error.</summary>
    public ZaqarError(int statusCode, string title, string description)
    {
        StatusCode = statusCode;
        Title = title;
        Description = description;
    }

    /// <summary>HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>Short title.</summary>
    public string Title { get; }

    /// <summary>What went wrong, for a human.</summary>
    public string Description { get; }

    /// <summary>Extra response headers (Retry-After, Accept-Patch, Location).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; init; }

    /// <summary>400 "Invalid API request" (validation of parameters).</summary>
    public static ZaqarError BadRequest(string description) => new(400, "Invalid API request", description);

    /// <summary>400 "Invalid request body" (the body could not be used).</summary>
    public static ZaqarError BadBody(string description) => new(400, "Invalid request body", description);

    /// <summary>400 "Invalid request body": "Request body could not be parsed."</summary>
    public static ZaqarError Malformed() => BadBody("Request body could not be parsed.");

    /// <summary>400 "Invalid request body": "Document type not supported."</summary>
    public static ZaqarError DocumentType() => BadBody("Document type not supported.");

    /// <summary>404 "Not found".</summary>
    public static ZaqarError NotFound(string description) => new(404, "Not found", description);

    /// <summary>409 "Resource conflict".</summary>
    public static ZaqarError Conflict(string description) => new(409, "Resource conflict", description);

    /// <summary>503 with Retry-After: no leader was reachable in time.</summary>
    public static ZaqarError Unavailable(string description) =>
        new(503, "Service temporarily unavailable", description + " Please try again in a few seconds.")
        {
            Headers = [new("Retry-After", "1")],
        };

    /// <summary>400 for a query parameter of the wrong type (falcon's wording).</summary>
    public static ZaqarError InvalidParam(string name, string mustBe) =>
        new(400, "Invalid parameter", $"The \"{name}\" parameter is invalid. The value must be {mustBe}.");

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (Headers is not null)
            foreach (var (name, value) in Headers)
                response.Headers[name] = value;
        var bytes = Serialize();
        response.ContentType = "application/json; charset=UTF-8";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    /// <summary>The JSON body.</summary>
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream(64 + Description.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("title", Title);
            writer.WriteString("description", Description);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => $"{StatusCode} {Title}: {Description}";
}
