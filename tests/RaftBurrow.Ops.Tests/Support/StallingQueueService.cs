using RaftBurrow.Api;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Ops.Tests.Support;

/// <summary>
/// Wraps an <see cref="IQueueService"/> and makes chosen partitions unreadable: reads on a stalled
/// partition never complete (a lost leader), reads on a failing one throw ServiceUnavailable.
/// </summary>
public sealed class StallingQueueService(IQueueService inner, IReadOnlySet<int> stalled, IReadOnlySet<int> failing) : IQueueService
{
    public int PartitionCount => inner.PartitionCount;

    public long NowMs => inner.NowMs;

    public int PartitionOf(QueueSpace space, string project, string queue) => inner.PartitionOf(space, project, queue);

    public Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken) =>
        inner.ExecuteAsync(partition, command, requestId, cancellationToken);

    public Task<T> ReadAsync<T>(int partition, Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        if (stalled.Contains(partition))
            return new TaskCompletionSource<T>().Task; // deliberately ignores cancellation, as a stuck implementation might
        if (failing.Contains(partition))
            return Task.FromException<T>(new ServiceUnavailableException($"No leader for partition {partition}."));
        return inner.ReadAsync(partition, query, cancellationToken);
    }

    public async Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        var answers = new List<T>(PartitionCount);
        for (var p = 0; p < PartitionCount; p++)
            answers.Add(await ReadAsync(p, query, cancellationToken));
        return answers;
    }

    public Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.WaitForChangeAsync(partition, timeout, cancellationToken);

    public bool IsLocalLeader(int partition) => inner.IsLocalLeader(partition);
}
