using System.Diagnostics;
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
/// <para>The leader's own entries need nothing extra for durability: its commit waits for its own
/// flush before the commit index moves, and only committed entries are applied.</para>
/// <para>Second job — the term of a proposal (<see cref="LeaderTerm"/>): DotNext's
/// <c>ReplicateAsync</c> appends an entry with whatever term the caller put on it while its leader state
/// (of term T) is still active. Reading <c>RaftCluster.Term</c> for that label is racy: a deposed leader
/// that has already adopted a newer term T+1 (a vote request or a heartbeat arrived, e.g. right after
/// a SIGSTOP ended) but not yet torn down its leader state appends an entry labelled T+1 at an index
/// where the real T+1 leader has its own entry. Two different entries with the same index and term
/// break Raft's log matching: the new leader's consistency check passes on that index, the bogus
/// entry is never overwritten, and it is applied on that replica only. So proposals are labelled with
/// the term of the no-op this node appended when it won its last election (the candidate appends it
/// through the same method before it becomes leader), and an append whose label differs is refused
/// with <see cref="NotLeaderException"/>. Check and append run under one lock, so a new election's
/// no-op cannot slip between them.</para>
/// </remarks>
internal sealed class DurableWriteAheadLog : WriteAheadLog, IAuditTrail<IRaftLogEntry>
{
    private readonly Func<int> _memberCount;

    /// <summary>Opens or creates the WAL (restore the state machine's snapshot first).</summary>
    /// <param name="configuration">WAL options.</param>
    /// <param name="stateMachine">The state machine, its snapshot already restored.</param>
    /// <param name="memberCount">The members of the group's current Raft configuration (DotNext's
    /// <c>RaftCluster.Members.Count</c>), read on every local append: it must be cheap.</param>
    public DurableWriteAheadLog(Options configuration, IStateMachine stateMachine, Func<int> memberCount)
        : base(configuration, stateMachine)
    {
        _memberCount = memberCount;
    }

    /// <summary>The partition this WAL belongs to (metrics tag only).</summary>
    internal int Partition { get; set; }

    // No no-op appended since start or since the last entries from another leader. Not 0: a fresh lone
    // node leads in term 0, and the no-op DotNext appends when that node adds a member carries term 0.
    private const long NoLeaderTerm = -1;

    private readonly SemaphoreSlim _leaderAppendLock = new(1, 1);
    private long _leaderTerm = NoLeaderTerm;

    /// <summary>
    /// The term of the no-op this node appended when it last won an election (or DotNext appended
    /// before a membership change); 0 once it has accepted entries from another leader since (local
    /// appends are then refused whatever their label). Label proposals with it. A lone member that
    /// never appended such a no-op reports the stored term.
    /// </summary>
    public long LeaderTerm
    {
        get
        {
            var term = Volatile.Read(ref _leaderTerm);
            if (term != NoLeaderTerm)
                return term;
            return IsLoneMember ? ((IPersistentState)this).Term : 0;
        }
    }

    /// <summary>
    /// Whether the current configuration has this node alone. DotNext starts such a group as leader of
    /// the stored term without an election and without a no-op, and no other leader can exist, so the
    /// label check is skipped there until a no-op sets <see cref="LeaderTerm"/>. Evaluated per append
    /// (not once at start): a lone node grown with <c>node add</c> must check from the moment the
    /// configuration has other members, as they can elect a leader of a newer term.
    /// </summary>
    internal bool IsLoneMember => _memberCount() == 1;

    /// <inheritdoc />
    async ValueTask<long> IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(TEntry entry, CancellationToken token)
    {
        // Local (leader-side) append: DotNext's election no-op, configuration entries, our proposals.
        await _leaderAppendLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (entry is EmptyLogEntry)
            {
                var index = await AppendAsync(entry, token).ConfigureAwait(false);
                Volatile.Write(ref _leaderTerm, entry.Term);
                return index;
            }
            // No no-op since the last entries from another leader: refused. Except on a lone member started
            // as leader without a no-op: no other leader can exist, nothing to check. Once a no-op was
            // appended (an election, or DotNext's AddMemberAsync, which appends one in the leader's term
            // before the new configuration), its term is checked, alone or not.
            var leaderTerm = Volatile.Read(ref _leaderTerm);
            var lone = leaderTerm == NoLeaderTerm && IsLoneMember;
            if (!lone && (leaderTerm == NoLeaderTerm || entry.Term != leaderTerm))
                throw new DotNext.Net.Cluster.Consensus.Raft.NotLeaderException();
            return await AppendAsync(entry, token).ConfigureAwait(false);
        }
        finally
        {
            _leaderAppendLock.Release();
        }
    }

    /// <inheritdoc />
    async ValueTask IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(TEntry entry, long startIndex, CancellationToken token)
    {
        // Indexed append: a snapshot install or a single replicated entry — another node leads.
        Volatile.Write(ref _leaderTerm, NoLeaderTerm);
        await AppendAsync(entry, startIndex, token).ConfigureAwait(false);
        if (!entry.IsSnapshot)
            await FlushAsync(token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(ILogEntryProducer<TEntry> entries, long startIndex, bool skipCommitted, CancellationToken token)
    {
        // Another node leads (this is how AppendEntries reaches the log, heartbeats included).
        Volatile.Write(ref _leaderTerm, NoLeaderTerm);
        var count = entries.RemainingCount;
        var started = Stopwatch.GetTimestamp();
        await AppendAsync(entries, startIndex, skipCommitted, token).ConfigureAwait(false);
        var appended = Stopwatch.GetTimestamp();
        // The acknowledgement DotNext sends after this returns promises the entries survive a crash.
        // One flush per received append (all its entries), not one per entry.
        await FlushAsync(token).ConfigureAwait(false);
        if (count > 0)
        {
            // Heartbeats (no entries) are not measured: their flush finds nothing to do.
            var tag = ConsensusMetrics.Tag(Partition);
            ConsensusMetrics.FollowerAppendEntries.Record(count, tag);
            ConsensusMetrics.FollowerAppend.Record(Stopwatch.GetElapsedTime(started, appended).TotalSeconds, tag);
            ConsensusMetrics.FollowerFlush.Record(Stopwatch.GetElapsedTime(appended).TotalSeconds, tag);
        }
    }
}
