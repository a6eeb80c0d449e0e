using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RaftBurrow.Consensus;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Cluster;

/// <summary>
/// The cluster facade the API layer uses (through an adapter): runs a command on the leader of its
/// partition — locally, or forwarded to the leader node over the internal HTTP endpoint — with a
/// deadline, retrying with the same request id after a leader change; serves linearizable reads on
/// this node after a read barrier; waits for partition changes (long polling). It also owns this
/// node's Raft groups and starts and stops them with the host.
/// </summary>
/// <remarks>
/// Safety: a command's result is returned only from the apply of a committed entry (locally, or by
/// the leader that committed it); a request that cannot get that before its deadline fails with
/// <see cref="ClusterUnavailableException"/>, never with a guessed success. The one exception is the
/// deliberately unsafe fault-injection setting <c>UnsafeAckBeforeCommit</c>.
/// Threading: every public member is safe to call concurrently.
/// </remarks>
public sealed partial class ClusterRouter : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(50);

    private readonly RaftNodeOptions _nodeOptions;
    private readonly ClusterOptions _options;
    private readonly Func<int, IReplicatedStateMachine> _machineFactory;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly MemberDirectory _directory;
    private readonly HttpClient _http;
    private RaftNode? _node;

    /// <summary>Creates the router; the Raft groups start with the host (<see cref="StartAsync"/>).</summary>
    public ClusterRouter(IOptions<RaftNodeOptions> nodeOptions, IOptions<ClusterOptions> options,
        Func<int, IReplicatedStateMachine> machineFactory, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _nodeOptions = nodeOptions.Value;
        _options = options.Value;
        _machineFactory = machineFactory;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ClusterRouter>();
        _nodeOptions.Validate();
        _directory = new MemberDirectory(_nodeOptions);
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>This node's id.</summary>
    public int NodeId => _nodeOptions.NodeId;

    /// <summary>Number of partitions.</summary>
    public int PartitionCount => _nodeOptions.Partitions;

    /// <summary>The members by id (the configured peers, or members.json once nodes were added or removed).</summary>
    public IReadOnlyDictionary<int, ClusterMember> Members => _members;

    /// <summary>The member directory (membership changes update it).</summary>
    public MemberDirectory Directory => _directory;

    private IReadOnlyDictionary<int, ClusterMember> _members => _directory.Members;

    /// <summary>Request-path settings.</summary>
    public ClusterOptions Options => _options;

    /// <summary>Now on this node, Unix ms (with the fault-injection clock offset, if any).</summary>
    public long NowMs => _node?.Clock.NowMs ?? _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The running Raft groups.</summary>
    /// <exception cref="ClusterUnavailableException">The node has not started yet or is stopping.</exception>
    public RaftNode Node => _node ?? throw new ClusterUnavailableException("This node is not running.");

    /// <summary>Whether this node currently leads <paramref name="partition"/>.</summary>
    public bool IsLocalLeader(int partition) => _node is { } node && node.Partitions[partition].IsLeader;

    /// <summary>The partition of a queue.</summary>
    public int PartitionOf(QueueSpace space, string project, string queue) =>
        Partitioner.PartitionOf(space, project, queue, PartitionCount);

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ClusterManifest.CheckOrCreate(_nodeOptions);
        var node = await RaftNode.CreateAsync(_nodeOptions, _directory, _machineFactory, _time, _loggerFactory, cancellationToken).ConfigureAwait(false);
        await node.StartAsync(cancellationToken).ConfigureAwait(false);
        _node = node;
        _logger.LogInformation("Node {NodeId} started {Partitions} partitions ({Members} members)", NodeId, PartitionCount, _members.Count);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var node = Interlocked.Exchange(ref _node, null);
        if (node is null)
            return;
        try
        {
            await node.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        _logger.LogInformation("Node {NodeId} stopped", NodeId);
    }

    /// <summary>
    /// Commits <paramref name="command"/> on a majority of its partition and returns the leader's
    /// apply result. Retries (same request id) across leader changes until the deadline.
    /// </summary>
    /// <exception cref="ClusterUnavailableException">No leader committed it before the deadline.</exception>
    public async Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, PartitionCount);
        var bytes = CommandCodec.Encode(command);
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RequestTimeoutMs);
        Exception? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.IsCancellationRequested)
                throw new ClusterUnavailableException($"No leader of partition {partition} committed the request within {_options.RequestTimeoutMs} ms.", last);
            var replica = Node.Partitions[partition];
            var leaderChanged = replica.LeaderChanged;
            try
            {
                if (replica.IsLeader)
                    return ToResult(await ProposeMeasuredAsync(replica, bytes, requestId, deadline.Token).ConfigureAwait(false), command, requestId);
                if (replica.LeaderNodeId is { } leaderId && leaderId != NodeId && _members.TryGetValue(leaderId, out var leader))
                {
                    var remainingMs = _options.RequestTimeoutMs - (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    // A hung (not dead) old leader would hold the request until the deadline: abandon
                    // the attempt as soon as this node sees another leader, and retry there.
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                    ConsensusMetrics.Forwarded.Add(1, ConsensusMetrics.Tag(partition));
                    var forwarding = ForwardBatchedAsync(leader, partition, bytes, requestId, Math.Max(remainingMs, 1), attempt.Token);
                    if (await Task.WhenAny(forwarding, leaderChanged).ConfigureAwait(false) != forwarding)
                    {
                        await attempt.CancelAsync().ConfigureAwait(false);
                        await forwarding.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                        continue;
                    }
                    var forwarded = await forwarding.ConfigureAwait(false);
                    if (forwarded is not null)
                        return forwarded;
                }
            }
            catch (NotLeaderException e)
            {
                last = e;
            }
            catch (HttpRequestException e)
            {
                last = e;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
                continue;
            }
            await WaitBrieflyAsync(leaderChanged, deadline.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Executes a command forwarded by another node, only if this node leads the partition
    /// (forwarding is one hop: a node that is not the leader answers "misdirected" and the origin retries).
    /// </summary>
    /// <returns>The result, or null when this node is not the leader.</returns>
    /// <exception cref="OperationCanceledException">No commit within <paramref name="timeoutMs"/>.</exception>
    internal async Task<CommandResult?> ExecuteForwardedAsync(int partition, byte[] commandBytes, Guid requestId, int timeoutMs, CancellationToken cancellationToken)
    {
        var replica = Node.Partitions[partition];
        if (!replica.IsLeader)
            return null;
        var command = CommandCodec.TryDecode(commandBytes);
        if (command is null)
            return new CodeResult(ResultCode.BadCommand, NowMs);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Math.Clamp(timeoutMs, 1, _options.RequestTimeoutMs));
        try
        {
            return ToResult(await ProposeMeasuredAsync(replica, commandBytes, requestId, deadline.Token).ConfigureAwait(false), command, requestId);
        }
        catch (NotLeaderException)
        {
            return null;
        }
    }

    /// <summary>
    /// Executes a batch of commands forwarded by another node (all for <paramref name="partition"/>),
    /// only if this node leads it. The commands are proposed together (they share the next group-commit
    /// entry); each gets its own outcome, in order.
    /// </summary>
    /// <returns>Per command: the result, or null when this node is not (or no longer) the leader.</returns>
    internal async Task<ForwardBatchCodec.Answer[]> ExecuteForwardedBatchAsync(int partition, IReadOnlyList<ForwardBatchCodec.Item> items, CancellationToken cancellationToken)
    {
        var answers = new ForwardBatchCodec.Answer[items.Count];
        var replica = Node.Partitions[partition];
        if (!replica.IsLeader)
        {
            Array.Fill(answers, new ForwardBatchCodec.Answer(ForwardOutcome.NotLeader, ReadOnlyMemory<byte>.Empty));
            return answers;
        }
        var commands = new Command?[items.Count];
        var proposals = new List<(ReadOnlyMemory<byte> Command, Guid RequestId)>(items.Count);
        var proposed = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            commands[i] = CommandCodec.TryDecode(items[i].Command);
            if (commands[i] is null)
            {
                answers[i] = new(ForwardOutcome.Ok, CommandCodec.EncodeResult(new CodeResult(ResultCode.BadCommand, NowMs)));
                continue;
            }
            proposals.Add((items[i].Command, items[i].RequestId));
            proposed.Add(i);
        }
        if (proposals.Count == 0)
            return answers;
        var tag = ConsensusMetrics.Tag(partition);
        ConsensusMetrics.Proposals.Add(proposals.Count, tag);
        var started = Stopwatch.GetTimestamp();
        Task<object?>[] tasks;
        try
        {
            tasks = replica.ProposeManyAsync(proposals, cancellationToken);
        }
        catch (NotLeaderException)
        {
            foreach (var i in proposed)
                answers[i] = new(ForwardOutcome.NotLeader, ReadOnlyMemory<byte>.Empty);
            return answers;
        }
        for (var k = 0; k < tasks.Length; k++)
        {
            var i = proposed[k];
            var timeoutMs = Math.Clamp(items[i].TimeoutMs, 1, _options.RequestTimeoutMs);
            var remaining = TimeSpan.FromMilliseconds(timeoutMs) - Stopwatch.GetElapsedTime(started);
            try
            {
                var applied = remaining > TimeSpan.Zero
                    ? await tasks[k].WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false)
                    : tasks[k].IsCompletedSuccessfully ? tasks[k].Result : throw new TimeoutException();
                ConsensusMetrics.CommitLatency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
                answers[i] = new(ForwardOutcome.Ok, CommandCodec.EncodeResult(ToResult(applied, commands[i]!, items[i].RequestId)));
            }
            catch (NotLeaderException)
            {
                answers[i] = new(ForwardOutcome.NotLeader, ReadOnlyMemory<byte>.Empty);
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // Not committed in time, or the replicate failed (the single endpoint answered 503 or
                // 500 then): the origin retries with the same request id, which the log deduplicates.
                answers[i] = new(ForwardOutcome.Unavailable, ReadOnlyMemory<byte>.Empty);
            }
        }
        return answers;
    }

    // Proposals and commit latency are measured here, at the call into the partition, so the proposer's
    // internals (batching) can change freely; the latency counts successful proposals only.
    private static async Task<object?> ProposeMeasuredAsync(RaftPartition replica, byte[] command, Guid requestId, CancellationToken cancellationToken)
    {
        var tag = ConsensusMetrics.Tag(replica.Partition);
        ConsensusMetrics.Proposals.Add(1, tag);
        var started = Stopwatch.GetTimestamp();
        var applied = await replica.ProposeAsync(command, requestId, cancellationToken).ConfigureAwait(false);
        ConsensusMetrics.CommitLatency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
        return applied;
    }

    private CommandResult ToResult(object? applied, Command command, Guid requestId) => applied switch
    {
        CommandResult result => result,
        UnsafeAcknowledged => UnsafeResults.For(command, requestId, NowMs),
        _ => new CodeResult(ResultCode.BadCommand, NowMs),
    };

    /// <summary>
    /// Runs <paramref name="query"/> on this node's replica of <paramref name="partition"/> after a
    /// read barrier (linearizable, also on followers), under the partition's read lock.
    /// </summary>
    /// <exception cref="ClusterUnavailableException">No barrier before the deadline (no leader / no quorum).</exception>
    public async Task<T> ReadAsync<T>(int partition, Func<IReplicatedStateMachine, long, T> query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, PartitionCount);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RequestTimeoutMs);
        Exception? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.IsCancellationRequested)
                throw new ClusterUnavailableException($"No read barrier on partition {partition} within {_options.RequestTimeoutMs} ms.", last);
            var replica = Node.Partitions[partition];
            var leaderChanged = replica.LeaderChanged;
            try
            {
                return await replica.ReadAsync(m => query(m, NowMs), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // No leader yet, or the barrier's round trip failed: wait for the next leader.
                last = e;
            }
            await WaitBrieflyAsync(leaderChanged, deadline.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="query"/> on every partition (each after its barrier), in partition order.</summary>
    public async Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IReplicatedStateMachine, long, T> query, CancellationToken cancellationToken)
    {
        var reads = new Task<T>[PartitionCount];
        for (var p = 0; p < reads.Length; p++)
            reads[p] = ReadAsync(p, query, cancellationToken);
        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    /// <summary>Completes when <paramref name="partition"/> applies an entry on this node (true), or at the timeout (false).</summary>
    public async Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Node.Partitions[partition].Changed.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>This node's view of every partition.</summary>
    public IReadOnlyList<PartitionStatus> Status(bool withHash = true) => Node.Partitions.Select(p => p.Status(withHash)).ToList();

    private async Task WaitBrieflyAsync(Task leaderChanged, CancellationToken deadline)
    {
        using var sleep = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        try
        {
            await Task.WhenAny(leaderChanged, Task.Delay(RetryBackoff, _time, sleep.Token)).ConfigureAwait(false);
        }
        finally
        {
            await sleep.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _http.Dispose();
    }
}
