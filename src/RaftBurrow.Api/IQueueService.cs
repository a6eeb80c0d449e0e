using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api;

/// <summary>
/// What the REST front ends need from the cluster: run a command on the leader of the partition
/// that owns a queue, read a partition's state linearizably, scatter a read to every partition,
/// and wait for a partition to change (long polling). Implemented by the cluster layer (real Raft)
/// and glued in by the server.
/// </summary>
/// <remarks>
/// Errors the caller maps to HTTP: <see cref="ServiceUnavailableException"/> (no leader in time → 503 +
/// Retry-After). Everything state-dependent comes back as a <see cref="ResultCode"/>.
/// </remarks>
public interface IQueueService
{
    /// <summary>Number of partitions.</summary>
    int PartitionCount { get; }

    /// <summary>The partition that owns a queue (stable across processes).</summary>
    int PartitionOf(QueueSpace space, string project, string queue);

    /// <summary>
    /// Commits <paramref name="command"/> on a majority and returns its result from the leader's apply.
    /// A retry with the same <paramref name="requestId"/> returns the first result (dedup window).
    /// </summary>
    /// <param name="partition">Target partition (see <see cref="PartitionOf"/>).</param>
    /// <param name="command">The command.</param>
    /// <param name="requestId">Unique per logical request; the same on retries.</param>
    /// <param name="cancellationToken">Cancels the wait (the command may still commit).</param>
    Task<CommandResult> ExecuteAsync(int partition, Command command, Guid requestId, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="query"/> against a partition's state after a read barrier, under its read lock.
    /// The <c>long</c> is the node's current time in Unix ms.</summary>
    Task<T> ReadAsync<T>(int partition, Func<IQueueQueries, long, T> query, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="query"/> on every partition (in partition order) and returns the answers.</summary>
    Task<IReadOnlyList<T>> ReadAllAsync<T>(Func<IQueueQueries, long, T> query, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when <paramref name="partition"/> applies a new entry on this node, or at
    /// <paramref name="timeout"/>, whichever is first (returns false on timeout). Long polls loop:
    /// query, and if nothing, wait here, then query again.
    /// </summary>
    Task<bool> WaitForChangeAsync(int partition, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Whether this node currently leads <paramref name="partition"/> (background workers such as
    /// the webhook notifier and the dead-letter mover run only where this is true).</summary>
    bool IsLocalLeader(int partition);

    /// <summary>Current time on this node, Unix ms (the injected TimeProvider's).</summary>
    long NowMs { get; }
}

/// <summary>No leader could be reached in time for a partition (→ 503 with Retry-After).</summary>
public sealed class ServiceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServiceUnavailableException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public ServiceUnavailableException() : this("No leader is reachable for this partition.") { }

    /// <summary>Creates the exception.</summary>
    public ServiceUnavailableException(string message) : this(message, null) { }
}
