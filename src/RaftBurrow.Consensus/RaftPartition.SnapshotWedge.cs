using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.Extensions.Logging;

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
// cannot go lower, so nothing changes between attempts). After a few such retries in one term the
// leader resigns: every new leader starts each follower's next index at its own last index + 1 and
// walks down with AppendEntries, which matches the follower's snapshot index and resumes
// replication. Resigning is what the leader balancer does routinely: proposals in flight fail with
// NotLeaderException and are retried with the same request id.
public sealed partial class RaftPartition
{
    /// <summary>Failed retries from entry 0 of one member, in one term, before the leader resigns.</summary>
    private const int WedgedRetriesBeforeResign = 8;

    private readonly Lock _wedgeGate = new();
    private readonly Dictionary<string, int> _retriesFromZero = [];
    private long _wedgeTerm = -1;
    private int _resigningForWedge;

    private void WatchForSnapshotWedge(ReplicationFailureWatcher watcher) => watcher.ReplicationFailed += OnReplicationFailed;

    private void OnReplicationFailed(string member, long retryFrom)
    {
        var term = _cluster.Term;
        int retries;
        lock (_wedgeGate)
        {
            if (term != _wedgeTerm)
            {
                _retriesFromZero.Clear();
                _wedgeTerm = term;
            }
            retries = retryFrom == 0 ? _retriesFromZero.GetValueOrDefault(member) + 1 : 0;
            _retriesFromZero[member] = retries;
        }
        if (retries < WedgedRetriesBeforeResign || !IsLeader || Interlocked.Exchange(ref _resigningForWedge, 1) != 0)
            return;
        _logger.LogWarning(
            "Partition {Partition}: replication to {Member} failed {Retries} times from entry 0 in term {Term}: the follower rejects a snapshot it already installed; resigning so a new term restarts its replication",
            Partition, member, retries, term);
        // Not on DotNext's replication task that logged the failure: resigning waits for it.
        _ = Task.Run(ResignForWedgeAsync, CancellationToken.None);
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
