using System.Net;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine;
using DotNextNotLeader = DotNext.Net.Cluster.Consensus.Raft.NotLeaderException;

namespace RaftBurrow.Consensus;

/// <summary>
/// This node's replica of one partition: a DotNext <see cref="RaftCluster"/> on its own TCP port,
/// its own <see cref="WriteAheadLog"/> and snapshot directory, driving one
/// <see cref="IReplicatedStateMachine"/>. Proposes commands (stamped with the leader's time and the
/// request id), serves linearizable reads, and proposes the expiry pulse while it leads.
/// </summary>
/// <remarks>Threading: every public member is safe to call concurrently.</remarks>
public sealed partial class RaftPartition : IAsyncDisposable
{
    private readonly RaftNodeOptions _options;
    private readonly NodeClock _clock;
    private readonly ILogger _logger;
    private readonly PartitionStateMachine _stateMachine;
    private readonly DurableWriteAheadLog _wal;
    private readonly RaftCluster _cluster;
    private readonly MemberDirectory _directory;
    private readonly RaftConfigurationFile _configurationFile;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _leaderChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _expireLoop = Task.CompletedTask;

    private RaftPartition(int partition, RaftNodeOptions options, NodeClock clock, ILoggerFactory loggerFactory,
        PartitionStateMachine stateMachine, DurableWriteAheadLog wal, RaftCluster cluster, MemberDirectory directory, RaftConfigurationFile configurationFile)
    {
        Partition = partition;
        _options = options;
        _clock = clock;
        _logger = loggerFactory.CreateLogger($"RaftBurrow.Consensus.Partition{partition}");
        _stateMachine = stateMachine;
        _wal = wal;
        _cluster = cluster;
        _directory = directory;
        _configurationFile = configurationFile;
        _linger = new BatchLinger(TimeSpan.FromMicroseconds(options.GroupCommitLingerUs), TimeProvider.System, _batchGate, () => _pending.Count);
        _cluster.LeaderChanged += OnLeaderChanged;
    }

    /// <summary>The partition number.</summary>
    public int Partition { get; }

    /// <summary>
    /// Creates the replica in the wiring order DotNext needs: the state machine restores its latest
    /// snapshot before the WAL is created (the WAL reads the snapshot index in its constructor).
    /// </summary>
    internal static async Task<RaftPartition> CreateAsync(int partition, RaftNodeOptions options, NodeClock clock,
        IReplicatedStateMachine machine, MemberDirectory directory, IPAddress listenAddress, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetFullPath(options.DataDir), "partitions", partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var snapshotDir = Directory.CreateDirectory(Path.Combine(root, "snapshots"));
        var walDir = Directory.CreateDirectory(Path.Combine(root, "wal"));
        var logger = loggerFactory.CreateLogger($"RaftBurrow.Consensus.Partition{partition}");
        var replicationWatcher = new ReplicationFailureWatcher(loggerFactory);

        var stateMachine = new PartitionStateMachine(snapshotDir, machine, partition, new SnapshotPolicy(options.SnapshotEveryEntries, options.SnapshotMinLogBytes, options.SnapshotLogBytesFactor), logger);
        await stateMachine.RestoreAsync(cancellationToken).ConfigureAwait(false);

        // Durable: a follower acknowledges appended entries only after they are flushed and checkpointed.
        // The member count follows the cluster's current configuration (assigned below, before any append).
        RaftCluster? cluster = null;
        var wal = new DurableWriteAheadLog(new WriteAheadLog.Options
        {
            Location = walDir.FullName,
            ChunkSize = options.WalChunkSizeBytes,
            MemoryManagement = options.EffectiveWalMemory,
            NoBuffering = options.WalNoBuffering,
        }, stateMachine, memberCount: () => cluster?.Members.Count ?? 0);
        wal.Partition = partition;
        logger.LogInformation("Partition {Partition}: WAL opened ({WalMemory}{NoBuffering}), last entry {LastEntry}, committed {Committed}, snapshot {Snapshot}",
            partition, options.EffectiveWalMemory, options.WalNoBuffering ? ", no buffering" : "", wal.LastEntryIndex, wal.LastCommittedEntryIndex, stateMachine.AppliedIndex);

        var self = directory.Members[options.NodeId];
        // A host name listens on what it resolved to at start (listenAddress); the other members (and
        // DotNext's member id) know this node by the name, so that is its public endpoint.
        var publicEndPoint = self.RaftEndPoint(partition);
        var configuration = new RaftCluster.TcpConfiguration(new IPEndPoint(listenAddress, self.RaftBasePort + partition))
        {
            PublicEndPoint = publicEndPoint,
            LowerElectionTimeout = options.ElectionTimeoutLowerMs,
            UpperElectionTimeout = options.ElectionTimeoutUpperMs,
            RequestTimeout = TimeSpan.FromMilliseconds(options.EffectiveRaftRequestTimeoutMs),
            ConnectTimeout = TimeSpan.FromMilliseconds(options.ElectionTimeoutLowerMs),
            ColdStart = false,
            LoggerFactory = replicationWatcher, // passes through; also reports failed replications (snapshot wedge)
            ConfigurationStorage = null!, // null selects the built-in in-memory storage
        };
        // The initial configuration: the last committed one this replica saw (raft-members.json),
        // else the members as configured. A joining node leaves itself out: DotNext then starts it
        // frozen (it neither votes nor campaigns) until a committed configuration includes it.
        var configurationFile = new RaftConfigurationFile(Path.Combine(root, "raft-members.json"));
        var initial = configurationFile.Load()
            ?? directory.Members.Values.Where(m => !(options.Join && m.Id == options.NodeId)).Select(m => m.RaftEndPoint(partition)).ToList();
        var storage = (InMemoryClusterConfigurationStorage<EndPoint>)configuration.ConfigurationStorage;
        var builder = storage.CreateInitialConfigurationBuilder();
        foreach (var endPoint in initial)
            builder.Add(endPoint);
        builder.Build();
        // Keep every committed configuration: the log entry that carried it may be compacted away.
        storage.ConfigurationChanged += configurationFile.SaveAsync;

        cluster = new RaftCluster(configuration) { AuditTrail = wal };
        var raftPartition = new RaftPartition(partition, options, clock, loggerFactory, stateMachine, wal, cluster, directory, configurationFile);
        raftPartition.WatchForSnapshotWedge(replicationWatcher);
        raftPartition.StartMetrics(walDir.FullName);
        return raftPartition;
    }

