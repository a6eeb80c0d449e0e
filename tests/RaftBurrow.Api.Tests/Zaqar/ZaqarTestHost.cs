using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RaftBurrow.Api.Tests.Support;
using RaftBurrow.Api.Zaqar;

namespace RaftBurrow.Api.Tests.Zaqar;

/// <summary>
/// An in-process Zaqar server: the real endpoint map on a TestServer (or Kestrel on a free
/// loopback port) over <see cref="LocalQueueService"/> (the real state machine, no Raft). Hosting: <see cref="InProcessApiHost"/>.
/// </summary>
public sealed class ZaqarTestHost : InProcessApiHost
{
    public const string Project = "proj-a";
    public static readonly string ClientId = "3381af92-2b9e-11e3-b191-71861300734c";

    private ZaqarTestHost(WebApplication app, LocalQueueService service, TimeProvider time, HttpClient client, Uri baseAddress, bool kestrel)
        : base(app, service, client, baseAddress)
    {
        Time = time;
        BaseUrl = kestrel ? app.Urls.First() : null;
    }

    public TimeProvider Time { get; }
    public FakeTimeProvider? FakeTime => Time as FakeTimeProvider;

    /// <summary>The Kestrel address (<c>http://127.0.0.1:port</c>), null on a TestServer.</summary>
    public string? BaseUrl { get; }

    /// <summary>
    /// Starts a host. Workers are off unless the settings turn them on. <paramref name="decorate"/> may
    /// put another <see cref="IQueueService"/> in front of (or instead of) the local one.
    /// </summary>
    public static async Task<ZaqarTestHost> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? time = null, bool kestrel = false,
        Func<IQueueService, IQueueService>? decorate = null)
    {
        time ??= TimeProvider.System;
        var config = new Dictionary<string, string?>
        {
            ["Zaqar:EnableWebhookNotifier"] = "false",
            ["Zaqar:EnableDeadLetterMover"] = "false",
            ["Zaqar:SignedUrlSecretKey"] = "test-secret",
        };
        foreach (var (k, v) in settings ?? [])
            config[k] = v;
        var builder = CreateBuilder(kestrel, config);
        var service = new LocalQueueService(4, time);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(decorate is null ? service : decorate(service));
        builder.Services.AddZaqarApi(builder.Configuration);
        var app = builder.Build();
        app.MapZaqarApi();
        var (client, baseAddress) = await StartAsync(app, kestrel);
        return new ZaqarTestHost(app, service, time, client, baseAddress, kestrel);
    }

    /// <summary>Sends a request with Client-ID and X-Project-ID (unless overridden with null).</summary>
    public async Task<Reply> SendAsync(HttpMethod method, string path, string? body = null, string? project = Project, string? clientId = null,
        string contentType = "application/json", IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (project is not null)
            request.Headers.TryAddWithoutValidation("X-Project-ID", project);
        request.Headers.TryAddWithoutValidation("Client-ID", clientId ?? ClientId);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(k, v);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text, response.Headers.Location?.ToString(), response.Headers);
    }

    public Task<Reply> GetAsync(string path, string? project = Project) => SendAsync(HttpMethod.Get, path, project: project);
    public Task<Reply> PostAsync(string path, string body, string? project = Project) => SendAsync(HttpMethod.Post, path, body, project);
    public Task<Reply> PutAsync(string path, string? body = null, string? project = Project) => SendAsync(HttpMethod.Put, path, body, project);
    public Task<Reply> DeleteAsync(string path, string? project = Project) => SendAsync(HttpMethod.Delete, path, project: project);

    /// <summary>Posts messages and returns their ids.</summary>
    public async Task<string[]> PostMessagesAsync(string queue, params string[] bodies)
    {
        var doc = "{\"messages\":[" + string.Join(",", bodies.Select(b => "{\"ttl\":300,\"body\":" + b + "}")) + "]}";
        var reply = await PostAsync($"/v2/queues/{queue}/messages", doc);
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        return reply.Json.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!.Split('/')[^1]).ToArray();
    }

}

/// <summary>A response: status, body text and parsed JSON.</summary>
public sealed record Reply(HttpStatusCode Status, string Body, string? Location, HttpResponseHeaders Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>Asserts a Zaqar error body: title and description present.</summary>
    public void AssertError(HttpStatusCode status, string? descriptionContains = null)
    {
        Assert.True(status == Status, $"expected {(int)status}, got {(int)Status}: {Body}");
        Assert.Equal(JsonValueKind.String, Json.GetProperty("title").ValueKind);
        var description = Json.GetProperty("description").GetString()!;
        if (descriptionContains is not null)
            Assert.Contains(descriptionContains, description, StringComparison.Ordinal);
    }
}
