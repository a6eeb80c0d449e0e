using System.Net;
using System.Text;

namespace RaftBurrow.Cluster.Tests.Support;

/// <summary>A REST answer: status, body text and the Content-Type.</summary>
public sealed record RestAnswer(HttpStatusCode Status, string Body, string? ContentType)
{
    public override string ToString() => $"{(int)Status} {ContentType} {Body}";
}

/// <summary>
/// Plain HTTP calls against the nodes of a <see cref="ServerCluster"/> (the public Zaqar and Burrow
/// routes), with a timeout long enough for 60 s long polls.
/// </summary>
public sealed class Rest(ServerCluster cluster) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(90) };

    public async Task<RestAnswer> SendAsync(int node, HttpMethod method, string pathAndQuery, string? body = null,
        IReadOnlyDictionary<string, string>? headers = null, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, new Uri(cluster.BaseUri(node), pathAndQuery));
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        foreach (var (key, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(key, value);
        using var response = await _http.SendAsync(request, cancellationToken);
        return new RestAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _http.Dispose();
}
