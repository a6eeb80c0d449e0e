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
/// One batch is in flight per partition at a time (the next one forms while it commits). Between
/// batches the pump waits briefly for the callers it just answered (<see cref="BatchLinger"/>), so that
/// a steady set of clients shares one entry instead of splitting into two cohorts that alternate.
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
    private readonly BatchLinger _linger; // set in the constructor (it needs the options)

    // A leadership transfer holds new batches back while the target catches up (RaftPartition.Leadership.cs).
    private bool _paused;

    private sealed class Proposal(byte[] entry)
    {
        public byte[] Entry { get; } = entry;

        // Continuations run synchronously on the pump's thread (see PumpAsync): one thread-pool
        // work item fewer per request, and the pump has already started the next batch by then.
        public TaskCompletionSource<object?> Result { get; } = new();
    }

    /// <summary>Queues a version-1 entry for the next batch; completes with its own apply result.</summary>
    private Task<object?> ProposeBatchedAsync(byte[] entry, CancellationToken cancellationToken)
    {
        if (!IsLeader)
            throw new NotLeaderException(Partition);
        var proposal = new Proposal(entry);
        Enqueue([proposal]);
        return proposal.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Queues proposals together (under one lock, so they share the next batch) and starts the pump
    /// if none runs. The pump runs inline up to its first await: no thread hop when idle.
    /// </summary>
    private void Enqueue(ReadOnlySpan<Proposal> proposals)
    {
        bool start;
        TaskCompletionSource<bool>? cameBack;
        lock (_batchGate)
        {
            foreach (var proposal in proposals)
                _pending.Enqueue(proposal);
            start = !_pumping && !_paused;
            _pumping |= start;
            cameBack = _linger.OnEnqueued(_pending.Count);
        }
        cameBack?.TrySetResult(true);
        if (start)
            _ = PumpAsync();
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
        Enqueue(proposals);
        for (var i = 0; i < results.Length; i++)
            results[i] = proposals[i].Result.Task.WaitAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// Replicates batches one at a time. When a batch has committed, its callers are resumed first
    /// (their continuations — the rest of each HTTP request, up to writing the response — run on this
    /// thread), then the pump waits briefly for them to send again (<see cref="BatchLinger"/>) and
    /// takes everything queued as the next batch. Still one batch in flight: entries keep their order.
    /// </summary>
    /// <remarks>Before the wait was added, the next batch was handed to DotNext before the finished
    /// batch's callers were resumed, which overlapped their responses with the next commit but made
    /// 16 clients settle into two alternating batches of ~8 (docs/benchmarks.md, "Group commit: waiting
    /// for the answered clients"); with the wait switched off (<c>GroupCommitLingerUs</c> 0) it still does.</remarks>
    private async Task PumpAsync()
    {
        var batch = new List<Proposal>();
        var spare = new List<Proposal>();
        var entries = new List<byte[]>();
        var replicating = TakeAndStart(batch, entries);
        while (replicating is not null)
        {
            object? result = null;
            Exception? failure = null;
            try
            {
                result = await replicating.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }
            // Swap: the finished batch moves to 'spare'.
            (batch, spare) = (spare, batch);
            if (_linger.Max <= TimeSpan.Zero)
            {
                replicating = TakeAndStart(batch, entries); // the next batch starts before the callers resume
                Complete(spare, result, failure);
                spare.Clear();
                continue;
            }
            var answered = spare.Count;
            var pendingBefore = _linger.Pending();
            Complete(spare, result, failure);
            spare.Clear();
            if (failure is null)
                await _linger.LingerAsync(pendingBefore, answered, MaxBatchCount, _stopping.Token).ConfigureAwait(false);
            replicating = TakeAndStart(batch, entries);
        }
    }

    /// <summary>Takes the next batch off the queue and starts replicating it; null (pump stops) when empty.</summary>
    private Task<object?>? TakeAndStart(List<Proposal> batch, List<byte[]> entries)
    {
        batch.Clear();
        entries.Clear();
        lock (_batchGate)
        {
            var bytes = 0;
            while (!_paused && _pending.TryPeek(out var next) && batch.Count < MaxBatchCount
                   && (batch.Count == 0 || bytes + next.Entry.Length <= MaxBatchBytes))
            {
                _pending.Dequeue();
                batch.Add(next);
                bytes += next.Entry.Length;
            }
            if (batch.Count == 0)
            {
                _pumping = false;
                return null;
            }
        }
        try
        {
            foreach (var p in batch)
                entries.Add(p.Entry);
            var entry = batch.Count == 1 ? batch[0].Entry : LogEntryCodec.EncodeBatch(entries);
            return ReplicateWithTimeoutAsync(entry);
        }
        catch (Exception e)
        {
            return Task.FromException<object?>(e);
        }
    }

    private async Task<object?> ReplicateWithTimeoutAsync(byte[] entry)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(BatchTimeout);
        return await ReplicateAsync(entry, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Hands each proposal of a finished batch its result (continuations run here, synchronously).</summary>
    private static void Complete(List<Proposal> batch, object? result, Exception? failure)
    {
        if (failure is not null)
        {
            foreach (var p in batch)
                p.Result.TrySetException(failure);
        }
        else if (batch.Count == 1)
        {
            batch[0].Result.TrySetResult(result);
        }
        else if (result is object?[] results && results.Length == batch.Count)
        {
            for (var i = 0; i < batch.Count; i++)
                batch[i].Result.TrySetResult(results[i]);
        }
        else
        {
            foreach (var p in batch)
                p.Result.TrySetResult(result); // a rejected batch: every item gets the rejection
        }
    }
}
