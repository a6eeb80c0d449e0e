using System.Diagnostics;
using RaftBurrow.Consensus;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster;

/// <summary>
/// Coalesces the commands this node forwards to one leader for one partition into batched internal
/// requests (<see cref="ForwardBatchCodec"/>), like the group commit of proposals on the leader: a
/// command that finds a free slot is sent at once (no added latency when idle); commands that arrive
/// while <see cref="MaxInFlight"/> requests are in flight wait and go together, bounded by
/// <see cref="MaxBatchCount"/> and <see cref="MaxBatchBytes"/>.
/// </summary>
/// <remarks>
/// Each command keeps its own outcome: a result, null (the receiver was not the leader, or could not
/// commit in time: the caller re-routes or retries with the same request id, as after a 421 or 503 of
/// the single-command endpoint), or an exception for the transport. A caller that gives up (its
/// attempt was cancelled) stops waiting; if its command is still queued it is dropped, if already
/// sent, its retry is deduplicated by request id on the leader. A receiver that does not know the
/// batched endpoint (an older node during a rolling upgrade) gets the single-command endpoint for a
/// while (<see cref="LegacyRetry"/>).
/// After a batch is answered, the pump waits briefly for those callers' next commands before it sends
/// again (<see cref="BatchLinger"/>, <c>GroupCommitLingerUs</c>), so that they reach the leader in one
/// request and its group commit can wait for them as a whole.
/// Threading: the queue is guarded by <see cref="_gate"/>; at most <see cref="MaxInFlight"/> pumps run.
/// </remarks>
internal sealed class ForwardBatcher
{
    /// <summary>Most commands in one internal request.</summary>
    internal const int MaxBatchCount = 256;

    /// <summary>Most command bytes in one internal request (a larger single command still goes alone).</summary>
    internal const int MaxBatchBytes = 1024 * 1024;

    /// <summary>Internal requests in flight per leader and partition (the next batch forms meanwhile).</summary>
    /// <remarks>One, measured (docs/benchmarks.md, "3 nodes: forwarding and follower flush"): with two, a
    /// slot that frees sends whatever few commands arrived meanwhile, the clients split into several
    /// cohorts, and the leader commits smaller entries (13 instead of 23 commands per entry at 64
    /// connections): more Raft rounds and follower flushes per command, ~35 % more CPU per request.</remarks>
    internal const int MaxInFlight = 1;

    /// <summary>How long a receiver without the batched endpoint is sent single commands before asking again.</summary>
    internal static readonly TimeSpan LegacyRetry = TimeSpan.FromSeconds(30);

    /// <summary>Sends one batch; returns the answers in request order, or null when the receiver does not
    /// know the batched endpoint; any other non-success answer yields answers that are all NotLeader.</summary>
    internal delegate Task<IReadOnlyList<CommandResult?>?> BatchSender(ClusterMember leader, int partition, IReadOnlyList<ForwardBatchCodec.Item> items, CancellationToken cancellationToken);

    /// <summary>The single-command endpoint (v1).</summary>
    internal delegate Task<CommandResult?> SingleSender(ClusterMember leader, int partition, byte[] command, Guid requestId, int timeoutMs, CancellationToken cancellationToken);

    private readonly int _partition;
    private readonly BatchSender _sendBatch;
    private readonly SingleSender _sendOne;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _pending = new();
    private readonly BatchLinger _linger;
    private int _inFlight;
    private long _legacyUntil;

    /// <param name="partition">The partition whose commands this batcher forwards.</param>
    /// <param name="sendBatch">Sends one batch (the v2 route).</param>
    /// <param name="sendOne">Sends one command (the v1 route, for receivers without v2).</param>
    /// <param name="time">Clock for deadlines and the linger.</param>
    /// <param name="linger">Longest wait for the callers just answered (<see cref="BatchLinger"/>); zero: none.</param>
    public ForwardBatcher(int partition, BatchSender sendBatch, SingleSender sendOne, TimeProvider time, TimeSpan linger = default)
    {
        _partition = partition;
        _sendBatch = sendBatch;
        _sendOne = sendOne;
        _time = time;
        _linger = new BatchLinger(linger, time, _gate, () => _pending.Count);
    }

