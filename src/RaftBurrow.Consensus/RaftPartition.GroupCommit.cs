using RaftBurrow.StateMachine;

namespace RaftBurrow.Consensus;

/// <summary>
/// Group commit of proposals: concurrent proposals to this partition are coalesced into one log
/// entry (<see cref="LogEntryCodec.BatchVersion"/>), so one append, one flush and one replication
/// round carry many commands. Each WAL append is a synchronous disk write (DOTNEXT-NOTES §"flush"),
/// which made one entry per HTTP request the bottleneck of the write path.
/// </summary>
/// <remarks>
/// No added latency when idle: a proposal that finds no batch in flight is replicated at once (as a
/// plain version-1 entry when it is alone); proposals that arrive while a batch is in flight wait for
/// it and then go together, bounded by <see cref="MaxBatchCount"/> and <see cref="MaxBatchBytes"/>.
/// One batch is in flight per partition at a time (the next one forms while it commits).
/// Threading: the queue is guarded by <see cref="_batchGate"/>; at most one pump runs.
/// </remarks>
public sealed partial class RaftPartition
{
    /// <summary>Most proposals in one batch entry.</summary>
    internal const int MaxBatchCount = 512;

    /// <summary>Most entry bytes in one batch (a larger single proposal still goes alone).</summary>
    internal const int MaxBatchBytes = 1024 * 1024;

    /// <summary>A pump's replicate that has not committed after this long fails its proposals (they retry).</summary>
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _batchGate = new();
    private readonly Queue<Proposal> _pending = new();
    private bool _pumping;

    private sealed class Proposal(byte[] entry)
    {
        public byte[] Entry { get; } = entry;

        public TaskCompletionSource<object?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Queues a version-1 entry for the next batch; completes with its own apply result.</summary>
    private Task<object?> ProposeBatchedAsync(byte[] entry, CancellationToken cancellationToken)
    {
        if (!IsLeader)
            throw new NotLeaderException(Partition);
        var proposal = new Proposal(entry);
        bool start;
        lock (_batchGate)
        {
            _pending.Enqueue(proposal);
            start = !_pumping;
            _pumping = true;
        }
        if (start)
            _ = PumpAsync(); // runs inline up to its first await: no thread hop when idle
        return proposal.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Proposes several commands at once (a batch forwarded by another node): they are queued under one
    /// lock before the pump starts, so they share the next batch entry instead of the first going alone.
    /// Each task completes with that command's own apply result, like <see cref="ProposeAsync"/>.
    /// </summary>
    /// <exception cref="NotLeaderException">This node does not lead the partition.</exception>
    public Task<object?>[] ProposeManyAsync(IReadOnlyList<(ReadOnlyMemory<byte> Command, Guid RequestId)> commands, CancellationToken cancellationToken)
    {
        var results = new Task<object?>[commands.Count];
        if (_options.FaultInjection is { Enabled: true, UnsafeAckBeforeCommit: true })
        {
            for (var i = 0; i < results.Length; i++)
                results[i] = ProposeAsync(commands[i].Command, commands[i].RequestId, cancellationToken);
            return results;
        }
        if (!IsLeader)
            throw new NotLeaderException(Partition);
        var proposals = new Proposal[commands.Count];
        for (var i = 0; i < proposals.Length; i++)
            proposals[i] = new Proposal(LogEntryCodec.Encode(_clock.NowMs, commands[i].RequestId, commands[i].Command.Span));
        bool start;
        lock (_batchGate)
        {
            foreach (var proposal in proposals)
                _pending.Enqueue(proposal);
            start = !_pumping;
            _pumping = true;
        }
        if (start)
            _ = PumpAsync();
        for (var i = 0; i < results.Length; i++)
            results[i] = proposals[i].Result.Task.WaitAsync(cancellationToken);
        return results;
    }

    private async Task PumpAsync()
    {
        var batch = new List<Proposal>();
        var entries = new List<byte[]>();
        while (true)
        {
            batch.Clear();
            entries.Clear();
            lock (_batchGate)
            {
                var bytes = 0;
                while (_pending.TryPeek(out var next) && batch.Count < MaxBatchCount
                       && (batch.Count == 0 || bytes + next.Entry.Length <= MaxBatchBytes))
                {
                    _pending.Dequeue();
                    batch.Add(next);
                    bytes += next.Entry.Length;
                }
                if (batch.Count == 0)
                {
                    _pumping = false;
                    return;
                }
            }
            try
            {
                foreach (var p in batch)
                    entries.Add(p.Entry);
                var entry = batch.Count == 1 ? batch[0].Entry : LogEntryCodec.EncodeBatch(entries);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(BatchTimeout);
                var result = await ReplicateAsync(entry, timeout.Token).ConfigureAwait(false);
                if (batch.Count == 1)
                    batch[0].Result.TrySetResult(result);
                else if (result is object?[] results && results.Length == batch.Count)
                    for (var i = 0; i < batch.Count; i++)
                        batch[i].Result.TrySetResult(results[i]);
                else
                    foreach (var p in batch)
                        p.Result.TrySetResult(result); // a rejected batch: every item gets the rejection
            }
            catch (Exception e)
            {
                foreach (var p in batch)
                    p.Result.TrySetException(e);
            }
        }
    }
}
