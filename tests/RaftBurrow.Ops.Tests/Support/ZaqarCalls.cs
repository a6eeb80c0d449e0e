using System.Net;
using System.Text;

namespace RaftBurrow.Ops.Tests.Support;

/// <summary>The few Zaqar calls the tests make, over real HTTP.</summary>
public static class ZaqarCalls
{
    public const string ClientId = "3381af92-2b9e-11e3-b191-71861300734c";

    public static async Task CreateQueueAsync(this HttpClient client, string project, string queue)
    {
        using var response = await client.SendAsync(Request(HttpMethod.Put, $"/v2/queues/{queue}", project, "{}"));
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent, $"create {queue}: {response.StatusCode}");
    }

    public static async Task PostMessagesAsync(this HttpClient client, string project, string queue, int count)
    {
        var body = "{\"messages\":[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"ttl\":300,\"body\":{{\"n\":{i}}}}}")) + "]}";
        using var response = await client.SendAsync(Request(HttpMethod.Post, $"/v2/queues/{queue}/messages", project, body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static async Task ClaimAsync(this HttpClient client, string project, string queue, int limit)
    {
        using var response = await client.SendAsync(Request(HttpMethod.Post, $"/v2/queues/{queue}/claims?limit={limit}", project,
            "{\"ttl\":300,\"grace\":60}"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string project, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Project-ID", project);
        request.Headers.Add("Client-ID", ClientId);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }
}
