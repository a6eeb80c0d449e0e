using RaftBurrow.Api;
using RaftBurrow.Cluster;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Server;

/// <summary>
/// <see cref="IQueueService"/> over the real cluster (<see cref="ClusterRouter"/>). The Cluster
/// project does not know the API project, so this adapter translates its exceptions:
/// <see cref="ClusterUnavailableException"/> becomes <see cref="ServiceUnavailableException"/> (→ 503).
/// </summary>
internal sealed class ClusterQueueService(ClusterRouter router) : IQueueService
{
    public int PartitionCount => router.PartitionCount;

    public long NowMs => router.NowMs;

    public bool IsLocalLeader(int partition) => router.IsLocalLeader(partition);

    public int PartitionOf(QueueSpace space, string project, string queue) => router.PartitionOf(space, project, queue);

    public async Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken)
    {
        try
        {
            return await router.ExecuteAsync(partition, command, requestId, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            throw new ServiceUnavailableException(e.Message, e);
        }
    }

    public async Task<T> ReadAsync<T>(int partition, Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        try
        {
            return await router.ReadAsync(partition, (machine, nowMs) => query(AsQueries(machine), nowMs), cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            throw new ServiceUnavailableException(e.Message, e);
        }
    }

    public async Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        try
        {
            return await router.ReadAllAsync((machine, nowMs) => query(AsQueries(machine), nowMs), cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            throw new ServiceUnavailableException(e.Message, e);
        }
    }

    public async Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await router.WaitForChangeAsync(partition, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnavailableException e)
        {
            throw new ServiceUnavailableException(e.Message, e);
        }
    }

    private static IQueueQueries AsQueries(IReplicatedStateMachine machine) =>
        machine as IQueueQueries ?? throw new InvalidOperationException($"The partition state machine ({machine.GetType().Name}) does not answer queue queries.");
}
