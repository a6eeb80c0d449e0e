using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace RaftBurrow.Api.Tests.Burrow.Support;

/// <summary>A response as the tests look at it.</summary>
public sealed record BurrowReply(int Status, byte[] Bytes, string? ContentType, long? ContentLength, HttpResponseMessage Raw)
{
    /// <summary>The body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Bytes);

    /// <summary>The body parsed as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Bytes).RootElement.Clone();

    /// <summary>A JSON array of strings.</summary>
    public string[] Strings => Json.EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>The ids of a JSON array of message objects.</summary>
    public string[] Ids => Json.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();
}

/// <summary>Sends requests the way Burrow's client does: a raw path and query, a PUT body without Content-Type.</summary>
public static class BurrowHttp
{
    public static async Task<BurrowReply> Send(this HttpClient client, string method, string url, string? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        }

        var response = await client.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new BurrowReply(
            (int)response.StatusCode,
            bytes,
            response.Content.Headers.ContentType?.ToString(),
            response.Content.Headers.ContentLength,
            response);
    }

    public static Task<BurrowReply> Get(this HttpClient client, string url, CancellationToken cancellationToken = default) => client.Send("GET", url, null, cancellationToken);

    public static Task<BurrowReply> Put(this HttpClient client, string url, string body = "") => client.Send("PUT", url, body);

    public static Task<BurrowReply> Post(this HttpClient client, string url, CancellationToken cancellationToken = default) => client.Send("POST", url, null, cancellationToken);

    public static Task<BurrowReply> Delete(this HttpClient client, string url, CancellationToken cancellationToken = default) => client.Send("DELETE", url, null, cancellationToken);

    /// <summary>A PUT with an explicit Content-Type (form-encoded bodies, binary bodies).</summary>
    public static async Task<BurrowReply> PutBytes(this HttpClient client, string url, byte[] body, string? contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(body) };
        if (contentType is not null)
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new BurrowReply((int)response.StatusCode, bytes, response.Content.Headers.ContentType?.ToString(), response.Content.Headers.ContentLength, response);
    }
}