    /// <summary>Starts the Raft node (replays the log into the state machine) and the expiry pulse.</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await _cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        _expireLoop = Task.Run(() => ExpireLoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Whether this node currently leads the partition.</summary>
    public bool IsLeader => !_cluster.LeadershipToken.IsCancellationRequested;

    /// <summary>The leader's node id, or null while unknown (elections).</summary>
    public int? LeaderNodeId
    {
        get
        {
            var leader = _cluster.Leader;
            return leader is null ? null : _directory.IdOf(leader.EndPoint, Partition);
        }
    }

    /// <summary>Completes at the next leader change seen by this node.</summary>
    public Task LeaderChanged => Volatile.Read(ref _leaderChanged).Task;

    /// <summary>Completes when this replica applies its next entry.</summary>
    public Task Changed => _stateMachine.Changed;

    /// <summary>
    /// Proposes a command (CommandCodec bytes) stamped with this node's time and
    /// <paramref name="requestId"/>; returns the state machine's result once the entry is committed
    /// on a majority and applied here.
    /// </summary>
    /// <exception cref="NotLeaderException">Not the leader, or leadership was lost before the result came
    /// back (the entry may still commit: retry with the same request id).</exception>
    /// <remarks>Concurrent proposals are group-committed (RaftPartition.GroupCommit.cs).</remarks>
    public Task<object?> ProposeAsync(ReadOnlyMemory<byte> command, Guid requestId, CancellationToken cancellationToken)
    {
        var entry = LogEntryCodec.Encode(_clock.NowMs, requestId, command.Span);
        return _options.FaultInjection is { Enabled: true, UnsafeAckBeforeCommit: true }
            ? ReplicateAsync(entry, cancellationToken)
            : ProposeBatchedAsync(entry, cancellationToken);
    }

    private async Task<object?> ReplicateAsync(byte[] entry, CancellationToken cancellationToken)
    {
        if (!IsLeader)
            throw new NotLeaderException(Partition);
        var sink = new ApplyResultSink();
        var replicate = ReplicateCoreAsync(entry, sink, cancellationToken);
        if (_options.FaultInjection is { Enabled: true, UnsafeAckBeforeCommit: true })
        {
            // Deliberately unsafe (fault injection only): do not wait for the majority. The entry is
            // in the local log by the time the append has been scheduled; answer right away.
            _ = replicate.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return UnsafeAcknowledged.Instance;
        }
        await replicate.ConfigureAwait(false);
        // ReplicateAsync completes after the leader applied the entry; a sink without a result means
        // the entry was applied by a term in which this node was no longer leader.
        if (!sink.Applied.IsCompleted)
            throw new NotLeaderException(Partition);
        return await sink.Applied.ConfigureAwait(false);
    }

