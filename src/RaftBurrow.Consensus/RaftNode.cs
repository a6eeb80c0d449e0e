using Microsoft.Extensions.Logging;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Consensus;

/// <summary>
/// All Raft groups of this node: one <see cref="RaftPartition"/> per partition, each with its own
/// port, WAL and snapshot directory under <c>&lt;DataDir&gt;/partitions/&lt;p&gt;/</c>.
/// </summary>
public sealed class RaftNode : IAsyncDisposable
{
    private readonly RaftPartition[] _partitions;

    private RaftNode(RaftNodeOptions options, NodeClock clock, RaftPartition[] partitions)
    {
        Options = options;
        Clock = clock;
        _partitions = partitions;
    }

    /// <summary>The settings this node runs with.</summary>
    public RaftNodeOptions Options { get; }

    /// <summary>This node's clock (with the fault-injection offset, if any).</summary>
    public NodeClock Clock { get; }

    /// <summary>The partitions, indexed by number.</summary>
    public IReadOnlyList<RaftPartition> Partitions => _partitions;

    /// <summary>
    /// Restores every partition from its snapshot and opens its WAL (nothing listens yet).
    /// </summary>
    /// <param name="options">Validated settings.</param>
    /// <param name="directory">The members (shared with the router, which learns added and removed nodes).</param>
    /// <param name="machineFactory">Creates the (empty) state machine of a partition.</param>
    /// <param name="time">The time source (tests inject a fake one).</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="cancellationToken">Cancels the restore.</param>
    public static async Task<RaftNode> CreateAsync(RaftNodeOptions options, MemberDirectory directory, Func<int, IReplicatedStateMachine> machineFactory,
        TimeProvider time, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        options.Validate();
        var faults = options.FaultInjection;
        var clock = new NodeClock(time, faults.Enabled ? faults.ClockOffsetMs : 0);
        // Resolved once for every partition's listener: a host name is looked up now, not once per partition.
        var listenAddress = RaftEndPoints.ResolveListenAddress(directory.Members[options.NodeId].RaftAddress);
        var partitions = new RaftPartition[options.Partitions];
        for (var p = 0; p < partitions.Length; p++)
            partitions[p] = await RaftPartition.CreateAsync(p, options, clock, machineFactory(p), directory, listenAddress, loggerFactory, cancellationToken).ConfigureAwait(false);
        return new RaftNode(options, clock, partitions);
    }

    /// <summary>Same as the other overload, with a directory made from <paramref name="options"/> (and <c>members.json</c>).</summary>
    public static Task<RaftNode> CreateAsync(RaftNodeOptions options, Func<int, IReplicatedStateMachine> machineFactory,
        TimeProvider time, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return CreateAsync(options, new MemberDirectory(options), machineFactory, time, loggerFactory, cancellationToken);
    }

    /// <summary>Starts every partition's Raft node.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_partitions.Select(p => p.StartAsync(cancellationToken)));

    /// <summary>Stops every partition (graceful: followers see the leader go and elect another).</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_partitions.Select(p => p.StopAsync(cancellationToken)));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var partition in _partitions)
            await partition.DisposeAsync().ConfigureAwait(false);
    }
}
