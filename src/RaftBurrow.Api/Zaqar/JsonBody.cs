using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// A JSON response written by hand with <see cref="Utf8JsonWriter"/>: no reflection, and message
/// bodies go out as the raw UTF-8 JSON they came in as.
/// </summary>
public sealed class JsonBody : IResult
{
    // hrefs carry '&' in query strings: keep them readable (the body is JSON, never HTML).
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly ArrayBufferWriter<byte> _buffer;

    private JsonBody(int statusCode, ArrayBufferWriter<byte> buffer, string? location)
    {
        StatusCode = statusCode;
        _buffer = buffer;
        Location = location;
    }

    /// <summary>HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The Location header, or null.</summary>
    public string? Location { get; }

    /// <summary>The serialized body.</summary>
    public ReadOnlyMemory<byte> Utf8 => _buffer.WrittenMemory;

    /// <summary>Builds a body with <paramref name="write"/> (which writes exactly one JSON value).</summary>
    public static JsonBody Create<TState>(int statusCode, TState state, Action<Utf8JsonWriter, TState> write, string? location = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer, state);
        return new JsonBody(statusCode, buffer, location);
    }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (Location is not null)
            response.Headers.Location = Location;
        response.ContentType = "application/json; charset=UTF-8";
        response.ContentLength = _buffer.WrittenCount;
        return response.Body.WriteAsync(_buffer.WrittenMemory).AsTask();
    }
}

/// <summary>A status with no body (201/204 with an optional Location).</summary>
public sealed class EmptyStatus : IResult
{
    /// <summary>204 without headers.</summary>
    public static readonly EmptyStatus NoContent = new(204, null);

    /// <summary>Creates the result.</summary>
    public EmptyStatus(int statusCode, string? location)
    {
        StatusCode = statusCode;
        Location = location;
    }

    /// <summary>HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The Location header, or null.</summary>
    public string? Location { get; }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        if (Location is not null)
            httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}