    private sealed class Pending(byte[] command, Guid requestId, int timeoutMs, CancellationToken cancellationToken)
    {
        public byte[] Command { get; } = command;
        public Guid RequestId { get; } = requestId;
        public long Enqueued { get; } = Stopwatch.GetTimestamp();
        public int TimeoutMs { get; } = timeoutMs;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<CommandResult?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int RemainingMs => Math.Max(1, TimeoutMs - (int)Stopwatch.GetElapsedTime(Enqueued).TotalMilliseconds);
    }

    /// <summary>Queues <paramref name="command"/> for <paramref name="leader"/>; completes with its result, or null (re-route / retry).</summary>
    public Task<CommandResult?> ForwardAsync(ClusterMember leader, byte[] command, Guid requestId, int timeoutMs, CancellationToken cancellationToken)
    {
        if (_time.GetTimestamp() < Volatile.Read(ref _legacyUntil))
        {
            ConsensusMetrics.ForwardBatches.Add(1, ConsensusMetrics.Tag(_partition));
            return _sendOne(leader, _partition, command, requestId, timeoutMs, cancellationToken);
        }
        var pending = new Pending(command, requestId, timeoutMs, cancellationToken);
        bool start;
        TaskCompletionSource<bool>? cameBack;
        lock (_gate)
        {
            _pending.Enqueue(pending);
            start = _inFlight < MaxInFlight;
            if (start)
                _inFlight++;
            cameBack = _linger.OnEnqueued(_pending.Count);
        }
        cameBack?.TrySetResult(true);
        if (start)
            _ = PumpAsync(leader); // runs inline up to its first await: no thread hop when idle
        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task PumpAsync(ClusterMember leader)
    {
        var batch = new List<Pending>();
        var items = new List<ForwardBatchCodec.Item>();
        while (true)
        {
            batch.Clear();
            items.Clear();
            lock (_gate)
            {
                var bytes = 0;
                while (_pending.TryPeek(out var next) && batch.Count < MaxBatchCount
                       && (batch.Count == 0 || bytes + next.Command.Length <= MaxBatchBytes))
                {
                    _pending.Dequeue();
                    // Its caller gave up (leader change, deadline): nobody waits for it, and a retry of
                    // it is already on its way with the same request id.
                    if (next.CancellationToken.IsCancellationRequested)
                    {
                        next.Result.TrySetCanceled(next.CancellationToken);
                        continue;
                    }
                    batch.Add(next);
                    bytes += next.Command.Length;
                }
                if (batch.Count == 0)
                {
                    _inFlight--;
                    return;
                }
            }
            var maxRemainingMs = 1;
            foreach (var p in batch)
            {
                var remaining = p.RemainingMs;
                maxRemainingMs = Math.Max(maxRemainingMs, remaining);
                items.Add(new ForwardBatchCodec.Item(p.RequestId, remaining, p.Command));
            }
            try
            {
                // The request lives as long as its longest-waiting command: a hung receiver frees the slot then.
                using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(maxRemainingMs + 1000), _time);
                ConsensusMetrics.ForwardBatches.Add(1, ConsensusMetrics.Tag(_partition));
                var answers = await _sendBatch(leader, _partition, items, timeout.Token).ConfigureAwait(false);
                if (answers is null)
                {
                    Volatile.Write(ref _legacyUntil, _time.GetTimestamp() + (long)(LegacyRetry.TotalSeconds * _time.TimestampFrequency));
                    foreach (var p in batch)
                        _ = SendOneAsync(leader, p);
                    continue;
                }
                var pendingBefore = _linger.Pending();
                for (var i = 0; i < batch.Count; i++)
                    batch[i].Result.TrySetResult(answers[i]);
                await _linger.LingerAsync(pendingBefore, batch.Count, MaxBatchCount, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                foreach (var p in batch)
                    p.Result.TrySetException(e);
            }
        }
    }

    private async Task SendOneAsync(ClusterMember leader, Pending p)
    {
        ConsensusMetrics.ForwardBatches.Add(1, ConsensusMetrics.Tag(_partition));
        try
        {
            p.Result.TrySetResult(await _sendOne(leader, _partition, p.Command, p.RequestId, p.RemainingMs, p.CancellationToken).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            p.Result.TrySetException(e);
        }
    }
}
