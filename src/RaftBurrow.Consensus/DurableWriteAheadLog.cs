using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace RaftBurrow.Consensus;

/// <summary>
/// DotNext's <see cref="WriteAheadLog"/>, except that entries a follower receives from the leader are
/// flushed and recorded in the WAL's checkpoint <b>before</b> the follower acknowledges them.
/// </summary>
/// <remarks>
/// <para>Why (docs/replication.md, "Durability"): DotNext 6.12's follower path
/// (<c>RaftCluster.AppendEntriesAsync</c>) calls
/// <see cref="IAuditTrail{TEntry}.AppendAsync{TEntryImpl}(ILogEntryProducer{TEntryImpl}, long, bool, CancellationToken)"/>,
/// then <c>CommitAsync(leaderCommitIndex)</c>, then replies "replicated". The append only wakes the
/// background flusher, and the commit waits for a flush only up to the leader's commit index, which
/// is below the entries just received. On start-up the WAL trusts its checkpoint file alone
/// (<c>LastEntryIndex = max(checkpoint.LastIndex, checkpoint.CommitIndex, snapshot)</c>), so entries
/// appended after the last checkpoint vanish after a kill -9 even though their bytes are in the page
/// cache. A follower could therefore acknowledge an entry, let the leader commit and apply it, die,
/// and come back without it; with the leader also dead, it and the third replica elect a leader whose
/// log lacks a committed entry. The restarted old leader then keeps its committed entries (the WAL
/// skips appends at or below its commit index), and replicas diverge at equal indexes.</para>
/// <para>The fix: this class re-implements that one interface method (C# interface
/// re-implementation; every other member maps to the base class) and awaits
/// <see cref="WriteAheadLog.FlushAsync(CancellationToken)"/> after the append. That waits until the
/// flusher has written the pages up to <see cref="WriteAheadLog.LastEntryIndex"/> (msync of the mapped
/// chunks) and then the checkpoint (commit index, last index) with a write-through write. A
/// heartbeat with no entries finds nothing unflushed and returns at once.</para>
/// <para>The leader's own entries need nothing extra: its commit waits for its own flush before the
/// commit index moves, and only committed entries are applied.</para>
/// </remarks>
internal sealed class DurableWriteAheadLog : WriteAheadLog, IAuditTrail<IRaftLogEntry>
{
    /// <summary>Opens or creates the WAL (restore the state machine's snapshot first).</summary>
    public DurableWriteAheadLog(Options configuration, IStateMachine stateMachine)
        : base(configuration, stateMachine)
    {
    }

    /// <inheritdoc />
    async ValueTask IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(ILogEntryProducer<TEntry> entries, long startIndex, bool skipCommitted, CancellationToken token)
    {
        await AppendAsync(entries, startIndex, skipCommitted, token).ConfigureAwait(false);
        // The acknowledgement DotNext sends after this returns promises the entries survive a crash.
        await FlushAsync(token).ConfigureAwait(false);
    }
}
