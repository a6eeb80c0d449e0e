namespace RaftBurrow.Consensus;

/// <summary>
/// The short wait of a batching pump (the leader's group commit, a forwarder's internal requests)
/// between answering one batch and taking the next: it waits for the callers it just answered to send
/// their next commands, so that they travel in the same batch as the commands already waiting.
/// </summary>
/// <remarks>
/// <para>Why: with one batch in flight and the next taken as soon as the previous one finishes, a
/// fixed set of clients splits into two cohorts that alternate — the cohort just answered sends
/// again while the other cohort's batch is in flight — so every batch carries half of the clients.
/// Each batch costs a log entry, its flushes and a Raft round whatever its size (DotNext's
/// per-entry WAL path: docs/benchmarks.md, "Single node CPU per request"); with 16 clients the
/// entries carried 7.5 requests. Waiting for the answered cohort merges the two.</para>
/// <para>The wait ends as soon as as many commands wait as the answered callers plus those already
/// waiting (<see cref="Begin"/>), or after <c>max</c>. It never delays a command that finds the pump
/// idle (the pump starts at once then), so a lone client pays nothing. When clients do not come back
/// to this partition (they moved on to other queues, or read in between), a wait that ran out makes
/// the next few batches skip it, doubling up to <see cref="MaxSkip"/> batches, so a workload that
/// does not fit the pattern pays for at most an occasional wait.</para>
/// <para>Use: the owner calls <see cref="OnEnqueued"/> under its lock after queuing commands (and
/// completes what it returns after leaving the lock), reads <see cref="Pending"/> before it answers a
/// batch, and awaits <see cref="LingerAsync"/> before it takes the next one.</para>
/// <para>Threading: <paramref name="gate"/> is the owner's lock (the one that guards its queue of
/// pending commands, counted by <paramref name="pendingCount"/>); <see cref="Begin"/>,
/// <see cref="OnEnqueued"/> and <see cref="End"/> run under it, waits outside it.</para>
/// </remarks>
public sealed class BatchLinger(TimeSpan max, TimeProvider time, Lock gate, Func<int> pendingCount)
{
    /// <summary>Most batches skipped without a wait after waits that ran out.</summary>
    public const int MaxSkip = 64;

    private int _target = int.MaxValue;
    private TaskCompletionSource<bool>? _signal;
    private int _skip;
    private int _skipLeft;

    /// <summary>The longest wait; zero turns lingering off.</summary>
    public TimeSpan Max { get; } = max;

    /// <summary>Commands in the owner's queue now (takes its lock): read before answering a batch, for <see cref="LingerAsync"/>.</summary>
    public int Pending()
    {
        lock (gate)
            return pendingCount();
    }

    /// <summary>
    /// The whole wait between two batches: <see cref="Begin"/> and, if there is something to wait
    /// for, <see cref="WaitAsync"/> and <see cref="End"/> (taking the owner's lock for the two ends).
    /// </summary>
    /// <param name="pendingBefore"><see cref="Pending"/> just before the batch's callers were answered.</param>
    /// <param name="answered">Callers of the batch just answered.</param>
    /// <param name="maxBatch">The owner's batch limit.</param>
    /// <param name="cancellationToken">The owner stopping (ends the wait early).</param>
    public async Task LingerAsync(int pendingBefore, int answered, int maxBatch, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool>? wait;
        lock (gate)
            wait = Begin(pendingBefore, pendingCount(), answered, maxBatch);
        if (wait is null)
            return;
        var cameBack = await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        lock (gate)
            End(cameBack);
    }

    /// <summary>
    /// Starts a wait for <paramref name="answered"/> callers to come back (owner's lock held); null
    /// when there is nothing to wait for.
    /// </summary>
    /// <param name="pendingBefore">Commands that were queued when the batch's callers were answered
    /// (callers that came back while they were being answered are already in <paramref name="pendingNow"/>).</param>
    /// <param name="pendingNow">Commands queued now.</param>
    /// <param name="answered">Callers of the batch just answered.</param>
    /// <param name="maxBatch">The owner's batch limit: no point waiting for more than fits.</param>
    public TaskCompletionSource<bool>? Begin(int pendingBefore, int pendingNow, int answered, int maxBatch)
    {
        if (Max <= TimeSpan.Zero || answered == 0)
            return null;
        var target = Math.Min(maxBatch, pendingBefore + answered);
        if (pendingNow >= target)
            return null;
        if (_skipLeft > 0)
        {
            _skipLeft--;
            return null;
        }
        _target = target;
        // Continuations run synchronously: whoever ends the wait (the caller that queued the last awaited
        // command, or the timer) runs the pump on to its next await, as an idle pump is started inline.
        _signal = new TaskCompletionSource<bool>();
        return _signal;
    }

    /// <summary>
    /// After commands were queued (owner's lock held): the wait to end now, if the queue reached its
    /// target; the caller completes it with <c>TrySetResult(true)</c> after leaving the lock.
    /// </summary>
    public TaskCompletionSource<bool>? OnEnqueued(int pending)
    {
        if (_signal is null || pending < _target)
            return null;
        var signal = _signal;
        _signal = null;
        return signal;
    }

    /// <summary>Waits for <paramref name="signal"/> (from <see cref="Begin"/>), <see cref="Max"/>, or the owner stopping, whichever comes first.</summary>
    /// <returns>True when the callers came back in time.</returns>
    public async Task<bool> WaitAsync(TaskCompletionSource<bool> signal, CancellationToken cancellationToken)
    {
        using var timer = time.CreateTimer(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(false), signal, Max, Timeout.InfiniteTimeSpan);
        using var stop = cancellationToken.UnsafeRegister(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(false), signal);
        return await signal.Task.ConfigureAwait(false);
    }

    /// <summary>Ends a wait (owner's lock held); <paramref name="cameBack"/> is what <see cref="WaitAsync"/> returned.</summary>
    public void End(bool cameBack)
    {
        _signal = null;
        _target = int.MaxValue;
        if (cameBack)
        {
            _skip = 0;
            _skipLeft = 0;
        }
        else
        {
            _skip = Math.Min(MaxSkip, Math.Max(1, _skip * 2));
            _skipLeft = _skip;
        }
    }
}
