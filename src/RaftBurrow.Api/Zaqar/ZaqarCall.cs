using System.Buffers;
using Microsoft.AspNetCore.Http;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// One Zaqar request after the checks every route shares (pre-signed URL, Accept, Content-Type,
/// X-Project-ID, queue name): what a handler needs, in one object.
/// </summary>
public sealed class ZaqarCall
{
    internal ZaqarCall(HttpContext http, ZaqarRuntime runtime, string project, string queue)
    {
        Http = http;
        Runtime = runtime;
        Project = project;
        Queue = queue;
    }

    /// <summary>The HTTP exchange.</summary>
    public HttpContext Http { get; }

    /// <summary>Services and options.</summary>
    public ZaqarRuntime Runtime { get; }

    /// <summary>The tenant (X-Project-ID; empty when the header is absent).</summary>
    public string Project { get; }

    /// <summary>The validated queue name, or empty on routes without one.</summary>
    public string Queue { get; }

    /// <summary>The limits.</summary>
    public ZaqarOptions Options => Runtime.Options;

    /// <summary>The request path as the client sent it (used in hrefs, as Zaqar does).</summary>
    public string Path => Http.Request.PathBase.Value + Http.Request.Path.Value;

    /// <summary>Aborts when the client goes away.</summary>
    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The partition of this call's queue.</summary>
    public int Partition => Runtime.Service.PartitionOf(QueueSpace.Zaqar, Project, Queue);

    /// <summary>A route value.</summary>
    public string Route(string name) => Http.Request.RouteValues[name] as string ?? "";

    /// <summary>Runs a command on this queue's partition.</summary>
    public Task<CommandResult> ExecuteAsync(Command command) =>
        Runtime.Service.ExecuteAsync(Partition, command, Guid.NewGuid(), Aborted);

    /// <summary>Reads this queue's partition.</summary>
    public Task<T> ReadAsync<T>(Func<IQueueQueries, long, T> query) =>
        Runtime.Service.ReadAsync(Partition, query, Aborted);

    /// <summary>The Client-ID header as a UUID, or an error (missing or malformed).</summary>
    public ZaqarError? TryGetClientId(out Guid clientId)
    {
        clientId = default;
        var value = Http.Request.Headers["Client-ID"];
        if (value.Count == 0 || string.IsNullOrEmpty(value[0]))
            return new ZaqarError(400, "Missing header value", "The Client-ID header is required.");
        if (!Guid.TryParse(value[0], out clientId))
            return new ZaqarError(400, "Wrong UUID value", "Malformed hexadecimal UUID.");
        return null;
    }

    /// <summary>An integer query parameter (absent or blank → null), or an error.</summary>
    public ZaqarError? TryGetInt(string name, out int? value)
    {
        value = null;
        var raw = Http.Request.Query[name];
        if (raw.Count == 0 || string.IsNullOrEmpty(raw[^1]))
            return null;
        if (!long.TryParse(raw[^1], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            return ZaqarError.InvalidParam(name, "an integer");
        // Out-of-range integers are clamped so that the caller's range check reports them.
        value = (int)Math.Clamp(parsed, int.MinValue, int.MaxValue);
        return null;
    }

    /// <summary>A boolean query parameter (absent or blank → null), or an error. Falcon's spellings.</summary>
    public ZaqarError? TryGetBool(string name, out bool? value)
    {
        value = null;
        var raw = Http.Request.Query[name];
        if (raw.Count == 0 || string.IsNullOrEmpty(raw[^1]))
            return null;
        switch (raw[^1]!.ToLowerInvariant())
        {
            case "true" or "t" or "yes" or "y" or "1" or "on":
                value = true;
                return null;
            case "false" or "f" or "no" or "n" or "0" or "off":
                value = false;
                return null;
            default:
                return ZaqarError.InvalidParam(name, "a boolean");
        }
    }

    /// <summary>A list query parameter (<c>a,b</c> or repeated), or null when absent or blank.</summary>
    public List<string>? GetList(string name)
    {
        var raw = Http.Request.Query[name];
        if (raw.Count == 0)
            return null;
        List<string>? list = null;
        foreach (var part in raw)
        {
            if (string.IsNullOrEmpty(part))
                continue;
            foreach (var item in part.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                (list ??= []).Add(item);
        }
        return list;
    }

    /// <summary>A string query parameter, or null when absent or blank.</summary>
    public string? GetString(string name)
    {
        var raw = Http.Request.Query[name];
        return raw.Count == 0 || string.IsNullOrEmpty(raw[^1]) ? null : raw[^1];
    }

    /// <summary>
    /// Reads the whole body once into a pooled buffer, refusing more than <paramref name="maxBytes"/>
    /// (checked against Content-Length first, then while reading). Dispose the result.
    /// </summary>
    public async Task<RequestBody> ReadBodyAsync(int maxBytes)
    {
        var request = Http.Request;
        var declared = request.ContentLength;
        if (declared > maxBytes)
            return RequestBody.TooLarge;
        var buffer = ArrayPool<byte>.Shared.Rent(declared is > 0 ? (int)declared.Value : 4096);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= maxBytes + 1)
                        break;
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxBytes + 1) - length), Aborted).ConfigureAwait(false);
                if (read == 0)
                    break;
                length += read;
                if (length > maxBytes)
                    break;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (length > maxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return RequestBody.TooLarge;
        }
        return new RequestBody(buffer, length);
    }
}

/// <summary>A request body in a pooled buffer (or the fact that it was too large).</summary>
public sealed class RequestBody : IDisposable
{
    /// <summary>The body exceeded its limit.</summary>
    public static readonly RequestBody TooLarge = new(null, -1);

    private byte[]? _buffer;

    internal RequestBody(byte[]? buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    /// <summary>Bytes read; -1 when too large.</summary>
    public int Length { get; }

    /// <summary>Whether the limit was exceeded.</summary>
    public bool IsTooLarge => Length < 0;

    /// <summary>Whether the body is empty (or only whitespace does not count: empty means zero bytes).</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>The bytes.</summary>
    public ReadOnlySpan<byte> Span => _buffer is null ? default : _buffer.AsSpan(0, Length);

    /// <summary>The bytes.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer is null ? default : _buffer.AsMemory(0, Length);

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
