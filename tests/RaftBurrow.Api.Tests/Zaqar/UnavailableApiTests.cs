using System.Net;
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
        await using var host = await ZaqarTestHost.StartAsync(decorate: _ => new NoLeaderService());
        var reply = await host.SendAsync(new HttpMethod(method), path, body, project: null, clientId: Guid.NewGuid().ToString());
        reply.AssertError(HttpStatusCode.ServiceUnavailable, "Please try again");
        Assert.Equal("1", reply.Headers.RetryAfter?.ToString());
    }
}
