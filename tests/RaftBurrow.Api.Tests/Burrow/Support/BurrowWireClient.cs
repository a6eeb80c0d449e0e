using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace RaftBurrow.Api.Tests.Burrow.Support;

/// <summary>Burrow's client raised this on a 400.</summary>
public sealed class InvalidArgumentsException(string message) : Exception(message);

/// <summary>Burrow's client raised this on a 404.</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>
/// Burrow's own REST client (<c>burrow/backend/http.py</c>) re-stated in C# with the same wire
/// behaviour: one TCP connection per request, ids and values written into the URL unencoded,
/// PUT bodies with Content-Length and no Content-Type, and this response handling —
/// a 2xx must carry Content-Length (the Python client does <c>int(getheader(...))</c>, a missing
/// header is a TypeError); length 0 yields <c>True</c> for 201 and nothing otherwise; a body whose
/// Content-Type starts with <c>application/json</c> is parsed and a JSON array yields its items;
/// anything else yields the raw body as one item; 400 → InvalidArguments, 404 → NotFound,
/// anything else → a failure.
/// </summary>
public sealed class BurrowWireClient(Uri server)
{
    /// <summary>Items are JSON elements, raw strings, or <c>true</c> (created).</summary>
    public async Task<List<object>> RequestAsync(string method, string url, string? body = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append(method).Append(' ').Append("/v1.0").Append(url).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(server.Host).Append(':').Append(server.Port).Append("\r\n")
            .Append("Accept-Encoding: identity\r\n");
        if (body is not null)
            head.Append("Content-Length: ").Append(bodyBytes.Length).Append("\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(bodyBytes);

        var (status, headers, content) = await ReadResponseAsync(stream);
        if (status is >= 200 and < 300)
        {
            if (!headers.TryGetValue("content-length", out var length))
                throw new InvalidOperationException($"TypeError: a {status} response without Content-Length");
            if (int.Parse(length) == 0)
                return status == 201 ? [true] : [];
            var type = headers.GetValueOrDefault("content-type", "");
            if (type.StartsWith("application/json", StringComparison.Ordinal))
            {
                var json = JsonDocument.Parse(content).RootElement.Clone();
                return json.ValueKind == JsonValueKind.Array ? json.EnumerateArray().Cast<object>().ToList() : [json];
            }

            return [Encoding.UTF8.GetString(content)];
        }

        var text = Encoding.UTF8.GetString(content);
        throw status switch
        {
            400 => new InvalidArgumentsException(text),
            404 => new NotFoundException(text),
            _ => new InvalidOperationException($"HTTP {status}: {text}"),
        };
    }

    // The backend's operations, by name, as the Python client exposes them.
    public Task<List<object>> GetAccounts(string query = "") => RequestAsync("GET", query);
    public Task<List<object>> DeleteAccounts(string query = "") => RequestAsync("DELETE", query);
    public Task<List<object>> GetQueues(string a, string query = "") => RequestAsync("GET", $"/{a}{query}");
    public Task<List<object>> DeleteQueues(string a, string query = "") => RequestAsync("DELETE", $"/{a}{query}");
    public Task<List<object>> GetMessages(string a, string q, string query = "") => RequestAsync("GET", $"/{a}/{q}{query}");
    public Task<List<object>> UpdateMessages(string a, string q, string query = "") => RequestAsync("POST", $"/{a}/{q}{query}");
    public Task<List<object>> DeleteMessages(string a, string q, string query = "") => RequestAsync("DELETE", $"/{a}/{q}{query}");

    /// <summary>True when created, false when replaced (the client's <c>create_message</c>).</summary>
    public async Task<bool> CreateMessage(string a, string q, string m, string body, string query = "") =>
        (await RequestAsync("PUT", $"/{a}/{q}/{m}{query}", body)).Count > 0;

    /// <summary>The single item, or null (the client's <c>get_message</c>, <c>update_message</c>, <c>delete_message</c>).</summary>
    public async Task<object?> Message(string method, string a, string q, string m, string query = "") =>
        (await RequestAsync(method, $"/{a}/{q}/{m}{query}")).FirstOrDefault();

    private static async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)> ReadResponseAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            var n = await stream.ReadAsync(chunk);
            if (n == 0)
                throw new InvalidOperationException("connection closed before the headers");
            buffer.AddRange(chunk.AsSpan(0, n));
        }

        var lines = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray()).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        Assert.False(headers.ContainsKey("transfer-encoding"), "Burrow's client reads bodies by Content-Length only");
        var length = headers.TryGetValue("content-length", out var l) ? int.Parse(l) : 0;
        var body = buffer.Skip(headerEnd + 4).ToList();
        while (body.Count < length)
        {
            var n = await stream.ReadAsync(chunk);
            if (n == 0)
                break;
            body.AddRange(chunk.AsSpan(0, n));
        }

        return (status, headers, body.Take(length).ToArray());
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
                return i;
        }

        return -1;
    }
}
