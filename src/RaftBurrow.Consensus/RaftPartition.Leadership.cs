using DotNext.Net.Cluster;
using Microsoft.Extensions.Logging;

namespace RaftBurrow.Consensus;

// Operator controls of one replica: standby holds (how leadership is steered to a chosen node —
// DotNext has no targeted transfer) and forced snapshots.
public sealed partial class RaftPartition
{
    private readonly SemaphoreSlim _standbyGate = new(1, 1);
    private long _standbyHold;
    private long _pauseVersion;

    /// <summary>
    /// Puts this replica in standby (it cannot become a candidate, it still votes and replicates) for
    /// at most <paramref name="hold"/>; if it leads, it resigns. The hold ends by itself, so an
    /// operator or a coordinating node that dies mid-transfer never leaves the replica stuck in standby.
    /// </summary>
    public async Task HoldStandbyAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        long version;
        await _standbyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            version = ++_standbyHold;
            await _cluster.EnableStandbyModeAsync(cancellationToken).ConfigureAwait(false);
            if (IsLeader)
                await ((ICluster)_cluster).ResignAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _standbyGate.Release();
            // No longer the leader: proposals held back by a transfer now fail with NotLeaderException
            // (and re-route to the new leader) instead of waiting for the pause to run out.
            ResumeProposals();
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(hold, _clock.Time, _stopping.Token).ConfigureAwait(false);
                await ReleaseStandbyAsync(version, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }, CancellationToken.None);
    }

    /// <summary>Ends a standby hold now (a no-op when none is active).</summary>
    public Task ReleaseStandbyAsync(CancellationToken cancellationToken) => ReleaseStandbyAsync(null, cancellationToken);

    private async Task ReleaseStandbyAsync(long? version, CancellationToken cancellationToken)
    {
        await _standbyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A timer of an older hold must not end a newer one.
            if (version is { } v && v != _standbyHold)
                return;
            ++_standbyHold;
            if (_cluster.Standby)
                await _cluster.RevertToNormalModeAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _standbyGate.Release();
            if (version is null)
                ResumeProposals();
        }
    }

    /// <summary>
    /// The first step of a leadership transfer, on the leader: stops starting new log entries (queued
    /// and new proposals wait) for at most <paramref name="pause"/>, waits until the batch in flight has
    /// committed, and returns the index of the last log entry. Once the target has that entry its log
    /// is at least as up to date as every other replica's, so it can win the election that follows
    /// when this leader resigns. Without the pause, under load the leader's latest append may have
    /// reached another follower but not the target: then no replica in the only quorum the target
    /// could form votes for it, and while the others are held in standby nobody else may campaign —
    /// the partition stays without a leader until the holds end. The pause ends by itself, at
    /// <see cref="ResumeProposals"/>, or when a standby hold makes this replica resign.
    /// </summary>
    /// <exception cref="NotLeaderException">This replica does not lead the partition.</exception>
    public async Task<long> PauseProposalsAsync(TimeSpan pause, CancellationToken cancellationToken)
    {
        if (!IsLeader)
            throw new NotLeaderException(Partition);
        long version;
        lock (_batchGate)
        {
            _paused = true;
            version = ++_pauseVersion;
        }
        var started = _clock.Time.GetTimestamp();
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(pause, _clock.Time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            ResumeProposals(version);
        }, CancellationToken.None);
        // The pump stops after the batch in flight (one at a time); polled, as this happens once per transfer.
        while (IsPumping() && _clock.Time.GetElapsedTime(started) < pause)
            await Task.Delay(TimeSpan.FromMilliseconds(5), _clock.Time, cancellationToken).ConfigureAwait(false);
        if (!IsLeader)
            throw new NotLeaderException(Partition);
        return _wal.LastEntryIndex;
    }

    /// <summary>Ends a pause of <see cref="PauseProposalsAsync"/> (a no-op when none is active).</summary>
    public void ResumeProposals() => ResumeProposals(null);

    private void ResumeProposals(long? version)
    {
        bool start;
        lock (_batchGate)
        {
            // A timer of an older pause must not end a newer one.
            if (!_paused || (version is { } v && v != _pauseVersion))
                return;
            _paused = false;
            start = !_pumping && _pending.Count > 0;
            _pumping |= start;
        }
        if (start)
            _ = PumpAsync();
    }

    private bool IsPumping()
    {
        lock (_batchGate)
            return _pumping;
    }

    /// <summary>Index of the latest snapshot this replica wrote or restored (0 = none).</summary>
    public long LastSnapshotIndex => _stateMachine.LastSnapshotIndex;

    /// <summary>Whether this replica is writing a snapshot in the background.</summary>
    public bool SnapshotWriting => _stateMachine.SnapshotWriting;

    /// <summary>
    /// Forces a snapshot: the next applied entry captures the state and a background task writes it.
    /// So this proposes an entry through <paramref name="proposeEntry"/> (an expiry pulse: harmless
    /// housekeeping, forwarded to the leader when this replica follows) and completes once the
    /// snapshot is written and handed to the WAL; throws <see cref="OperationCanceledException"/> at
    /// the deadline. If that entry was applied while an automatic snapshot was still being written
    /// (one at a time), it proposes another.
    /// </summary>
    /// <returns>The index of the snapshot.</returns>
    public async Task<long> ForceSnapshotAsync(Func<CancellationToken, Task> proposeEntry, CancellationToken cancellationToken)
    {
        // Any snapshot captured after the request covers an entry applied after it, so its index is
        // above this; one captured before is at or below it.
        var target = _stateMachine.AppliedIndex;
        _stateMachine.RequestSnapshot();
        var appliedAtProposal = target;
        await proposeEntry(cancellationToken).ConfigureAwait(false);
        while (_stateMachine.LastSnapshotIndex <= target)
        {
            if (_stateMachine.SnapshotRequested && !_stateMachine.SnapshotWriting && _stateMachine.AppliedIndex > appliedAtProposal)
            {
                appliedAtProposal = _stateMachine.AppliedIndex;
                await proposeEntry(cancellationToken).ConfigureAwait(false);
            }
            await WaitForChangeAsync(cancellationToken).ConfigureAwait(false);
        }
        var index = _stateMachine.LastSnapshotIndex;
        _logger.LogInformation("Partition {Partition}: forced snapshot at index {Index}", Partition, index);
        return index;
    }

    /// <summary>Waits for the next applied entry or snapshot, or 50 ms, whichever comes first.</summary>
    private async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        await _stateMachine.Changed.WaitAsync(TimeSpan.FromMilliseconds(50), _clock.Time, cancellationToken).ContinueWith(static _ => { }, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
