using RaftBurrow.Api;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Tests.Support;

/// <summary>
/// A test double below the API edge: P partitions of the real <see cref="QueueStateMachine"/> in
/// one process, no Raft. Commands still go through the codecs and the log-entry envelope, so the
/// API is exercised with the same bytes a replica would apply. Time comes from a TimeProvider.
/// </summary>
public sealed class LocalQueueService : IQueueService
{
    private readonly QueueStateMachine[] _machines;
    private readonly object[] _locks;
    private readonly long[] _nextIndex;
    private readonly TaskCompletionSource[] _changed;
    private readonly TimeProvider _time;

    public LocalQueueService(int partitions = 4, TimeProvider? time = null, QueueStateMachineOptions? options = null)
    {
        _time = time ?? TimeProvider.System;
        _machines = new QueueStateMachine[partitions];
        _locks = new object[partitions];
        _nextIndex = new long[partitions];
        _changed = new TaskCompletionSource[partitions];
        for (var p = 0; p < partitions; p++)
        {
            _machines[p] = new QueueStateMachine((options ?? new QueueStateMachineOptions()) with { PartitionId = p });
            _locks[p] = new object();
            _changed[p] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public int PartitionCount => _machines.Length;

    public bool IsLocalLeader(int partition) => true;

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public int PartitionOf(QueueSpace space, string project, string queue) =>
        Partitioner.PartitionOf(space, project, queue, _machines.Length);

    public Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken)
    {
        var entry = LogEntryCodec.Encode(NowMs, requestId, CommandCodec.Encode(command));
        object? result;
        TaskCompletionSource changed;
        lock (_locks[partition])
        {
            result = _machines[partition].Apply(++_nextIndex[partition], entry);
            changed = _changed[partition];
            _changed[partition] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
        // Round-trip the result through its codec as a forwarded answer would be.
        var bytes = CommandCodec.EncodeResult((CommandResult)result!);
        return Task.FromResult(CommandCodec.TryDecodeResult(bytes)!);
    }

    /// <summary>Proposes an Expire pulse on every partition (tests call this after moving fake time).</summary>
    public void Expire()
    {
        for (var p = 0; p < _machines.Length; p++)
            _ = ExecuteAsync(p, new Expire(), Guid.NewGuid(), CancellationToken.None);
    }

    public Task<T> ReadAsync<T>(int partition, Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        lock (_locks[partition])
            return Task.FromResult(query(_machines[partition], NowMs));
    }

    public Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IQueueQueries, long, T> query, CancellationToken cancellationToken)
    {
        var answers = new List<T>(_machines.Length);
        for (var p = 0; p < _machines.Length; p++)
            lock (_locks[p])
                answers.Add(query(_machines[p], NowMs));
        return Task.FromResult<IReadOnlyList<T>>(answers);
    }

    public async Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_locks[partition])
            changed = _changed[partition].Task;
        try
        {
            await changed.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
