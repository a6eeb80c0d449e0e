using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Consensus;

// Recovery from the snapshot install wedge (docs/replication.md). DotNext's follower accepts an
// InstallSnapshot only if its index is above the follower's commit index. If the follower installs
// a snapshot but the leader never gets the answer (the exchange outlived the Raft request timeout,
// e.g. on a loaded machine or a JIT-cold restarted process), the leader marks the replication as
// failed, lowers that follower's next index to 0 and sends the same snapshot again, which the
// follower now rejects (its commit index equals the snapshot index), forever — until the leader
// takes its next snapshot (docs/replication.md: by log bytes or entries) or loses leadership. The follower hears no
// heartbeat meanwhile and never catches up.
// The wedge shows as the leader retrying one member "from entry 0" again and again (an index that
// cannot go lower, so nothing changes between attempts), or walking it down one entry per retry while
// the retries stay at or below the leader's snapshot index (each sends the same snapshot). After a few
// such retries the leader takes a newer snapshot if it applied entries since its last one (above the
// follower's commit index, so the follower accepts it); otherwise, or if that did not help within the
// term, it resigns: every new leader starts each follower's next index at its own last index + 1 and
// walks down with AppendEntries, which matches the follower's snapshot index and resumes
// replication. Resigning is what the leader balancer does routinely: proposals in flight fail with
// NotLeaderException and are retried with the same request id.
public sealed partial class RaftPartition
{
    /// <summary>Failed retries of one member at or below the leader's snapshot index, in one term and within <see cref="WedgeWindow"/>, that count as a wedge.</summary>
    private const int WedgedRetriesBeforeResign = 8;

    /// <summary>The retries of a wedge come every few hundred ms at most; failures spread wider are ordinary.</summary>
    private static readonly TimeSpan WedgeWindow = TimeSpan.FromSeconds(10);

    private readonly Lock _wedgeGate = new();
    private readonly Dictionary<string, (int Count, long Since)> _wedgeRetries = [];
    private readonly HashSet<string> _wedgeSnapshotTaken = [];
    private long _wedgeTerm = -1;
    private int _resigningForWedge;

    private void WatchForSnapshotWedge(ReplicationFailureWatcher watcher) => watcher.ReplicationFailed += OnReplicationFailed;

    // A retry at or below the leader's snapshot index makes DotNext send that snapshot, the same one
    // each time: from entry 0 (the install's answer was lost), or walking the follower's next index
    // down one entry per round (seen in session 4: the follower had installed a snapshot at 6361
    // from a leader whose own snapshot was at or below it, and rejected it on every retry while the
    // leader walked down from 6382 towards 0). Either way the follower rejects it again and again.
    internal void OnReplicationFailed(string member, long retryFrom)
    {
        var term = _cluster.Term;
        var snapshotIndex = _stateMachine.LastSnapshotIndex;
        var now = _clock.Time.GetTimestamp();
        int retries;
        bool snapshotFirst;
        lock (_wedgeGate)
        {
            if (term != _wedgeTerm)
            {
                _wedgeRetries.Clear();
                _wedgeSnapshotTaken.Clear();
                _wedgeTerm = term;
            }
            var (count, since) = _wedgeRetries.GetValueOrDefault(member);
            if (retryFrom > snapshotIndex)
                count = 0;
            else if (count == 0 || _clock.Time.GetElapsedTime(since, now) > WedgeWindow)
                (count, since) = (1, now);
            else
                count++;
            retries = count;
            // A new snapshot above the follower's commit index is accepted: take one if entries were
            // applied since the last (once per member and term); else, or if that did not help, resign.
            snapshotFirst = retries >= WedgedRetriesBeforeResign && _stateMachine.AppliedIndex > snapshotIndex && _wedgeSnapshotTaken.Add(member);
            _wedgeRetries[member] = snapshotFirst ? (0, 0) : (count, since);
        }
        if (retries < WedgedRetriesBeforeResign || !IsLeader || Interlocked.Exchange(ref _resigningForWedge, 1) != 0)
            return;
        if (snapshotFirst)
        {
            _logger.LogWarning(
                "Partition {Partition}: replication to {Member} failed {Retries} times at or below this leader's snapshot index {SnapshotIndex} in term {Term}: the follower rejects that snapshot; taking a newer one",
                Partition, member, retries, snapshotIndex, term);
            _ = Task.Run(SnapshotForWedgeAsync, CancellationToken.None);
            return;
        }
        _logger.LogWarning(
            "Partition {Partition}: replication to {Member} failed {Retries} times at or below this leader's snapshot index {SnapshotIndex} in term {Term}: the follower rejects a snapshot it already installed; resigning so a new term restarts its replication",
            Partition, member, retries, snapshotIndex, term);
        // Not on DotNext's replication task that logged the failure: resigning waits for it.
        _ = Task.Run(ResignForWedgeAsync, CancellationToken.None);
    }

    /// <summary>Snapshots at the next entry (an expiry pulse, harmless housekeeping), so the leader's snapshot moves past the follower's commit index.</summary>
    private async Task SnapshotForWedgeAsync()
    {
        try
        {
            _stateMachine.RequestSnapshot();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await ReplicateAsync(LogEntryCodec.EncodeExpire(_clock.NowMs), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NotLeaderException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            _logger.LogWarning(e, "Partition {Partition}: the snapshot for a wedged follower was not taken", Partition);
        }
        finally
        {
            Volatile.Write(ref _resigningForWedge, 0);
        }
    }

    private async Task ResignForWedgeAsync()
    {
        try
        {
            if (IsLeader)
                await ((ICluster)_cluster).ResignAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            _logger.LogWarning(e, "Partition {Partition}: resigning after a snapshot install wedge failed", Partition);
        }
        finally
        {
            Volatile.Write(ref _resigningForWedge, 0);
        }
    }
}
