using RaftBurrow.Api.Tests.Burrow.Support;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>No leader reachable: every route answers 503 with Retry-After and a JSON error, never 500.</summary>
public sealed class BurrowUnavailableTests
{
    [Theory]
    [InlineData("GET", "/v1.0")]
    [InlineData("DELETE", "/v1.0/a")]
    [InlineData("GET", "/v1.0/a/q?wait=5")]
    [InlineData("POST", "/v1.0/a/q?hide=5")]
    [InlineData("PUT", "/v1.0/a/q/m")]
    [InlineData("DELETE", "/v1.0/a/q/m")]
    public async Task No_leader_is_503_with_retry_after(string method, string url)
    {
        await using var host = await BurrowTestHost.StartAsync(decorate: inner => new Unavailable(inner));
        var reply = await host.Client.Send(method, url, method == "PUT" ? "b" : null);
        Assert.Equal(503, reply.Status);
        Assert.NotNull(reply.Raw.Headers.RetryAfter);
        Assert.Equal("Service unavailable", reply.Json.GetProperty("title").GetString());
    }

    /// <summary>A queue service whose partitions have no reachable leader.</summary>
    private sealed class Unavailable(IQueueService inner) : IQueueService
    {
        public int PartitionCount => inner.PartitionCount;
        public long NowMs => inner.NowMs;
        public int PartitionOf(QueueSpace space, string project, string queue) => inner.PartitionOf(space, project, queue);
        public bool IsLocalLeader(int partition) => false;
        public Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken) => throw new ServiceUnavailableException();
        public Task<T> ReadAsync<T>(int partition, Func<IQueueQueries, long, T> query, CancellationToken cancellationToken) => throw new ServiceUnavailableException();
        public Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IQueueQueries, long, T> query, CancellationToken cancellationToken) => throw new ServiceUnavailableException();
        public Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken) => throw new ServiceUnavailableException();
    }
}