    private async Task ReplicateCoreAsync(byte[] entry, ApplyResultSink sink, CancellationToken cancellationToken)
    {
        try
        {
            // The term of this node's own election no-op, not _cluster.Term (which a deposed leader may
            // already have advanced): see DurableWriteAheadLog, which refuses a stale label.
            await _cluster.ReplicateAsync(new BinaryLogEntry { Content = entry, Term = _wal.LeaderTerm, Context = sink }, cancellationToken).ConfigureAwait(false);
        }
        catch (DotNextNotLeader e)
        {
            throw new NotLeaderException(Partition, e);
        }
        catch (InvalidOperationException e) when (!IsLeader)
        {
            throw new NotLeaderException(Partition, e);
        }
    }

    /// <summary>
    /// Linearizable read: waits for the read barrier (on a follower it asks the leader for its commit
    /// index and waits until it applied that far), then runs <paramref name="query"/> under the read lock.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<IReplicatedStateMachine, T> query, CancellationToken cancellationToken)
    {
        try
        {
            await _cluster.ApplyReadBarrierAsync(ReadBarrierType.Strong, cancellationToken).ConfigureAwait(false);
        }
        catch (DotNextNotLeader e)
        {
            throw new NotLeaderException(Partition, e);
        }
        return _stateMachine.Read(query);
    }

    /// <summary>Runs <paramref name="query"/> on the local state without a barrier (may be stale).</summary>
    public T ReadLocal<T>(Func<IReplicatedStateMachine, T> query) => _stateMachine.Read(query);

    /// <summary>The state hash throttle of <see cref="Status"/> (10 by default; tests set 0 so that every new index is hashed).</summary>
    internal double HashThrottle
    {
        get => _stateMachine.HashThrottle;
        set => _stateMachine.HashThrottle = value;
    }

    /// <summary>This node's view of the partition.</summary>
    /// <param name="withHash">Also hash the state (costly on a large state, see
    /// <see cref="PartitionStateMachine.IndexAndHash"/>); without it <see cref="PartitionStatus.StateHash"/> is null.</param>
    public PartitionStatus Status(bool withHash = true)
    {
        var (applied, hash) = withHash
            ? _stateMachine.IndexAndHash(() => _wal.LastAppliedIndex)
            : (_stateMachine.StateIndex(() => _wal.LastAppliedIndex), (ulong?)null);
        string role;
        if (_cluster.Standby)
            role = "standby";
        else if (IsLeader)
            role = "leader";
        else
            role = _cluster.Leader is null ? "candidate" : "follower";
        return new PartitionStatus(Partition, role, LeaderNodeId, _cluster.Term, _wal.LastCommittedEntryIndex, applied, hash);
    }

    /// <summary>
    /// Moves leadership off this node: standby (so it cannot win the next election), step down,
    /// wait briefly for another leader, then back to normal. Returns whether it moved.
    /// </summary>
    public async Task<bool> StepDownAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!IsLeader)
            return false;
        var standby = await _cluster.EnableStandbyModeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsLeader)
                await ((ICluster)_cluster).ResignAsync(cancellationToken).ConfigureAwait(false);
            if (!standby)
                standby = await _cluster.EnableStandbyModeAsync(cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(wait);
            while (!timeout.IsCancellationRequested && (LeaderNodeId is null || LeaderNodeId == _options.NodeId))
            {
                try
                {
                    await LeaderChanged.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            return LeaderNodeId is { } id && id != _options.NodeId;
        }
        finally
        {
            if (standby)
                await _cluster.RevertToNormalModeAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void OnLeaderChanged(RaftCluster<RaftClusterMember> cluster, RaftClusterMember? leader)
    {
        var previous = Interlocked.Exchange(ref _leaderChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    /// <summary>Stops the expiry pulse and the Raft node, then releases WAL and state machine.</summary>
    internal async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _expireLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _cluster.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _cluster.LeaderChanged -= OnLeaderChanged;
        StopMetrics();
        await _cluster.DisposeAsync().ConfigureAwait(false);
        await _wal.DisposeAsync().ConfigureAwait(false);
        await _stateMachine.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
