using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RaftBurrow.Api.Zaqar;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Tests.Zaqar;

/// <summary>No leader reachable → 503 with Retry-After and a Zaqar error body, never a 500.</summary>
public sealed class UnavailableApiTests
{
    private sealed class NoLeaderService : IQueueService
    {
        public int PartitionCount => 2;
        public long NowMs => 0;
        public bool IsLocalLeader(int partition) => false;
        public int PartitionOf(QueueSpace space, string project, string queue) => Partitioner.PartitionOf(space, project, queue, 2);
        public Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken) =>
            throw new ServiceUnavailableException("No leader for partition " + partition + ".");
        public Task<T> ReadAsync<T>(int partition, Func<IQueueQueries, long, T> query, CancellationToken cancellationToken) =>
            throw new ServiceUnavailableException();
        public Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IQueueQueries, long, T> query, CancellationToken cancellationToken) =>
            throw new ServiceUnavailableException();
        public Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    [Theory]
    [InlineData("POST", "/v2/queues/q/messages", "{\"messages\":[{\"body\":1}]}")]
    [InlineData("GET", "/v2/queues/q/messages", null)]
    [InlineData("GET", "/v2/queues", null)]
    [InlineData("PUT", "/v2/queues/q", null)]
    [InlineData("POST", "/v2/queues/q/claims", "{}")]
    public async Task Cluster_unavailability_is_503_with_retry_after(string method, string path, string? body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Zaqar:EnableWebhookNotifier"] = "false", ["Zaqar:EnableDeadLetterMover"] = "false" });
        builder.Services.AddSingleton<IQueueService, NoLeaderService>();
        builder.Services.AddZaqarApi(builder.Configuration);
        await using var app = builder.Build();
        app.MapZaqarApi();
        await app.StartAsync();
        using var client = app.GetTestClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("Client-ID", Guid.NewGuid().ToString());
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var reply = new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), null, response.Headers);
        reply.AssertError(HttpStatusCode.ServiceUnavailable, "Please try again");
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        await app.StopAsync();
    }
}
